"""The ``omnisim`` command line.

``omnisim run SCENARIO`` compares the designs of a scenario and writes its results.
A bad scenario prints one line ``FILE: field: what is wrong (what is allowed)`` and exits
2; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .engine import compile_world
from .errors import InvariantViolation, ScenarioError
from .experiment import build_summary, run_experiment, write_results
from .experiment.check import check_world
from .experiment.results import file_hash
from .experiment.runner import default_jobs
from .scenario import load_scenario, resolve_designs

__all__ = ["main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 (got {value})")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omnisim",
        description="Simulate omnichannel customer service and compare service designs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    run.add_argument("--design", metavar="NAME", nargs="+", action="extend",
                     help="designs to compare, the first is the baseline (default: the "
                     "scenario's list)")
    run.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                     help="processes to run replications in (default: the local cores)")
    run.add_argument("--quiet", "-q", action="store_true", help="print no table")
    run.add_argument("--check", action="store_true",
                     help="check the continuity invariants while simulating (exit 1 on the "
                     "first violation)")
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
    return parser


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "scenario"


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.4g}" if abs(value) >= 1e-3 else f"{value:.2e}"


def _interval(est: dict[str, Any]) -> str:
    if est["mean"] is None:
        return "–"
    if est["ci_low"] is None:
        return _fmt(est["mean"])
    return f"{_fmt(est['mean'])} [{_fmt(est['ci_low'])}, {_fmt(est['ci_high'])}]"


def print_table(summary: dict[str, Any], console: Console) -> None:
    """Print outcomes per design (mean [95% CI]) and the paired differences."""
    designs = summary["designs"]
    diffs = summary["differences"]
    table = Table(title=f"{summary['scenario']['name']}: mean [95% CI] over "
                  f"{summary['scenario']['replications']} replications")
    table.add_column("outcome")
    for name in designs:
        table.add_column(name, justify="right")
    for name, d in diffs.items():
        table.add_column(f"{name} − {d['baseline']}", justify="right")
    for outcome, unit in summary["units"].items():
        cells = [designs[d]["outcomes"][outcome] for d in designs]
        if all(c["mean"] is None for c in cells):
            continue
        label = f"{outcome} ({unit})" if unit == "min" else outcome
        row = [label, *(_interval(c) for c in cells)]
        for d in diffs.values():
            est = d["outcomes"][outcome]
            mark = ""
            if est["ci_low"] is not None and (est["ci_low"] > 0 or est["ci_high"] < 0):
                mark = " *"
            row.append(_interval(est) + mark)
        table.add_row(*row)
    console.print(table)
    if diffs:
        console.print("* the 95% interval of the paired difference excludes 0")


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    try:
        designs = resolve_designs(scenario, args.design)
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    sec = scenario.scenario
    replications = args.replications or sec.replications
    seed = sec.seed if args.seed is None else args.seed
    out_dir = args.out or Path("results") / _slug(sec.name)
    world = compile_world(scenario)
    jobs = args.jobs or default_jobs()
    started = time.perf_counter()
    details: dict[str, list[dict[str, Any]]] = {}
    results = run_experiment(world, designs, replications, seed, jobs=jobs, check=args.check,
                             details=details)
    elapsed = time.perf_counter() - started
    info = {
        "name": sec.name,
        "file": str(args.scenario),
        "sha256": file_hash(args.scenario),
        "seed": seed,
        "replications": replications,
        "horizon_min": sec.horizon,
        "warmup_min": sec.warmup,
        "designs": [d.name for d in designs],
        "pools": {p.name: p.agents for p in scenario.pools},
    }
    summary = build_summary(results, info)
    write_results(out_dir, summary, results, {
        "scenario_file": str(args.scenario),
        "scenario_sha256": info["sha256"],
        "seed": seed,
        "replications": replications,
        "designs": info["designs"],
        "jobs": jobs,
        "elapsed_seconds": round(elapsed, 3),
    }, details=details)
    if not args.quiet:
        console = Console(width=max(Console().width, 160))
        print_table(summary, console)
        console.print(f"results in {out_dir}/ ({elapsed:.1f} s)")
    return 0


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
        results = check_world(compile_world(scenario), resolve_designs(scenario), seed,
                              replications=args.replications)
        print(f"{path}:")
        for r in results:
            print(f"  {'held    ' if r.held else 'VIOLATED'} {r.invariant}: {r.detail}")
        if not all(r.held for r in results) and status == 0:
            status = 1
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``omnisim``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            return _check(args)
    except ScenarioError as e:
        print(e.line(), file=sys.stderr)
        return 2
    except InvariantViolation as e:
        print(f"{args.scenario}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("omnisim: interrupted; results already written are kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
