"""Random streams for common random numbers.

Every (purpose, entity) pair has a stream of its own, so that the designs of one run see
the same customers, arrival times, intents and draws: customer 17's third handle time is
the same number under every design that gives customer 17 a third contact. Keys come
from :class:`numpy.random.SeedSequence` (seed, replication, purpose); a customer's stream
is a counter-based SplitMix64 generator keyed by its purpose key and its index, cheap
enough to make one per customer and purpose. Issues that arrive in index order can get
their keys and first draws a block at a time (:class:`FirstDraws`, numpy), each as a
:class:`Primed` stream: the same numbers, without Python's 64-bit integer arithmetic for
the one draw most of them take; or the first few draws of every purpose they use
(:class:`Prefixes`), each served by a :class:`Prefixed` stream.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator, Sequence
from enum import IntEnum
from itertools import chain, count
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

__all__ = ["FIRSTS_BLOCK", "CounterStream", "FirstDraws", "Prefixed", "Prefixes", "Primed",
           "Purpose", "Stream", "Streams"]

_T = TypeVar("_T")
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_INV_2_53 = 1.0 / 9007199254740992.0
_WEYL = 0xD1B54A32D192ED03  # a second odd constant, to space entity keys
#: how many entities' first draws :meth:`Streams.first` computes at a time
FIRSTS_BLOCK = 4096
#: the methods of random.Random that CounterStream borrows (they only call random(),
#: getrandbits() and each other; not ``gauss``, which keeps a value between calls)
_BORROWED = (
    "_randbelow", "_randbelow_with_getrandbits", "randrange", "randint", "choice", "shuffle",
    "sample", "choices", "uniform", "triangular", "normalvariate", "lognormvariate",
    "expovariate", "vonmisesvariate", "gammavariate", "betavariate", "paretovariate",
    "weibullvariate", "randbytes",
)


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


#: (purpose << 40)·golden mod 2⁶⁴ of every purpose, the start of its range of counters
#: (the same sum mod 2⁶⁴ as without the reduction, and no big product per stream made)
_OFFSETS = {int(p): ((int(p) << 40) * _GOLDEN) & _MASK for p in Purpose}


class CounterStream:
    """A stream of uniform draws that are SplitMix64 of (key, counter).

    It offers :meth:`random` and :meth:`getrandbits` and borrows the distribution methods
    of :class:`random.Random` (expovariate, lognormvariate, gammavariate, choices...),
    which draw through them: the same algorithms, so the same numbers as a
    :class:`random.Random` subclass of the same two methods. It is not one, though: a
    :class:`random.Random` carries a Mersenne-Twister state of 2.5 KB it would never use,
    and seeds it from the operating system on creation. This one holds one integer (40
    bytes, plus 36 for the integer) and takes under a microsecond to make. The *purpose*
    selects a disjoint range of 2⁴⁰ counters of the same key, so the streams of one
    entity never overlap.
    """

    __slots__ = ("_z",)

    def __init__(self, key: int, purpose: int = 0) -> None:
        #: key + counter·golden (mod 2⁶⁴): advanced by the golden gamma at each draw
        offset = _OFFSETS.get(purpose)
        if offset is None:
            offset = (purpose << 40) * _GOLDEN
        self._z = ((key & _MASK) + offset) & _MASK

    def seed(self, *args: object, **kwargs: object) -> None:
        """Ignored: a counter stream is fixed by its key."""

    def _next64(self) -> int:
        z = self._z = (self._z + _GOLDEN) & _MASK
        return _mix(z)

    def random(self) -> float:
        """A float uniform in [0, 1)."""
        z = self._z = (self._z + _GOLDEN) & _MASK
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

    if TYPE_CHECKING:  # the borrowed methods used in sim/ (set below, out of mypy's sight)
        def expovariate(self, lambd: float = 1.0) -> float: ...
        def lognormvariate(self, mu: float, sigma: float) -> float: ...
        def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...
        def gammavariate(self, alpha: float, beta: float) -> float: ...
        def uniform(self, a: float, b: float) -> float: ...
        def choices(self, population: Sequence[_T], weights: Sequence[float] | None = None,
                    *, cum_weights: Sequence[float] | None = None, k: int = 1) -> list[_T]: ...


# The distribution methods of random.Random, written in Python on top of random() and
# getrandbits(): borrowed as they are, so every draw is the one random.Random would make.
for _name in _BORROWED:
    setattr(CounterStream, _name, getattr(random.Random, _name))
del _name


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
        #: (purpose, block number) -> the first draws of that block's entities (:meth:`first`)
        self._firsts: dict[tuple[int, int], array] = {}

    def key(self, index: int) -> int:
        """The key of entity (customer) *index*."""
        return _mix((self._base + (index + 1) * _WEYL) & _MASK)

    def entity(self, purpose: Purpose, index: int) -> CounterStream:
        """The stream of *purpose* for entity (customer) *index*."""
        return CounterStream(self.key(index), purpose)

    def first(self, purpose: int, index: int) -> float:
        """The first draw of entity *index*'s stream of *purpose*: the number
        ``self.entity(purpose, index).random()`` gives, computed with numpy for a block of
        :data:`FIRSTS_BLOCK` entities at a time (for entities drawn from again and again,
        a finite population's customers)."""
        block, j = divmod(index, FIRSTS_BLOCK)
        row = self._firsts.get((purpose, block))
        if row is None:
            row = self._firsts[purpose, block] = self._first_block(purpose, block * FIRSTS_BLOCK)
        return row[j]

    def _first_block(self, purpose: int, start: int) -> array:
        ids = np.arange(start + 1, start + FIRSTS_BLOCK + 1, dtype=np.uint64)
        keys = _mix_array(np.uint64(self._base) + ids * np.uint64(_WEYL))
        offset = np.uint64((_OFFSETS[purpose] + _GOLDEN) & _MASK)  # the first counter
        bits = _mix_array(keys + offset) >> np.uint64(11)
        row = array("d")
        row.frombytes((bits.astype(np.float64) * _INV_2_53).tobytes())
        return row

    def unit_exponential_blocks(self, block: int = 4096) -> Iterator[np.ndarray]:
        """Endless standard exponential draws for the arrival process, *block* at a time
        (arrays of float64)."""
        rng = np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(self.seed, spawn_key=(self.replication, Purpose.ARRIVALS))
            )
        )
        while True:
            yield rng.standard_exponential(block)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """:func:`_mix` on an array of uint64: numpy's arithmetic wraps modulo 2⁶⁴, as the
    masks do, so each element is the bits :func:`_mix` gives."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class Primed:
    """The stream of *purpose* for the entity of *key*, its first draw *first* known
    already (from :class:`FirstDraws`): :meth:`random` gives it, then the stream's next
    draws. The same numbers as ``CounterStream(key, purpose).random()``, without the
    64-bit arithmetic for the one draw most entities take."""

    __slots__ = ("_first", "_key", "_purpose", "_rest")

    def __init__(self, key: int, purpose: Purpose, first: float) -> None:
        self._key = key
        self._purpose = purpose
        self._first: float | None = first
        self._rest: CounterStream | None = None

    def random(self) -> float:
        """A float uniform in [0, 1)."""
        first = self._first
        if first is not None:
            self._first = None
            return first
        rest = self._rest
        if rest is None:  # the stream after its first draw
            rest = self._rest = CounterStream(self._key, self._purpose)
            rest._z = (rest._z + _GOLDEN) & _MASK
        return rest.random()


class FirstDraws:
    """The keys of entities 0, 1, 2 … (``streams.key(i)``), with the first uniform of
    each one's stream of every purpose in *purposes*, computed a block at a time with
    numpy: for issues that arrive in index order and mostly draw once per purpose."""

    __slots__ = ("_block", "_purposes", "_rows", "_start", "_streams")

    def __init__(self, streams: Streams, purposes: Sequence[Purpose], block: int = 1024,
                 ) -> None:
        self._streams = streams
        self._purposes = tuple(purposes)
        self._block = block
        self._start = 0
        self._rows: list[tuple[Any, ...]] = []

    def take(self, index: int) -> tuple[Any, ...]:
        """Entity *index*'s key and its first draws: ``(key, first, …)`` in the order of
        *purposes*."""
        j = index - self._start
        if not 0 <= j < len(self._rows):
            self._fill(index)
            j = 0
        return self._rows[j]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        """The rows of entities 0, 1, 2 … in turn, as :meth:`take` gives them (for
        issues that arrive in index order: no call per issue)."""
        return chain.from_iterable(self._rows_from(start)
                                   for start in count(0, self._block))

    def _rows_from(self, start: int) -> list[tuple[Any, ...]]:
        """The rows of the block of entities from *start* on."""
        self._fill(start)
        return self._rows

    def _fill(self, start: int) -> None:
        n = self._block
        ids = np.arange(start + 1, start + n + 1, dtype=np.uint64)
        keys = _mix_array(np.uint64(self._streams._base) + ids * np.uint64(_WEYL))
        firsts = []
        for purpose in self._purposes:  # the counter of the first draw: key + offset
            offset = np.uint64(((purpose << 40) * _GOLDEN + _GOLDEN) & _MASK)
            bits = _mix_array(keys + offset) >> np.uint64(11)
            firsts.append((bits.astype(np.float64) * _INV_2_53).tolist())
        self._start, self._rows = start, list(zip(keys.tolist(), *firsts, strict=True))


#: the float methods of random.Random that only call random() (and each other): what a
#: :class:`Prefixed` stream borrows (it has no getrandbits)
_FLOAT_METHODS = ("uniform", "triangular", "normalvariate", "lognormvariate", "expovariate",
                  "vonmisesvariate", "gammavariate", "betavariate", "paretovariate",
                  "weibullvariate", "choices")


class Prefixed:
    """The stream of *purpose* for the entity of *key*, its first draws known already
    (from :class:`Prefixes`): ``firsts[start:end]`` (all of *firsts* by default).
    :meth:`random` gives them, then the stream's next draws: the same numbers as
    ``CounterStream(key, purpose)``, the first ones without Python's 64-bit arithmetic.

    It borrows the float methods of :class:`random.Random` (expovariate,
    lognormvariate...), as :class:`CounterStream` does, but not ``getrandbits`` and the
    integer methods built on it. It holds no copy of its draws (its issue's row of first
    draws, shared by the issue's streams, and two places in it).
    """

    __slots__ = ("_at", "_end", "_firsts", "_key", "_purpose", "_rest", "_skip")

    def __init__(self, key: int, purpose: int, firsts: Sequence[float], start: int = 0,
                 end: int | None = None) -> None:
        self._key, self._purpose, self._firsts = key, purpose, firsts
        self._at = start
        if end is None:
            end = len(firsts)
        self._end = end
        self._skip = end - start
        self._rest: CounterStream | None = None

    def random(self) -> float:
        """A float uniform in [0, 1)."""
        at = self._at
        if at < self._end:
            self._at = at + 1
            return self._firsts[at]
        rest = self._rest
        if rest is None:  # the stream after its first draws
            rest = self._rest = CounterStream(self._key, self._purpose)
            rest._z = (rest._z + self._skip * _GOLDEN) & _MASK
        return rest.random()

    if TYPE_CHECKING:  # the borrowed methods used in sim/ (set below, out of mypy's sight)
        def expovariate(self, lambd: float = 1.0) -> float: ...


for _name in _FLOAT_METHODS:
    setattr(Prefixed, _name, getattr(random.Random, _name))
del _name

#: a customer's stream of one purpose, from its counter or with its first draws known
Stream = CounterStream | Prefixed


#: where an entity's first draws of one purpose lie in its row of first draws: the
#: offset of the first and how many (*k*)
Block = tuple[int, int]


class Prefixes:
    """The keys of entities 0, 1, 2 … with the first *k* draws of each one's stream of
    every (purpose, *k*) in *counts*, computed a block at a time with numpy: for issues
    that arrive in index order and draw a few times from each of several purposes.

    :meth:`take` gives the entity's key, the layout of a row of first draws, indexed by
    purpose (a :data:`Block`, or ``None`` where *counts* has none), and the entity's row
    (its first draws of every purpose, one after the other, 8 bytes each): a copy of its
    part of the block, so that an issue in flight holds its own draws and not the
    block's; the block is dropped once its last entity is taken. :class:`~.state.Draws`
    serves an entity's first draws of a purpose from its row.
    """

    __slots__ = ("_block", "_counts", "_flat", "_keys", "_layout", "_start", "_streams",
                 "_width")

    def __init__(self, streams: Streams, counts: Sequence[tuple[Purpose, int]],
                 block: int = 256) -> None:
        self._streams = streams
        self._counts = {int(p): k for p, k in counts if k > 0}
        self._block = block
        self._start = 0
        self._keys: list[int] = []
        layout: list[Block | None] = [None] * len(Purpose)
        width = 0
        for purpose, k in self._counts.items():
            layout[purpose] = (width, k)
            width += k
        self._layout: tuple[Block | None, ...] = tuple(layout)
        self._width = width
        self._flat = array("d")

    def take(self, index: int) -> tuple[int, tuple[Block | None, ...], array]:
        """Entity *index*'s key, the layout of its row and its row of first draws."""
        j = index - self._start
        if not 0 <= j < len(self._keys):
            self._fill(index)
            j = 0
        width = self._width
        return self._keys[j], self._layout, self._flat[j * width:(j + 1) * width]

    def _fill(self, start: int) -> None:
        n = self._block
        ids = np.arange(start + 1, start + n + 1, dtype=np.uint64)
        keys = _mix_array(np.uint64(self._streams._base) + ids * np.uint64(_WEYL))
        rows = np.empty((n, self._width), dtype=np.float64)
        for purpose, k in self._counts.items():
            # the counters of draws 1..k: key + offset + j·golden (mod 2⁶⁴)
            steps = np.arange(1, k + 1, dtype=np.uint64) * np.uint64(_GOLDEN)
            steps += np.uint64(_OFFSETS[purpose])
            bits = _mix_array(keys[:, None] + steps[None, :]) >> np.uint64(11)
            at = self._layout[purpose]
            assert at is not None
            rows[:, at[0]:at[0] + k] = bits.astype(np.float64) * _INV_2_53
        flat = array("d")
        flat.frombytes(rows.tobytes())
        self._start, self._keys, self._flat = start, keys.tolist(), flat
