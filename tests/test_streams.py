"""The counter streams and the distributions' draws: cheaper, and the same numbers.

A :class:`~sim.engine.streams.CounterStream` is not a :class:`random.Random` (whose 2.5 KB
Mersenne-Twister state it would never use), and the distributions sample with parameters
computed once; both must draw exactly what a :class:`random.Random` subclass with the same
uniform draws gives through its own methods.
"""

from __future__ import annotations

import random
import sys
from itertools import chain
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from sim.engine.arrivals import CUSTOMERS, arrival_times
from sim.engine.state import Draws
from sim.engine.streams import (
    FIRSTS_BLOCK,
    CounterStream,
    FirstDraws,
    Prefixed,
    Prefixes,
    Primed,
    Purpose,
    Streams,
)
from sim.model.dists import Empirical, Exponential, Fixed, Gamma, LogNormal, Uniform

_MASK = (1 << 64) - 1


class Reference(random.Random):
    """SplitMix64 of (key, counter) as a random.Random subclass (what streams used to be)."""

    def __init__(self, key: int, purpose: int = 0) -> None:
        self._key = key & _MASK
        self._count = purpose << 40

    def _next64(self) -> int:
        self._count += 1
        z = (self._key + self._count * 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next64() >> 11) / 9007199254740992.0

    def getrandbits(self, k: int) -> int:
        out, bits = 0, 0
        while bits < k:
            out = (out << 64) | self._next64()
            bits += 64
        return out >> (bits - k)


keys = st.integers(0, _MASK)
purposes = st.sampled_from(list(Purpose))


@given(keys, purposes)
def test_a_counter_stream_draws_what_a_random_subclass_draws(key: int, purpose: int) -> None:
    """The same uniforms, bits and borrowed distribution methods as the reference."""
    mine, ref = CounterStream(key, purpose), Reference(key, purpose)
    assert [mine.random() for _ in range(20)] == [ref.random() for _ in range(20)]
    assert mine.getrandbits(100) == ref.getrandbits(100)
    assert mine.expovariate(0.7) == ref.expovariate(0.7)
    assert mine.lognormvariate(0.2, 1.1) == ref.lognormvariate(0.2, 1.1)
    assert mine.gammavariate(3.0, 0.5) == ref.gammavariate(3.0, 0.5)
    assert mine.choices("abc", weights=[1, 2, 3]) == ref.choices("abc", weights=[1, 2, 3])
    assert mine.randrange(1000) == ref.randrange(1000)


def test_a_counter_stream_is_small_and_never_a_mersenne_twister() -> None:
    """One integer of state, no 2.5 KB Mersenne-Twister array."""
    stream = Streams(7, 0)
    one = CounterStream(stream.key(3), Purpose.WORK)
    assert not isinstance(one, random.Random)
    assert sys.getsizeof(one) < 100 < sys.getsizeof(random.Random(1))
    assert one.random() != CounterStream(stream.key(4), Purpose.WORK).random()


dists = st.one_of(
    st.builds(Exponential, st.floats(0.01, 100)),
    st.builds(LogNormal, st.floats(0.01, 100), st.floats(0.0, 3.0)),
    st.builds(Gamma, st.floats(0.01, 100), st.floats(0.1, 3.0)),
    st.builds(Uniform, st.floats(0, 1), st.floats(1, 2)),
    st.builds(Fixed, st.floats(0, 10)),
    st.builds(Empirical, st.lists(st.floats(0, 10), min_size=1, max_size=5).map(tuple)),
)


def _by_random_module(dist: object, rng: random.Random) -> float:
    """What the random.Random method the distribution stands for draws."""
    if isinstance(dist, Exponential):
        return rng.expovariate(1.0 / dist.mean)
    if isinstance(dist, LogNormal):
        return rng.lognormvariate(dist.mu, dist.sigma)
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        return rng.gammavariate(shape, dist.mean / shape)
    if isinstance(dist, Empirical) and dist.weights:
        return rng.choices(dist.values, weights=dist.weights)[0]
    assert isinstance(dist, Fixed | Uniform | Empirical)
    return dist.sample(rng)


@given(dists, keys)
def test_a_distribution_draws_what_the_random_module_draws(dist: object, key: int) -> None:
    """Precomputed parameters, the same values, the same number of uniforms used."""
    mine, ref = Reference(key), Reference(key)
    for _ in range(5):
        assert dist.sample(mine) == _by_random_module(dist, ref)  # type: ignore[attr-defined]
    assert mine.random() == ref.random()


@given(st.lists(st.floats(0, 10), min_size=2, max_size=5),
       st.lists(st.floats(0.1, 5), min_size=5, max_size=5), keys)
def test_weighted_empirical_draws_what_choices_draws(values: list[float], weights: list[float],
                                                     key: int) -> None:
    """Cumulative weights computed once: the same pick as ``choices`` each time."""
    dist = Empirical(tuple(values), tuple(weights[:len(values)]))
    mine, ref = Reference(key), Reference(key)
    for _ in range(5):
        assert dist.sample(mine) == _by_random_module(dist, ref)


def test_precomputed_parameters_leave_equality_and_fields_alone() -> None:
    """Equal distributions stay equal and hashable; repr shows the fields only."""
    assert Gamma(2.0, 0.5) == Gamma(2.0, 0.5) and hash(LogNormal(1.0, 1.0)) == hash(
        LogNormal(1.0, 1.0))
    assert repr(Exponential(2.0)) == "Exponential(mean=2.0)"
    assert [f for f in vars(Exponential(2.0)) if not f.startswith("_")] == ["mean"]


@given(st.integers(0, 2**64), st.integers(0, 50), st.lists(st.integers(0, 5000), min_size=1,
                                                          max_size=40),
       st.lists(st.sampled_from(list(Purpose)), min_size=1, max_size=4, unique=True),
       st.integers(1, 64))
def test_first_draws_by_block_are_each_streams_first_draw(
        seed: int, replication: int, indexes: list[int], purposes: list[Purpose],
        block: int) -> None:
    streams = Streams(seed, replication)
    firsts = FirstDraws(streams, purposes, block=block)
    for index in sorted(indexes) + indexes:  # in order, then jumping back and forth
        key, *draws = firsts.take(index)
        assert key == streams.key(index)
        assert draws == [streams.entity(p, index).random() for p in purposes]


@given(st.integers(0, 2**16), st.lists(st.sampled_from(list(Purpose)), min_size=1,
                                        max_size=3, unique=True), st.integers(1, 16))
def test_first_draws_in_turn_are_the_rows_take_gives(
        seed: int, purposes: list[Purpose], block: int) -> None:
    """Iterating a FirstDraws gives entity 0's row, then 1's, … across blocks: what
    take(0), take(1), … give."""
    rows = iter(FirstDraws(Streams(seed, 0), purposes, block=block))
    firsts = FirstDraws(Streams(seed, 0), purposes, block=block)
    assert [next(rows) for _ in range(3 * block + 1)] == [
        firsts.take(i) for i in range(3 * block + 1)]


@given(st.integers(0, 2**16), st.floats(0.05, 50.0), st.floats(1.0, 400.0),
       st.integers(1, 64))
def test_arrival_times_by_block_are_the_running_sum(seed: int, rate: float, end: float,
                                                   block: int) -> None:
    """Each time is the one before plus a unit exponential over the rate, added one at
    a time as a float (numpy's cumulative sum, block after block), up to the end."""
    world = SimpleNamespace(rate=rate, end=end)
    times = list(arrival_times(world, Streams(seed, 0).unit_exponential_blocks(block)))
    expected, t = [], 0.0
    for e in chain.from_iterable(b.tolist()
                                 for b in Streams(seed, 0).unit_exponential_blocks(block)):
        t += e / rate
        if t >= end:
            break
        expected.append(t)
    assert times == expected


@given(st.integers(0, 2**64 - 1), st.sampled_from(list(Purpose)), st.integers(1, 12))
def test_a_primed_stream_draws_what_its_counter_stream_draws(
        key: int, purpose: Purpose, n: int) -> None:
    first = CounterStream(key, purpose).random()
    reference = CounterStream(key, purpose)
    primed = Primed(key, purpose, first)
    assert [primed.random() for _ in range(n)] == [reference.random() for _ in range(n)]


_ENTITY_PURPOSES = [p for p in Purpose if p is not Purpose.ARRIVALS]


@given(st.integers(0, 2**64 - 1), st.integers(0, 50),
       st.lists(st.integers(0, 3000), min_size=1, max_size=30),
       st.dictionaries(st.sampled_from(_ENTITY_PURPOSES), st.integers(0, 6), max_size=4),
       st.integers(1, 40), st.integers(0, 12), st.sampled_from([0, 1 << 41, (1 << 41) + (7 << 24)]))
def test_prefixes_by_block_are_each_streams_first_draws(
        seed: int, replication: int, indexes: list[int], counts: dict[Purpose, int],
        block: int, n: int, offset: int) -> None:
    """Each entity gets its key and the first k draws of each purpose; a
    :class:`Prefixed` stream of them then goes on as the counter stream does. Also far
    above the Poisson issues' indexes, where an event's issues are (*offset*)."""
    indexes = [offset + i for i in indexes]
    streams = Streams(seed, replication)
    prefixes = Prefixes(streams, list(counts.items()), block=block)
    for index in sorted(indexes) + indexes:  # in order, then jumping back and forth
        key, draws, at = prefixes.take(index)
        assert key == streams.key(index)
        for purpose in _ENTITY_PURPOSES:
            k = counts.get(purpose, 0)
            mine = Draws(key, draws, at).primed(purpose)  # a Prefixed stream of its firsts
            if k == 0:
                assert mine is None
                continue
            assert isinstance(mine, Prefixed)
            reference = streams.entity(purpose, index)
            assert [mine.random() for _ in range(k + n)] == [
                reference.random() for _ in range(k + n)]
            assert mine.expovariate(0.7) == reference.expovariate(0.7)


@given(st.integers(0, 2**64 - 1), st.integers(0, 200), st.integers(0, 8), st.integers(0, 20))
def test_draws_with_a_block_draw_what_draws_without_one(seed: int, index: int, k: int,
                                                        n: int) -> None:
    """Every purpose of a customer's :class:`Draws` gives the same numbers with its
    first draws made by block as from its counter streams alone."""
    streams = Streams(seed, 0)
    key, block, at = Prefixes(streams, [(p, k) for p in _ENTITY_PURPOSES[::2]],
                              block=16).take(index)
    mine, reference = Draws(key, block, at), Draws(streams.key(index))
    for name in ("patience", "work", "outcome", "route", "interrupt", "hold", "misroute",
                 "reply", "device"):
        a, b = getattr(mine, name), getattr(reference, name)
        assert [a.random() for _ in range(n)] == [b.random() for _ in range(n)], name
        assert Gamma(2.0, 0.5).sample(a) == Gamma(2.0, 0.5).sample(b)


@given(st.integers(0, 2**64 - 1), st.integers(0, 200), st.integers(0, 8), st.integers(0, 20))
def test_a_primed_profile_stream_draws_what_the_counter_stream_draws(
        seed: int, index: int, k: int, n: int) -> None:
    """``Draws.primed`` (who_arrives's own profile stream) gives the profile counter
    stream's numbers, and nothing where the block has no first draws of the purpose."""
    streams = Streams(seed, 0)
    key, block, at = Prefixes(streams, [(Purpose.PROFILE, k)], block=16).take(index)
    primed = Draws(key, block, at).primed(Purpose.PROFILE)
    assert (primed is None) == (k == 0)
    assert Draws(key, block, at).primed(Purpose.WORK) is None
    if primed is not None:
        reference = CounterStream(streams.key(index), Purpose.PROFILE)
        assert [primed.random() for _ in range(n)] == [reference.random() for _ in range(n)]


@given(st.integers(0, 2**64 - 1), st.lists(st.integers(0, 300), min_size=1, max_size=20),
       st.dictionaries(st.sampled_from(_ENTITY_PURPOSES), st.integers(1, 6), min_size=1,
                       max_size=4), st.integers(1, 16))
def test_an_entity_keeps_its_own_row_of_first_draws(
        seed: int, indexes: list[int], counts: dict[Purpose, int], block: int) -> None:
    """:meth:`Prefixes.take` gives each entity a row of its own first draws, as many as
    the counts ask for (what an issue in flight holds: not its block): rows taken before
    later blocks were made still give the entity's streams."""
    streams = Streams(seed, 0)
    prefixes = Prefixes(streams, list(counts.items()), block=block)
    taken = [(index, prefixes.take(index)) for index in indexes]
    prefixes.take(max(indexes) + block)  # a block none of them is in
    for index, (key, layout, row) in taken:
        assert len(row) == sum(counts.values())
        for purpose, k in counts.items():
            mine = Draws(key, layout, row).primed(purpose)
            assert mine is not None
            reference = streams.entity(purpose, index)
            assert [mine.random() for _ in range(k + 2)] == [
                reference.random() for _ in range(k + 2)]


@given(st.integers(0, 2**64 - 1), st.integers(0, 50), st.sampled_from(_ENTITY_PURPOSES),
       st.lists(st.integers(0, 3 * FIRSTS_BLOCK), min_size=1, max_size=20),
       st.sampled_from([0, CUSTOMERS, CUSTOMERS + 5 * FIRSTS_BLOCK - 7]))
def test_an_entitys_first_draw_by_block_is_its_streams_first_draw(
        seed: int, replication: int, purpose: Purpose, indexes: list[int], offset: int) -> None:
    """Streams.first (a returning customer's segment) gives each entity's first draw, the
    same number its counter stream gives, whatever block it falls in and in any order."""
    streams = Streams(seed, replication)
    for index in indexes:
        entity = offset + index
        assert streams.first(purpose, entity) == streams.entity(purpose, entity).random()
