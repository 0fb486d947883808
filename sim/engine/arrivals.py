"""Poisson arrival times, at a constant rate or along a daily profile."""

from __future__ import annotations

from collections.abc import Iterator

from .world import World

__all__ = ["arrival_times"]


def arrival_times(world: World, unit_exponentials: Iterator[float]) -> Iterator[float]:
    """Poisson arrival times up to the end of the run, constant rate or daily profile.

    Each arrival consumes one unit exponential, spent against the integrated rate, so the
    times are exact for a piecewise-constant profile and the same under every design.
    """
    end = world.end
    t = 0.0
    if world.rate is not None:
        rate = world.rate
        for e in unit_exponentials:
            t += e / rate
            if t >= end:
                return
            yield t
    steps = world.profile
    for e in unit_exponentials:
        left = e
        while True:
            day, tod = divmod(t, 1440.0)
            k = max(i for i, (at, _) in enumerate(steps) if at <= tod)
            rate = steps[k][1]
            boundary = day * 1440.0 + (steps[k + 1][0] if k + 1 < len(steps) else 1440.0)
            if rate > 0 and left <= rate * (boundary - t):
                t += left / rate
                break
            left -= rate * (boundary - t)
            t = boundary
            if t >= end:
                return
        if t >= end:
            return
        yield t
