"""``omnisim staff SCENARIO --target EXPR``: each design's smallest headcount."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from . import common, options

if TYPE_CHECKING:
    from .formats import Table

__all__ = ["add_parser", "execute", "print_staffing", "staffing_table"]


def add_parser(sub: Any) -> None:
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
    options.add_scenario(staff)
    staff.add_argument("--target", metavar="EXPR", required=True,
                       help="OUTCOME>=X or OUTCOME<=X, e.g. service_level>=0.8, "
                       "mean_wait<=0.5 or pool.voice.mean_wait<=0.5")
    staff.add_argument("--pool", metavar="NAME",
                       help="the pool whose agents vary (default: the only pool)")
    options.add_design(staff, "designs, the first is the baseline (default: the scenario's "
                       "list)")
    options.add_common(staff, out="results/<scenario-name>-staffing/",
                       per="headcount and design", at_least_two=True)
    staff.add_argument("--confidence", metavar="LEVEL", type=options.confidence, default=0.95,
                       help="level of the interval that must meet the target (default: 0.95)")
    staff.add_argument("--max-agents", metavar="N", type=options.positive_int, default=None,
                       help="the largest headcount tried (default: 10 × the pool's headcount)")
    options.add_format(staff, quiet=False)
    staff.add_argument("--quiet", "-q", action="store_true",
                       help="print neither progress nor the table")


def execute(args: argparse.Namespace) -> int:
    """Search the headcounts, write the folder, print the table."""
    from rich.console import Console

    from ..experiment import staffing
    from ..experiment.outdir import ResultsFolder
    from ..experiment.results import headcounts, manifest_base, scenario_info, write_staffing
    from ..plots.staffing import plot_staffing
    from ..scenario import load_scenario, resolve_designs

    scenario = load_scenario(args.scenario)
    target = staffing.parse_target(args.target, [p.name for p in scenario.pools])
    try:
        designs = resolve_designs(scenario, args.design)
        pool, current = common.flat_pool(scenario, args.pool, "one", "staff searches")
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    cap = args.max_agents or 10 * current
    replications = args.replications or sec.replications
    if replications < 2:
        raise ScenarioError("--replications", f"must be >= 2 to form an interval (the "
                            f"scenario has {replications}; give -n)")
    seed = sec.seed if args.seed is None else args.seed
    jobs = common.jobs(args.jobs)
    out_dir = common.out_dir(args, sec.name, "-staffing")
    names = [d.name for d in designs]
    err = Console(stderr=True, quiet=args.quiet, highlight=False, soft_wrap=True)
    err.print(f"searching the smallest {pool} headcount with {target} "
              f"({args.confidence:.0%} interval), from {min(current, cap)} agents, at most "
              f"{cap}; {len(names)} designs × {replications} replications per headcount")
    started = time.perf_counter()
    with ResultsFolder(out_dir) as folder:
        evaluate = staffing.headcount_evaluator(scenario, pool, designs, replications, seed,
                                                jobs)
        result = staffing.find_staffing(evaluate, names, target, current, cap,
                                        args.confidence, pool=pool, **_progress(err))
        elapsed = time.perf_counter() - started
        info = {**scenario_info(args.scenario, scenario, seed, replications),
                "service_level_threshold_min": sec.service_level_threshold,
                "designs": names, "pools": headcounts(scenario)}
        with folder.publish() as stage:
            write_staffing(stage, result, info, {
                **manifest_base(info, args.scenario), "designs": names, "pool": pool,
                "target": str(target), "confidence": args.confidence, "max_agents": cap,
                "jobs": jobs, "elapsed_seconds": round(elapsed, 3),
            })
            plot_staffing(result, stage / "staffing.png", sec.name)
    if not args.quiet:
        _show(args, result, sec.name, replications, f"simulated {len(result.simulated)} "
              f"headcounts ({', '.join(map(str, sorted(result.simulated)))}), each with "
              f"{len(names)} designs × {replications} replications; results in "
              f"{out_dir}/ ({elapsed:.1f} s)")
    return 0


def _show(args: argparse.Namespace, result: Any, title: str, replications: int,
          done: str) -> None:
    from rich.console import Console

    if args.format == "table":
        console = Console(width=max(Console().width, 160))
        print_staffing(result, title, replications, console)
    else:
        from .formats import emit

        emit([staffing_table(result, title, replications)], args.format)
        console = Console(stderr=True)
    console.print(done, highlight=False, soft_wrap=True)


def _progress(err: Any) -> dict[str, Callable[..., None]]:
    """The staffing search's progress callbacks: each headcount and its verdicts."""
    from ..metrics.stats import format_number

    clock: dict[str, float] = {}

    def simulating(agents: int) -> None:
        clock["t"] = time.perf_counter()
        err.print(f"  simulating {agents} agents ...", end="")

    def simulated(agents: int, points: list[Any]) -> None:
        verdicts = ", ".join(f"{p.design} {format_number(p.mean)} "
                             f"{'met' if p.meets else 'not met'}" for p in points)
        err.print(f" {verdicts} ({time.perf_counter() - clock['t']:.1f} s)")

    return {"on_simulate": simulating, "on_simulated": simulated}


def _estimate(point: Any) -> Any:
    from ..metrics.stats import Estimate

    return Estimate(point.mean, point.ci_low, point.ci_high)


def staffing_table(result: Any, title: str, replications: int) -> Table:
    """The smallest headcount per design and the outcome there, as a plain table."""
    from .formats import Table

    rows = []
    for d in result.designs:
        at, below = _estimate(d.at), d.below and _estimate(d.below)
        rows.append((d.design, d.agents, d.agents is not None, at.mean, at.low, at.high,
                     below.mean if below else None, below.low if below else None,
                     below.high if below else None, d.delta, len(set(d.looked_at))))
    target = result.target
    return Table(f"{title}: smallest {result.pool} headcount with {target}, mean "
                 f"[{result.confidence:.0%} CI] over {replications} replications",
                 ("design", "agents", "met", f"{target.outcome}", "ci_low", "ci_high",
                  "one_fewer", "one_fewer_low", "one_fewer_high",
                  f"delta_vs_{result.baseline}", "headcounts_searched"), rows,
                 (f"where the target is not met, agents is empty and the outcome is at "
                  f"{result.cap} agents (--max-agents)",))


def print_staffing(result: Any, title: str, replications: int, console: Any) -> None:
    """Print the smallest headcount per design, the outcome there and at one agent fewer."""
    from rich.table import Table as RichTable

    target = result.target
    level = f"{result.confidence:.0%}"
    table = RichTable(title=f"{title}: smallest {result.pool} headcount with {target}, mean "
                      f"[{level} CI] over {replications} replications")
    for column in ("design", "agents needed", f"{target.outcome} there", "at one agent fewer",
                   f"Δ agents vs {result.baseline}", "headcounts searched"):
        table.add_column(column, justify="left" if column == "design" else "right",
                         no_wrap=True)
    for d in result.designs:
        at = _estimate(d.at).text()
        if d.agents is None:
            needed, there = f"not met at {result.cap}", f"{at} at {result.cap}"
        else:
            needed, there = str(d.agents), at
        below = "–" if d.below is None else _estimate(d.below).text()
        delta = "–" if d.delta is None else f"{d.delta:+d}" if d.delta else "0"
        table.add_row(d.design, needed, there, below, delta, str(len(set(d.looked_at))))
    console.print(table)
    unmet = [d.design for d in result.designs if d.agents is None]
    if unmet:
        console.print(f"not met even with {result.cap} agents (--max-agents): "
                      f"{', '.join(unmet)}", highlight=False)
