"""What a replication records while it runs, and the outcomes derived from it.

The recorder keeps sums and counts, not per-contact lists, so memory stays flat however
long the horizon; the percentiles of the time to resolution come from a DDSketch
(Masson, Rim & Lee, VLDB 2019) with 0.5% relative accuracy, whose size does not grow
with the number of issues. Only issues that arrive, and queue entries that start, after the
warm-up count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Protocol

from ddsketch import DDSketch

__all__ = ["OUTCOMES", "UNITS", "IssueState", "Recorder"]

#: Outcome names, in the order tables show them, and their units.
UNITS: dict[str, str] = {
    "abandonment_rate": "share of ended issues",
    "queue_abandonment_rate": "share of agent-queue entries",
    "repetitions_per_issue": "facts asked again per issue",
    "repeat_rate": "share of issues",
    "agent_utilization": "share of staffed time",
    "resolution_rate": "share of ended issues",
    "first_contact_resolution": "share of ended issues",
    "contacts_per_issue": "contacts",
    "channel_switches_per_issue": "switches",
    "mean_wait": "min",
    "service_level": "share of held agent-queue entries",
    "mean_handle_time": "min",
    "time_to_resolution": "min",
    "time_to_resolution_p50": "min",
    "time_to_resolution_p90": "min",
    "cost_per_issue": "currency units",
    "callback_rate": "share of agent-queue entries",
    "callback_unreachable_rate": "share of callbacks",
    "callback_wait": "min",
    "issues": "issues arrived after the warm-up",
    "open_issues": "issues still open at the horizon",
}
OUTCOMES: tuple[str, ...] = tuple(UNITS)


class IssueState:
    """One issue's journey so far: counts the engine updates as the customer moves."""

    __slots__ = (
        "arrived",
        "contacts",
        "cost",
        "customer",
        "failures",
        "given",
        "intent",
        "last_agent",
        "measured",
        "repetitions",
        "segment",
        "switches",
        "touchpoint",
    )

    def __init__(self, customer: int, segment: int, intent: int, arrived: float, measured: bool):
        self.customer = customer
        self.segment = segment
        self.intent = intent
        self.arrived = arrived
        self.measured = measured
        self.contacts = 0
        self.repetitions = 0
        self.switches = 0
        self.failures = 0
        self.cost = 0.0
        self.given: set[str] = set()
        self.touchpoint = ""  # where the issue is now (for journeys open at the horizon)
        #: (pool index, agent index) of the agent who took its last assisted contact
        self.last_agent: tuple[int, int] | None = None


_TTR_ACCURACY = 0.005


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _share(numerator: float, denominator: float) -> float:
    """A share of time that cannot exceed 1, but for float round-off, which is removed."""
    value = _ratio(numerator, denominator)
    return 1.0 if 1.0 < value <= 1.0 + 1e-9 else value


class Recorder:
    """Sums and counts of one replication, from *start* (end of warm-up) to *end*."""

    def __init__(self, start: float, end: float, threshold: float) -> None:
        self.start, self.end, self.threshold = start, end, threshold
        self.issues = 0
        self.resolved = 0
        self.abandoned = 0
        self.first_contact = 0
        self.contacts = 0
        self.repetitions = 0
        self.repeat_issues = 0
        self.switches = 0
        self.cost = 0.0
        self.ttr = DDSketch(relative_accuracy=_TTR_ACCURACY)
        self.ttr_sum = 0.0
        self.entries = 0
        self.queue_abandoned = 0
        self.held = 0  # entries that held (did not take a call back)
        self.wait_sum = 0.0  # time on hold
        self.answered_in_time = 0
        self.handled = 0
        self.handle_sum = 0.0
        self.callbacks = 0  # queue entries (after the warm-up) that took a call back
        self.unreachable = 0  # ... of which nobody answered
        self.callback_wait_sum = 0.0  # from taking the call back to the agent's call
        self.live: set[IssueState] = set()
        #: journeys of measured issues: (from, to) -> count; "arrival" starts a journey,
        #: "resolved", "abandoned" and "open" end it
        self.flows: dict[tuple[str, str], int] = {}

    def flow(self, issue: IssueState, source: str, target: str) -> None:
        """Count one step of a measured issue's journey."""
        if issue.measured:
            key = (source, target)
            self.flows[key] = self.flows.get(key, 0) + 1

    def issue_arrived(self, issue: IssueState) -> None:
        """Count a new issue (if it arrived after the warm-up)."""
        if issue.measured:
            self.issues += 1
            self.live.add(issue)

    def issue_ended(self, issue: IssueState, resolved: bool, now: float) -> None:
        """Count how *issue* ended: resolved, or abandoned (given up)."""
        if not issue.measured:
            return
        self.live.discard(issue)
        self._add_journey(issue)
        if resolved:
            self.resolved += 1
            self.ttr.add(now - issue.arrived)
            self.ttr_sum += now - issue.arrived
            if issue.contacts <= 1:  # a notification that settles it counts too
                self.first_contact += 1
        else:
            self.abandoned += 1

    def _add_journey(self, issue: IssueState) -> None:
        self.contacts += issue.contacts
        self.repetitions += issue.repetitions
        self.repeat_issues += issue.repetitions > 0
        self.switches += issue.switches
        self.cost += issue.cost

    def queue_left(self, entered: float, now: float, served: bool, held: bool = True) -> None:
        """Count one agent-queue entry that ended: served after a wait, or abandoned.

        An entry that took a call back (*held* false) did not hold: its wait counts in
        ``callback_wait``, not in the hold measures ``mean_wait`` and ``service_level``.
        """
        if entered < self.start:
            return
        self.entries += 1
        wait = now - entered
        if not held:
            self.callback_wait_sum += wait
            return
        self.held += 1
        self.wait_sum += wait
        if served:
            if wait <= self.threshold:
                self.answered_in_time += 1
        else:
            self.queue_abandoned += 1

    def callback_taken(self, entered: float, answered: bool) -> None:
        """Count one call back (of an entry after the warm-up), answered or not."""
        if entered >= self.start:
            self.callbacks += 1
            self.unreachable += not answered

    def session_handled(self, started: float, duration: float) -> None:
        """Count one finished agent session of *duration* minutes."""
        if started >= self.start:
            self.handled += 1
            self.handle_sum += duration

    def ttr_quantiles(self, qs: Iterable[float]) -> list[float]:
        """Quantiles of the time to resolution (NaN without resolved issues)."""
        return [self._ttr_quantile(q) for q in qs]

    def _ttr_quantile(self, q: float) -> float:
        value = self.ttr.get_quantile_value(q) if self.resolved else None
        return math.nan if value is None else float(value)

    def outcomes(
        self, busy_area: float, staffed_time: float, has_costs: bool, has_callback: bool = False
    ) -> dict[str, float]:
        """The outcomes of this replication (NaN where there is nothing to measure)."""
        for issue in self.live:  # open at the horizon: count what they did so far
            self._add_journey(issue)
        self.live.clear()
        ended = self.resolved + self.abandoned
        out = {
            "abandonment_rate": _ratio(self.abandoned, ended),
            "queue_abandonment_rate": _ratio(self.queue_abandoned, self.entries),
            "repetitions_per_issue": _ratio(self.repetitions, self.issues),
            "repeat_rate": _ratio(self.repeat_issues, self.issues),
            "agent_utilization": _share(busy_area, staffed_time),
            "resolution_rate": _ratio(self.resolved, ended),
            "first_contact_resolution": _ratio(self.first_contact, ended),
            "contacts_per_issue": _ratio(self.contacts, self.issues),
            "channel_switches_per_issue": _ratio(self.switches, self.issues),
            "mean_wait": _ratio(self.wait_sum, self.held),
            "service_level": _ratio(self.answered_in_time, self.held),
            "mean_handle_time": _ratio(self.handle_sum, self.handled),
            "time_to_resolution": _ratio(self.ttr_sum, self.resolved),
            "time_to_resolution_p50": self._ttr_quantile(0.5),
            "time_to_resolution_p90": self._ttr_quantile(0.9),
            "cost_per_issue": _ratio(self.cost, self.issues) if has_costs else math.nan,
            "callback_rate": _ratio(self.callbacks, self.entries) if has_callback else math.nan,
            "callback_unreachable_rate": (
                _ratio(self.unreachable, self.callbacks) if has_callback else math.nan
            ),
            "callback_wait": (
                _ratio(self.callback_wait_sum, self.callbacks) if has_callback else math.nan
            ),
            "issues": float(self.issues),
            "open_issues": float(self.issues - ended),
        }
        return out


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
