"""What a replication records while it runs, and the outcomes derived from it.

The recorder keeps sums and counts, not per-contact lists, so memory stays flat however
long the horizon. Counts are kept in *cells*: queue entries by (pool, channel, segment,
intent, hour of the day they joined the queue), issues by (channel they started on,
segment, intent, hour of the day they arrived). The outcomes of the whole replication
add every cell up; a breakdown adds up the cells of one key of one dimension. Cells are
added in a fixed order, so the sums are the same in every run.

The percentiles of the time to resolution come from a DDSketch (Masson, Rim & Lee, VLDB
2019) with 0.5% relative accuracy, whose size does not grow with the number of issues.
Only issues that arrive, and queue entries that start, after the warm-up count.

Every outcome's definition is in :data:`sim.metrics.outcomes.CATALOGUE`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, Protocol

from ddsketch import DDSketch
from ddsketch.mapping import LogarithmicMapping

from .outcomes import CATALOGUE, OUTCOMES

__all__ = [
    "BREAKDOWN_DIMENSIONS",
    "OUTCOMES",
    "UNITS",
    "Ending",
    "IssueState",
    "IssueTally",
    "PlainContact",
    "QueueTally",
    "RecordSink",
    "Recorder",
    "pool_outcomes",
]

#: Outcome names and their units (from the catalogue), in the order tables show them.
UNITS: dict[str, str] = {name: o.unit for name, o in CATALOGUE.items()}

#: The dimensions of the breakdowns, in the order files list them.
BREAKDOWN_DIMENSIONS: tuple[str, ...] = ("pool", "channel", "segment", "intent", "hour")


class Ending(Enum):
    """How an issue ended, and for one given up, where the customer gave up."""

    RESOLVED = "resolved"
    IN_SELF_SERVICE = "give_up_in_self_service"
    IN_QUEUE = "give_up_in_queue"
    AFTER_CONTACT = "give_up_after_contact"


#: enum members read once, for issue_ended (reading one off its class costs a lookup)
_RESOLVED, _IN_SELF_SERVICE, _IN_QUEUE = Ending.RESOLVED, Ending.IN_SELF_SERVICE, Ending.IN_QUEUE

#: An issue's given facts before the first: one shared empty set, not one per issue.
_NO_FACTS: frozenset[str] = frozenset()


class IssueState:
    """One issue's journey so far: counts the engine updates as the customer moves.

    *index* is the issue's entity index (its random streams' key), *customer* the
    customer who has it, *start* the channel of its first touchpoint, *hour* the hour of
    the day it arrived.
    """

    __slots__ = (
        "agent_cost",
        "agent_minutes",
        "arrived",
        "cell",
        "contacts",
        "cost",
        "customer",
        "failures",
        "given",
        "hour",
        "index",
        "intent",
        "last_agent",
        "measured",
        "record",
        "record_wait",
        "repetitions",
        "segment",
        "start",
        "switches",
        "touchpoint",
        "transfers",
    )

    #: the issue's cell of counts (set on arrival, when measured)
    cell: IssueTally

    def __init__(self, index: int, customer: int, segment: int, intent: int, arrived: float,
                 measured: bool, start: str = "") -> None:
        self.index = index
        self.customer = customer
        self.segment = segment
        self.intent = intent
        self.arrived = arrived
        self.measured = measured
        self.start = start
        self.hour = int(arrived % 1440.0 // 60.0)
        self.contacts = 0
        self.repetitions = 0
        self.switches = 0
        self.transfers = 0
        self.failures = 0
        self.cost = 0.0  # contact costs
        self.agent_minutes = 0.0
        self.agent_cost = 0.0
        #: the facts the customer gave so far, each once (a tuple of its own once there is
        #: one: a few facts at most, and a set costs 216 bytes)
        self.given: tuple[str, ...] | frozenset[str] = _NO_FACTS
        self.touchpoint = ""  # where the issue is now (for journeys open at the horizon)
        #: (pool index, agent index) of the agent who took its last assisted contact
        self.last_agent: tuple[int, int] | None = None
        #: what the record sink keeps of a measured issue while records are on: its contact
        #: in progress (``None`` between contacts; see :class:`RecordSink`) and the time it
        #: spent in agent queues so far
        self.record: Any = None
        self.record_wait = 0.0


_TTR_ACCURACY = 0.005
#: The time-to-resolution sketch's key of a value v > 0: ceil(log2(v) × this), the key
#: ``ddsketch.mapping.LogarithmicMapping(_TTR_ACCURACY).key(v)`` gives, computed as it is
#: (``tests/test_recorder.py`` checks them against each other).
_TTR_MULTIPLIER = (1 / math.log1p(2 * _TTR_ACCURACY / (1 - _TTR_ACCURACY))) * math.log(2)
#: The smallest value the sketch tells from 0 (the mapping's ``min_possible``).
_TTR_MIN = sys.float_info.min * (1 + 2 * _TTR_ACCURACY / (1 - _TTR_ACCURACY))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _share(numerator: float, denominator: float) -> float:
    """A share of time that cannot exceed 1, but for float round-off, which is removed."""
    value = _ratio(numerator, denominator)
    return 1.0 if 1.0 < value <= 1.0 + 1e-9 else value


class _Tally:
    """Counts and sums, all 0 at first, that add up field by field."""

    __slots__: tuple[str, ...] = ()

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)

    def add(self, other: _Tally) -> None:
        """Add *other*'s counts to these (*other* is of the same kind)."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class QueueTally(_Tally):
    """Counts and sums over agent-queue entries and agent sessions (one cell, or a sum)."""

    abandoned: int
    abandoned_late: int
    affinity_hits: int
    answered: int
    answered_in_time: int
    answered_wait: float
    callback_wait: float
    callbacks: int
    conversations: int
    dropped: int
    exchanges: int
    entries: int
    follow_ups: int
    handle_sum: float
    replies: int
    reply_gap_sum: float
    sessions: int
    unreachable: int
    wait_sum: float

    __slots__ = ("abandoned", "abandoned_late", "affinity_hits", "answered", "answered_in_time",
                 "answered_wait", "callback_wait", "callbacks", "conversations", "dropped",
                 "entries", "exchanges", "follow_ups", "handle_sum", "replies",
                 "reply_gap_sum", "sessions", "unreachable", "wait_sum")

    def outcomes(self, has_callback: bool, has_affinity: bool = False) -> dict[str, float]:
        """The queue-side outcomes of these counts (NaN where nothing was measured)."""
        answered = self.answered
        return {
            "abandonment_rate": _ratio(self.abandoned, self.entries),
            "asa": _ratio(self.answered_wait, answered),
            "mean_wait": _ratio(self.wait_sum, self.entries),
            "service_level": _ratio(self.answered_in_time, answered + self.abandoned_late),
            "service_level_answered": _ratio(self.answered_in_time, answered),
            "service_level_offered": _ratio(self.answered_in_time, self.entries),
            "mean_handle_time": _ratio(self.handle_sum, self.sessions),
            "session_drop_rate": _ratio(self.dropped, self.sessions),
            "callback_rate": _ratio(self.callbacks, self.entries) if has_callback else math.nan,
            "callback_unreachable_rate": (
                _ratio(self.unreachable, self.callbacks) if has_callback else math.nan),
            "callback_wait": (
                _ratio(self.callback_wait, self.callbacks) if has_callback else math.nan),
            "exchanges_per_contact": _ratio(self.exchanges, self.conversations),
            "mean_reply_gap": _ratio(self.reply_gap_sum, self.replies),
            "affinity_hit_rate": (
                _ratio(self.affinity_hits, self.follow_ups) if has_affinity else math.nan),
        }


class IssueTally(_Tally):
    """Counts and sums over issues (one cell, or a sum)."""

    after_contact: int
    agent_cost: float
    agent_minutes: float
    contact_cost: float
    contacts: int
    ended: int
    first_contact: int
    in_queue: int
    in_self_service: int
    issues: int
    repeat_issues: int
    repetitions: int
    resolved: int
    switches: int
    transfers: int
    ttr_sum: float

    __slots__ = (
        "after_contact",
        "agent_cost",
        "agent_minutes",
        "contact_cost",
        "contacts",
        "ended",
        "first_contact",
        "in_queue",
        "in_self_service",
        "issues",
        "repeat_issues",
        "repetitions",
        "resolved",
        "switches",
        "transfers",
        "ttr_sum",
    )

    def journey(self, issue: IssueState) -> None:
        """Add what *issue* did (contacts, repetitions, time and money spent)."""
        self.contacts += issue.contacts
        self.repetitions += issue.repetitions
        self.repeat_issues += issue.repetitions > 0
        self.switches += issue.switches
        self.transfers += issue.transfers
        self.contact_cost += issue.cost
        self.agent_minutes += issue.agent_minutes
        self.agent_cost += issue.agent_cost

    def outcomes(self, has_costs: bool) -> dict[str, float]:
        """The issue-side outcomes of these counts (NaN where nothing was measured)."""
        ended, issues = self.ended, self.issues
        given_up = self.in_self_service + self.in_queue + self.after_contact
        return {
            "give_up_rate": _ratio(given_up, ended),
            "give_up_in_self_service": _ratio(self.in_self_service, ended),
            "give_up_in_queue": _ratio(self.in_queue, ended),
            "give_up_after_contact": _ratio(self.after_contact, ended),
            "resolution_rate": _ratio(self.resolved, ended),
            "first_contact_resolution": _ratio(self.first_contact, ended),
            "repetitions_per_issue": _ratio(self.repetitions, issues),
            "repeat_rate": _ratio(self.repeat_issues, issues),
            "contacts_per_issue": _ratio(self.contacts, issues),
            "channel_switches_per_issue": _ratio(self.switches, issues),
            "transfers_per_issue": _ratio(self.transfers, issues),
            "agent_minutes_per_issue": _ratio(self.agent_minutes, issues),
            "time_to_resolution": _ratio(self.ttr_sum, self.resolved),
            "cost_per_issue": (
                _ratio(self.contact_cost + self.agent_cost, issues) if has_costs else math.nan),
            "agent_cost_per_issue": _ratio(self.agent_cost, issues) if has_costs else math.nan,
        }


#: A queue cell's key: (pool, channel, segment index, intent index, hour of the day).
QueueKey = tuple[str, str, int, int, int]
#: An issue cell's key: (start channel, segment index, intent index, hour of the day).
IssueKey = tuple[str, int, int, int]


class Recorder:
    """Sums and counts of one replication, from *start* (end of warm-up) to *end*.

    *thresholds* gives each channel's service-level threshold T (minutes).
    """

    def __init__(self, start: float, end: float, thresholds: dict[str, float]) -> None:
        self.start, self.end = start, end
        self.thresholds = thresholds
        self.queue_cells: dict[QueueKey, QueueTally] = {}
        self.issue_cells: dict[IssueKey, IssueTally] = {}
        self.issues = 0
        self.resolved = 0
        self.abandoned = 0  # issues given up
        #: the time to resolution of resolved issues, as a DDSketch's bins: issues by key,
        #: and those of 0 minutes; :meth:`ttr_sketch` makes the sketch
        self.ttr: dict[int, int] = {}
        self.ttr_zeros = 0
        #: measured issues still open, in arrival order (a dict: ordered, O(1) removal)
        self.live: dict[IssueState, None] = {}
        #: journeys of measured issues: (from, to) -> count; "arrival" starts a journey,
        #: "resolved", "abandoned" and "open" end it
        self.flows: dict[tuple[str, str], int] = {}
        #: where per-issue and per-contact records go (``None``: records are off)
        self.records: RecordSink | None = None

    def _queue_cell(self, pool: str, channel: str, issue: IssueState, at: float) -> QueueTally:
        key = (pool, channel, issue.segment, issue.intent, int(at % 1440.0 // 60.0))
        cell = self.queue_cells.get(key)
        if cell is None:
            cell = self.queue_cells[key] = QueueTally()
        return cell

    def flow(self, issue: IssueState, source: str, target: str) -> None:
        """Count one step of a measured issue's journey."""
        if issue.measured:
            key = (source, target)
            self.flows[key] = self.flows.get(key, 0) + 1

    def issue_arrived(self, issue: IssueState) -> None:
        """Count a new issue (if it arrived after the warm-up)."""
        if issue.measured:
            self.issues += 1
            key = (issue.start, issue.segment, issue.intent, issue.hour)
            cell = self.issue_cells.get(key)
            if cell is None:
                cell = self.issue_cells[key] = IssueTally()
            issue.cell = cell  # its cell, for its end
            cell.issues += 1
            self.live[issue] = None

    def issue_ended(self, issue: IssueState, ending: Ending, now: float,
                    recorded: bool = False) -> None:
        """Count how *issue* ended: resolved, or given up (and where); and give it to the
        record sink, unless it has its row already (*recorded*: a plain contact gives the
        issue's row with its own, :meth:`RecordSink.plain_contact`)."""
        if not issue.measured:
            return
        if self.records is not None and not recorded:
            self.records.issue_ended(issue, ending, now)
        del self.live[issue]
        cell = issue.cell
        cell.journey(issue)
        cell.ended += 1
        if ending is _RESOLVED:
            self.resolved += 1
            cell.resolved += 1
            ttr = now - issue.arrived
            if ttr > _TTR_MIN:  # DDSketch.add's bin, without its five calls
                key = math.ceil(math.log(ttr, 2) * _TTR_MULTIPLIER)
                bins = self.ttr
                bins[key] = bins.get(key, 0) + 1
            else:
                self.ttr_zeros += 1
            cell.ttr_sum += ttr
            if issue.contacts <= 1:  # a notification that settles it counts too
                cell.first_contact += 1
            return
        self.abandoned += 1
        if ending is _IN_SELF_SERVICE:
            cell.in_self_service += 1
        elif ending is _IN_QUEUE:
            cell.in_queue += 1
        else:
            cell.after_contact += 1

    def queue_left(self, issue: IssueState, pool: str, channel: str, entered: float,
                   now: float, answered: bool, callback: bool = False) -> None:
        """Count one agent-queue entry that ended: answered after a wait, or not.

        A call-back entry (*callback*) counts like any other, its wait being the time
        from taking the call back to the agent's call; it is answered when the customer
        picks up. Entries that joined the queue during the warm-up do not count.
        """
        if self.records is not None:
            self.records.queue_left(issue, pool, entered, now, answered)
        self.count_queue_left(issue, pool, channel, entered, now, answered, callback)

    def count_queue_left(self, issue: IssueState, pool: str, channel: str, entered: float,
                         now: float, answered: bool, callback: bool = False) -> None:
        """:meth:`queue_left` without the record sink (a plain contact gives its row whole
        as it ends: :meth:`RecordSink.plain_contact`)."""
        if entered < self.start:
            return
        # _queue_cell(pool, channel, issue, entered), without a call: once per queue entry
        key = (pool, channel, issue.segment, issue.intent, int(entered % 1440.0 // 60.0))
        cell = self.queue_cells.get(key)
        if cell is None:
            cell = self.queue_cells[key] = QueueTally()
        wait = now - entered
        cell.entries += 1
        cell.wait_sum += wait
        late = wait > self.thresholds[channel]
        if answered:
            cell.answered += 1
            cell.answered_wait += wait
            cell.answered_in_time += not late
        else:
            cell.abandoned += 1
            cell.abandoned_late += late
        if callback:
            cell.callbacks += 1
            cell.callback_wait += wait
            cell.unreachable += not answered

    def follow_up(self, issue: IssueState, pool: str, channel: str, started: float,
                  hit: bool) -> None:
        """Count one assisted contact that had a last agent to go back to (*hit*: it did)."""
        if started >= self.start:
            cell = self._queue_cell(pool, channel, issue, started)
            cell.follow_ups += 1
            cell.affinity_hits += hit

    def conversation(self, issue: IssueState, pool: str, channel: str, started: float,
                     exchanges: int) -> None:
        """Count one answered assisted contact that came to an end in *exchanges* exchanges
        (an ordinary session is one)."""
        if started >= self.start:
            cell = self._queue_cell(pool, channel, issue, started)
            cell.conversations += 1
            cell.exchanges += exchanges

    def reply(self, issue: IssueState, pool: str, channel: str, at: float, gap: float) -> None:
        """Count one customer reply in a conversation, *gap* minutes after the exchange."""
        if at >= self.start:
            cell = self._queue_cell(pool, channel, issue, at)
            cell.replies += 1
            cell.reply_gap_sum += gap

    def session_ended(self, issue: IssueState, pool: str, channel: str, started: float,
                      duration: float, dropped: bool = False) -> None:
        """Count one agent session of *duration* minutes, completed or *dropped*."""
        if started >= self.start:
            cell = self._queue_cell(pool, channel, issue, started)
            cell.sessions += 1
            cell.handle_sum += duration
            cell.dropped += dropped

    def session_done(self, issue: IssueState, pool: str, channel: str, started: float,
                     duration: float) -> None:
        """Count one agent session of *duration* minutes that completed in one exchange:
        :meth:`session_ended` and :meth:`conversation` in one."""
        if started >= self.start:
            cell = self._queue_cell(pool, channel, issue, started)
            cell.sessions += 1
            cell.handle_sum += duration
            cell.conversations += 1
            cell.exchanges += 1

    def ttr_quantiles(self, qs: Iterable[float]) -> list[float]:
        """Quantiles of the time to resolution (NaN without resolved issues)."""
        sketch = self.ttr_sketch()
        return [self._ttr_quantile(sketch, q) for q in qs]

    def _ttr_quantile(self, sketch: DDSketch, q: float) -> float:
        value = sketch.get_quantile_value(q) if self.resolved else None
        return math.nan if value is None else float(value)

    def ttr_sketch(self) -> DDSketch:
        """The DDSketch of the time to resolution (0.5 % relative accuracy): the one that
        adding each resolved issue's time would make, made from the bins.

        A value of each bin (the mapping's value of its key, which maps back to that
        key) is added with the bin's count as its weight: the same bins, counts and
        quantiles.
        """
        sketch = DDSketch(relative_accuracy=_TTR_ACCURACY)
        if self.ttr_zeros:
            sketch.add(0.0, float(self.ttr_zeros))
        mapping = LogarithmicMapping(_TTR_ACCURACY)
        for key in sorted(self.ttr):
            sketch.add(mapping.value(key), float(self.ttr[key]))
        return sketch

    def close(self) -> None:
        """Count what the issues still open did so far (call once, at the end)."""
        for issue in self.live:
            issue.cell.journey(issue)

    def outcomes(self, busy_area: float, staffed_time: float, has_costs: bool,
                 has_callback: bool = False, has_affinity: bool = False) -> dict[str, float]:
        """The outcomes of this replication (NaN where there is nothing to measure).

        Call :meth:`close` first.
        """
        queue, issues = QueueTally(), IssueTally()
        for key in sorted(self.queue_cells):
            queue.add(self.queue_cells[key])
        for ikey in sorted(self.issue_cells):
            issues.add(self.issue_cells[ikey])
        out = {**queue.outcomes(has_callback, has_affinity), **issues.outcomes(has_costs)}
        out["agent_utilization"] = _share(busy_area, staffed_time)
        out["time_to_resolution_p50"], out["time_to_resolution_p90"] = self.ttr_quantiles(
            (0.5, 0.9))
        out["issues"] = float(self.issues)
        out["open_issues"] = float(self.issues - self.resolved - self.abandoned)
        return {name: out[name] for name in OUTCOMES}

    def breakdown(self, names: dict[str, list[str]], has_costs: bool,
                  has_callback: bool, has_affinity: bool = False) -> dict[str, float]:
        """Per dimension and key, the outcomes of that key's cells: ``by.DIM.KEY.OUTCOME``.

        *names* maps ``"pool"``, ``"segment"`` and ``"intent"`` to the names of their
        indexes (pools are already named in the keys).
        """
        out: dict[str, float] = {}
        queue_dims: dict[str, Callable[[QueueKey], str]] = {
            "pool": lambda k: k[0], "channel": lambda k: k[1],
            "segment": lambda k: names["segment"][k[2]],
            "intent": lambda k: names["intent"][k[3]], "hour": lambda k: f"{k[4]:02d}"}
        issue_dims: dict[str, Callable[[IssueKey], str]] = {
            "channel": lambda k: k[0], "segment": lambda k: names["segment"][k[1]],
            "intent": lambda k: names["intent"][k[2]], "hour": lambda k: f"{k[3]:02d}"}
        for dim, of_queue in queue_dims.items():
            for key, tally in _group(self.queue_cells, of_queue, QueueTally).items():
                for name, value in tally.outcomes(has_callback, has_affinity).items():
                    out[f"by.{dim}.{key}.{name}"] = value
        for dim, of_issue in issue_dims.items():
            for key, itally in _group(self.issue_cells, of_issue, IssueTally).items():
                for name, value in itally.outcomes(has_costs).items():
                    out[f"by.{dim}.{key}.{name}"] = value
        return out


class RecordSink(Protocol):
    """Where the engine sends what happens to each measured issue and contact, when
    records are on (:class:`sim.experiment.records.Records` writes them to files).

    The engine calls it only where :attr:`Recorder.records` is not ``None``; a sink
    ignores the issues that arrived during the warm-up. It keeps what it follows in the
    issue's slots: :attr:`IssueState.record` is ``None`` but while a contact of a measured
    issue is in progress, and :attr:`IssueState.record_wait` starts at 0.

    A contact of the plain path (``sim.engine.plain``) makes no call as it goes: it puts
    itself (a :class:`PlainContact`) in ``record`` as it starts, and the engine gives it
    to :meth:`plain_contact` as it ends, which reads its row off it (as does the sink for
    one still open at the horizon).
    """

    def contact_started(self, issue: IssueState, touchpoint: str, now: float) -> None:
        """A contact of *issue* began at *touchpoint*."""

    def queue_left(self, issue: IssueState, pool: str, entered: float, now: float,
                   answered: bool) -> None:
        """The contact left the queue of *pool* it joined at *entered*: answered or not."""

    def agent(self, issue: IssueState, pool: str, agent: int) -> None:
        """Agent *agent* of *pool* ended a session (or a ring) of the contact."""

    def asked(self, issue: IssueState) -> None:
        """The contact asked the customer for a fact."""

    def read(self, issue: IssueState) -> None:
        """The contact read a fact it could see instead of asking for it."""

    def contact_ended(self, issue: IssueState, outcome: Enum, now: float) -> None:
        """The contact of *issue* ended with *outcome* (a ``ContactOutcome``)."""

    def issue_ended(self, issue: IssueState, ending: Ending, now: float) -> None:
        """A measured *issue* ended."""

    def plain_contact(self, plain: PlainContact, outcome: Enum | None, now: float | None,
                      ending: Ending | None = None) -> None:
        """The plain contact *plain* of a measured issue ended at *now* in *outcome* (both
        ``None``: open at the horizon); with an *ending*, the issue ended with it."""


class PlainContact(Protocol):
    """What the record sink reads of a plain contact (``sim.engine.plain.PlainIssue``).

    *issue* is its issue and *tp* its touchpoint; it joined the queue of *pool* (a
    ``Pool``) at *entered*, and has an ``entry`` attribute while it still waits there;
    *agent* (an ``Agent``) took it at *started*; *charged* was the issue's agent minutes
    as it began. A contact that did not get so far has not set those attributes.
    """

    issue: IssueState
    tp: str
    entered: float
    started: float
    pool: Any
    agent: Any
    charged: float


def _group(cells: dict[Any, Any], key_of: Callable[[Any], str], kind: type) -> dict[str, Any]:
    """Sum *cells* by the key *key_of* gives them, in sorted order of cell and key."""
    groups: dict[str, Any] = {}
    for cell_key in sorted(cells):
        key = key_of(cell_key)
        if key not in groups:
            groups[key] = kind()
        groups[key].add(cells[cell_key])
    return dict(sorted(groups.items()))


class PoolBooks(Protocol):
    """What a pool's bookkeeping offers (``sim.engine.pools.Pool`` does)."""

    spec: Any
    busy_area: float
    slot_area: float
    queue_area: float
    overtime_area: float
    entries: int
    wait_sum: float

    def staffed(self, horizon: float) -> float:
        """Agent-minutes staffed over the measured window (the scheduled headcount's integral)."""


def pool_outcomes(pools: Iterable[PoolBooks], horizon: float) -> dict[str, float]:
    """Per-pool outcomes over a window of *horizon* minutes.

    ``pool.NAME.agent_utilization`` (busy agent time / staffed time),
    ``pool.NAME.slot_utilization`` (used session slots / staffed time),
    ``pool.NAME.mean_queue_length`` (time-average number waiting),
    ``pool.NAME.arrival_rate`` (queue entries per minute) and ``pool.NAME.mean_wait``
    (min) — the last three satisfy Little's law, L = λW. A pool with a schedule adds
    ``pool.NAME.overtime`` (busy agent-time beyond the scheduled headcount, as agents
    finish their sessions after their shift / staffed time).
    """
    out: dict[str, float] = {}
    for pool in pools:
        name, staffed = pool.spec.name, pool.staffed(horizon)
        out[f"pool.{name}.agent_utilization"] = _share(pool.busy_area, staffed)
        out[f"pool.{name}.slot_utilization"] = _share(pool.slot_area, staffed)
        out[f"pool.{name}.mean_queue_length"] = _ratio(pool.queue_area, horizon)
        out[f"pool.{name}.arrival_rate"] = _ratio(pool.entries, horizon)
        out[f"pool.{name}.mean_wait"] = _ratio(pool.wait_sum, pool.entries)
        if pool.spec.schedule is not None:
            out[f"pool.{name}.overtime"] = _ratio(pool.overtime_area, staffed)
    return out
