"""The ``omnisim`` command line.

``omnisim run SCENARIO`` compares the designs of a scenario and writes its results;
``omnisim validate`` compares the simulator with exact Erlang C and Erlang A values;
``omnisim ablate SCENARIO`` measures what each capability between two designs is worth;
``omnisim staff SCENARIO --target EXPR`` finds each design's smallest headcount.
A bad scenario prints one line ``FILE: field: what is wrong (what is allowed)`` and exits
2; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ParamSpec

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .engine import compile_world
from .errors import (
    EXIT_ENVIRONMENT,
    EXIT_TERMINATED,
    EnvironmentFault,
    InvariantViolation,
    ScenarioError,
    SimError,
    Terminated,
    one_line,
)
from .experiment import build_summary, run_experiment, write_results
from .experiment.ablation import Ablation
from .experiment.budget import check_work, estimate_work, overload_warnings
from .experiment.check import check_world
from .experiment.outdir import ResultsFolder
from .experiment.results import file_hash
from .experiment.runner import EXECUTORS, UnitStore, default_jobs
from .experiment.staffing import (
    Point,
    Staffing,
    Target,
    find_staffing,
    headcount_evaluator,
    parse_target,
)
from .metrics.outcomes import HEADLINE
from .metrics.recorder import BREAKDOWN_DIMENSIONS
from .model.design import Design
from .scenario import load_scenario, parse_scenario, resolve_designs
from .scenario.load import read_document
from .scenario.schema import Scenario

__all__ = ["main"]

_P = ParamSpec("_P")


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum} (got {value})")
    return value


def _positive_int(text: str) -> int:
    return _whole(text, 1)


def _replications(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be >= 2 to form an interval (got {value})")
    return value


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be strictly between 0 and 1 (got {value})")
    return value


def _seed(text: str) -> int:
    return _whole(text, 0)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds (got {text!r})") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be > 0 and at most 3600 (got {text})")
    return value


@functools.cache
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omnisim",
        description="Simulate omnichannel customer service and compare service designs.",
    )
    parser.add_argument("--version", action="version", version=f"omnisim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _run_parser(sub)
    _plot_parser(sub)
    _sweep_parser(sub)
    _staff_parser(sub)
    _ablate_parser(sub)
    _sensitivity_parser(sub)
    _check_parser(sub)
    _validate_parser(sub)
    _graph_parser(sub)
    _report_parser(sub)
    return parser


def _run_parser(sub: Any) -> None:
    """The ``run`` command's options."""
    run = sub.add_parser(
        "run",
        help="compare the designs of a scenario",
        description="Run every design of SCENARIO on the same customers (common random "
        "numbers) and write summary.json, replications.csv and manifest.json.",
    )
    run.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    run.add_argument("--out", metavar="DIR", type=Path,
                     help="results folder (default: results/<scenario-name>/)")
    run.add_argument("--replications", "-n", metavar="N", type=_positive_int,
                     help="replications per design (default: the scenario's)")
    run.add_argument("--seed", metavar="S", type=_seed, help="seed (default: the scenario's)")
    run.add_argument("--horizon", metavar="DURATION",
                     help="simulated time per replication, e.g. 2h (default: the scenario's; "
                     "for quick trials)")
    run.add_argument("--design", metavar="NAME", nargs="+", action="extend",
                     help="designs to compare, the first is the baseline (default: the "
                     "scenario's list)")
    run.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                     help="processes to run replications in (default: the local cores)")
    run.add_argument("--quiet", "-q", action="store_true", help="print no table")
    run.add_argument("--resume", action="store_true",
                     help="reuse the runs an interrupted run already saved in DIR/.units/")
    run.add_argument("--executor", choices=EXECUTORS, default="local",
                     help="where to run: local processes (default) or a Dask cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="the Dask scheduler's address, with --executor dask")
    run.add_argument("--scheduler-timeout", metavar="SECONDS", type=_seconds, default=10.0,
                     help="how long to wait for the Dask scheduler to answer (default: 10)")
    run.add_argument("--force", action="store_true",
                     help="run even when the estimated work is beyond the sane bounds")
    run.add_argument("--plot", action="store_true",
                     help="also draw the figures into DIR/figures/ (PNG and SVG)")
    run.add_argument("--check", action="store_true",
                     help="check the continuity invariants while simulating (exit 1 on the "
                     "first violation)")
    run.add_argument("--by", metavar="DIMENSION", choices=BREAKDOWN_DIMENSIONS,
                     help="also print the outcomes per pool, channel, segment, intent or "
                     "hour (all are in breakdown.csv and summary.json either way)")
    run.add_argument("--equalize", metavar="EXPR",
                     help="first staff each design to the same target on one pool (e.g. "
                     "'service_level>=0.8'), then compare every outcome at those headcounts")
    run.add_argument("--pool", metavar="NAME",
                     help="the pool --equalize staffs (default: the only one)")
    run.add_argument("--max-agents", metavar="N", type=_positive_int, default=None,
                     help="the largest headcount --equalize tries (default: 10 × the "
                     "scenario's)")


def _plot_parser(sub: Any) -> None:
    """The ``plot`` command's options."""
    plot = sub.add_parser(
        "plot",
        help="draw the figures of a results folder",
        description="Draw the figures of the results of `omnisim run` in DIR: outcomes per "
        "design, paired differences, the distribution of time to resolution, pools over the "
        "day, and the observed journeys.",
    )
    plot.add_argument("results", metavar="DIR", type=Path, help="a folder `omnisim run` wrote")
    plot.add_argument("--out", metavar="FIGDIR", type=Path,
                      help="where to write the figures (default: DIR/figures/)")
    plot.add_argument("--format", dest="formats", metavar="FMT", nargs="+",
                      default=["png", "svg"], help="png, svg and/or pdf (default: png svg)")


def _sweep_parser(sub: Any) -> None:
    """The ``sweep`` command's options."""
    sweep = sub.add_parser(
        "sweep",
        help="run a grid of parameter values × designs × replications",
        description="Vary scenario fields (by their path in the file; array elements by "
        "name or index) and run every design at every point on common random numbers. "
        "Writes sweep.csv (tidy), sweep_summary.csv and one figure per headline outcome.",
    )
    sweep.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    sweep.add_argument("--vary", metavar="PATH=VALUES", action="append", required=True,
                       help="e.g. pools.voice.agents=14:20:2 or "
                       "segments.mobile.interruptions.rate=0,0.1,0.2 (repeatable)")
    sweep.add_argument("--out", metavar="DIR", type=Path,
                       help="results folder (default: results/<scenario-name>-sweep/)")
    sweep.add_argument("--replications", "-n", metavar="N", type=_positive_int,
                       help="replications per point and design (default: the scenario's)")
    sweep.add_argument("--seed", metavar="S", type=_seed, help="seed (default: the scenario's)")
    sweep.add_argument("--design", metavar="NAME", nargs="+", action="extend",
                       help="designs (default: the scenario's list)")
    sweep.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                       help="processes (default: the local cores)")


def _staff_parser(sub: Any) -> None:
    """The ``staff`` command's options."""
    staff = sub.add_parser(
        "staff",
        help="the smallest headcount of a pool that meets a target, per design",
        description="For each design, search the smallest headcount of POOL whose whole "
        "confidence interval meets TARGET (galloping from the scenario's headcount, then "
        "bisection; every headcount runs all designs on common random numbers), and the "
        "difference in agents against the first design. Writes staffing.json, "
        "staffing.csv (every headcount evaluated), manifest.json and staffing.png.",
    )
    staff.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    staff.add_argument("--target", metavar="EXPR", required=True,
                       help="OUTCOME>=X or OUTCOME<=X, e.g. service_level>=0.8, "
                       "mean_wait<=0.5 or pool.voice.mean_wait<=0.5")
    staff.add_argument("--pool", metavar="NAME",
                       help="the pool whose agents vary (default: the only pool)")
    staff.add_argument("--design", metavar="NAME", nargs="+", action="extend",
                       help="designs, the first is the baseline (default: the scenario's list)")
    staff.add_argument("--out", metavar="DIR", type=Path,
                       help="results folder (default: results/<scenario-name>-staffing/)")
    staff.add_argument("--replications", "-n", metavar="N", type=_replications,
                       help="replications per headcount and design (default: the scenario's)")
    staff.add_argument("--seed", metavar="S", type=_seed, help="seed (default: the scenario's)")
    staff.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                       help="processes (default: the local cores)")
    staff.add_argument("--confidence", metavar="LEVEL", type=_confidence, default=0.95,
                       help="level of the interval that must meet the target (default: 0.95)")
    staff.add_argument("--max-agents", metavar="N", type=_positive_int, default=None,
                       help="the largest headcount tried (default: 10 × the pool's headcount)")
    staff.add_argument("--quiet", "-q", action="store_true",
                       help="print neither progress nor the table")


def _ablate_parser(sub: Any) -> None:
    """The ``ablate`` command's options."""
    ablate = sub.add_parser(
        "ablate",
        help="what each capability between two designs is worth",
        description="Between two designs, switch each capability that differs on alone from "
        "the first (--from) and off alone from the second (--to), all on the same customers "
        "(common random numbers). Prints each capability's effect on the headline outcomes "
        "with 95%% intervals and writes ablation.json, ablation.csv, replications.csv, "
        "manifest.json and a tornado figure (ablation.png, ablation.svg).",
    )
    ablate.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    ablate.add_argument("--from", dest="base", metavar="NAME", default="siloed",
                        help="the base design capabilities are switched on in (default: "
                        "siloed)")
    ablate.add_argument("--to", dest="full", metavar="NAME", default="all",
                        help="the full design capabilities are switched off in (default: "
                        "all)")
    ablate.add_argument("--out", metavar="DIR", type=Path,
                        help="results folder (default: results/<scenario-name>-ablation/)")
    ablate.add_argument("--replications", "-n", metavar="N", type=_replications,
                        help="replications per design (default: the scenario's)")
    ablate.add_argument("--seed", metavar="S", type=_seed,
                        help="seed (default: the scenario's)")
    ablate.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                        help="processes to run replications in (default: the local cores)")
    ablate.add_argument("--no-plot", dest="plot", action="store_false",
                        help="do not draw the tornado figure")
    ablate.add_argument("--quiet", "-q", action="store_true", help="print no table")


def _check_parser(sub: Any) -> None:
    """The ``check`` command's options."""
    check = sub.add_parser(
        "check",
        help="check the continuity invariants of scenarios (for CI)",
        description="Validate each SCENARIO, run a short simulation of every design with the "
        "run-time monitors on, and check the properties that compare runs. Prints one line "
        "per invariant; exits 0 when all hold, 1 when one is violated, 2 for a bad file.",
    )
    check.add_argument("scenarios", metavar="SCENARIO", nargs="+", help="scenario files")
    check.add_argument("--replications", "-n", metavar="N", type=_positive_int, default=2,
                       help="replications per design (default: 2)")
    check.add_argument("--seed", metavar="S", type=_seed, help="seed (default: the scenario's)")


def _validate_parser(sub: Any) -> None:
    """The ``validate`` command's options."""
    validate = sub.add_parser(
        "validate",
        help="compare the simulator with exact Erlang C and Erlang A values",
        description="Run a grid of Erlang C (M/M/n) and Erlang A (M/M/n+M) queues, each "
        "written as a scenario file, and compare each outcome's interval with the "
        "exact steady-state value. Prints the table, writes validation.md and "
        "validation.png; exits 0 when every exact value lies inside its interval, 1 when "
        "any lies outside (about 1 in 20 does by chance), 2 for bad arguments.",
    )
    validate.add_argument("--full", action="store_true",
                          help="the full grid (11 cases, a few minutes) instead of the small "
                          "one (2 cases)")
    validate.add_argument("--replications", "-n", metavar="N", type=_replications,
                          default=20, help="replications per case (default: 20)")
    validate.add_argument("--seed", metavar="S", type=_seed, default=7,
                          help="seed (default: 7)")
    validate.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                          help="processes to run replications in (default: the local cores)")
    validate.add_argument("--confidence", metavar="LEVEL", type=_confidence, default=None,
                          help="confidence level of each Student-t interval (default: the "
                          "Bonferroni family-wise 95%% level, 1 − 0.05/comparisons, so that "
                          "an exact simulator misses anything only one run in twenty)")
    validate.add_argument("--out", metavar="DIR", type=Path,
                          default=Path("results") / "validation",
                          help="folder for validation.md and validation.png (default: "
                          "results/validation/)")


def _graph_parser(sub: Any) -> None:
    """The ``graph`` command's options."""
    graph = sub.add_parser(
        "graph",
        help="the journey graph of a scenario or a run, as GraphML and DOT",
        description="For a scenario file, write its designed journey graph (designed.graphml, "
        "designed.dot); for a results folder, the journeys observed per design "
        "(observed-DESIGN.graphml, .dot), for Gephi, yEd, Graphviz or networkx.",
    )
    graph.add_argument("path", metavar="SCENARIO|DIR", type=Path,
                       help="a scenario file, or a folder `omnisim run` wrote")
    graph.add_argument("--out", metavar="DIR", type=Path,
                       help="where to write (default: results/<scenario-name>-graph/ for a "
                       "scenario, DIR/graphs/ for a results folder)")


def _report_parser(sub: Any) -> None:
    """The ``report`` command's options."""
    report = sub.add_parser(
        "report",
        help="one self-contained HTML report of a results folder",
        description="Write DIR/report.html: the scenario file, the manifest, the comparison "
        "table, the breakdowns, every figure (inlined SVG) and the ablation, staffing and "
        "sensitivity results the folder has. It opens without network access.",
    )
    report.add_argument("results", metavar="DIR", type=Path,
                        help="a folder omnisim run, ablate, staff or sensitivity wrote")
    report.add_argument("--out", metavar="FILE", type=Path,
                        help="where to write the report (default: DIR/report.html)")


def _sensitivity_parser(sub: Any) -> None:
    from .experiment.sensitivity import DEFAULT_SAMPLES, METHODS

    sens = sub.add_parser(
        "sensitivity",
        help="does the comparison of two designs survive the scenario's assumptions",
        description="Draw parameter sets from the scenario's [uncertain] ranges, run two "
        "designs A and B at each on common random numbers, and report per headline outcome "
        "the spread of B − A over the assumptions, P(B better) and which assumption it "
        "hinges on (Sobol indices or standardized regression coefficients). Writes "
        "sensitivity.json, sensitivity.csv, samples.csv, manifest.json and figures/.",
    )
    sens.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    sens.add_argument("--samples", "-N", metavar="N", type=_positive_int,
                      default=DEFAULT_SAMPLES, help=f"base samples; sobol runs N × (d + 2) "
                      f"parameter sets for d assumptions, lhs runs N (default: "
                      f"{DEFAULT_SAMPLES})")
    sens.add_argument("--method", choices=METHODS, default="sobol",
                      help="sobol: Sobol indices (default); lhs: Latin hypercube and "
                      "standardized regression coefficients")
    sens.add_argument("--design", metavar="NAME", nargs="+", action="extend",
                      help="the two designs A and B, compared as B − A (default: the "
                      "scenario's first two)")
    sens.add_argument("--replications", "-n", metavar="R", type=_positive_int, default=1,
                      help="replications per parameter set and design (default: 1)")
    sens.add_argument("--seed", metavar="S", type=_seed, help="seed (default: the scenario's)")
    sens.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                      help="processes (default: the local cores)")
    sens.add_argument("--executor", choices=EXECUTORS, default="local",
                      help="where to run: local processes (default) or a Dask cluster")
    sens.add_argument("--scheduler", metavar="ADDRESS",
                      help="the Dask scheduler's address, with --executor dask")
    sens.add_argument("--out", metavar="DIR", type=Path,
                      help="results folder (default: results/<scenario-name>-sensitivity/)")
    sens.add_argument("--resume", action="store_true",
                      help="reuse the runs an interrupted run already saved in DIR/.units/")
    sens.add_argument("--no-plot", dest="plot", action="store_false",
                      help="do not draw the figures")
    sens.add_argument("--quiet", "-q", action="store_true", help="print no table")


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("omnisim")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "scenario"


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= min(1e4, 10**digits):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 else f"{value:.{digits - 2}e}"


def _interval(est: dict[str, Any], digits: int = 4) -> str:
    if est["mean"] is None:
        return "–"
    if est["ci_low"] is None:
        return _fmt(est["mean"], digits)
    return (f"{_fmt(est['mean'], digits)} [{_fmt(est['ci_low'], digits)}, "
            f"{_fmt(est['ci_high'], digits)}]")


def print_table(summary: dict[str, Any], console: Console) -> None:
    """Print outcomes per design (mean [95% CI]) and the paired differences.

    Above the table, what each design changes from the baseline, and the headcounts of
    a comparison at equal service. One column per design and difference when that fits
    the console; else one block per outcome, one line per design, which fits 80 columns.
    """
    designs = summary["designs"]
    diffs = summary["differences"]
    info = summary["scenario"]
    for name, changed in info.get("changes", {}).items():
        console.print(f"{name} = {next(iter(designs))} + {', '.join(changed) or 'nothing'}",
                      markup=False, highlight=False)
    if "equalized" in info:
        eq = info["equalized"]
        console.print(f"at equal service: each design staffed to {eq['target']} "
                      f"({eq['confidence']:.0%} interval) on pool {eq['pool']}: "
                      + ", ".join(f"{d} {n} agents" for d, n in eq["agents"].items()),
                      markup=False, highlight=False)
    title = (f"{summary['scenario']['name']}: mean [95% CI] over "
             f"{summary['scenario']['replications']} replications")
    wide = _wide_table(summary, _table_rows(summary, 4), title)
    if _natural_width(wide) <= console.width:
        console.print(wide)
    else:
        console.print(title, markup=False)
        for line in _long_lines(summary, _table_rows(summary, 3)):
            console.print(line, markup=False, soft_wrap=True)
    if diffs:
        console.print("* the 95% interval of the paired difference excludes 0")


def _natural_width(table: Table) -> int:
    """The width *table* takes when nothing constrains it."""
    import io

    return Console(width=1_000_000, file=io.StringIO()).measure(table).maximum


def _table_rows(summary: dict[str, Any], digits: int,
                ) -> list[tuple[str, list[str], list[str]]]:
    """Per outcome with a value: its label, the cells per design and per difference."""
    designs, diffs = summary["designs"], summary["differences"]
    rows = []
    for outcome, unit in summary["units"].items():
        cells = [designs[d]["outcomes"][outcome] for d in designs]
        if all(c["mean"] is None for c in cells):
            continue
        label = f"{outcome} ({unit})" if unit == "min" else outcome
        marked = []
        for d in diffs.values():
            est = d["outcomes"][outcome]
            excludes = est["ci_low"] is not None and (est["ci_low"] > 0 or est["ci_high"] < 0)
            marked.append(_interval(est, digits) + (" *" if excludes else ""))
        rows.append((label, [_interval(c, digits) for c in cells], marked))
    return rows


def _wide_table(summary: dict[str, Any], rows: list[tuple[str, list[str], list[str]]],
                title: str) -> Table:
    table = Table(title=title)
    table.add_column("outcome", no_wrap=True)
    for name in summary["designs"]:
        table.add_column(name, justify="right", no_wrap=True)
    for name, d in summary["differences"].items():
        table.add_column(f"{name} − {d['baseline']}", justify="right", no_wrap=True)
    for label, cells, marked in rows:
        table.add_row(label, *cells, *marked)
    return table


def _long_lines(summary: dict[str, Any],
                rows: list[tuple[str, list[str], list[str]]]) -> list[str]:
    """One block per outcome: a line per design with its mean and its difference.

    With three significant digits, it fits 80 columns for design names up to 16
    characters.
    """
    names = list(summary["designs"])
    name_width = max(len(n) for n in names) + 2
    value_width = max(len(c) for _, cells, _ in rows for c in cells)
    lines = [f"{'':{name_width}} {'mean [95% CI]':>{value_width}}   − {names[0]} [95% CI]"]
    for label, cells, marked in rows:
        lines.append(label)
        for i, name in enumerate(names):
            diff = f"   {marked[i - 1]}" if i else ""
            lines.append(f"  {name:{name_width - 2}} {cells[i]:>{value_width}}{diff}".rstrip())
    return lines


def _run(args: argparse.Namespace) -> int:
    _check_executor(args)
    scenario = _with_horizon(load_scenario(args.scenario), args)
    try:
        designs = resolve_designs(scenario, args.design)
        equalizing = _equalize_target(args, scenario)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    replications = args.replications or sec.replications
    if replications < 2:
        print(f"omnisim run: warning: {replications} replication: no confidence interval can "
              "be computed (give -n 2 or more)", file=sys.stderr)
    seed = sec.seed if args.seed is None else args.seed
    out_dir = args.out or Path("results") / _slug(sec.name)
    _check_work(args, scenario, len(designs), replications)
    world = compile_world(scenario)
    jobs = _jobs(args.jobs)
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        if not args.resume and folder.units.exists():
            shutil.rmtree(folder.units)
        details: dict[str, list[dict[str, Any]]] = {}
        info = {**_scenario_info(args.scenario, scenario, seed, replications),
                "designs": [d.name for d in designs], "pools": _headcounts(scenario),
                "changes": _changes(designs)}
        if equalizing is not None:
            equalized = _equalized(args, scenario, designs, *equalizing, replications, seed,
                                   jobs, details)
            results = equalized.results
            info["equalized"] = equalized.to_dict()
        else:
            results = run_experiment(world, designs, replications, seed, jobs=jobs,
                                     check=args.check, details=details,
                                     store=UnitStore(folder.units), executor=args.executor,
                                     scheduler=args.scheduler,
                                     scheduler_timeout=args.scheduler_timeout)
        elapsed = time.perf_counter() - started
        summary = build_summary(results, info)
        with folder.publish() as stage:
            write_results(stage, summary, results, {
                **_manifest_base(info, args.scenario),
                "designs": info["designs"],
                "jobs": jobs,
                "elapsed_seconds": round(elapsed, 3),
            }, details=details)
            figures = _plots(stage) if args.plot else []
    if not args.quiet:
        console = Console(highlight=False)
        print_table(summary, console)
        if args.by:
            print_breakdown(summary, args.by, console)
        console.print(f"results in {out_dir}/ ({elapsed:.1f} s)")
        if figures:
            console.print(f"{len(figures)} figures in {out_dir / figures[0].parent.name}/")
    return 0


def _with_horizon(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """*scenario* with the horizon ``--horizon`` gives, validated again, if it gives one."""
    if args.horizon is None:
        return scenario
    data = read_document(args.scenario)
    data["scenario"]["horizon"] = args.horizon
    try:
        return parse_scenario(data)
    except ScenarioError as e:
        path = "--horizon" if e.path == "scenario.horizon" else e.path
        raise ScenarioError(path, e.message, args.scenario) from None


#: At most this many worker processes per core the machine lets omnisim use.
MAX_JOBS_PER_CORE = 8


def _jobs(asked: int | None) -> int:
    """The processes to use: *asked* (``--jobs``), at most a few per core, or every core."""
    cores = default_jobs()
    if asked is not None and asked > MAX_JOBS_PER_CORE * cores:
        raise ScenarioError("--jobs", f"{asked} processes on {cores} cores (allowed: at most"
                            f" {MAX_JOBS_PER_CORE * cores}, {MAX_JOBS_PER_CORE} per core)")
    return asked or cores


def _check_executor(args: argparse.Namespace) -> None:
    """``--scheduler`` goes with ``--executor dask`` and the other way round."""
    if args.executor == "dask" and not args.scheduler:
        raise ScenarioError("--scheduler", "missing (--executor dask needs the scheduler's "
                            "address, e.g. tcp://host:8786)")
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler", "is only used with --executor dask (allowed: add "
                            "--executor dask, or leave --scheduler out)")


def _check_work(args: argparse.Namespace, scenario: Scenario, designs: int,
                replications: int) -> None:
    """Refuse a run whose estimated work is beyond sane bounds, unless ``--force``; warn
    of a queue that surely grows for ever."""
    try:
        if not getattr(args, "force", False):
            check_work(estimate_work(scenario, designs, replications))
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    for line in overload_warnings(scenario):
        print(f"omnisim: warning: {args.scenario}: {one_line(line)}", file=sys.stderr)


def _changes(designs: Sequence[Design]) -> dict[str, list[str]]:
    """For each design after the first, the capabilities that differ from the first."""
    from .experiment.ablation import differing

    return {d.name: differing(designs[0], d) for d in designs[1:]}


def _equalize_target(args: argparse.Namespace,
                     scenario: Scenario) -> tuple[Target, str] | None:
    """The target of ``--equalize`` and the pool it staffs (``None`` without it)."""
    if args.equalize is None:
        if args.pool is not None:
            raise ScenarioError("--pool", "is only for --equalize")
        return None
    pools = [p.name for p in scenario.pools]
    try:
        target = parse_target(args.equalize, pools)
    except ScenarioError as e:
        raise ScenarioError("--equalize", e.message.replace("--target: ", "")) from None
    pool, _ = _flat_pool(scenario, args.pool, "the one --equalize staffs", "--equalize staffs")
    return target, pool


def _flat_pool(scenario: Scenario, asked: str | None, which: str,
               searcher: str) -> tuple[str, int]:
    """The pool ``--pool`` names (or the only one) and its flat headcount.

    *which* says in the message which pool to name, *searcher* who needs a flat one.
    """
    pools = [p.name for p in scenario.pools]
    if asked is None and len(pools) != 1:
        raise ScenarioError("--pool", f"missing: the scenario has {len(pools)} pools, name "
                            f"{which} ({', '.join(pools)})")
    pool = asked if asked is not None else pools[0]
    if pool not in pools:
        raise ScenarioError("--pool", f"unknown pool {pool!r} (pools: {', '.join(pools)})")
    flat = next(p.agents for p in scenario.pools if p.name == pool)
    if flat is None:
        raise ScenarioError("--pool", f"pool {pool!r} has a schedule; {searcher} a flat "
                            "headcount (allowed: a pool with agents = N)")
    return pool, flat


def _equalized(args: argparse.Namespace, scenario: Scenario, designs: list[Design],
               target: Target, pool: str, replications: int, seed: int, jobs: int,
               details: dict[str, list[dict[str, Any]]]) -> Any:
    """Run ``--equalize``: staff each design to the target, then run it there."""
    from .experiment.equalize import equalize

    if replications < 2:
        raise ScenarioError("--replications", "must be >= 2 for --equalize, whose target "
                            "is met with confidence")
    err = Console(stderr=True, quiet=args.quiet, highlight=False, soft_wrap=True)
    err.print(f"staffing pool {pool} so that every design meets {target} ...")

    def simulated(agents: int, points: list[Point]) -> None:
        err.print(f"  {agents} agents: " + ", ".join(
            f"{p.design} {_fmt(p.mean)} {'met' if p.meets else 'not met'}" for p in points))

    try:
        return equalize(scenario, pool, designs, target, replications, seed, jobs=jobs,
                        cap=args.max_agents, details=details, on_simulated=simulated)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None


def print_breakdown(summary: dict[str, Any], dimension: str, console: Console) -> None:
    """Print the headline outcomes per key of *dimension*, mean [95% CI] per design."""
    tree = summary["breakdown"]
    designs = list(tree)
    table = Table(title=f"{summary['scenario']['name']}: by {dimension}, mean [95% CI]")
    table.add_column(dimension)
    table.add_column("outcome")
    for name in designs:
        table.add_column(name, justify="right")
    keys = sorted({k for d in designs for k in tree[d].get(dimension, {})})
    for key in keys:
        cells = {d: tree[d].get(dimension, {}).get(key, {}) for d in designs}
        shown = [o for o in HEADLINE
                 if any(cells[d].get(o, {}).get("mean") is not None for d in designs)]
        for i, outcome in enumerate(shown):
            empty = {"mean": None}
            table.add_row(key if i == 0 else "", outcome,
                          *(_interval(cells[d].get(outcome, empty)) for d in designs),
                          end_section=i == len(shown) - 1)
    console.print(table)


def _check(args: argparse.Namespace) -> int:
    status = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as e:
            print(e.line(), file=sys.stderr)
            status = 2
            continue
        seed = scenario.scenario.seed if args.seed is None else args.seed
        try:
            _check_work(argparse.Namespace(scenario=path), scenario,
                        len(resolve_designs(scenario)), args.replications)
        except ScenarioError as e:
            print(e.line(), file=sys.stderr)
            status = 2
            continue
        results = check_world(compile_world(scenario), resolve_designs(scenario), seed,
                              replications=args.replications)
        print(f"{path}:")
        for r in results:
            print(f"  {'held    ' if r.held else 'VIOLATED'} {r.invariant}: {r.detail}")
        if not all(r.held for r in results) and status == 0:
            status = 1
    return status


def _plots(results: Path, out: Path | None = None,
           formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    from .plots import plot_results

    return plot_results(results, out, formats)


def _plot(args: argparse.Namespace) -> int:
    figures = _plots(args.results, args.out, args.formats)
    for path in figures:
        print(path)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import csv

    from .experiment.sweep import grid, parse_vary, run_sweep, summarize_sweep
    from .plots.sweep import plot_sweep

    scenario = load_scenario(args.scenario)  # a bad file is reported before any sweep
    data = read_document(args.scenario)
    varies = [parse_vary(v) for v in args.vary]
    try:
        points = grid(data, varies)
        if args.design:
            resolve_designs(points[0][1], args.design)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    params = [v.path for v in varies]
    out_dir = args.out or Path("results") / f"{_slug(sec.name)}-sweep"
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        rows = run_sweep(points, args.design, args.replications or sec.replications,
                         sec.seed if args.seed is None else args.seed,
                         jobs=args.jobs or default_jobs())
        summary = summarize_sweep(rows, params)
        with folder.publish() as stage:
            for name, table, columns in (
                ("sweep.csv", rows, [*params, "design", "replication", "outcome", "value"]),
                ("sweep_summary.csv", summary, [*params, "design", "outcome", "mean",
                                                "ci_low", "ci_high"]),
            ):
                with (stage / name).open("w", newline="") as f:
                    writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
                    writer.writeheader()
                    writer.writerows(table)
            figures = plot_sweep(summary, params, stage)
    print(f"{len(points)} points × {len(rows) and len({r['design'] for r in rows})} designs in "
          f"{time.perf_counter() - started:.1f} s; results and {len(figures)} figures in "
          f"{out_dir}/")
    return 0


def _staff(args: argparse.Namespace) -> int:
    from .experiment.results import write_staffing
    from .plots.staffing import plot_staffing

    scenario = load_scenario(args.scenario)
    pools = [p.name for p in scenario.pools]
    target = parse_target(args.target, pools)
    try:
        designs = resolve_designs(scenario, args.design)
        pool, flat = _flat_pool(scenario, args.pool, "one", "staff searches")
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    current = flat
    cap = args.max_agents or 10 * current
    replications = args.replications or sec.replications
    if replications < 2:
        raise ScenarioError("--replications", f"must be >= 2 to form an interval (the "
                            f"scenario has {replications}; give -n)")
    seed = sec.seed if args.seed is None else args.seed
    jobs = args.jobs or default_jobs()
    out_dir = args.out or Path("results") / f"{_slug(sec.name)}-staffing"
    names = [d.name for d in designs]
    err = Console(stderr=True, quiet=args.quiet, highlight=False, soft_wrap=True)
    err.print(f"searching the smallest {pool} headcount with {target} "
              f"({args.confidence:.0%} interval), from {min(current, cap)} agents, at most "
              f"{cap}; {len(names)} designs × {replications} replications per headcount")
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        evaluate = headcount_evaluator(scenario, pool, designs, replications, seed, jobs)
        result = find_staffing(evaluate, names, target, current, cap, args.confidence,
                               pool=pool, **_staffing_progress(err))
        elapsed = time.perf_counter() - started
        info = {**_scenario_info(args.scenario, scenario, seed, replications),
                "service_level_threshold_min": sec.service_level_threshold,
                "designs": names, "pools": _headcounts(scenario)}
        with folder.publish() as stage:
            write_staffing(stage, result, info, {
                **_manifest_base(info, args.scenario), "designs": names, "pool": pool,
                "target": str(target), "confidence": args.confidence, "max_agents": cap,
                "jobs": jobs, "elapsed_seconds": round(elapsed, 3),
            })
            plot_staffing(result, stage / "staffing.png", sec.name)
    if not args.quiet:
        console = Console(width=max(Console().width, 160))
        print_staffing(result, sec.name, replications, console)
        console.print(f"simulated {len(result.simulated)} headcounts "
                      f"({', '.join(map(str, sorted(result.simulated)))}), each with "
                      f"{len(names)} designs × {replications} replications; results in "
                      f"{out_dir}/ ({elapsed:.1f} s)", highlight=False, soft_wrap=True)
    return 0


def _staffing_progress(err: Console) -> dict[str, Callable[..., None]]:
    """The staffing search's progress callbacks: each headcount and its verdicts."""
    clock: dict[str, float] = {}

    def simulating(agents: int) -> None:
        clock["t"] = time.perf_counter()
        err.print(f"  simulating {agents} agents ...", end="")

    def simulated(agents: int, points: list[Point]) -> None:
        verdicts = ", ".join(f"{p.design} {_fmt(p.mean)} {'met' if p.meets else 'not met'}"
                             for p in points)
        err.print(f" {verdicts} ({time.perf_counter() - clock['t']:.1f} s)")

    return {"on_simulate": simulating, "on_simulated": simulated}


def print_staffing(result: Staffing, title: str, replications: int, console: Console) -> None:
    """Print the smallest headcount per design, the outcome there and at one agent fewer."""
    target = result.target
    level = f"{result.confidence:.0%}"
    table = Table(title=f"{title}: smallest {result.pool} headcount with {target}, mean "
                  f"[{level} CI] over {replications} replications")
    for column in ("design", "agents needed", f"{target.outcome} there", "at one agent fewer",
                   f"Δ agents vs {result.baseline}", "headcounts searched"):
        table.add_column(column, justify="left" if column == "design" else "right",
                         no_wrap=True)
    for d in result.designs:
        at = {"mean": d.at.mean, "ci_low": d.at.ci_low, "ci_high": d.at.ci_high}
        if d.agents is None:
            needed, there = f"not met at {result.cap}", f"{_interval(at)} at {result.cap}"
        else:
            needed, there = str(d.agents), _interval(at)
        below = "–" if d.below is None else _interval(
            {"mean": d.below.mean, "ci_low": d.below.ci_low, "ci_high": d.below.ci_high})
        delta = "–" if d.delta is None else f"{d.delta:+d}" if d.delta else "0"
        table.add_row(d.design, needed, there, below, delta, str(len(set(d.looked_at))))
    console.print(table)
    unmet = [d.design for d in result.designs if d.agents is None]
    if unmet:
        console.print(f"not met even with {result.cap} agents (--max-agents): "
                      f"{', '.join(unmet)}", highlight=False)


def _validate(args: argparse.Namespace) -> int:
    from .experiment import validation as v

    cases = v.full_grid() if args.full else v.small_grid()
    jobs = args.jobs or default_jobs()
    family_wise = args.confidence is None
    if family_wise:
        args.confidence = v.family_confidence(sum(len(case.exact()) for case in cases))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"omnisim validate: --out {args.out}: cannot create the folder ({e})",
              file=sys.stderr)
        return 2
    console = Console(width=max(Console().width, 160))
    console.print(f"validating against {len(cases)} exact queues, {args.replications} "
                  f"replications each, seed {args.seed}, {args.confidence:.4g} intervals, "
                  f"{jobs} jobs")

    def progress(case: v.ValidationCase, rows: list[v.ValidationRow]) -> None:
        inside = sum(r.inside for r in rows)
        console.print(f"  {case.name} {case.model}, {case.describe()}: {inside} of "
                      f"{len(rows)} inside ({rows[0].seconds:.1f} s)")

    started = time.perf_counter()
    rows = v.run_validation(cases, args.replications, args.seed, jobs, on_case=progress,
                            confidence=args.confidence)
    elapsed = time.perf_counter() - started
    table = Table(title=f"omnisim against exact Erlang C / Erlang A: mean "
                  f"[{args.confidence:.4g} CI] over {args.replications} replications")
    for column in ("case", "outcome", "exact", "", "simulated", "(sim − exact)/half"):
        table.add_column(column, justify="left" if column in ("case", "outcome", "")
                         else "right")
    table.add_column("inside")
    for i, r in enumerate(rows):
        last = i + 1 == len(rows) or rows[i + 1].case != r.case
        table.add_row(r.case, r.outcome, v.fmt(r.exact), escape(r.exact_meaning),
                      f"{v.fmt(r.mean)} [{v.fmt(r.ci_low)}, {v.fmt(r.ci_high)}]",
                      f"{r.standardized:+.2f}", "yes" if r.inside else "NO",
                      style=None if r.inside else "bold red", end_section=last)
    console.print(table)
    console.print(v.summary_line(rows))
    for r in rows:
        if not r.inside:
            console.print(f"  outside: {r.case} {r.outcome}: exact {v.fmt(r.exact)}, "
                          f"simulated {v.fmt(r.mean)} [{v.fmt(r.ci_low)}, {v.fmt(r.ci_high)}]",
                          markup=False)
    command = "omnisim validate" + (" --full" if args.full else "")
    if args.replications != 20:
        command += f" --replications {args.replications}"
    if args.seed != 7:
        command += f" --seed {args.seed}"
    if not family_wise:
        command += f" --confidence {args.confidence:g}"
    page = v.render_page(rows, command=command, replications=args.replications,
                         seed=args.seed, jobs=jobs, seconds=elapsed)
    (args.out / "validation.md").write_text(page, encoding="utf-8")
    v.plot_validation(rows, args.out / "validation.png")
    console.print(f"written {args.out}/validation.md and validation.png ({elapsed:.1f} s)")
    return 0 if all(r.inside for r in rows) else 1


def _design_named(scenario: Any, name: str, option: str, file: str) -> Design:
    """The design *name* resolves to, a bad name reported against *option*."""
    try:
        return resolve_designs(scenario, [name])[0]
    except ScenarioError as e:
        raise ScenarioError(option, e.message, file) from None


def _effect(est: dict[str, Any]) -> str:
    if est["mean"] is None:
        return "unavailable"
    if est["mean"] == est["ci_low"] == est["ci_high"] == 0:
        return "0 (identical)"
    text = f"{est['mean']:.3g}"
    if est["ci_low"] is not None:
        text += f" [{est['ci_low']:.3g}, {est['ci_high']:.3g}]"
        if est["ci_low"] > 0 or est["ci_high"] < 0:
            text += " *"
    return text


def print_ablation(ablation: Ablation, console: Console, title: str) -> None:
    """Print each capability's effect per outcome, both directions, and the total.

    One row per capability and outcome, so the table stays narrow however many
    outcomes an ablation reports.
    """
    from .metrics.outcomes import unit_of

    base, full = ablation.base.name, ablation.full.name
    table = Table(title=f"{title}: effect [95% CI] of each capability, from {base} to "
                  f"{full}, paired over {ablation.replications} replications")
    table.add_column("capability", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column(f"on in {base}", justify="right")
    table.add_column(f"off in {full}", justify="right")
    outcomes = ablation.outcomes
    for cap in ablation.capabilities:
        for i, o in enumerate(outcomes):
            unit = unit_of(o)
            table.add_row(cap if i == 0 else "", f"{o} ({unit})" if unit == "min" else o,
                          _effect(ablation.effects[cap, "on", o]),
                          _effect(ablation.effects[cap, "off", o]),
                          end_section=i == len(outcomes) - 1)
    for i, o in enumerate(outcomes):
        table.add_row("all" if i == 0 else "", o,
                      _effect(ablation.total[o]), "")
    console.print(table)
    console.print("on: (" + base + " + capability) − " + base + "; off: " + full + " − ("
                  + full + " − capability); all: " + full + " − " + base + "; * the 95% "
                  "interval excludes 0; identical: the same value in every replication",
                  markup=False, soft_wrap=True)
    if ablation.same:
        console.print(f"same in {base} and {full}, not ablated: {', '.join(ablation.same)}",
                      markup=False)


def _scenario_info(path: Path, scenario: Scenario, seed: int, replications: int) -> dict[str, Any]:
    """What identifies a scenario's run in results files: name, file and hash, seed..."""
    sec = scenario.scenario
    return {
        "name": sec.name,
        "file": Path(path).name,  # the name only: summary.json is the same from any folder
        "sha256": file_hash(path),
        "seed": seed,
        "replications": replications,
        "horizon_min": sec.horizon,
        "warmup_min": sec.warmup,
    }


def _manifest_base(info: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """The manifest entries every command writes, from :func:`_scenario_info`'s dict and
    the scenario file at *path* (its path as given, and its whole text)."""
    return {"scenario_file": str(path), "scenario_sha256": info["sha256"],
            "scenario_text": Path(path).read_text(encoding="utf-8-sig"),
            "seed": info["seed"], "replications": info["replications"]}


def _headcounts(scenario: Scenario) -> dict[str, int]:
    """Each pool's headcount; a scheduled pool is shown with its peak."""
    return {p.name: p.agents if p.agents is not None
            else max(s.agents for s in p.schedule or ()) for p in scenario.pools}


def _ablate(args: argparse.Namespace) -> int:
    from .experiment.ablation import ablation_designs, run_ablation
    from .experiment.results import write_ablation

    scenario = load_scenario(args.scenario)
    base = _design_named(scenario, args.base, "--from", args.scenario)
    full = _design_named(scenario, args.full, "--to", args.scenario)
    if base.name == full.name:
        raise ScenarioError("--to", f"{full.name!r} is the same design as --from (name two "
                            "different designs)", args.scenario)
    try:
        ablation_designs(base, full)
    except SimError as e:
        raise ScenarioError("--to", str(e), args.scenario) from None
    sec = scenario.scenario
    replications = args.replications or sec.replications
    if replications < 2:
        raise ScenarioError("scenario.replications", f"must be >= 2 to form an interval "
                            f"(got {replications}; or give --replications)", args.scenario)
    seed = sec.seed if args.seed is None else args.seed
    _check_work(args, scenario, 2 + 2 * len(ablation_designs(base, full)), replications)
    out_dir = args.out or Path("results") / f"{_slug(sec.name)}-ablation"
    jobs = args.jobs or default_jobs()
    started = time.perf_counter()
    figures: list[Path] = []
    with ResultsFolder(out_dir) as folder:
        ablation = run_ablation(compile_world(scenario), base, full, replications, seed,
                                jobs=jobs)
        elapsed = time.perf_counter() - started
        info = _scenario_info(args.scenario, scenario, seed, replications)
        with folder.publish() as stage:
            data = write_ablation(stage, ablation, info, {
                **_manifest_base(info, args.scenario), "from": base.name, "to": full.name,
                "designs": ablation.designs, "jobs": jobs,
                "elapsed_seconds": round(elapsed, 3),
            })
            if args.plot:
                from .plots import save_figure
                from .plots.ablation import tornado_figure

                figures = save_figure(tornado_figure(data, title=sec.name), stage / "ablation")
    if not args.quiet:
        console = Console(width=max(Console().width, 120))
        print_ablation(ablation, console, sec.name)
        console.print(f"{len(ablation.designs)} designs × {replications} replications; "
                      f"results in {out_dir}/ ({elapsed:.1f} s)"
                      + (f"; figure {figures[0].name}" if figures else ""), markup=False)
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    import functools

    from .experiment import sensitivity as sa
    from .scenario.uncertain import resolve_uncertain

    scenario = load_scenario(args.scenario)
    sec = scenario.scenario
    names = args.design or sec.designs[:2]
    try:
        document = read_document(args.scenario)
        entries = resolve_uncertain(document)
        if not entries:
            raise ScenarioError("uncertain", "missing (sensitivity needs an [uncertain] table "
                                "of field paths and ranges, see docs/sensitivity.md)")
        if len(names) != 2:
            raise ScenarioError("--design", f"needs two designs, A then B (got "
                                f"{len(names)}: {', '.join(names)})")
        resolve_designs(scenario, names)
        sa.check_samples(args.method, args.samples, len(entries))
        if args.executor == "dask" and not args.scheduler:
            raise ScenarioError("--scheduler", "missing (--executor dask needs the "
                                "scheduler's address, e.g. tcp://host:8786)")
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    seed = sec.seed if args.seed is None else args.seed
    out_dir = args.out or Path("results") / f"{_slug(sec.name)}-sensitivity"
    jobs = args.jobs or default_jobs()
    figures: list[Path] = []
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        if not args.resume and folder.units.exists():
            shutil.rmtree(folder.units)
        run = functools.partial(sa.run_sets, jobs=jobs, store=UnitStore(folder.units),
                                executor=args.executor, scheduler=args.scheduler,
                                label=f"sensitivity of {sec.name}")
        draws, y, outcomes = sa.run_sensitivity(document, entries, names, args.method,
                                                args.samples, args.replications, seed, run)
        elapsed = time.perf_counter() - started
        info = _scenario_info(args.scenario, scenario, seed, args.replications)
        report = sa.report(info, draws, entries, names, args.replications, seed, outcomes)
        with folder.publish() as stage:
            sa.write_sensitivity(stage, report, draws, entries, y, names, {
                **_manifest_base(info, args.scenario), "designs": names,
                "method": args.method, "samples": args.samples, "sets": len(draws.blocks),
                "jobs": jobs, "executor": args.executor,
                "elapsed_seconds": round(elapsed, 3)})
            if args.plot:
                from .plots.sensitivity import plot_sensitivity

                figures = plot_sensitivity(report, draws, y, stage / "figures",
                                           title=sec.name)
    if not args.quiet:
        console = Console(highlight=False)
        sa.print_sensitivity(report, console)
        reps = f"{args.replications} replication{'s' if args.replications > 1 else ''}"
        console.print(f"{len(draws.blocks)} parameter sets × 2 designs × {reps}; results in "
                      f"{out_dir}/ ({elapsed:.1f} s)"
                      + (f"; {len(figures)} figures in {out_dir}/figures/" if figures else ""),
                      markup=False)
    return 0


def _graph(args: argparse.Namespace) -> int:
    from .experiment.graph import write_graphs

    for path in write_graphs(args.path, args.out):
        print(path)
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    print(write_report(args.results, args.out))
    return 0


def _guarded(entry: Callable[_P, int]) -> Callable[_P, int]:
    """*entry* with SIGTERM turned into an interrupt, and never a traceback to the user.

    SIGTERM raises :class:`~sim.errors.Terminated` (a ``KeyboardInterrupt``), so that a
    terminated run stops its workers and leaves its folder resumable, as Ctrl-C does. An
    error of the environment (a folder, a worker, a cluster) is one line and exit status
    3; anything unexpected is one line and exit status 70 (``OMNISIM_DEBUG=1`` shows it
    whole).
    """

    @functools.wraps(entry)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> int:
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return entry(*args, **kwargs)
        except Terminated:
            print("omnisim: terminated; the runs already finished are kept (use --resume)",
                  file=sys.stderr)
            return EXIT_TERMINATED
        except EnvironmentFault as e:
            print(f"omnisim: {one_line(str(e))}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        except (OSError, MemoryError, RecursionError) as e:
            print(f"omnisim: {one_line(_describe_error(e))}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        except Exception as e:
            if os.environ.get("OMNISIM_DEBUG"):
                raise
            print(f"omnisim: internal error, please report it: {type(e).__name__}: "
                  f"{one_line(str(e), 300)} (OMNISIM_DEBUG=1 shows where)", file=sys.stderr)
            return 70
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return guarded


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def _describe_error(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror}"
    if isinstance(e, MemoryError):
        return "out of memory"
    return f"{type(e).__name__}: {e}"


@_guarded
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``omnisim``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            return _check(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "plot":
            return _plot(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "staff":
            return _staff(args)
        if args.command == "ablate":
            return _ablate(args)
        if args.command == "sensitivity":
            return _sensitivity(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "report":
            return _report(args)
    except ScenarioError as e:
        print(e.line(), file=sys.stderr)
        return 2
    except InvariantViolation as e:
        print(f"{args.scenario}: {e}", file=sys.stderr)
        return 1
    except EnvironmentFault:
        raise
    except SimError as e:
        print(f"omnisim: {e}", file=sys.stderr)
        return 2
    except Terminated:
        raise
    except KeyboardInterrupt:
        if args.command in ("run", "sensitivity"):
            print("omnisim: interrupted; the runs already finished are kept (use --resume)",
                  file=sys.stderr)
        else:
            print("omnisim: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())


build_parser = _parser
