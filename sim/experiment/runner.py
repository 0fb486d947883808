"""Run every (design, replication) unit of an experiment, serially or over local cores.

Each unit seeds its own streams from (seed, replication), so results do not depend on
which process ran it or in what order: a parallel run equals a serial one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ..engine import Replication, World
from ..engine.monitors import Monitor
from ..engine.streams import Streams
from ..model.design import Design

__all__ = ["Results", "run_experiment"]

#: outcomes[design name][replication] -> {outcome: value}
Results = dict[str, list[dict[str, float]]]


def _unit(
    args: tuple[World, Design, int, int, bool, bool],
) -> tuple[dict[str, float], dict[str, Any] | None]:
    world, design, seed, replication, check, want_details = args
    monitor = None
    if check:
        monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable,
                          strict=True)
    rep = Replication(world, design, Streams(seed, replication), monitor)
    outcomes = rep.run()
    return outcomes, rep.details() if want_details else None


def run_experiment(
    world: World,
    designs: Sequence[Design],
    replications: int,
    seed: int,
    jobs: int = 1,
    progress: bool | None = None,
    check: bool = False,
    details: dict[str, list[dict[str, Any]]] | None = None,
) -> Results:
    """Run *replications* of every design on common random numbers.

    *jobs* > 1 spreads units over that many processes. *progress* shows a progress bar
    on standard error (default: only when it is a terminal). *check* runs the
    monitors, raising :class:`~sim.errors.InvariantViolation` at the first violation.
    When *details* is a dict, it receives per design the list of each replication's
    :meth:`~sim.engine.Replication.details` (series, journeys, time-to-resolution
    quantiles), for the figures.
    """
    want = details is not None
    units = [(world, d, seed, r, check, want) for d in designs for r in range(replications)]
    show = sys.stderr.isatty() if progress is None else progress
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeRemainingColumn(),
    )
    outputs: list[tuple[dict[str, float], dict[str, Any] | None]] = []
    with Progress(*columns, disable=not show, transient=True) as bar:
        task = bar.add_task(f"simulating {world.name}", total=len(units))
        if jobs > 1 and len(units) > 1:
            with ProcessPoolExecutor(max_workers=min(jobs, len(units))) as pool:
                for done in pool.map(_unit, units):
                    outputs.append(done)
                    bar.advance(task)
        else:
            for unit in units:
                outputs.append(_unit(unit))
                bar.advance(task)
    results: Results = {d.name: [] for d in designs}
    for unit, (outcomes, extra) in zip(units, outputs, strict=True):
        results[unit[1].name].append(outcomes)
        if details is not None and extra is not None:
            details.setdefault(unit[1].name, []).append(extra)
    return results


def default_jobs() -> int:
    """The number of local cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
