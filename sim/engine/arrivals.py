"""Who arrives and when: Poisson arrival times, at a constant rate or along a daily
profile, and the draws that say who an issue is."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

import numpy as np

from .streams import CounterStream, Purpose, Stream, Streams
from .world import EventRT, IntentRT, SegmentRT, World, pick

__all__ = ["CUSTOMERS", "Arrival", "arrival_times", "fixed_arrival", "who_arrives"]

#: Entity indexes of a finite population's customers start here (issues count from 0).
CUSTOMERS = 1 << 40

#: (person, segment index, intent index, first touchpoint, reported by a device, the
#: profile stream if a draw was made from it): what :func:`who_arrives` draws.
#: Purpose.PROFILE as a plain integer
_PROFILE = int(Purpose.PROFILE)

Arrival = tuple[int, int, int, str, bool, Stream | None]


def arrival_times(world: World, unit_exponentials: Iterator[np.ndarray]) -> Iterator[float]:
    """Poisson arrival times up to the end of the run, constant rate or daily profile.

    Each arrival consumes one unit exponential (*unit_exponentials* gives them by
    blocks), spent against the integrated rate, so the times are exact for a
    piecewise-constant profile and the same under every design.
    """
    if world.rate is not None:
        return chain.from_iterable(_at_rate(world.rate, world.end, unit_exponentials))
    return _along_profile(world, chain.from_iterable(b.tolist() for b in unit_exponentials))


def _at_rate(rate: float, end: float, blocks: Iterator[np.ndarray]) -> Iterator[list[float]]:
    """The arrival times at a constant *rate* before *end*, a block at a time: each the
    one before plus a unit exponential over the rate, as ``t += e / rate`` gives it
    (numpy's cumulative sum adds in order, one element after the other)."""
    t = 0.0
    for e in blocks:
        times = np.cumsum(np.concatenate(([t], e / rate)))[1:]
        k = int(np.searchsorted(times, end))  # the first time at or after the end
        yield times[:k].tolist()
        if k < len(times):
            return
        t = float(times[-1])


def _along_profile(world: World, unit_exponentials: Iterator[float]) -> Iterator[float]:
    """The arrival times along the world's daily profile of rates, up to the end."""
    end = world.end
    t = 0.0
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


def fixed_arrival(world: World) -> tuple[int, int, str] | None:
    """``(segment, intent, first touchpoint)`` of every Poisson issue of *world* when
    :func:`who_arrives` draws nothing for them (one segment, intent and first touchpoint,
    no finite population, no device reports), else ``None``."""
    segment, intent = world.segments[0], world.intents[0]
    if (world.population is not None or len(world.segment_cum) > 1
            or len(world.intent_cum) > 1 or len(segment.start_cum) > 1
            or intent.reported > 0):
        return None
    return 0, 0, segment.starts[0]


def who_arrives(world: World, streams: Streams, index: int, key: int,
                event: EventRT | None = None, own: Stream | None = None) -> Arrival:
    """Draw who issue *index* (stream key *key*) is: the customer, the segment, the
    intent, the first touchpoint and whether a device reported it.

    The draws come from the issue's profile stream, in that order (a returning
    customer's segment from the customer's own); the stream is made only if a draw is
    needed, so a world with one segment, intent and first touchpoint draws nothing.
    *own* is that stream when it is already made (with first draws made by block).
    """
    person, s, k = index, 0, 0
    profile: Stream | None = None
    population = world.population
    if population is not None:  # one of a finite set of customers comes back
        profile = own or CounterStream(key, _PROFILE)
        person = min(int(profile.random() * population), population - 1)
    if event is not None and event.segment is not None:
        s = event.segment
    elif len(world.segment_cum) > 1:
        if population is not None:  # a returning customer's: the customer's own first draw
            u = streams.first(_PROFILE, CUSTOMERS + person)
        else:  # the customer is the issue: its own profile stream
            profile = own or CounterStream(key, _PROFILE)
            u = profile.random()
        s = pick(world.segment_cum, u)
    if event is not None:
        k = event.intent
    elif len(world.intent_cum) > 1:
        profile = profile or own or CounterStream(key, _PROFILE)
        k = pick(world.intent_cum, profile.random())
    segment: SegmentRT = world.segments[s]
    intent: IntentRT = world.intents[k]
    first = 0
    if len(segment.start_cum) > 1:
        profile = profile or own or CounterStream(key, _PROFILE)
        first = pick(segment.start_cum, profile.random())
    reported = False
    if intent.reported > 0:
        profile = profile or own or CounterStream(key, _PROFILE)
        reported = profile.random() < intent.reported
    return person, s, k, segment.starts[first], reported, profile
