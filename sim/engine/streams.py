"""Random streams for common random numbers.

Every (purpose, entity) pair has a stream of its own, so that the designs of one run see
the same customers, arrival times, intents and draws: customer 17's third handle time is
the same number under every design that gives customer 17 a third contact. Keys come
from :class:`numpy.random.SeedSequence` (seed, replication, purpose); a customer's stream
is a counter-based SplitMix64 generator keyed by its purpose key and its index, cheap
enough to make one per customer and purpose.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from enum import IntEnum

import numpy as np

__all__ = ["CounterStream", "Purpose", "Streams"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_INV_2_53 = 1.0 / 9007199254740992.0
_WEYL = 0xD1B54A32D192ED03  # a second odd constant, to space entity keys


def _mix(z: int) -> int:
    """SplitMix64's finaliser: a bijective scramble of a 64-bit integer."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Purpose(IntEnum):
    """What a stream's draws are for; each purpose is a separate stream."""

    ARRIVALS = 0
    PROFILE = 1  # segment, intent, first touchpoint
    PATIENCE = 2
    WORK = 3  # handle, collection and self-service times
    OUTCOME = 4  # self-service success, resolution
    ROUTE = 5  # journey choices and delays
    INTERRUPT = 6  # interruption arrivals and lengths
    DEVICE = 7  # the device each contact starts on
    HOLD = 8  # interruptions while waiting on hold
    MISROUTE = 9  # whether the menu sends a contact to the wrong agent
    REPLY = 10  # reply gaps in asynchronous conversations


class CounterStream(random.Random):
    """A :class:`random.Random` whose draws are SplitMix64 of (key, counter).

    Only :meth:`random` and :meth:`getrandbits` are redefined, so every distribution
    method of :class:`random.Random` (expovariate, lognormvariate, gammavariate,
    choices...) works on it. Creating one costs a fraction of a microsecond. The
    *purpose* selects a disjoint range of 2⁴⁰ counters of the same key, so the streams
    of one entity never overlap.
    """

    def __init__(self, key: int, purpose: int = 0) -> None:
        self._key = key & _MASK
        self._count = purpose << 40

    def seed(self, *args: object, **kwargs: object) -> None:
        """Ignored: a counter stream is fixed by its key."""

    def _next64(self) -> int:
        self._count += 1
        return _mix((self._key + self._count * _GOLDEN) & _MASK)

    def random(self) -> float:
        """A float uniform in [0, 1)."""
        n = self._count + 1
        self._count = n
        z = (self._key + n * _GOLDEN) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((z ^ (z >> 31)) >> 11) * _INV_2_53

    def getrandbits(self, k: int) -> int:
        """An integer with *k* random bits."""
        out, bits = 0, 0
        while bits < k:
            out = (out << 64) | self._next64()
            bits += 64
        return out >> (bits - k)


class Streams:
    """All the random streams of one replication (the same for every design).

    The replication's key comes from ``SeedSequence(seed, spawn_key=(replication,))``;
    an entity's key is a scramble of it and the entity's index, and each purpose draws
    from its own range of that key's counters.
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._base = int(
            np.random.SeedSequence(seed, spawn_key=(replication,)).generate_state(1, np.uint64)[0]
        )

    def key(self, index: int) -> int:
        """The key of entity (customer) *index*."""
        return _mix((self._base + (index + 1) * _WEYL) & _MASK)

    def entity(self, purpose: Purpose, index: int) -> CounterStream:
        """The stream of *purpose* for entity (customer) *index*."""
        return CounterStream(self.key(index), purpose)

    def unit_exponentials(self, block: int = 4096) -> Iterator[float]:
        """Endless standard exponential draws for the arrival process."""
        rng = np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(self.seed, spawn_key=(self.replication, Purpose.ARRIVALS))
            )
        )
        while True:
            yield from rng.standard_exponential(block).tolist()
