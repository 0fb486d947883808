"""Run every (design, replication) unit of an experiment: serially, over local cores, or on
a Dask cluster.

Each unit seeds its own streams from (seed, replication), so results do not depend on
which process ran it or in what order: a parallel run equals a serial one. With a
:class:`UnitStore`, each unit is saved as soon as it finishes, and a resumed run loads
the units already done instead of recomputing them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..collector import fewer_collections, freeze_once, own_process
from ..engine import Replication, World
from ..engine.monitors import Monitor
from ..engine.streams import Streams
from ..errors import EnvironmentFault, SimError, one_line
from ..model.design import Design
from .progress import progress_bar
from .records import PartTarget, RecordParts, Records

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "EXECUTORS",
    "UNIT_FORMAT",
    "Results",
    "UnitStore",
    "canonical",
    "default_jobs",
    "durable_write",
    "run_experiment",
]

#: outcomes[design name][replication] -> {outcome: value}
Results = dict[str, list[dict[str, float]]]
#: What a unit computes: its outcomes, and its details when asked for.
UnitOutput = tuple[dict[str, float], dict[str, Any] | None]
Unit = tuple[World, Design, int, int, bool, bool]

#: The executors ``run_experiment`` knows.
EXECUTORS = ("local", "dask")


def _unit(args: Unit, records: PartTarget | None = None) -> UnitOutput:
    """Run one unit; with *records*, write its records' part there as it runs."""
    world, design, seed, replication, check, want_details = args
    monitor = None
    if check:
        monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable,
                          strict=True)
    freeze_once()
    rep = Replication(world, design, Streams(seed, replication), monitor)
    if records is None:
        with fewer_collections():
            outcomes = rep.run()
    else:
        sink = rep.recorder.records = Records(
            design.name, replication, [s.name for s in world.segments],
            [i.name for i in world.intents], records)
        try:
            with fewer_collections():
                outcomes = rep.run()
            sink.finish(rep.recorder.live)
        except BaseException:
            sink.abort()
            raise
    return outcomes, rep.details() if want_details else None


def canonical(value: Any) -> Any:
    """*value* as plain JSON data that is the same in every process and on every run.

    attrs instances become their class name and fields; sets are sorted; dicts keep their
    order (the file's, which the engine may depend on) as ``[key, value]`` pairs; floats
    are written exactly (:meth:`float.hex`). ``repr`` is no fingerprint: a set's order
    changes from one process to the next (string hashing is randomized).
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"float": value.hex()}
    if attrs.has(type(value)):
        return {"class": f"{type(value).__module__}.{type(value).__qualname__}",
                **{f.name: canonical(getattr(value, f.name)) for f in attrs.fields(type(value))}}
    if isinstance(value, dict):
        return {"dict": [[canonical(k), canonical(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [canonical(v) for v in value]
        return {"set": sorted(items, key=lambda x: json.dumps(x, sort_keys=True))}
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar
        return canonical(value.item())
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    text = repr(value)
    # a repr that shows a memory address differs between processes: keep the type only
    return {"other": kind, "repr": None if " at 0x" in text else text}


def _version() -> str:
    try:
        return metadata.version("omnisim")
    except metadata.PackageNotFoundError:
        return "unknown"


#: What every saved unit says it is, so that a foreign file is never taken for one.
UNIT_FORMAT = "omnisim-unit/2"


class UnitStore:
    """Finished units saved one JSON file each under *folder*, so a run can resume.

    A unit's file name carries a fingerprint of everything that determines it (the
    compiled scenario, the design, the seed, the replication and omnisim's version), so a
    changed scenario never reuses stale units. Each file is written to a temporary name,
    flushed to disk (fsync) and renamed; on reading, a file that is truncated, damaged,
    foreign or of another fingerprint is recomputed, with a warning, never trusted.
    """

    def __init__(self, folder: Path, warn: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.warn = warn if warn is not None else _warn

    @staticmethod
    def fingerprint(unit: Unit) -> str:
        """SHA-256 of the canonical form of what determines *unit*'s results."""
        world, design, seed, replication, check, _ = unit
        data = canonical({"world": world, "design": design, "seed": seed,
                          "replication": replication, "check": check, "omnisim": _version()})
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def stem(cls, unit: Unit) -> str:
        """*unit*'s name in file names: design, replication and a fingerprint."""
        return f"{unit[1].name}-{unit[3]:04d}-{cls.fingerprint(unit)[:20]}"

    def path(self, unit: Unit) -> Path:
        """Where *unit* is saved; always inside :attr:`folder` (whatever the design's name)."""
        name = f"{self.stem(unit)}.json"
        path = self.folder / name
        if path.resolve().parent != self.folder.resolve() or path.name != name:
            raise SimError(f"the unit file {name!r} would lie outside {self.folder}")
        return path

    def load(self, unit: Unit) -> UnitOutput | None:
        """The saved output of *unit*, if it was saved whole with the details wanted."""
        path = self.path(unit)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            self.warn(f"{path}: cannot read a saved run ({e.strerror}); running it again")
            return None
        data = self._check(path, raw, self.fingerprint(unit))
        if data is None or (unit[5] and data["details"] is None):
            return None
        details = data["details"]
        if details is not None:
            details["flows"] = {(a, b): n for a, b, n in details["flows"]}
            details["series"] = [tuple(row) for row in details["series"]]
            details["ttr_quantiles"] = [tuple(row) for row in details["ttr_quantiles"]]
        return data["outcomes"], details

    def _check(self, path: Path, raw: bytes, key: str) -> dict[str, Any] | None:
        """The saved document in *raw* if it is whole and is *key*'s, else ``None``."""
        try:
            doc = json.loads(raw)
            payload = doc["payload"]
            whole = (doc["format"] == UNIT_FORMAT and doc["key"] == key
                     and doc["sha256"] == _digest(payload))
            if whole and isinstance(payload["outcomes"], dict):
                return dict(payload)
        except (ValueError, KeyError, TypeError):
            pass
        self.warn(f"{path}: a saved run is damaged or not this run's; running it again")
        return None

    def save(self, unit: Unit, output: UnitOutput) -> None:
        """Save *unit*'s output atomically and durably (written, fsynced, renamed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        outcomes, details = output
        if details is not None:
            details = {**details, "flows": [[a, b, n] for (a, b), n in details["flows"].items()]}
        payload = {"outcomes": outcomes, "details": details}
        doc = {"format": UNIT_FORMAT, "key": self.fingerprint(unit), "sha256": _digest(payload),
               "payload": payload}
        path = self.path(unit)
        durable_write(path, json.dumps(doc).encode())


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _warn(message: str) -> None:
    print(f"omnisim: warning: {one_line(message)}", file=sys.stderr)


def durable_write(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a temporary file that is fsynced, then renamed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(unit: Unit) -> str:
    return f"design {unit[1].name!r}, replication {unit[3]}"


def _watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the process that started the pool is gone."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


#: Seconds between a worker's checks that its parent is alive.
_PARENT_POLL = 0.25


def _worker_init(parent: int, started: Any) -> None:
    """Set up a pool worker: leave Ctrl-C to the main process, die with it, report units."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    own_process()
    global _STARTED
    _STARTED = started


_STARTED: Any = None


def _tracked_unit(k: int, unit: Unit, records: PartTarget | None = None) -> UnitOutput:
    """Run *unit* in a worker, first telling the main process which unit this worker runs."""
    if _STARTED is not None:
        _STARTED.put((os.getpid(), k))
    return _unit(unit, records)


def _local(units: list[Unit], jobs: int, targets: Sequence[PartTarget | None] | None = None,
           ) -> Generator[tuple[int, UnitOutput], None, None]:
    parts = list(targets) if targets is not None else [None] * len(units)
    if jobs <= 1 or len(units) <= 1:
        for i, unit in enumerate(units):
            yield i, _unit(unit, parts[i])
        return
    # imported here: a run in one process needs neither (0.03 s)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context()
    started = context.SimpleQueue()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context,
                               initializer=_worker_init, initargs=(os.getpid(), started))
    broken = False
    running: dict[int, int] = {}  # worker pid -> the unit it started last
    try:
        futures = {pool.submit(_tracked_unit, k, unit, parts[k]): k
                   for k, unit in enumerate(units)}
        workers = dict(getattr(pool, "_processes", None) or {})
        for future in as_completed(futures):
            _drain(started, running)  # never let the pipe fill up
            try:
                output = future.result()
            except BrokenProcessPool:
                broken = True
                continue
            yield futures[future], output
        if broken:
            _drain(started, running)
            raise EnvironmentFault(_dead_worker(units, workers, running, futures))
    except BaseException:
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _drain(started: Any, running: dict[int, int]) -> None:
    """Read what the workers reported starting into *running* (pid -> unit)."""
    with contextlib.suppress(OSError, EOFError):
        while not started.empty():
            pid, k = started.get()
            running[pid] = k


def _dead_worker(units: list[Unit], workers: dict[int, Any], running: dict[int, int],
                 futures: dict[Any, int]) -> str:
    """One line: which worker died, with which unit, and what was kept."""
    done = {futures[f] for f in futures
            if f.done() and not f.cancelled() and f.exception() is None}
    for process in workers.values():  # a killed worker's exit status may not be reaped yet
        if process.exitcode is None:
            process.join(timeout=1.0)
    dead = [(pid, p.exitcode) for pid, p in workers.items() if p.exitcode not in (None, 0)]
    # the pool terminates (SIGTERM) the other workers once one died: name the first one
    dead.sort(key=lambda d: d[1] == -signal.SIGTERM)
    kept = f"the {len(done)} runs finished are kept"
    if not dead:
        return f"a worker process died; {kept}"
    pid, code = dead[0]
    how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    k = running.get(pid)
    doing = (f"while running {_describe(units[k])}" if k is not None and k not in done
             else "before it started a run")
    return f"a worker process (pid {pid}) died ({how}) {doing}; {kept}"


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's workers at once (on Ctrl-C, SIGTERM or an error)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()


def _dask(units: list[Unit], scheduler: str | None, timeout: float = 10.0,
          targets: Sequence[PartTarget | None] | None = None,
          ) -> Generator[tuple[int, UnitOutput], None, None]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise SimError(
            "the dask executor needs the optional extra: pip install 'omnisim[dask]'"
        ) from None
    if scheduler is None:
        raise SimError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    try:
        client = Client(scheduler, timeout=timeout)
    except Exception as e:  # refused, timed out, or something else answered (MemoryError)
        raise EnvironmentFault(
            f"cannot reach a Dask scheduler at {scheduler} within {timeout:g} s "
            f"({type(e).__name__}: {one_line(str(e), 200)}); check --scheduler and "
            "--scheduler-timeout") from None
    with client:
        parts = list(targets) if targets is not None else [None] * len(units)
        futures = client.map(_unit, units, parts, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()


def _resumed(units: list[Unit], store: UnitStore | None, records: RecordParts | None,
             ) -> tuple[list[UnitOutput | None], list[PartTarget | None]]:
    """Each unit's output already saved in *store* (``None``: to run) and the target of
    its records' part (``None``: no records). A unit saved without its finished part
    is run again."""
    outputs: list[UnitOutput | None] = [store.load(u) if store else None for u in units]
    targets: list[PartTarget | None] = [None] * len(units)
    if records is not None:
        records.stems = [UnitStore.stem(u) for u in units]
        targets = [records.target(stem) for stem in records.stems]
        outputs = [out if out is not None and target is not None and target.done() else None
                   for out, target in zip(outputs, targets, strict=True)]
    return outputs, targets


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
    scheduler_timeout: float = 10.0,
    records: RecordParts | None = None,
) -> Results:
    """Run *replications* of every design on common random numbers.

    *jobs* > 1 spreads units over that many local processes; ``executor="dask"`` sends
    them to the Dask scheduler at *scheduler* instead (refused with
    :class:`~sim.errors.EnvironmentFault` when it does not answer within
    *scheduler_timeout* seconds; so is a local worker that dies). *progress* shows a progress bar
    on standard error (default: only when it is a terminal). *check* runs the monitors,
    raising :class:`~sim.errors.InvariantViolation` at the first violation. When
    *details* is a dict, it receives per design the list of each replication's
    :meth:`~sim.engine.Replication.details`. With a *store*, finished units are saved as
    they come and units already saved are loaded, not recomputed. With *records*, every
    unit writes its per-issue and per-contact records' part there (a unit saved without
    its part is run again); :meth:`RecordParts.write` then puts them together.
    """
    want = details is not None
    units: list[Unit] = [(world, d, seed, r, check, want) for d in designs
                         for r in range(replications)]
    outputs, targets = _resumed(units, store, records)
    todo = [i for i, out in enumerate(outputs) if out is None]
    show = sys.stderr.isatty() if progress is None else progress
    with progress_bar(show, f"simulating {world.name}", len(units),
                      len(units) - len(todo)) as bar:
        pending = [units[i] for i in todo]
        pending_parts = [targets[i] for i in todo]
        if executor == "dask":
            stream = _dask(pending, scheduler, scheduler_timeout, pending_parts)
        elif executor == "local":
            stream = _local(pending, jobs, pending_parts)
        else:
            raise SimError(f"unknown executor {executor!r} (allowed: {', '.join(EXECUTORS)})")
        with contextlib.closing(stream):  # an interrupt here stops the workers at once
            for k, output in stream:
                i = todo[k]
                outputs[i] = output = _shared_names(output)
                if store is not None:
                    store.save(units[i], output)
                bar.advance()
    results: Results = {d.name: [] for d in designs}
    for unit, done in zip(units, outputs, strict=True):
        assert done is not None
        outcomes, extra = done
        results[unit[1].name].append(outcomes)
        if details is not None and extra is not None:
            details.setdefault(unit[1].name, []).append(extra)
    return results


def _shared_names(output: UnitOutput) -> UnitOutput:
    """*output* with its outcomes' names interned: every unit names the same hundreds of
    outcomes, and a study keeps every unit's until it ends (one copy of each name, not one
    per unit)."""
    outcomes, details = output
    return {sys.intern(name): value for name, value in outcomes.items()}, details


def default_jobs() -> int:
    """The number of local cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
