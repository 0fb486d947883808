"""What several commands do alike: default folders, jobs, work checks, pools, designs.

Imports of the simulator are inside the functions, so that importing the command line
(for ``--help`` or ``--version``) stays light.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import ScenarioError, did_you_mean, one_line

__all__ = [
    "MAX_JOBS_PER_CORE",
    "check_executor",
    "check_work",
    "design_named",
    "flat_pool",
    "jobs",
    "out_dir",
    "slug",
    "stdout_is_for_tables",
    "version",
    "with_horizon",
]

#: At most this many worker processes per core the machine lets omnisim use.
MAX_JOBS_PER_CORE = 8


def version() -> str:
    """omnisim's installed version."""
    from importlib import metadata

    try:
        return metadata.version("omnisim")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def slug(name: str) -> str:
    """*name* as a folder name: lower case, anything but letters and digits a dash."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "scenario"


def out_dir(args: argparse.Namespace, name: str, suffix: str = "") -> Path:
    """``--out``, or ``results/<scenario-name><suffix>/``."""
    return args.out or Path("results") / f"{slug(name)}{suffix}"


def stdout_is_for_tables(args: argparse.Namespace) -> bool:
    """Whether stdout carries only the tables (``--format`` other than ``table``), so
    every other message goes to stderr."""
    return getattr(args, "format", "table") != "table"


def jobs(asked: int | None) -> int:
    """The processes to use: *asked* (``--jobs``), at most a few per core, or every core."""
    from ..experiment.runner import default_jobs

    cores = default_jobs()
    if asked is not None and asked > MAX_JOBS_PER_CORE * cores:
        raise ScenarioError("--jobs", f"{asked} processes on {cores} cores (allowed: at most"
                            f" {MAX_JOBS_PER_CORE * cores}, {MAX_JOBS_PER_CORE} per core)")
    return asked or cores


def check_executor(args: argparse.Namespace) -> None:
    """``--scheduler`` goes with ``--executor dask`` and the other way round."""
    if args.executor == "dask" and not args.scheduler:
        raise ScenarioError("--scheduler", "missing (--executor dask needs the scheduler's "
                            "address, e.g. tcp://host:8786)")
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler", "is only used with --executor dask (allowed: add "
                            "--executor dask, or leave --scheduler out)")


def check_work(args: argparse.Namespace, scenario: Any, designs: int,
               replications: int) -> None:
    """Refuse a run whose estimated work is beyond sane bounds, unless ``--force``; warn
    of a queue that surely grows for ever."""
    from ..experiment.budget import check_work as check
    from ..experiment.budget import estimate_work, overload_warnings

    try:
        if not getattr(args, "force", False):
            check(estimate_work(scenario, designs, replications))
    except ScenarioError as e:
        raise e.in_file(args.scenario) from None
    for line in overload_warnings(scenario):
        print(f"omnisim: warning: {args.scenario}: {one_line(line)}", file=sys.stderr)


def with_horizon(scenario: Any, args: argparse.Namespace) -> Any:
    """*scenario* with the horizon ``--horizon`` gives, validated again, if it gives one."""
    if args.horizon is None:
        return scenario
    from ..scenario import parse_scenario
    from ..scenario.load import read_document

    data = read_document(args.scenario)
    data["scenario"]["horizon"] = args.horizon
    try:
        return parse_scenario(data)
    except ScenarioError as e:
        path = "--horizon" if e.path == "scenario.horizon" else e.path
        raise ScenarioError(path, e.message, args.scenario) from None


def design_named(scenario: Any, name: str, option: str, file: str) -> Any:
    """The design *name* resolves to, a bad name reported against *option*."""
    from ..scenario import resolve_designs

    try:
        return resolve_designs(scenario, [name])[0]
    except ScenarioError as e:
        raise ScenarioError(option, e.message, file) from None


def flat_pool(scenario: Any, asked: str | None, which: str, searcher: str) -> tuple[str, int]:
    """The pool ``--pool`` names (or the only one) and its flat headcount.

    *which* says in the message which pool to name, *searcher* who needs a flat one.
    """
    pools = [p.name for p in scenario.pools]
    if asked is None and len(pools) != 1:
        raise ScenarioError("--pool", f"missing: the scenario has {len(pools)} pools, name "
                            f"{which} ({', '.join(pools)})")
    pool = asked if asked is not None else pools[0]
    if pool not in pools:
        raise ScenarioError("--pool", f"unknown pool {pool!r} (pools: {', '.join(pools)})"
                            f"{did_you_mean(pool, pools)}")
    flat = next(p.agents for p in scenario.pools if p.name == pool)
    if flat is None:
        raise ScenarioError("--pool", f"pool {pool!r} has a schedule; {searcher} a flat "
                            "headcount (allowed: a pool with agents = N)")
    return pool, flat
