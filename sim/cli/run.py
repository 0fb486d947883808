"""``omnisim run SCENARIO``: compare the designs of a scenario and write its results."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from . import common, options

if TYPE_CHECKING:
    from .formats import Table

__all__ = ["add_parser", "breakdown_table", "comparison_table", "execute", "print_breakdown",
           "print_table"]

#: An interrupted run keeps what it finished (``--resume``).
RESUMABLE = True


def add_parser(sub: Any) -> None:
    """The ``run`` command's options."""
    run = sub.add_parser(
        "run",
        help="compare the designs of a scenario",
        description="Run every design of SCENARIO on the same customers (common random "
        "numbers) and write summary.json, replications.csv and manifest.json.",
    )
    options.add_scenario(run)
    options.add_common(run, out="results/<scenario-name>/")
    run.add_argument("--horizon", metavar="DURATION",
                     help="simulated time per replication, e.g. 2h (default: the scenario's; "
                     "for quick trials)")
    options.add_design(run)
    options.add_format(run)
    options.add_executor(run, timeout=True)
    run.add_argument("--force", action="store_true",
                     help="run even when the estimated work is beyond the sane bounds")
    run.add_argument("--plot", action="store_true",
                     help="also draw the figures into DIR/figures/ (PNG and SVG)")
    run.add_argument("--check", action="store_true",
                     help="check the continuity invariants while simulating (exit 1 on the "
                     "first violation)")
    run.add_argument("--records", action="store_true",
                     help="also write one row per issue and per contact to issues.parquet "
                     "and contacts.parquet (CSV without pyarrow; docs/records.md)")
    run.add_argument("--by", metavar="DIMENSION", choices=options.BREAKDOWN_DIMENSIONS,
                     help="also print the outcomes per pool, channel, segment, intent or "
                     "hour (all are in breakdown.csv and summary.json either way)")
    run.add_argument("--equalize", metavar="EXPR",
                     help="first staff each design to the same target on one pool (e.g. "
                     "'service_level>=0.8'), then compare every outcome at those headcounts")
    run.add_argument("--pool", metavar="NAME",
                     help="the pool --equalize staffs (default: the only one)")
    run.add_argument("--max-agents", metavar="N", type=options.positive_int, default=None,
                     help="the largest headcount --equalize tries (default: 10 × the "
                     "scenario's)")


def execute(args: argparse.Namespace) -> int:
    """Run the comparison, write the results folder, print the table."""
    from .. import experiment
    from ..engine import compile_world
    from ..experiment.outdir import ResultsFolder
    from ..experiment.records import RecordParts
    from ..experiment.results import design_changes, headcounts, manifest_base, scenario_info
    from ..experiment.runner import UnitStore
    from ..scenario import load_scenario, resolve_designs

    common.check_executor(args)
    scenario = common.with_horizon(load_scenario(args.scenario), args)
    try:
        designs = resolve_designs(scenario, args.design)
        equalizing = _equalize_target(args, scenario)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    replications = args.replications or sec.replications
    seed = sec.seed if args.seed is None else args.seed
    out_dir = common.out_dir(args, sec.name)
    common.check_work(args, scenario, len(designs), replications)
    world = compile_world(scenario)
    jobs = common.jobs(args.jobs)
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        if replications < 2:  # only now: an error in the input or the folder stays one line
            print(f"omnisim run: warning: {replications} replication: no confidence interval "
                  "can be computed (give -n 2 or more)", file=sys.stderr)
        if not args.resume and folder.units.exists():
            shutil.rmtree(folder.units)
        details: dict[str, list[dict[str, Any]]] = {}
        parts = RecordParts(folder.units / "records") if args.records else None
        info = {**scenario_info(args.scenario, scenario, seed, replications),
                "designs": [d.name for d in designs], "pools": headcounts(scenario),
                "changes": design_changes(designs)}
        if equalizing is not None:
            equalized = _equalized(args, scenario, designs, *equalizing, replications, seed,
                                   jobs, details)
            results = equalized.results
            info["equalized"] = equalized.to_dict()
        else:
            results = experiment.run_experiment(
                world, designs, replications, seed, jobs=jobs, check=args.check,
                details=details, store=UnitStore(folder.units), executor=args.executor,
                scheduler=args.scheduler, scheduler_timeout=args.scheduler_timeout,
                records=parts)
        elapsed = time.perf_counter() - started
        summary = experiment.build_summary(results, info)
        manifest = {**manifest_base(info, args.scenario), "designs": info["designs"],
                    "jobs": jobs, "elapsed_seconds": round(elapsed, 3)}
        with folder.publish() as stage:
            if parts is not None:
                manifest["records"] = parts.write(stage)
            experiment.write_results(stage, summary, results, manifest, details=details)
            figures = _plots(stage) if args.plot else []
    _show(args, summary, out_dir, elapsed, figures)
    return 0


def _plots(folder: Path) -> list[Path]:
    from ..plots import plot_results

    return plot_results(folder, None, ("png", "svg"))


def _show(args: argparse.Namespace, summary: dict[str, Any], out_dir: Path, elapsed: float,
          figures: list[Path]) -> None:
    """Print the tables in ``--format``, then where the results are."""
    if args.quiet:
        return
    from rich.console import Console

    if args.format == "table":
        console = Console(highlight=False)
        print_table(summary, console)
        if args.by:
            print_breakdown(summary, args.by, console)
    else:
        from .formats import emit

        tables = [comparison_table(summary)]
        if args.by:
            tables.append(breakdown_table(summary, args.by))
        emit(tables, args.format)
        console = Console(highlight=False, stderr=True)
    console.print(f"results in {out_dir}/ ({elapsed:.1f} s)")
    if figures:
        console.print(f"{len(figures)} figures in {out_dir / figures[0].parent.name}/")


def _equalize_target(args: argparse.Namespace, scenario: Any) -> tuple[Any, str] | None:
    """The target of ``--equalize`` and the pool it staffs (``None`` without it)."""
    from ..experiment.staffing import parse_target

    if args.equalize is None:
        if args.pool is not None:
            raise ScenarioError("--pool", "is only for --equalize")
        return None
    if args.records:
        raise ScenarioError("--records", "is not available with --equalize (run again at "
                            "the headcounts it finds to keep records)")
    pools = [p.name for p in scenario.pools]
    try:
        target = parse_target(args.equalize, pools)
    except ScenarioError as e:
        raise ScenarioError("--equalize", e.message.replace("--target: ", "")) from None
    pool, _ = common.flat_pool(scenario, args.pool, "the one --equalize staffs",
                               "--equalize staffs")
    return target, pool


def _equalized(args: argparse.Namespace, scenario: Any, designs: list[Any], target: Any,
               pool: str, replications: int, seed: int, jobs: int,
               details: dict[str, list[dict[str, Any]]]) -> Any:
    """Run ``--equalize``: staff each design to the target, then run it there."""
    from rich.console import Console

    from ..experiment.equalize import equalize
    from ..metrics.stats import format_number

    if replications < 2:
        raise ScenarioError("--replications", "must be >= 2 for --equalize, whose target "
                            "is met with confidence")
    err = Console(stderr=True, quiet=args.quiet, highlight=False, soft_wrap=True)
    err.print(f"staffing pool {pool} so that every design meets {target} ...")

    def simulated(agents: int, points: list[Any]) -> None:
        err.print(f"  {agents} agents: " + ", ".join(
            f"{p.design} {format_number(p.mean)} {'met' if p.meets else 'not met'}"
            for p in points))

    try:
        return equalize(scenario, pool, designs, target, replications, seed, jobs=jobs,
                        cap=args.max_agents, details=details, on_simulated=simulated)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None


def _label(outcome: str, unit: str) -> str:
    return f"{outcome} ({unit})" if unit == "min" else outcome


def comparison_table(summary: dict[str, Any]) -> Table:
    """The comparison as a plain table: per outcome and design, the mean, its interval,
    and the paired difference from the baseline with its interval."""
    from ..metrics.stats import Estimate
    from .formats import Table

    designs, diffs = summary["designs"], summary["differences"]
    rows = []
    for outcome, unit in summary["units"].items():
        cells = {d: Estimate.of(designs[d]["outcomes"][outcome]) for d in designs}
        if all(c.mean is None for c in cells.values()):
            continue
        for d, est in cells.items():
            diff = Estimate.of(diffs[d]["outcomes"][outcome]) if d in diffs else None
            rows.append((outcome, unit, d, est.mean, est.low, est.high,
                         diffs[d]["baseline"] if diff else None,
                         *((diff.mean, diff.low, diff.high) if diff else (None,) * 3)))
    return Table(
        f"{summary['scenario']['name']}: mean [95% CI] over "
        f"{summary['scenario']['replications']} replications",
        ("outcome", "unit", "design", "mean", "ci_low", "ci_high", "baseline",
         "difference", "difference_low", "difference_high"), rows,
        ("difference: the paired difference design − baseline, with its 95% interval",))


def breakdown_table(summary: dict[str, Any], dimension: str) -> Table:
    """The headline outcomes per key of *dimension* and design, as a plain table."""
    from ..metrics.outcomes import HEADLINE
    from ..metrics.stats import Estimate
    from .formats import Table

    tree = summary["breakdown"]
    keys = sorted({k for d in tree for k in tree[d].get(dimension, {})})
    rows = []
    for key in keys:
        for outcome in HEADLINE:
            cells = {d: Estimate.of(tree[d].get(dimension, {}).get(key, {}).get(outcome))
                     for d in tree}
            if all(c.mean is None for c in cells.values()):
                continue
            rows += [(key, outcome, d, c.mean, c.low, c.high) for d, c in cells.items()]
    return Table(f"{summary['scenario']['name']}: by {dimension}, mean [95% CI]",
                 (dimension, "outcome", "design", "mean", "ci_low", "ci_high"), rows)


def print_table(summary: dict[str, Any], console: Any) -> None:
    """Print outcomes per design (mean [95% CI]) and the paired differences.

    Above the table, what each design changes from the baseline, and the headcounts of
    a comparison at equal service. One column per design and difference when that fits
    the console; else one block per outcome, one line per design, which fits 80 columns.
    """
    designs = summary["designs"]
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
    title = f"{info['name']}: mean [95% CI] over {info['replications']} replications"
    wide = _wide_table(summary, _table_rows(summary, 4), title)
    if _natural_width(wide) <= console.width:
        console.print(wide)
    else:
        console.print(title, markup=False)
        for line in _long_lines(summary, _table_rows(summary, 3)):
            console.print(line, markup=False, soft_wrap=True)
    if summary["differences"]:
        console.print("* the 95% interval of the paired difference excludes 0")


def _natural_width(table: Any) -> int:
    """The width *table* takes when nothing constrains it."""
    import io

    from rich.console import Console

    return Console(width=1_000_000, file=io.StringIO()).measure(table).maximum


def _table_rows(summary: dict[str, Any], digits: int,
                ) -> list[tuple[str, list[str], list[str]]]:
    """Per outcome with a value: its label, the cells per design and per difference."""
    from ..metrics.stats import Estimate

    designs, diffs = summary["designs"], summary["differences"]
    rows = []
    for outcome, unit in summary["units"].items():
        cells = [Estimate.of(designs[d]["outcomes"][outcome]) for d in designs]
        if all(c.mean is None for c in cells):
            continue
        marked = []
        for d in diffs.values():
            est = Estimate.of(d["outcomes"][outcome])
            marked.append(est.text(digits) + (" *" if est.excludes_zero else ""))
        rows.append((_label(outcome, unit), [c.text(digits) for c in cells], marked))
    return rows


def _wide_table(summary: dict[str, Any], rows: list[tuple[str, list[str], list[str]]],
                title: str) -> Any:
    from rich.table import Table as RichTable

    table = RichTable(title=title)
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


def print_breakdown(summary: dict[str, Any], dimension: str, console: Any) -> None:
    """Print the headline outcomes per key of *dimension*, mean [95% CI] per design."""
    from rich.table import Table as RichTable

    from ..metrics.outcomes import HEADLINE
    from ..metrics.stats import Estimate

    tree = summary["breakdown"]
    designs = list(tree)
    table = RichTable(title=f"{summary['scenario']['name']}: by {dimension}, mean [95% CI]")
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
            table.add_row(key if i == 0 else "", outcome,
                          *(Estimate.of(cells[d].get(outcome)).text() for d in designs),
                          end_section=i == len(shown) - 1)
    console.print(table)
