"""Staffing: a pool's headcount over the day, engine-free.

A :class:`Schedule` is a piecewise-constant headcount by time of day that repeats every
day (simulated time 0 is midnight, as for the arrivals profile). It answers what the
engine and the outcomes need: the headcount at a time, the times it changes, and the
staffed time (the integral of the headcount) over a window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise

import attrs

__all__ = ["DAY", "Schedule"]

#: Minutes in a day: schedules repeat with this period.
DAY = 1440.0


def _merge(steps: Iterable[tuple[float, int]]) -> tuple[tuple[float, int], ...]:
    """*steps* without those that repeat the headcount before them."""
    merged: list[tuple[float, int]] = []
    for at, n in steps:
        if not merged or merged[-1][1] != n:
            merged.append((float(at), int(n)))
    return tuple(merged)


@attrs.frozen
class Schedule:
    """Headcount by time of day: *steps* are ``(minute of day, agents)``, the first at 0.

    Consecutive steps with the same headcount are merged, so every step boundary left is
    a real change (apart from midnight, when the last step's headcount equals the first's).
    """

    steps: tuple[tuple[float, int], ...] = attrs.field(converter=_merge)

    @steps.validator
    def _check(self, _: attrs.Attribute[tuple[tuple[float, int], ...]],
               steps: tuple[tuple[float, int], ...]) -> None:
        if not steps or steps[0][0] != 0:
            raise ValueError("a schedule starts at minute 0 of the day")
        if any(not 0 <= a < b < DAY for (a, _), (b, _) in pairwise(steps)):
            raise ValueError("schedule steps must be in increasing time of day, below 24h")
        if any(n < 0 for _, n in steps):
            raise ValueError("a headcount is >= 0")

    @property
    def constant(self) -> bool:
        """True when the headcount never changes."""
        return len(self.steps) == 1

    @property
    def peak(self) -> int:
        """The largest headcount of the day."""
        return max(n for _, n in self.steps)

    def headcount(self, t: float) -> int:
        """The scheduled headcount at simulated time *t* (minutes from midnight of day 0)."""
        tod = t % DAY
        n = self.steps[0][1]
        for at, agents in self.steps:
            if at > tod:
                break
            n = agents
        return n

    def changes(self, start: float, end: float) -> Iterator[tuple[float, int]]:
        """``(time, new headcount)`` for every change of headcount in (start, end)."""
        day = (start // DAY) * DAY
        current = self.headcount(start)
        while day < end:
            for at, n in self.steps:
                t = day + at
                if t <= start:
                    continue
                if t >= end:
                    return
                if n != current:
                    yield t, n
                    current = n
            day += DAY

    def staffed(self, start: float, end: float) -> float:
        """Agent-minutes scheduled in [start, end]: the integral of the headcount."""
        total, t, n = 0.0, start, self.headcount(start)
        for when, agents in self.changes(start, end):
            total += n * (when - t)
            t, n = when, agents
        return total + n * (end - t)
