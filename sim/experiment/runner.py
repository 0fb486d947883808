"""Run every (design, replication) unit of an experiment: serially, over local cores, or on
a Dask cluster.

Each unit seeds its own streams from (seed, replication), so results do not depend on
which process ran it or in what order: a parallel run equals a serial one. With a
:class:`UnitStore`, each unit is saved as soon as it finishes, and a resumed run loads
the units already done instead of recomputing them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ..engine import Replication, World
from ..engine.monitors import Monitor
from ..engine.streams import Streams
from ..errors import SimError
from ..model.design import Design

__all__ = ["EXECUTORS", "Results", "UnitStore", "default_jobs", "run_experiment"]

#: outcomes[design name][replication] -> {outcome: value}
Results = dict[str, list[dict[str, float]]]
#: What a unit computes: its outcomes, and its details when asked for.
UnitOutput = tuple[dict[str, float], dict[str, Any] | None]
Unit = tuple[World, Design, int, int, bool, bool]

#: The executors ``run_experiment`` knows.
EXECUTORS = ("local", "dask")


def _unit(args: Unit) -> UnitOutput:
    world, design, seed, replication, check, want_details = args
    monitor = None
    if check:
        monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable,
                          strict=True)
    rep = Replication(world, design, Streams(seed, replication), monitor)
    outcomes = rep.run()
    return outcomes, rep.details() if want_details else None


class UnitStore:
    """Finished units saved one JSON file each under *folder*, so a run can resume.

    A unit's file name carries a fingerprint of everything that determines it (the
    compiled scenario, the design, the seed and the replication), so a changed scenario
    never reuses stale units.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def fingerprint(unit: Unit) -> str:
        """A hash of what determines *unit*'s results."""
        world, design, seed, replication, check, _ = unit
        text = repr((world, design, seed, replication, check))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def _path(self, unit: Unit) -> Path:
        return self.folder / f"{unit[1].name}-{unit[3]:04d}-{self.fingerprint(unit)}.json"

    def load(self, unit: Unit) -> UnitOutput | None:
        """The saved output of *unit*, if it was saved with details when they are wanted."""
        path = self._path(unit)
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        if unit[5] and data["details"] is None:
            return None
        details = data["details"]
        if details is not None:
            details["flows"] = {(a, b): n for a, b, n in details["flows"]}
            details["series"] = [tuple(row) for row in details["series"]]
            details["ttr_quantiles"] = [tuple(row) for row in details["ttr_quantiles"]]
        return data["outcomes"], details

    def save(self, unit: Unit, output: UnitOutput) -> None:
        """Save *unit*'s output atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        outcomes, details = output
        if details is not None:
            details = {**details, "flows": [[a, b, n] for (a, b), n in details["flows"].items()]}
        path = self._path(unit)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps({"outcomes": outcomes, "details": details}))
        os.replace(tmp, path)


def _local(units: list[Unit], jobs: int) -> Iterator[tuple[int, UnitOutput]]:
    if jobs <= 1 or len(units) <= 1:
        for i, unit in enumerate(units):
            yield i, _unit(unit)
        return
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(units)))
    try:
        futures = {pool.submit(_unit, unit): i for i, unit in enumerate(units)}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:  # on Ctrl-C or an error, do not wait for the units not started yet
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(units: list[Unit], scheduler: str | None) -> Iterator[tuple[int, UnitOutput]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise SimError(
            "the dask executor needs the optional extra: pip install 'omnisim[dask]'"
        ) from None
    if scheduler is None:
        raise SimError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    with Client(scheduler) as client:
        futures = client.map(_unit, units, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()


def run_experiment(
    world: World,
    designs: Sequence[Design],
    replications: int,
    seed: int,
    jobs: int = 1,
    progress: bool | None = None,
    check: bool = False,
    details: dict[str, list[dict[str, Any]]] | None = None,
    store: UnitStore | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Results:
    """Run *replications* of every design on common random numbers.

    *jobs* > 1 spreads units over that many local processes; ``executor="dask"`` sends
    them to the Dask scheduler at *scheduler* instead. *progress* shows a progress bar
    on standard error (default: only when it is a terminal). *check* runs the monitors,
    raising :class:`~sim.errors.InvariantViolation` at the first violation. When
    *details* is a dict, it receives per design the list of each replication's
    :meth:`~sim.engine.Replication.details`. With a *store*, finished units are saved as
    they come and units already saved are loaded, not recomputed.
    """
    want = details is not None
    units: list[Unit] = [(world, d, seed, r, check, want) for d in designs
                         for r in range(replications)]
    outputs: list[UnitOutput | None] = [store.load(u) if store else None for u in units]
    todo = [i for i, out in enumerate(outputs) if out is None]
    show = sys.stderr.isatty() if progress is None else progress
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, disable=not show, transient=True) as bar:
        task = bar.add_task(f"simulating {world.name}", total=len(units),
                            completed=len(units) - len(todo))
        pending = [units[i] for i in todo]
        if executor == "dask":
            stream = _dask(pending, scheduler)
        elif executor == "local":
            stream = _local(pending, jobs)
        else:
            raise SimError(f"unknown executor {executor!r} (allowed: {', '.join(EXECUTORS)})")
        for k, output in stream:
            i = todo[k]
            outputs[i] = output
            if store is not None:
                store.save(units[i], output)
            bar.advance(task)
    results: Results = {d.name: [] for d in designs}
    for unit, done in zip(units, outputs, strict=True):
        assert done is not None
        outcomes, extra = done
        results[unit[1].name].append(outcomes)
        if details is not None and extra is not None:
            details.setdefault(unit[1].name, []).append(extra)
    return results


def default_jobs() -> int:
    """The number of local cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
