"""``omnisim check SCENARIO...``: check the continuity invariants of scenarios (for CI)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ScenarioError
from . import common, options

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any) -> None:
    """The ``check`` command's options."""
    check = sub.add_parser(
        "check",
        help="check the continuity invariants of scenarios (for CI)",
        description="Validate each SCENARIO, run a short simulation of every design with the "
        "run-time monitors on, and check the properties that compare runs. Prints one line "
        "per invariant; exits 0 when all hold, 1 when one is violated, 2 for a bad file.",
    )
    check.add_argument("scenarios", metavar="SCENARIO", nargs="+", help="scenario files")
    check.add_argument("--replications", "-n", metavar="N", type=options.positive_int,
                       default=2, help="replications per design (default: 2)")
    check.add_argument("--seed", metavar="S", type=options.seed,
                       help="seed (default: the scenario's)")


def execute(args: argparse.Namespace) -> int:
    """Check every scenario; the worst status of them all."""
    from ..engine import compile_world
    from ..experiment.check import check_world
    from ..scenario import load_scenario, resolve_designs

    status = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
            common.check_work(argparse.Namespace(scenario=path), scenario,
                              len(resolve_designs(scenario)), args.replications)
        except ScenarioError as e:
            print(e.line(), file=sys.stderr)
            status = 2
            continue
        seed = scenario.scenario.seed if args.seed is None else args.seed
        results = check_world(compile_world(scenario), resolve_designs(scenario), seed,
                              replications=args.replications)
        print(f"{path}:")
        for r in results:
            print(f"  {'held    ' if r.held else 'VIOLATED'} {r.invariant}: {r.detail}")
        if not all(r.held for r in results) and status == 0:
            status = 1
    return status
