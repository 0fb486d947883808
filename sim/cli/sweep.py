"""``omnisim sweep SCENARIO --vary PATH=VALUES``: a grid of parameters × designs."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from . import common, options

if TYPE_CHECKING:
    from .formats import Table

__all__ = ["add_parser", "execute", "sweep_tables"]


def add_parser(sub: Any) -> None:
    """The ``sweep`` command's options."""
    sweep = sub.add_parser(
        "sweep",
        help="run a grid of parameter values × designs × replications",
        description="Vary scenario fields (by their path in the file; array elements by "
        "name or index) and run every design at every point on common random numbers. "
        "Prints the headline outcomes per point and design; writes sweep.csv (tidy), "
        "sweep_summary.csv, manifest.json and figures/ (one figure per headline outcome).",
    )
    options.add_scenario(sweep)
    sweep.add_argument("--vary", metavar="PATH=VALUES", action="append", required=True,
                       help="e.g. pools.voice.agents=14:20:2 or "
                       "segments.mobile.interruptions.rate=0,0.1,0.2 (repeatable)")
    options.add_common(sweep, out="results/<scenario-name>-sweep/", per="point and design")
    options.add_design(sweep, "designs (default: the scenario's list)")
    sweep.add_argument("--no-plot", dest="plot", action="store_false",
                       help="do not draw the figures")
    options.add_format(sweep)


def execute(args: argparse.Namespace) -> int:
    """Run the grid, write the folder, print the table."""
    from ..experiment import sweep as sw
    from ..experiment.outdir import ResultsFolder
    from ..experiment.results import manifest_base, scenario_info
    from ..scenario import load_scenario, resolve_designs
    from ..scenario.load import read_document

    scenario = load_scenario(args.scenario)  # a bad file is reported before any sweep
    data = read_document(args.scenario)
    varies = [sw.parse_vary(v) for v in args.vary]
    try:
        points = sw.grid(data, varies)
        designs = [d.name for d in resolve_designs(points[0][1], args.design)]
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    params = [v.path for v in varies]
    replications = args.replications or sec.replications
    seed = sec.seed if args.seed is None else args.seed
    out_dir = common.out_dir(args, sec.name, "-sweep")
    jobs = common.jobs(args.jobs)
    started = time.perf_counter()
    figures = []
    with ResultsFolder(out_dir) as folder:
        rows = sw.run_sweep(points, args.design, replications, seed, jobs=jobs,
                            label=f"sweep of {sec.name}")
        summary = sw.summarize_sweep(rows, params)
        elapsed = time.perf_counter() - started
        info = scenario_info(args.scenario, scenario, seed, replications)
        with folder.publish() as stage:
            sw.write_sweep(stage, rows, summary, params, {
                **manifest_base(info, args.scenario), "kind": "sweep", "designs": designs,
                "vary": args.vary, "parameters": params, "points": len(points),
                "jobs": jobs, "elapsed_seconds": round(elapsed, 3)})
            if args.plot:
                from ..plots.sweep import plot_sweep

                figures = plot_sweep(summary, params, stage / "figures", title=sec.name)
    if not args.quiet:
        _show(args, summary, params, designs, sec.name,
              f"{len(points)} points × {len(designs)} designs × {replications} replications "
              f"in {elapsed:.1f} s; results in {out_dir}/"
              + (f"; {len(figures)} figures in {out_dir}/figures/" if figures else ""))
    return 0


def _show(args: argparse.Namespace, summary: list[dict[str, Any]], params: list[str],
          designs: list[str], title: str, done: str) -> None:
    from rich.console import Console

    from .formats import emit, rich_table

    if args.format == "table":
        console = Console(highlight=False)
        for table in sweep_tables(summary, params, designs, title, wide=True):
            console.print(rich_table(table, whole=("design", "mean [95% CI]")))
        console.print("mean [95% CI]; every outcome is in sweep_summary.csv", markup=False)
    else:
        emit(sweep_tables(summary, params, designs, title), args.format)
        console = Console(highlight=False, stderr=True)
    console.print(done, markup=False)


def sweep_tables(summary: list[dict[str, Any]], params: list[str], designs: list[str],
                 title: str, wide: bool = False) -> list[Table]:
    """The headline outcomes per point and design.

    Plain (*wide* false): one tidy table, a row per point, design and outcome. For the
    terminal (*wide*): one table per outcome, a row per point and design.
    """
    from ..metrics.outcomes import HEADLINE, unit_of
    from ..metrics.stats import Estimate
    from .formats import Table

    shown = [o for o in HEADLINE if any(r["outcome"] == o and r["mean"] is not None
                                        for r in summary)]
    if not wide:
        rows = [(*(r[p] for p in params), r["design"], r["outcome"], unit_of(r["outcome"]),
                 r["mean"], r["ci_low"], r["ci_high"])
                for r in summary if r["outcome"] in shown]
        return [Table(f"{title}: sweep, mean [95% CI] per point and design",
                      (*params, "design", "outcome", "unit", "mean", "ci_low", "ci_high"), rows,
                      ("every outcome is in sweep_summary.csv",))]
    tables = []
    for outcome in shown:
        rows = [(*(r[p] for p in params), r["design"], Estimate.of(r).text())
                for r in summary if r["outcome"] == outcome]
        unit = unit_of(outcome)
        tables.append(Table(f"{outcome} ({unit})" if unit else outcome,
                            (*params, "design", "mean [95% CI]"), rows))
    return tables
