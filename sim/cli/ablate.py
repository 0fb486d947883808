"""``omnisim ablate SCENARIO``: what each capability between two designs is worth."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError, SimError
from . import common, options

if TYPE_CHECKING:
    from .formats import Table

__all__ = ["ablation_table", "add_parser", "execute", "print_ablation"]


def add_parser(sub: Any) -> None:
    """The ``ablate`` command's options."""
    ablate = sub.add_parser(
        "ablate",
        help="what each capability between two designs is worth",
        description="Between two designs, switch each capability that differs on alone from "
        "the first (--from) and off alone from the second (--to), all on the same customers "
        "(common random numbers). Prints each capability's effect on the headline outcomes "
        "with 95% intervals and writes ablation.json, ablation.csv, replications.csv, "
        "manifest.json and a tornado figure (ablation.png, ablation.svg).",
    )
    options.add_scenario(ablate)
    ablate.add_argument("--from", dest="base", metavar="NAME", default="siloed",
                        help="the base design capabilities are switched on in (default: "
                        "siloed)")
    ablate.add_argument("--to", dest="full", metavar="NAME", default="all",
                        help="the full design capabilities are switched off in (default: "
                        "all)")
    options.add_common(ablate, out="results/<scenario-name>-ablation/", at_least_two=True)
    ablate.add_argument("--no-plot", dest="plot", action="store_false",
                        help="do not draw the tornado figure")
    options.add_format(ablate)


def execute(args: argparse.Namespace) -> int:
    """Run the ablation, write its folder, print its table."""
    from ..engine import compile_world
    from ..experiment.ablation import ablation_designs, run_ablation
    from ..experiment.outdir import ResultsFolder
    from ..experiment.results import manifest_base, scenario_info, write_ablation
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    base = common.design_named(scenario, args.base, "--from", args.scenario)
    full = common.design_named(scenario, args.full, "--to", args.scenario)
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
    common.check_work(args, scenario, 2 + 2 * len(ablation_designs(base, full)), replications)
    out_dir = common.out_dir(args, sec.name, "-ablation")
    jobs = common.jobs(args.jobs)
    started = time.perf_counter()
    figures: list[Path] = []
    with ResultsFolder(out_dir) as folder:
        ablation = run_ablation(compile_world(scenario), base, full, replications, seed,
                                jobs=jobs)
        elapsed = time.perf_counter() - started
        info = scenario_info(args.scenario, scenario, seed, replications)
        with folder.publish() as stage:
            data = write_ablation(stage, ablation, info, {
                **manifest_base(info, args.scenario), "from": base.name, "to": full.name,
                "designs": ablation.designs, "jobs": jobs,
                "elapsed_seconds": round(elapsed, 3),
            })
            if args.plot:
                from ..plots import save_figure
                from ..plots.ablation import tornado_figure

                figures = save_figure(tornado_figure(data, title=sec.name), stage / "ablation")
    if not args.quiet:
        _show(args, ablation, sec.name, f"{len(ablation.designs)} designs × {replications} "
              f"replications; results in {out_dir}/ ({elapsed:.1f} s)"
              + (f"; figure {figures[0].name}" if figures else ""))
    return 0


def _show(args: argparse.Namespace, ablation: Any, title: str, done: str) -> None:
    from rich.console import Console

    if args.format == "table":
        console = Console(width=max(Console().width, 120))
        print_ablation(ablation, console, title)
    else:
        from .formats import emit

        emit([ablation_table(ablation, title)], args.format)
        console = Console(stderr=True)
    console.print(done, markup=False)


def _effect(est: dict[str, Any]) -> str:
    from ..metrics.stats import Estimate

    e = Estimate.of(est)
    if e.mean is None:
        return "unavailable"
    if e.mean == e.low == e.high == 0:
        return "0 (identical)"
    return e.text(3) + (" *" if e.excludes_zero else "")


def ablation_table(ablation: Any, title: str) -> Table:
    """Each capability's effect per outcome, both ways, and the total, as a plain table."""
    from ..metrics.outcomes import unit_of
    from .formats import Table

    rows = []
    for cap in ablation.capabilities:
        for way in ("on", "off"):
            rows += [(cap, way, o, unit_of(o), *_numbers(ablation.effects[cap, way, o]))
                     for o in ablation.outcomes]
    rows += [("all", "all", o, unit_of(o), *_numbers(ablation.total[o]))
             for o in ablation.outcomes]
    base, full = ablation.base.name, ablation.full.name
    return Table(f"{title}: effect [95% CI] of each capability, from {base} to {full}, "
                 f"paired over {ablation.replications} replications",
                 ("capability", "way", "outcome", "unit", "mean", "ci_low", "ci_high"), rows,
                 (f"on: ({base} + capability) − {base}; off: {full} − ({full} − capability);"
                  f" all: {full} − {base}",))


def _numbers(est: dict[str, Any]) -> tuple[Any, Any, Any]:
    return est["mean"], est["ci_low"], est["ci_high"]


def print_ablation(ablation: Any, console: Any, title: str) -> None:
    """Print each capability's effect per outcome, both directions, and the total.

    One row per capability and outcome, so the table stays narrow however many
    outcomes an ablation reports.
    """
    from rich.table import Table as RichTable

    from ..metrics.outcomes import unit_of

    base, full = ablation.base.name, ablation.full.name
    table = RichTable(title=f"{title}: effect [95% CI] of each capability, from {base} to "
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
        table.add_row("all" if i == 0 else "", o, _effect(ablation.total[o]), "")
    console.print(table)
    console.print("on: (" + base + " + capability) − " + base + "; off: " + full + " − ("
                  + full + " − capability); all: " + full + " − " + base + "; * the 95% "
                  "interval excludes 0; identical: the same value in every replication",
                  markup=False, soft_wrap=True)
    if ablation.same:
        console.print(f"same in {base} and {full}, not ablated: {', '.join(ablation.same)}",
                      markup=False)
