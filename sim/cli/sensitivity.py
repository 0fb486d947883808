"""``omnisim sensitivity SCENARIO``: does a comparison survive the scenario's assumptions."""

from __future__ import annotations

import argparse
import functools
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from . import common, options

if TYPE_CHECKING:
    from .formats import Table

__all__ = ["add_parser", "execute", "sensitivity_tables"]

#: An interrupted sensitivity analysis keeps what it finished (``--resume``).
RESUMABLE = True
#: The sampling methods (``sim.experiment.sensitivity.METHODS``) and the default base samples.
METHODS = ("sobol", "lhs")
DEFAULT_SAMPLES = 32


def add_parser(sub: Any) -> None:
    """The ``sensitivity`` command's options."""
    sens = sub.add_parser(
        "sensitivity",
        help="does the comparison of two designs survive the scenario's assumptions",
        description="Draw parameter sets from the scenario's [uncertain] ranges, run two "
        "designs A and B at each on common random numbers, and report per headline outcome "
        "the spread of B − A over the assumptions, P(B better) and which assumption it "
        "hinges on (Sobol indices or standardized regression coefficients). Writes "
        "sensitivity.json, sensitivity.csv, samples.csv, manifest.json and figures/.",
    )
    options.add_scenario(sens)
    sens.add_argument("--samples", "-N", metavar="N", type=options.positive_int,
                      default=DEFAULT_SAMPLES, help=f"base samples; sobol runs N × (d + 2) "
                      f"parameter sets for d assumptions, lhs runs N (default: "
                      f"{DEFAULT_SAMPLES})")
    sens.add_argument("--method", choices=METHODS, default="sobol",
                      help="sobol: Sobol indices (default); lhs: Latin hypercube and "
                      "standardized regression coefficients")
    options.add_design(sens, "the two designs A and B, compared as B − A (default: the "
                       "scenario's first two)")
    sens.add_argument("--replications", "-n", metavar="R", type=options.positive_int,
                      default=1, help="replications per parameter set and design (default: 1)")
    sens.add_argument("--seed", metavar="S", type=options.seed,
                      help="seed (default: the scenario's)")
    sens.add_argument("--jobs", "-j", metavar="N", type=options.positive_int, default=None,
                      help="processes (default: the local cores)")
    options.add_executor(sens)
    options.add_out(sens, "results/<scenario-name>-sensitivity/")
    sens.add_argument("--no-plot", dest="plot", action="store_false",
                      help="do not draw the figures")
    options.add_format(sens)


def _checked(args: argparse.Namespace, scenario: Any, names: list[str]) -> tuple[Any, Any]:
    """The scenario document and its uncertain entries, every option checked."""
    from ..experiment import sensitivity as sa
    from ..scenario import resolve_designs
    from ..scenario.load import read_document
    from ..scenario.uncertain import resolve_uncertain

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
    return document, entries


def execute(args: argparse.Namespace) -> int:
    """Run the parameter sets, write the folder, print the tables."""
    from ..experiment import sensitivity as sa
    from ..experiment.outdir import ResultsFolder
    from ..experiment.results import manifest_base, scenario_info
    from ..experiment.runner import UnitStore
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    sec = scenario.scenario
    names = args.design or sec.designs[:2]
    document, entries = _checked(args, scenario, names)
    seed = sec.seed if args.seed is None else args.seed
    out_dir = common.out_dir(args, sec.name, "-sensitivity")
    jobs = common.jobs(args.jobs)
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
        info = scenario_info(args.scenario, scenario, seed, args.replications)
        report = sa.report(info, draws, entries, names, args.replications, seed, outcomes)
        with folder.publish() as stage:
            sa.write_sensitivity(stage, report, draws, entries, y, names, {
                **manifest_base(info, args.scenario), "designs": names,
                "method": args.method, "samples": args.samples, "sets": len(draws.blocks),
                "jobs": jobs, "executor": args.executor,
                "elapsed_seconds": round(elapsed, 3)})
            if args.plot:
                from ..plots.sensitivity import plot_sensitivity

                figures = plot_sensitivity(report, draws, y, stage / "figures",
                                           title=sec.name)
    if not args.quiet:
        reps = f"{args.replications} replication{'s' if args.replications > 1 else ''}"
        _show(args, report, f"{len(draws.blocks)} parameter sets × 2 designs × {reps}; "
              f"results in {out_dir}/ ({elapsed:.1f} s)"
              + (f"; {len(figures)} figures in {out_dir}/figures/" if figures else ""))
    return 0


def _show(args: argparse.Namespace, report: dict[str, Any], done: str) -> None:
    from rich.console import Console

    from ..experiment import sensitivity as sa

    if args.format == "table":
        console = Console(highlight=False)
        sa.print_sensitivity(report, console)
    else:
        from .formats import emit

        emit(sensitivity_tables(report), args.format)
        console = Console(highlight=False, stderr=True)
    console.print(done, markup=False)


def sensitivity_tables(data: dict[str, Any]) -> list[Table]:
    """The assumptions, and per outcome B − A over them with the assumption it hinges on."""
    from .formats import Table

    a, b, method = data["designs"]["a"], data["designs"]["b"], data["method"]
    key = "total" if method == "sobol" else "src"
    legend = Table(f"{data['scenario']['name']}: the assumptions", ("assumption", "range"),
                   [(e["path"], e["describe"]) for e in data["assumptions"]])
    rows = []
    for name, o in data["outcomes"].items():
        hinge = o["strongest"] or None
        rows.append((name, o["mean"], o["p5"], o["p95"], o["p_better"], hinge,
                     o["indices"][hinge][key] if hinge else None))
    index = "total Sobol index" if method == "sobol" else "|standardized regression coefficient|"
    table = Table(f"{b} − {a} over the assumptions ({method}, N = {data['samples']}, "
                  f"{data['sets']} sets)",
                  ("outcome", "mean", "p5", "p95", "p_better", "hinges_on", "index"), rows,
                  (f"{b} − {a} paired at each parameter set (times in minutes); p5, p95: "
                   f"quantiles over the sets; p_better: share of the sets where {b} is "
                   f"better; index: the {index} of the assumption it hinges on",))
    return [legend, table]
