"""Run-time monitors: cheap checks of the continuity invariants while the engine runs.

A :class:`Monitor` is handed to a replication; the engine calls it at the points where
an invariant could break. It keeps the first violation of each invariant with the issue,
the simulated time and what was seen. With ``strict=True`` the first violation raises
:class:`~sim.errors.InvariantViolation` at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs

from ..errors import InvariantViolation

if TYPE_CHECKING:
    from .pools import Agent
    from .world import PoolSpec

__all__ = ["INVARIANTS", "Monitor", "Violation"]

#: The invariants the monitors check, with what each means.
INVARIANTS: dict[str, str] = {
    "conservation": "every issue ends resolved, abandoned or open; counts add up",
    "append-only": "no history event is lost, reordered or rewritten",
    "unified-continuity": "a unified, unbounded history never asks a fact twice of the same "
    "identity",
    "resumability": "a resumable design never drops a session (no fact lost)",
    "capacity": "no agent holds more sessions than its concurrency, serves outside its skills"
    " or takes work off shift",
    "causality": "waits and durations are >= 0, contacts start after their issue, "
    "time never goes back",
}


@attrs.frozen
class Violation:
    """The first breach of one invariant: which issue, when, what was seen."""

    invariant: str
    issue: int | None
    time: float
    seen: str

    def line(self) -> str:
        """One line for users."""
        who = f"issue {self.issue}" if self.issue is not None else "run"
        return f"{self.invariant} violated at t={self.time:.4f} min ({who}): {self.seen}"


class Monitor:
    """Collects the first violation of each invariant (or raises, if *strict*).

    The hooks the engine calls for every contact (:meth:`contact_started`, :meth:`waited`,
    :meth:`took`, :meth:`session`) test the sound case inline and leave the messages to
    a slow path taken only when something is wrong: ``--check`` should cost little.
    """

    __slots__ = ("_asked", "_capacity", "_clock", "_seen", "_written", "resumable", "strict",
                 "unified", "violations")

    def __init__(self, *, unified: bool, resumable: bool, strict: bool = False) -> None:
        self.unified = unified
        self.resumable = resumable
        self.strict = strict
        self.violations: dict[str, Violation] = {}
        self._seen: set[str] = set()  # the invariants checked by the rarer hooks
        self._capacity = False  # whether capacity was checked
        # whether unified continuity (a fact asked) and append-only (a history write) were
        # checked: flags, not set additions, for the hooks called for every fact
        self._asked = self._written = False
        self._clock = -math.inf  # the latest time seen; -inf: causality not checked yet

    @property
    def checked(self) -> set[str]:
        """The invariants checked at least once so far."""
        seen = set(self._seen)
        if self._clock > -math.inf:
            seen.add("causality")
        if self._capacity:
            seen.add("capacity")
        if self._asked:
            seen.add("unified-continuity")
        if self._written:
            seen.add("append-only")
        return seen

    def fail(self, invariant: str, issue: int | None, time: float, seen: str) -> None:
        """Record a violation of *invariant*."""
        violation = Violation(invariant, issue, time, seen)
        self.violations.setdefault(invariant, violation)
        if self.strict:
            raise InvariantViolation(violation.line())

    def clock(self, now: float) -> None:
        """The clock never goes back."""
        if now < self._clock:
            self.fail("causality", None, now, f"clock went back from {self._clock} to {now}")
        self._clock = now

    def _causality(self, issue: int, before: float, now: float, seen: str) -> None:
        """The slow path of the timed hooks: *now* is before the clock or *before*."""
        self.clock(now)
        if now < before:
            self.fail("causality", issue, now, seen)

    def contact_started(self, issue: int, arrived: float, now: float) -> None:
        """A contact starts after its issue arrived."""
        if now < self._clock or now < arrived:
            self._causality(issue, arrived, now, f"contact starts before its issue ({arrived})")
        self._clock = now

    def waited(self, issue: int, entered: float, now: float) -> None:
        """A wait is non-negative."""
        if now < self._clock or now < entered:
            self._causality(issue, entered, now, f"negative wait {now - entered}")
        self._clock = now

    def session(self, issue: int, started: float, now: float) -> None:
        """A session ends after it started."""
        if now < self._clock or now < started:
            self._causality(issue, started, now, f"session ends before it starts ({started})")
        self._clock = now

    def assigned(self, issue: int, pool: str, sessions: int, limit: int, skilled: bool,
                 now: float, on_shift: bool = True) -> None:
        """An agent never holds more than its concurrency, serves only its skills, and
        takes work only while on shift."""
        self._capacity = True
        if not on_shift:
            self.fail("capacity", issue, now, f"an agent of pool {pool!r} off shift took work")
        if sessions > limit:
            self.fail("capacity", issue, now,
                      f"an agent of pool {pool!r} holds {sessions} sessions (limit {limit})")
        if not skilled:
            self.fail("capacity", issue, now, f"pool {pool!r} served a contact outside its skills")

    def took(self, issue: int, entered: float, pool: PoolSpec, agent: Agent, tp: str,
             intent: str, now: float) -> None:
        """An agent of *pool* took the contact at *tp* that queued at *entered*:
        :meth:`waited` and :meth:`assigned` in one call, for the engine's hot path.

        *agent* is the agent as it is now, with this session counted in its sessions.
        """
        if now < self._clock or now < entered:
            self._causality(issue, entered, now, f"negative wait {now - entered}")
        self._clock = now
        self._capacity = True
        limit, intents = pool.concurrency.get(tp), pool.intents  # PoolSpec.serves, inline
        if (limit is None or agent.sessions > limit or not agent.on_shift
                or (intents is not None and intent not in intents)):
            self.assigned(issue, pool.name, agent.sessions, pool.concurrency.get(tp, 1),
                          pool.serves(tp, intent), now, on_shift=agent.on_shift)

    def asked(self, issue: int, fact: str, repeated: bool, now: float) -> None:
        """Under a unified, unbounded history no fact is asked twice.

        *repeated* is true when the fact was given before under the identity asking now
        (the history may not know a customer's other devices or earlier issues).
        """
        self._asked = True
        if repeated and self.unified:
            self.fail("unified-continuity", issue, now,
                      f"fact {fact!r} asked again under a unified history")

    def history_written(self, issue: int, ok: bool, now: float, seen: str = "") -> None:
        """The history accepted the write in order, and the read shows it back."""
        self._written = True
        if not ok:
            self.fail("append-only", issue, now, seen)

    def interrupted(self, issue: int, dropped: bool, facts_given: int, now: float) -> None:
        """An interruption under a resumable design never drops the session."""
        self._seen.add("resumability")
        if self.resumable and dropped:
            self.fail("resumability", issue, now,
                      f"session dropped under a resumable design ({facts_given} facts given)")

    def ended(self, issues: int, resolved: int, abandoned: int, open_: int, now: float) -> None:
        """Counts add up at the end of the run."""
        self._seen.add("conservation")
        if resolved + abandoned + open_ != issues or min(resolved, abandoned, open_) < 0:
            self.fail("conservation", None, now,
                      f"{issues} issues but {resolved} resolved + {abandoned} abandoned"
                      f" + {open_} open")
