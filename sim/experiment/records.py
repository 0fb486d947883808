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
import struct
from collections import defaultdict
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import attrs

from ..errors import SimError
from ..metrics.recorder import Ending, IssueState, PlainContact
from ..model.channels import CHANNELS, TOUCHPOINTS
from .parquet import concatenate

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

#: The bits of :data:`NULL_FLOAT`: a NaN with a payload no arithmetic makes (the parts
#: compare bits, so a NaN value stays a value).
_NULL_BITS = 0x7FF8_0000_00DE_AD01
#: An empty float field (a time) in a row.
NULL_FLOAT: float = struct.unpack("<d", struct.pack("<Q", _NULL_BITS))[0]
#: An empty whole-number field (an agent) in a row.
NULL_INT = -(2**63)
#: An empty bool field (answered) in a row: neither True nor False.
NULL_BOOL = 2

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

    The engine calls these methods several times per contact, so they are kept lean and
    keep what they follow in the issue's own slots: ``record_wait`` (its time in agent
    queues so far) and ``record``, the contact in progress of a measured issue (``None``
    between contacts, and in an issue not measured). Of a contact of the general path,
    ``record`` is already the contact's row (its columns but ``design`` and
    ``replication``; its touchpoint and channel by code, its pool by name until it ends),
    whose last three places hold the issue's repetitions, agent minutes and transfers as
    they were when the contact began until it ends; a plain contact is its own ``record``
    and gives its row whole (:meth:`plain_contact`). An empty field holds
    :data:`NULL_FLOAT`, :data:`NULL_INT`, :data:`NULL_BOOL` or ``None`` (a name), which the
    part writes as a null. A row is put into its part, its names coded, as it ends
    (:attr:`_Part.put`).
    """

    def __init__(self, design: str, replication: int, segments: Sequence[str],
                 intents: Sequence[str], target: PartTarget, flush: int | None = None) -> None:
        self.design, self.replication = design, replication
        self.segments, self.intents = list(segments), list(intents)
        self.target = target
        self.flush = FLUSH_ROWS if flush is None else flush
        touchpoints, channels = list(TOUCHPOINTS), list(CHANNELS)
        #: per touchpoint: its code, its channel's code (the contacts' coded columns), and
        #: whether it is self-service
        self._touchpoints = {name: (i, channels.index(t.channel), t.self_service)
                             for i, (name, t) in enumerate(TOUCHPOINTS.items())}
        fixed = {"design": design, "replication": replication}
        self._issues = _part(target, "issues", ISSUE_COLUMNS, self.flush, fixed,
                             {"segment": self.segments, "intent": self.intents})
        self._contacts = _part(target, "contacts", CONTACT_COLUMNS, self.flush, fixed,
                               {"touchpoint": touchpoints, "channel": channels})
        # the codes of the names the engine gives (a part's own, in the order first seen)
        self._pools, self._outcomes = self._contacts.named["pool"], self._contacts.named["outcome"]
        #: puts a plain contact's row: without its counts of facts and transfers, 0 in
        #: every plain contact
        self._put_plain = self._contacts.put_zeros(_PLAIN_ZEROS)
        #: puts a plain issue's row: without its repetitions and transfers, 0 in a plain
        #: world (no facts, no misrouting)
        self._put_plain_issue = self._issues.put_zeros(_PLAIN_ISSUE_ZEROS)
        self._starts = self._issues.named["channel"]
        self._endings, self._places = self._issues.named["ending"], self._issues.named["touchpoint"]

    def contact_started(self, issue: IssueState, touchpoint: str, now: float) -> None:
        """A contact of *issue* began."""
        if issue.measured:
            place, channel, self_service = self._touchpoints[touchpoint]
            issue.record = [issue.index, 0, place, channel, NULL_FLOAT, 0.0, NULL_BOOL, None,
                            NULL_INT, now if self_service else NULL_FLOAT,
                            NULL_FLOAT, "", 0, 0, issue.repetitions, issue.agent_minutes,
                            issue.transfers]

    def queue_left(self, issue: IssueState, pool: str, entered: float, now: float,
                   answered: bool) -> None:
        """The contact left an agent queue, answered or not."""
        contact = issue.record
        if contact is None:
            return
        if contact[4] is NULL_FLOAT:
            contact[4] = entered
        wait = now - entered
        contact[5] += wait
        issue.record_wait += wait
        contact[6], contact[7] = answered, pool
        if answered and contact[9] is NULL_FLOAT:
            contact[9] = now

    def agent(self, issue: IssueState, pool: str, agent: int) -> None:
        """An agent ended a session of the contact."""
        contact = issue.record
        if contact is not None:
            contact[7], contact[8] = pool, agent

    def asked(self, issue: IssueState) -> None:
        """The contact asked for a fact."""
        contact = issue.record
        if contact is not None:
            contact[12] += 1

    def read(self, issue: IssueState) -> None:
        """The contact read a fact instead of asking."""
        contact = issue.record
        if contact is not None:
            contact[13] += 1

    def contact_ended(self, issue: IssueState, outcome: Enum, now: float | None) -> None:
        """The contact ended with *outcome* (*now* ``None``: open at the horizon)."""
        row = issue.record
        if row is None:
            return
        issue.record = None
        row[1] = issue.contacts
        row[10] = NULL_FLOAT if now is None else now
        row[7] = self._pools[row[7]]
        row[11] = self._outcomes[outcome._value_]
        row[14] = issue.repetitions - row[14]
        row[15] = issue.agent_minutes - row[15]
        row[16] = issue.transfers - row[16]
        part = self._contacts
        at = part.at
        part.put(part.buffer, at, *row)
        at += part.step
        part.at = at
        if at >= part.end:
            part.write()

    def issue_ended(self, issue: IssueState, ending: Ending | None, now: float | None) -> None:
        """A measured issue ended (``None``: open at the horizon)."""
        if not issue.measured:
            return
        part = self._issues
        at = part.at
        part.put(part.buffer, at, issue.index, issue.customer, issue.segment,
                 issue.intent, self._starts[issue.start], issue.arrived,
                 NULL_FLOAT if now is None else now,
                 self._endings["open" if ending is None else ending._value_],
                 self._places[issue.touchpoint], issue.contacts, issue.repetitions,
                 issue.switches, issue.transfers, issue.failures, issue.record_wait,
                 issue.agent_minutes, issue.cost, issue.agent_cost,
                 issue.cost + issue.agent_cost)
        at += part.step
        part.at = at
        if at >= part.end:
            part.write()

    def plain_contact(self, plain: PlainContact, outcome: Enum | None, now: float | None,
                      ending: Ending | None = None) -> None:
        """A plain contact ended in *outcome* at *now*, or is open at the horizon (both
        ``None``): its row, the one the hooks of a contact would have made, read from the
        contact itself (``RecordSink.plain_contact``); with an *ending*, the issue's row
        too, as :meth:`issue_ended` would put it."""
        issue = plain.issue
        issue.record = None
        entered, agent = plain.entered, NULL_INT
        if outcome is None or now is None:  # open at the horizon
            value, ended = "open", NULL_FLOAT
            if hasattr(plain, "entry"):  # still in the queue: nothing of it was counted yet
                queued, wait, got, pool, started = NULL_FLOAT, 0.0, NULL_BOOL, None, NULL_FLOAT
            else:  # at work
                queued, got, pool, started = entered, True, plain.pool.spec.name, plain.started
                wait = started - entered
        else:
            value, ended, queued, pool = outcome._value_, now, entered, plain.pool.spec.name
            if value == "abandoned":  # it left the queue as it ended
                wait, got, started = ended - entered, False, NULL_FLOAT
            else:  # answered as its work started
                started, got, agent = plain.started, True, plain.agent.index
                wait = started - entered
        issue.record_wait += wait
        place, channel, _ = self._touchpoints[plain.tp]
        part = self._contacts
        at = part.at
        self._put_plain(part.buffer, at, issue.index, issue.contacts, place, channel, queued,
                        wait, got, self._pools[pool], agent, started, ended,
                        self._outcomes[value], issue.agent_minutes - plain.charged)
        at += part.step
        part.at = at
        if at >= part.end:
            part.write()
        if ending is None:
            return
        part = self._issues
        at = part.at
        self._put_plain_issue(
            part.buffer, at, issue.index, issue.customer, issue.segment, issue.intent,
            self._starts[issue.start], issue.arrived, ended, self._endings[ending._value_],
            self._places[issue.touchpoint], issue.contacts, issue.switches, issue.failures,
            issue.record_wait, issue.agent_minutes, issue.cost, issue.agent_cost,
            issue.cost + issue.agent_cost)
        at += part.step
        part.at = at
        if at >= part.end:
            part.write()

    def finish(self, live: Iterable[IssueState]) -> None:
        """Write the rows of the issues still open (*live*), then close the part files."""
        for issue in live:
            record = issue.record
            if record.__class__ is list:
                self.contact_ended(issue, _OPEN, None)
            elif record is not None:  # a plain contact: it is its own record
                self.plain_contact(record, None, None)
            self.issue_ended(issue, None, None)
        self._contacts.close()
        self._issues.close()  # renamed last: a part is whole once its issues file is there

    def abort(self) -> None:
        """Remove what was written (the unit failed)."""
        self._contacts.abort()
        self._issues.abort()


#: The contacts' columns that are 0 in every plain contact (facts asked, facts read,
#: repetitions, transfers), by place in a row.
_PLAIN_ZEROS = (12, 13, 14, 16)
#: The issues' columns that are 0 in every issue of a plain world (repetitions,
#: transfers), by place in a row.
_PLAIN_ISSUE_ZEROS = (10, 12)


class _Opened(Enum):
    OPEN = "open"


_OPEN = _Opened.OPEN


class _Part:
    """Rows of one table of one unit, written to a temporary file that is renamed into
    place when closed.

    The caller puts one row at a time, ``part.put(part.buffer, part.at, *row)``, in the
    order of :attr:`row_columns` (the table's columns less the *fixed* ones, whose value
    is the same in every row), each name replaced by its code (a column in *codes* by its
    index in its list of names, the others by :attr:`named`, whose codings a Parquet part
    starts again with each row group); it then moves :attr:`at` on by :attr:`step`, and
    calls :meth:`write` once :attr:`at` reaches :attr:`end` (*flush* rows).

    No row is kept as a Python object until it is written: one would be one more object
    per row for the cyclic garbage collector, which then ran three times as often (and
    its full collections four times as often) as without records.
    """

    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int,
                 fixed: dict[str, Any], codes: dict[str, list[str]]) -> None:
        self.path, self.columns = path, columns
        self.fixed, self.codes = fixed, codes
        self.row_columns = tuple(c for c in columns if c.name not in fixed)
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.width = len(self.row_columns)
        self.flush = flush
        #: the codes of the name columns not in *codes*, by column
        self.named: dict[str, Any] = {c.name: self._names() for c in self.row_columns
                                      if c.kind == "str" and c.name not in codes}
        self.at = 0
        self.step: int
        self.end: int
        self.buffer: Any
        self.put: Any

    def _names(self) -> Any:
        """A new mapping from a name to its code in this part's rows."""
        raise NotImplementedError

    def put_zeros(self, places: tuple[int, ...]) -> Any:
        """A ``put`` for rows whose whole-number fields at *places* (in a row) are 0, which
        it is not given."""
        put = self.put

        def put_zeros(buffer: Any, at: int, *row: Any) -> None:
            values = list(row)
            for place in places:
                values.insert(place, 0)
            put(buffer, at, *values)
        return put_zeros

    def write(self) -> None:
        """Write the rows put so far."""
        raise NotImplementedError

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

    def _close(self) -> None:
        raise NotImplementedError


#: How a whole-number, float and bool field is packed (:mod:`struct`), and read (numpy).
_PACKED = {"int": ("q", "<i8"), "float": ("d", "<f8"), "bool": ("b", "i1")}


def _codes() -> defaultdict[Any, int]:
    """A new coding of a name column: ``codes[name]`` is the name's code, a name not seen
    before getting the next one (by :class:`~collections.defaultdict` in C, as fast as a
    dict: a dict subclass with ``__missing__`` costs a Python-level lookup of
    ``__getitem__`` on every row); ``list(codes)`` holds the names by code."""
    codes: defaultdict[Any, int] = defaultdict()
    codes.default_factory = codes.__len__  # called before the name is put in
    return codes


class _Same(dict[Any, Any]):
    """Each name its own code (a CSV part writes the names as they are)."""

    def __missing__(self, name: str | None) -> str | None:
        self[name] = name
        return name


class _ParquetPart(_Part):
    """A part in Parquet: each row is packed into bytes by one :class:`struct.Struct` (in
    C) as it is put, into a buffer of *flush* rows; the buffer is then read as a numpy
    record array, whose fields become the columns of one row group.

    Converting the boxed numbers at the flush instead, long after most of them were made,
    cost several times more: most of that time went to fetching them from memory.
    """

    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int,
                 fixed: dict[str, Any], codes: dict[str, list[str]]) -> None:
        import numpy as np

        super().__init__(path, columns, flush, fixed, codes)
        self.schema = arrow_schema(columns, dictionaries=True)
        self.writer = _ParquetWriter(self.tmp, self.schema, columns)
        kinds = ["int" if c.kind == "str" else c.kind for c in self.row_columns]
        row = struct.Struct("<" + "".join(_PACKED[k][0] for k in kinds))
        #: a packed row, as numpy reads it (no padding: the struct format starts with "<")
        self.row_type = np.dtype([(c.name, _PACKED[k][1])
                                  for c, k in zip(self.row_columns, kinds, strict=True)])
        self.step, self.end = row.size, row.size * flush
        # a bytearray, not a numpy array: pack_into asks for the buffer on every row, which
        # a numpy array describes at a cost of a few hundred instructions
        self.buffer = bytearray(self.end)
        self.put = row.pack_into
        self.kinds = kinds
        self.fixed_arrays: dict[tuple[str, int], Any] = {}
        #: a name column's array where every row holds one name, by (name, rows)
        self.same_arrays: dict[tuple[str | None, int], Any] = {}

    def _names(self) -> defaultdict[Any, int]:
        return _codes()

    def put_zeros(self, places: tuple[int, ...]) -> Any:
        """A ``put`` for rows whose whole-number fields at *places* are 0: a
        :class:`struct.Struct` of the same size that skips them (it packs into a row it
        first fills with zero bytes)."""
        if any(self.kinds[place] != "int" for place in places):
            raise ValueError("only whole-number fields can be left out")
        row = struct.Struct("<" + "".join("8x" if i in places else _PACKED[k][0]
                                          for i, k in enumerate(self.kinds)))
        assert row.size == self.step
        return row.pack_into

    def write(self) -> None:
        """Write the rows put so far as one row group."""
        import numpy as np
        import pyarrow as pa

        n, self.at = self.at // self.step, 0
        if not n:
            return
        rows = np.frombuffer(self.buffer, self.row_type, count=n)
        arrays = []
        for column in self.columns:
            name = column.name
            if name in self.fixed:
                arrays.append(self._fixed(column, n))
                continue
            values = np.ascontiguousarray(rows[name])  # a copy: the buffer is used again
            if column.kind != "str":
                arrays.append(_packed_array(values, column.kind, column.nullable))
            elif name in self.codes:
                arrays.append(self._names_array(values, self.codes[name], False))
            else:
                arrays.append(self._names_array(values, list(self.named[name]), True))
        del rows
        self.writer.write(pa.Table.from_arrays(arrays, schema=self.schema))
        for coding in self.named.values():  # the next rows' names coded as they come again
            coding.clear()

    def _names_array(self, codes: Any, names: Sequence[str | None], ordered: bool) -> Any:
        """The dictionary array of *names*[code] for each of *codes* (*ordered*: the codes
        came in the order 0, 1, …): made once per name and number of rows where every row
        has the same name (a world's only segment, a pool's only channel), else by
        :func:`_dictionary_array`."""
        first = int(codes[0])
        if not (codes != first).any():
            key = (names[first], len(codes))
            array = self.same_arrays.get(key)
            if array is None:
                array = self.same_arrays[key] = _dictionary_array(codes, names, False)
            return array
        return _dictionary_array(codes, names, ordered)

    def _fixed(self, column: Column, n: int) -> Any:
        """The array of a fixed column of *n* rows (made once per number of rows)."""
        key = (column.name, n)
        array = self.fixed_arrays.get(key)
        if array is None:
            array = self.fixed_arrays[key] = _fixed_array(self.fixed[column.name],
                                                         column.kind, n)
        return array

    def _close(self) -> None:
        self.write()
        self.writer.close()


class _ParquetWriter:
    """pyarrow's Parquet writer of one file at *path*: ``pyarrow.parquet.ParquetWriter``'s
    own writer (``pyarrow._parquet``), on a file opened as that class opens a local one,
    with the options it passes. The same bytes (``tests/test_records.py``), without
    importing ``pyarrow.parquet``, which brings in ``pyarrow.fs`` and ``ssl`` as a run
    starts; the public class where that module is not there."""

    def __init__(self, path: Path, schema: Any, columns: tuple[Column, ...]) -> None:
        import pyarrow as pa

        options = _parquet_options(columns)
        try:
            from pyarrow._parquet import ParquetWriter
        except ImportError:  # pragma: no cover - another pyarrow's layout
            import pyarrow.parquet as pq

            self.sink, self.writer = None, pq.ParquetWriter(path, schema, **options)
            return
        self.sink = pa.OSFile(str(path), "wb")
        self.writer = ParquetWriter(self.sink, schema, version="2.6", writer_engine_version="V2",
                                    data_page_version="1.0", use_compliant_nested_type=True,
                                    store_schema=True, **options)

    def write(self, table: Any) -> None:
        """Write *table* as one row group."""
        self.writer.write_table(table)

    def close(self) -> None:
        """Write the footer and close the file."""
        self.writer.close()
        if self.sink is not None:
            self.sink.close()


def _extend(buffer: list[Any], at: int, *row: Any) -> None:
    """Put *row* at the end of the flat list *buffer* (a CSV part's ``put``)."""
    buffer.extend(row)


class _CsvPart(_Part):
    """A part in CSV: rows are buffered in one flat list and written every *flush* rows
    (empty fields as ``""``, and ``answered`` as ``true`` or ``false``)."""

    def __init__(self, path: Path, columns: tuple[Column, ...], flush: int,
                 fixed: dict[str, Any], codes: dict[str, list[str]]) -> None:
        super().__init__(path, columns, flush, fixed, codes)
        if [c.name for c in columns[:len(fixed)]] != list(fixed):
            raise ValueError("the fixed columns come first")
        self.step, self.end = 1, flush
        self.buffer: list[Any] = []
        self.put = _extend
        self.file = open(self.tmp, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow([c.name for c in columns])
        self.prefix = list(fixed.values())
        at = len(fixed)
        #: (place in the written row, how its value is written)
        self.cells = [(at + i, _csv_cell(c, codes.get(c.name)))
                      for i, c in enumerate(self.row_columns)
                      if c.name in codes or c.nullable or c.kind == "bool"]

    def _names(self) -> _Same:
        return _Same()

    def write(self) -> None:
        """Write the rows."""
        prefix, cells, values, width = self.prefix, self.cells, self.buffer, self.width
        out = []
        for start in range(0, len(values), width):
            line = [*prefix, *values[start:start + width]]
            for i, cell in cells:
                line[i] = cell(line[i])
            out.append(line)
        self.writer.writerows(out)
        values.clear()
        self.at = 0

    def _close(self) -> None:
        self.file.close()


def _csv_cell(column: Column, names: list[str] | None) -> Any:
    """How a field of *column* is written to CSV: its name, or ``""`` for a null."""
    if names is not None:
        return names.__getitem__
    if column.kind == "bool":
        return {True: "true", False: "false", NULL_BOOL: ""}.__getitem__
    null = {"float": NULL_FLOAT, "int": NULL_INT, "str": None}[column.kind]
    return lambda v: "" if v is null else v


def _packed_array(values: Any, kind: str, nullable: bool) -> Any:
    """The Arrow array of a packed column (*values*, a numpy array of the column's
    :data:`_PACKED` type); where *nullable*, the null markers become nulls holding 0."""
    import numpy as np
    import pyarrow as pa

    n, validity, nulls = len(values), None, 0
    if nullable:
        empty = (values.view("<u8") == _NULL_BITS if kind == "float" else
                 values == (NULL_INT if kind == "int" else NULL_BOOL))
        nulls = int(np.count_nonzero(empty))
        if nulls:
            validity = pa.py_buffer(np.packbits(~empty, bitorder="little"))
            values = np.where(empty, 0, values).astype(values.dtype)
    if kind == "bool":
        bits = np.packbits(values == 1, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [validity, pa.py_buffer(bits)],
                                     null_count=nulls)
    arrow = pa.float64() if kind == "float" else pa.int64()
    return pa.Array.from_buffers(arrow, n, [validity, pa.py_buffer(values)], null_count=nulls)


def _dictionary_array(codes: Any, names: Sequence[str | None], ordered: bool) -> Any:
    """The Arrow dictionary array of *names*[code] for each of *codes* (a ``None`` name is
    a null); *ordered*: every code up to the largest first comes in the order 0, 1, ….

    Its dictionary holds the names the codes use, in the order they first come, as
    Parquet's dictionary encoder would make it of the names themselves: the writer then
    writes the same pages without hashing and comparing every row's name again. Built
    from buffers (``pyarrow.array`` imports pandas, if installed, on its first call).
    """
    import numpy as np
    import pyarrow as pa

    if ordered:
        used = np.arange(int(codes.max()) + 1)
    else:  # the codes used, by where each first comes
        used, first = np.unique(codes, return_index=True)
        used = used[np.argsort(first)]
    order = [code for code in used.tolist() if names[code] is not None]
    remap = np.zeros(len(names), dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    validity, nulls = None, 0
    if len(order) < len(used):
        known = np.zeros(len(names), dtype=bool)
        known[order] = True
        present = np.take(known, codes)
        nulls = len(codes) - int(np.count_nonzero(present))
        validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    indices = [validity, pa.py_buffer(np.take(remap, codes))]
    dictionary = _strings([name for name in map(names.__getitem__, order) if name is not None])
    return pa.DictionaryArray.from_buffers(pa.dictionary(pa.int32(), pa.string()), len(codes),
                                           indices, dictionary, null_count=nulls)


def _strings(names: list[str]) -> Any:
    """The Arrow string array of *names* (built from its buffers)."""
    import numpy as np
    import pyarrow as pa

    encoded = [name.encode() for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def _fixed_array(value: Any, kind: str, n: int) -> Any:
    """The Arrow array of *n* times *value* (a column the same in every row)."""
    import numpy as np

    if kind == "str":
        return _dictionary_array(np.zeros(n, dtype=np.int64), [value], True)
    return _packed_array(np.full(n, value, dtype=_PACKED[kind][1]), kind, False)


def _part(target: PartTarget, table: str, columns: tuple[Column, ...], flush: int,
          fixed: dict[str, Any], codes: dict[str, list[str]]) -> _Part:
    kind = _ParquetPart if target.fmt == "parquet" else _CsvPart
    return kind(target.path(table), columns, flush, fixed, codes)


def _parquet_options(columns: tuple[Column, ...]) -> dict[str, Any]:
    """How the record tables are written: dictionary-encoded names (few distinct values),
    plain numbers, zstd (smaller files than the default snappy, and as quick here)."""
    return {"use_dictionary": [c.name for c in columns if c.kind == "str"],
            "compression": "zstd"}


def arrow_schema(columns: tuple[Column, ...], dictionaries: bool = False) -> Any:
    """The pyarrow schema of a record table; with *dictionaries*, the parts' own, whose
    names are dictionary arrays (the same pages; only the Arrow schema that the footer
    holds differs, which the concatenation sets to the table's)."""
    import pyarrow as pa

    names = pa.dictionary(pa.int32(), pa.string()) if dictionaries else pa.string()
    types = {"str": names, "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
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
    """Put the row groups of *paths*, in order, into one Parquet file *out*: their bytes
    copied under one footer (:func:`sim.experiment.parquet.concatenate`), or else each
    row group read and written again (the same bytes, at the cost of decoding and encoding
    them)."""
    import base64

    import pyarrow as pa

    tmp = out.with_name(f".{out.name}.tmp")
    columns = ISSUE_COLUMNS if table == "issues" else CONTACT_COLUMNS
    schema = arrow_schema(columns)
    # what pyarrow's writer stores of the table's schema (the parts store their own)
    stored = base64.b64encode(schema.serialize().to_pybytes())
    rows = concatenate(paths, tmp, f"parquet-cpp-arrow version {pa.cpp_version}".encode(),
                       {b"ARROW:schema": stored})
    if rows is None:
        import pyarrow.parquet as pq

        rows = 0
        with pq.ParquetWriter(tmp, schema, **_parquet_options(columns)) as w:
            for path in paths:
                part = pq.ParquetFile(path)
                for i in range(part.num_row_groups):
                    group = part.read_row_group(i).cast(schema)
                    w.write_table(group)
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
