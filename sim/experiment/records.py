"""Per-issue and per-contact records: one row per measured issue and one per contact.

With records on (``sim.run(..., records=True)``), each unit (design × replication)
streams its rows into a part of its own — ``issues`` and ``contacts`` files in
:attr:`RecordParts.folder`, inside the results folder — writing a batch every
:data:`FLUSH_ROWS` rows, so memory stays flat however many issues a run has. At the end
:meth:`RecordParts.write` concatenates the parts in unit order (design, then replication)
into ``issues.parquet`` and ``contacts.parquet`` (pyarrow), or ``issues.csv`` and
``contacts.csv`` when pyarrow is not installed: the files are the same byte for byte
whichever process ran which unit.

Only measured issues have rows: those that arrived after the warm-up, as in the summary.
An issue still open at the horizon has the ending ``"open"``, and so has its contact in
progress. The columns are :data:`ISSUE_COLUMNS` and :data:`CONTACT_COLUMNS`
(docs/records.md).
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import attrs

from ..errors import SimError
from ..metrics.recorder import Ending, IssueState
from ..model.channels import TOUCHPOINTS

__all__ = [
    "CONTACT_COLUMNS",
    "FLUSH_ROWS",
    "ISSUE_COLUMNS",
    "Column",
    "PartTarget",
    "RecordParts",
    "Records",
    "default_format",
    "read_records",
]

#: Rows a part buffers before it writes them as one batch (a Parquet row group).
FLUSH_ROWS = 16384

#: The record tables.
TABLES = ("issues", "contacts")


@attrs.frozen
class Column:
    """One column of a record table: *kind* is ``str``, ``int``, ``float`` or ``bool``;
    a *nullable* column may be empty (null) where *meaning* says so."""

    name: str
    kind: str
    unit: str
    meaning: str
    nullable: bool = False


#: The columns of ``issues``, one row per measured issue, in file order.
ISSUE_COLUMNS: tuple[Column, ...] = (
    Column("design", "str", "", "the design"),
    Column("replication", "int", "", "the replication (0, 1, …)"),
    Column("issue", "int", "", "the issue's number in the replication (its random streams' key)"),
    Column("customer", "int", "", "the customer (equal to the issue without a finite population)"),
    Column("segment", "str", "", "the customer's segment"),
    Column("intent", "str", "", "the issue's intent"),
    Column("channel", "str", "", "the channel of its first contact"),
    Column("arrived", "float", "min", "when the issue arrived, from the start of the run"),
    Column("ended", "float", "min", "when it was resolved or given up; empty while open",
           nullable=True),
    Column("ending", "str", "", "resolved, give_up_in_self_service, give_up_in_queue, "
           "give_up_after_contact, or open (at the horizon)"),
    Column("touchpoint", "str", "", "its last touchpoint (where it ended, or is)"),
    Column("contacts", "int", "contacts", "contacts made (self-service and assisted)"),
    Column("repetitions", "int", "facts", "facts the customer was asked again"),
    Column("switches", "int", "", "changes of channel between contacts"),
    Column("transfers", "int", "", "transfers after a misrouted contact"),
    Column("failures", "int", "contacts", "contacts that ended failed, abandoned or unresolved"),
    Column("wait", "float", "min", "time spent waiting in agent queues"),
    Column("agent_minutes", "float", "min", "agent time spent on it"),
    Column("contact_cost", "float", "cost", "the touchpoints' costs per contact"),
    Column("agent_cost", "float", "cost", "agent minutes times the pools' cost per minute"),
    Column("cost", "float", "cost", "contact_cost + agent_cost"),
)

#: The columns of ``contacts``, one row per contact of a measured issue, in file order.
CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("design", "str", "", "the design"),
    Column("replication", "int", "", "the replication (0, 1, …)"),
    Column("issue", "int", "", "the issue (as in issues)"),
    Column("contact", "int", "", "the contact's number within the issue (1, 2, …)"),
    Column("touchpoint", "str", "", "where the contact happened"),
    Column("channel", "str", "", "the touchpoint's channel"),
    Column("queued", "float", "min", "when it joined an agent queue; empty in self-service",
           nullable=True),
    Column("wait", "float", "min", "time spent in agent queues (replies of a conversation "
           "included)"),
    Column("answered", "bool", "", "whether its last agent-queue entry was answered (false: "
           "abandoned); empty in self-service", nullable=True),
    Column("pool", "str", "", "the pool of the last agent who held it; empty in self-service",
           nullable=True),
    Column("agent", "int", "", "that agent's index in the pool; empty until an agent held it",
           nullable=True),
    Column("started", "float", "min", "when the session began (an agent answered, or "
           "self-service began); empty if never answered", nullable=True),
    Column("ended", "float", "min", "when the contact ended; empty while open", nullable=True),
    Column("outcome", "str", "", "resolved, failed, abandoned, unresolved, dropped, or open "
           "(at the horizon)"),
    Column("facts_asked", "int", "facts", "facts asked of the customer"),
    Column("facts_read", "int", "facts", "facts read instead (history, hand-over or device)"),
    Column("repetitions", "int", "facts", "facts asked again that the customer gave before"),
    Column("agent_minutes", "float", "min", "agent time spent on it"),
    Column("transfers", "int", "", "transfers after a misrouting within it"),
)


def default_format() -> str:
    """``"parquet"`` when pyarrow is installed, else ``"csv"``."""
    return "parquet" if importlib.util.find_spec("pyarrow") is not None else "csv"


def _suffix(fmt: str) -> str:
    return ".parquet" if fmt == "parquet" else ".csv"


@attrs.frozen
class PartTarget:
    """Where one unit writes its part: ``FOLDER/STEM.issues.parquet`` and so on."""

    folder: Path
    stem: str
    fmt: str

    def path(self, table: str) -> Path:
        """The part file of *table* (``issues`` or ``contacts``)."""
        return self.folder / f"{self.stem}.{table}{_suffix(self.fmt)}"

    def done(self) -> bool:
        """Whether both files of the part were written whole (they are renamed last)."""
        return all(self.path(t).is_file() for t in TABLES)


class Records:
    """The records of one unit, written to its part as they come (a ``RecordSink``).

    *segments* and *intents* are the names of the world's segments and intents, by index;
    *flush* the rows written at a time (default :data:`FLUSH_ROWS`). Call :meth:`finish`
    after the run, with the issues still open.

    The engine calls these methods several times per contact, so they are kept lean: each
    measured issue in flight is a list ``[customer, wait, contact]``, and its contact in
    progress (``None`` between contacts) a list in the order of the contact's row:
    ``[touchpoint, channel, queued, wait, answered, pool, agent, started, facts asked,
    facts read, repetitions, agent minutes, transfers]``, the last three as they were when
    the contact began.
    """

    def __init__(self, design: str, replication: int, segments: Sequence[str],
                 intents: Sequence[str], target: PartTarget, flush: int | None = None) -> None:
        self.design, self.replication = design, replication
        self.segments, self.intents = list(segments), list(intents)
        self.target = target
        self.flush = FLUSH_ROWS if flush is None else flush
        self._open: dict[IssueState, list[Any]] = {}
        self._touchpoints = {name: (t.channel, t.self_service) for name, t in TOUCHPOINTS.items()}
        self._issues = _part(target, "issues", ISSUE_COLUMNS, self.flush)
        self._contacts = _part(target, "contacts", CONTACT_COLUMNS, self.flush)

    def opened(self, issue: IssueState, customer: int) -> None:
        """Follow *issue* if it is measured."""
        if issue.measured:
            self._open[issue] = [customer, 0.0, None]

    def contact_started(self, issue: IssueState, touchpoint: str, now: float) -> None:
        """A contact of *issue* began."""
        state = self._open.get(issue)
        if state is not None:
            channel, self_service = self._touchpoints[touchpoint]
            state[2] = [touchpoint, channel, None, 0.0, None, None, None,
                        now if self_service else None, 0, 0, issue.repetitions,
                        issue.agent_minutes, issue.transfers]

    def queue_left(self, issue: IssueState, pool: str, entered: float, now: float,
                   answered: bool) -> None:
        """The contact left an agent queue, answered or not."""
        state = self._open.get(issue)
        if state is None:
            return
        contact = state[2]
        if contact[2] is None:
            contact[2] = entered
        contact[3] += now - entered
        state[1] += now - entered
        contact[4], contact[5] = answered, pool
        if answered and contact[7] is None:
            contact[7] = now

    def agent(self, issue: IssueState, pool: str, agent: int) -> None:
        """An agent ended a session of the contact."""
        state = self._open.get(issue)
        if state is not None:
            state[2][5], state[2][6] = pool, agent

    def asked(self, issue: IssueState) -> None:
        """The contact asked for a fact."""
        state = self._open.get(issue)
        if state is not None:
            state[2][8] += 1

    def read(self, issue: IssueState) -> None:
        """The contact read a fact instead of asking."""
        state = self._open.get(issue)
        if state is not None:
            state[2][9] += 1

    def contact_ended(self, issue: IssueState, outcome: Enum, now: float | None) -> None:
        """The contact ended with *outcome* (*now* ``None``: open at the horizon)."""
        state = self._open.get(issue)
        if state is None:
            return
        c, state[2] = state[2], None
        part = self._contacts
        values = part.values
        values.extend((self.design, self.replication, issue.index, issue.contacts, c[0], c[1],
                       c[2], c[3], c[4], c[5], c[6], c[7], now, outcome.value, c[8], c[9],
                       issue.repetitions - c[10], issue.agent_minutes - c[11],
                       issue.transfers - c[12]))
        if len(values) >= part.limit:
            part.write()

    def issue_ended(self, issue: IssueState, ending: Ending | None, now: float | None) -> None:
        """A measured issue ended (``None``: open at the horizon)."""
        state = self._open.pop(issue, None)
        if state is None:
            return
        part = self._issues
        values = part.values
        values.extend((self.design, self.replication, issue.index, state[0],
                       self.segments[issue.segment], self.intents[issue.intent], issue.start,
                       issue.arrived, now, "open" if ending is None else ending.value,
                       issue.touchpoint, issue.contacts, issue.repetitions, issue.switches,
                       issue.transfers, issue.failures, state[1], issue.agent_minutes,
                       issue.cost, issue.agent_cost, issue.cost + issue.agent_cost))
        if len(values) >= part.limit:
            part.write()

    def finish(self, live: Iterable[IssueState]) -> None:
        """Write the rows of the issues still open (*live*), then close the part files."""
        for issue in live:
            state = self._open.get(issue)
            if state is not None and state[2] is not None:
                self.contact_ended(issue, _OPEN, None)
            self.issue_ended(issue, None, None)
        self._contacts.close()
        self._issues.close()  # renamed last: a part is whole once its issues file is there

    def abort(self) -> None:
        """Remove what was written (the unit failed)."""
        self._contacts.abort()
        self._issues.abort()


class _Opened(Enum):
    OPEN = "open"


_OPEN = _Opened.OPEN


class _Part:
    """Rows of one table of one unit: the caller extends :attr:`values` by one row's values
    at a time (in column order) and calls :meth:`write` once it holds :attr:`limit` values
    (*flush* rows); that empties it into a temporary file, renamed into place when closed.

    One flat list rather than a list of row tuples: extending it by a short-lived tuple
    allocates nothing that lasts (a kept tuple per row costs an allocation and the cyclic
    garbage collector's attention), and a column is then a slice ``values[i::width]``,
    quicker than transposing the rows with ``zip``.
    """

    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int) -> None:
        self.path, self.columns = path, columns
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.values: list[Any] = []
        self.width = len(columns)
        self.limit = flush * self.width

    def write(self) -> None:
        """Write the rows buffered and empty the buffer."""
        values, width = self.values, self.width
        if values:
            self._write([values[i::width] for i in range(width)])
            values.clear()

    def close(self) -> None:
        """Write what is buffered, close the file, fsync it and rename it into place."""
        self.write()
        self._close()
        with open(self.tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and remove the temporary file."""
        with contextlib.suppress(Exception):
            self._close()
        self.tmp.unlink(missing_ok=True)

    def _write(self, columns: list[list[Any]]) -> None:
        """Write one batch, given as its *columns* (lists of equal length)."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class _ParquetPart(_Part):
    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int) -> None:
        import pyarrow.parquet as pq

        super().__init__(path, columns, flush)
        self.schema = arrow_schema(columns)
        self.writer = pq.ParquetWriter(self.tmp, self.schema, **_parquet_options(columns))

    def _write(self, columns: list[list[Any]]) -> None:
        import pyarrow as pa

        arrays = [_arrow_array(values, column.kind, column.nullable)
                  for values, column in zip(columns, self.columns, strict=True)]
        self.writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def _close(self) -> None:
        self.writer.close()


class _CsvPart(_Part):
    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int) -> None:
        super().__init__(path, columns, flush)
        self.file = open(self.tmp, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow([c.name for c in columns])

    def _write(self, columns: list[list[Any]]) -> None:
        self.writer.writerows(
            ["" if v is None else ("true" if v else "false") if v is True or v is False
             else v for v in row] for row in zip(*columns, strict=True))

    def _close(self) -> None:
        self.file.close()


def _arrow_array(values: Sequence[Any], kind: str, nullable: bool = True) -> Any:
    """The Arrow array of *values* of a column of *kind* (``None`` is null where
    *nullable*; elsewhere it never comes).

    Built from its buffers: ``pyarrow.array`` would import pandas (about 50 MiB and half a
    second) in every worker, and is slower. A null slot holds 0 (or nothing), so the bytes
    are the same on every run.
    """
    import numpy as np
    import pyarrow as pa

    n, nulls = len(values), values.count(None) if nullable else 0
    validity = boxed = None
    if nulls:
        boxed = np.array(values, dtype=object)
        valid = (boxed != None).astype(bool)  # noqa: E711 (elementwise, in C)
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if kind == "str":
        strings = [v or "" for v in values] if nulls else values
        text = "".join(strings)
        if text.isascii():
            lengths = np.fromiter(map(len, strings), dtype=np.int32, count=n)
            data = text.encode("ascii")
        else:
            encoded = [v.encode() for v in strings]
            lengths = np.fromiter(map(len, encoded), dtype=np.int32, count=n)
            data = b"".join(encoded)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
        return pa.Array.from_buffers(pa.string(), n, buffers, null_count=nulls)
    if kind == "bool":
        bits = np.packbits(np.fromiter((v is True for v in values), dtype=bool, count=n),
                           bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [validity, pa.py_buffer(bits)],
                                     null_count=nulls)
    dtype, arrow = (np.float64, pa.float64()) if kind == "float" else (np.int64, pa.int64())
    if boxed is None:
        array = np.fromiter(values, dtype=dtype, count=n)
    else:  # a null slot holds 0
        boxed[~valid] = 0
        array = boxed.astype(dtype)
    return pa.Array.from_buffers(arrow, n, [validity, pa.py_buffer(array)], null_count=nulls)


def _part(target: PartTarget, table: str, columns: tuple[Column, ...], flush: int) -> _Part:
    kind = _ParquetPart if target.fmt == "parquet" else _CsvPart
    return kind(target.path(table), columns, flush)


def _parquet_options(columns: tuple[Column, ...]) -> dict[str, Any]:
    """How the record tables are written: dictionary-encoded names (few distinct values),
    plain numbers, zstd (smaller files than the default snappy, and as quick here)."""
    return {"use_dictionary": [c.name for c in columns if c.kind == "str"],
            "compression": "zstd"}


def arrow_schema(columns: tuple[Column, ...]) -> Any:
    """The pyarrow schema of a record table."""
    import pyarrow as pa

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([pa.field(c.name, types[c.kind]) for c in columns])


class RecordParts:
    """The parts of a run's records, in *folder* (inside the results folder).

    :func:`~sim.experiment.runner.run_experiment` gives each unit a :meth:`target` and
    notes the units' stems in order in :attr:`stems`; :meth:`write` then concatenates the
    parts into the results set. *fmt* defaults to :func:`default_format`.
    """

    def __init__(self, folder: Path, fmt: str | None = None) -> None:
        self.folder = folder
        self.fmt = default_format() if fmt is None else fmt
        self.stems: list[str] = []

    def target(self, stem: str) -> PartTarget:
        """Where the unit named *stem* writes its part (the folder is made)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(f".{stem}.*.tmp"):  # of a unit that was cut short
            stale.unlink(missing_ok=True)
        return PartTarget(self.folder, stem, self.fmt)

    def discard(self) -> None:
        """Remove the parts (and :attr:`folder`, and the folder above it if left empty)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder.parent.rmdir()

    def write(self, out: Path) -> dict[str, Any]:
        """Concatenate the parts of :attr:`stems` into *out*; what manifest.json says of it."""
        rows = {}
        for table in TABLES:
            paths = [PartTarget(self.folder, s, self.fmt).path(table) for s in self.stems]
            name = f"{table}{_suffix(self.fmt)}"
            concatenate = _concat_parquet if self.fmt == "parquet" else _concat_csv
            rows[table] = concatenate(paths, out / name, table)
        return {"format": self.fmt, "files": [f"{t}{_suffix(self.fmt)}" for t in TABLES],
                "rows": rows}


def _concat_parquet(paths: list[Path], out: Path, table: str) -> int:
    """Copy every row group of *paths*, in order, into one Parquet file *out*."""
    import pyarrow.parquet as pq

    columns = ISSUE_COLUMNS if table == "issues" else CONTACT_COLUMNS
    rows = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with pq.ParquetWriter(tmp, arrow_schema(columns), **_parquet_options(columns)) as writer:
        for path in paths:
            part = pq.ParquetFile(path)
            for i in range(part.num_row_groups):
                group = part.read_row_group(i)
                writer.write_table(group)
                rows += group.num_rows
    os.replace(tmp, out)
    return rows


def _concat_csv(paths: list[Path], out: Path, table: str) -> int:
    """Copy the rows of every CSV part in *paths*, in order, under one header, into *out*."""
    rows = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        columns = ISSUE_COLUMNS if table == "issues" else CONTACT_COLUMNS
        f.write(",".join(c.name for c in columns) + "\n")
        for path in paths:
            with open(path, encoding="utf-8", newline="") as part:
                part.readline()  # its header
                for line in part:
                    f.write(line)
                    rows += 1
    os.replace(tmp, out)
    return rows


def read_records(folder: Path, table: str) -> Any:
    """The record table *table* (``issues`` or ``contacts``) of the results folder
    *folder* as a pandas DataFrame: whole numbers as ``Int64``, ``answered`` as
    ``boolean`` (both nullable), times and money as ``float64`` (NaN where empty).

    Raises :class:`~sim.errors.SimError` when the run wrote no records (its
    manifest.json says which files it wrote: a later run without records leaves the
    files of an earlier one, which are then not this run's).
    """
    import pandas as pd

    try:
        info = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("records")
    except (OSError, ValueError, AttributeError):
        info = None
    if not isinstance(info, dict) or info.get("format") not in ("parquet", "csv"):
        raise SimError(f"{folder}: no records in this results folder (run with records=True, "
                       "or omnisim run --records)")
    columns = ISSUE_COLUMNS if table == "issues" else CONTACT_COLUMNS
    path = folder / f"{table}{_suffix(info['format'])}"
    if not path.is_file():
        raise SimError(f"{path}: missing (manifest.json says the run wrote records)")
    kinds = {"str": str, "int": "Int64", "float": "float64", "bool": "boolean"}
    if info["format"] == "parquet":
        frame = pd.read_parquet(path)
        return frame.astype({c.name: kinds[c.kind] for c in columns if c.kind in ("int", "bool")})
    return pd.read_csv(path, dtype={c.name: kinds[c.kind] for c in columns},
                       keep_default_na=False, na_values=[""])
