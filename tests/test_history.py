"""The history store on its own: views per topology, append-only, retention."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model import CHANNELS, SILOED, UNIFIED, HistoryEvent, HistoryStore, Topology
from sim.model.history import count_repetitions

channels = st.sampled_from(CHANNELS)
facts = st.sampled_from(["identity", "booking", "problem", "tried"])
writes = st.lists(st.tuples(channels, facts, st.floats(0, 5)), max_size=30)


def _fill(store: HistoryStore, items: list[tuple[str, str, float]]) -> float:
    t = 0.0
    for channel, fact, gap in items:
        t += gap
        store.append(HistoryEvent(1, 1, fact, channel, t))
    return t


@given(writes, channels)
def test_unified_sees_every_fact_from_every_channel(
    items: list[tuple[str, str, float]], reader: str
) -> None:
    """Unified: any channel sees every fact written on any channel before it reads."""
    store = HistoryStore(UNIFIED)
    t = _fill(store, items)
    for _, fact, _ in items:
        assert store.knows(reader, 1, 1, fact, t)


@given(writes, channels)
def test_siloed_sees_only_its_own_channel(
    items: list[tuple[str, str, float]], reader: str
) -> None:
    """Siloed: a channel sees exactly the facts written on that channel."""
    store = HistoryStore(SILOED)
    t = _fill(store, items)
    own = {f for c, f, _ in items if c == reader}
    for fact in {"identity", "booking", "problem", "tried"}:
        assert store.knows(reader, 1, 1, fact, t) == (fact in own)


@given(writes, channels, st.lists(st.lists(channels, min_size=1, max_size=4), max_size=3))
def test_merging_silos_never_hides_a_fact(
    items: list[tuple[str, str, float]], reader: str, groups: list[list[str]]
) -> None:
    """A coarser topology (channel groups) sees at least what siloed sees."""
    disjoint: list[list[str]] = []
    used: set[str] = set()
    for g in groups:
        g2 = [c for c in dict.fromkeys(g) if c not in used]
        used |= set(g2)
        if g2:
            disjoint.append(g2)
    fine, coarse = HistoryStore(SILOED), HistoryStore(Topology(groups=disjoint))
    t = _fill(fine, items)
    _fill(coarse, items)
    for fact in {"identity", "booking", "problem", "tried"}:
        if fine.knows(reader, 1, 1, fact, t):
            assert coarse.knows(reader, 1, 1, fact, t)


def test_read_at_time_shows_only_earlier_events() -> None:
    """A read at time t shows events written at or before t, not later ones."""
    store = HistoryStore(UNIFIED)
    store.append(HistoryEvent(1, 1, "identity", "app", 1.0))
    store.append(HistoryEvent(1, 1, "booking", "app", 5.0))
    assert [e.fact for e in store.view("voice", 1, 3.0)] == ["identity"]
    assert not store.knows("voice", 1, 1, "booking", 3.0)


def test_time_to_live_hides_old_events() -> None:
    """With a ttl, an event older than the ttl is no longer visible."""
    store = HistoryStore(Topology(groups=UNIFIED.groups, ttl=30.0))
    store.append(HistoryEvent(1, 1, "identity", "app", 0.0))
    assert store.knows("voice", 1, 1, "identity", 30.0)
    assert not store.knows("voice", 1, 1, "identity", 30.5)


def test_history_is_append_only_in_time_order() -> None:
    """Writing an event older than the last one of its log is refused."""
    store = HistoryStore(UNIFIED)
    store.append(HistoryEvent(1, 1, "identity", "app", 5.0))
    with pytest.raises(ValueError, match="written after"):
        store.append(HistoryEvent(1, 1, "booking", "voice", 4.0))


def test_issue_facts_do_not_leak_to_other_issues_but_customer_facts_do() -> None:
    """An issue-scoped fact belongs to its issue; a customer-scoped one to every issue."""
    store = HistoryStore(UNIFIED)
    store.append(HistoryEvent(1, 1, "booking", "app", 0.0))
    store.append(HistoryEvent(1, 1, "identity", "app", 0.0, scope="customer"))
    assert not store.knows("voice", 1, 2, "booking", 1.0)
    assert store.knows("voice", 1, 2, "identity", 1.0)


def test_overlapping_groups_are_refused() -> None:
    """A channel may belong to one group only."""
    with pytest.raises(ValueError, match="overlap"):
        Topology(groups=[["chat", "sms"], ["sms", "voice"]])


@st.composite
def topologies(draw: st.DrawFn) -> Topology:
    """Siloed, unified, or a random partition of the channels, with or without a ttl."""
    labels = draw(st.lists(st.integers(0, 3), min_size=len(CHANNELS), max_size=len(CHANNELS)))
    groups: dict[int, list[str]] = {}
    for channel, label in zip(CHANNELS, labels, strict=True):
        groups.setdefault(label, []).append(channel)
    ttl = draw(st.none() | st.floats(1, 50))
    return Topology(groups=list(groups.values()), ttl=ttl)


traces = st.lists(
    st.tuples(st.integers(0, 2), channels, st.floats(0, 10),
              st.lists(facts, max_size=4, unique=True).map(tuple)),
    max_size=25,
)


def _timed(items: list[tuple[int, str, float, tuple[str, ...]]]) -> list[Any]:
    out, t = [], 0.0
    for customer, channel, gap, needed in items:
        t += gap
        out.append((customer, customer, channel, t, needed))
    return out


@given(writes, topologies(), channels, st.floats(0, 200))
def test_read_your_view_is_exactly_the_visible_events(
    items: list[tuple[str, str, float]], topology: Topology, reader: str, at: float
) -> None:
    """A read shows exactly the events of the reader's store, written by then, within the ttl."""
    store = HistoryStore(topology)
    written = []
    t = 0.0
    for channel, fact, gap in items:
        t += gap
        event = HistoryEvent(1, 1, fact, channel, t)
        store.append(event)
        written.append(event)
    expected = [
        e for e in written
        if topology.store_of(e.channel) == topology.store_of(reader) and e.at <= at
        and (topology.ttl is None or at - e.at <= topology.ttl)
    ]
    assert store.view(reader, 1, at) == expected


def _order(e: HistoryEvent) -> tuple[float, str, str]:
    return e.at, e.channel, e.fact


def _append_only_holds(store: HistoryStore, items: list[tuple[str, str, float]]) -> bool:
    """Every write is kept once, in write order within its store."""
    written: list[HistoryEvent] = []
    t = 0.0
    for channel, fact, gap in items:
        t += gap
        event = HistoryEvent(1, 1, fact, channel, t)
        store.append(event)
        written.append(event)
    kept = list(store.events(1))
    by_store: dict[str, list[HistoryEvent]] = {}
    for e in written:
        by_store.setdefault(store.topology.store_of(e.channel), []).append(e)
    return sorted(kept, key=_order) == sorted(written, key=_order) and all(
        [e for e in kept if store.topology.store_of(e.channel) == name] == events
        for name, events in by_store.items()
    )


@given(writes, topologies())
def test_history_is_append_only(items: list[tuple[str, str, float]], topology: Topology) -> None:
    """No event is lost, duplicated or reordered, whatever the topology."""
    assert _append_only_holds(HistoryStore(topology), items)


class _ReorderingStore(HistoryStore):
    """A planted fault: every third event is written at the front of its log."""

    def append(self, event: HistoryEvent) -> None:
        super().append(event)
        log = self._stores[self.topology.store_of(event.channel)][event.key]
        if len(log) % 3 == 0:
            log.insert(0, log.pop())


def test_append_only_property_catches_a_reordering_store() -> None:
    """The append-only property finds a store that reorders, and shrinks the example."""
    from hypothesis import find

    example = find(writes, lambda items: not _append_only_holds(_ReorderingStore(SILOED), items))
    assert len(example) == 3  # shrunk to the smallest trace that shows the fault
    assert len({c for c, _, _ in example}) == 1


@given(traces, topologies())
def test_coarser_topology_never_adds_repetitions(
    items: list[tuple[int, str, float, tuple[str, ...]]], topology: Topology
) -> None:
    """On one trace: siloed >= any grouping >= unified in repetitions (unbounded retention)."""
    trace = _timed(items)
    grouped = Topology(groups=topology.groups)
    assert count_repetitions(trace, SILOED) >= count_repetitions(trace, grouped)
    assert count_repetitions(trace, grouped) >= count_repetitions(trace, UNIFIED) == 0


@given(traces, topologies(), st.floats(1, 50))
def test_longer_retention_never_adds_repetitions(
    items: list[tuple[int, str, float, tuple[str, ...]]], topology: Topology, extra: float
) -> None:
    """On one trace: a longer time-to-live, or none, never adds repetitions."""
    trace = _timed(items)
    ttl = topology.ttl or 10.0
    short = Topology(groups=topology.groups, ttl=ttl)
    longer = Topology(groups=topology.groups, ttl=ttl + extra)
    forever = Topology(groups=topology.groups)
    assert count_repetitions(trace, short) >= count_repetitions(trace, longer)
    assert count_repetitions(trace, longer) >= count_repetitions(trace, forever)


@given(st.lists(st.tuples(channels, facts, st.floats(0, 5), st.integers(1, 3),
                          st.sampled_from(["issue", "customer"])), max_size=30),
       topologies(), channels, facts, st.integers(1, 3), st.floats(0, 200))
def test_knows_is_a_visible_event_of_the_fact_for_the_issue_or_the_customer(
    items: list[tuple[str, str, float, int, str]], topology: Topology, reader: str,
    fact: str, issue: int, at: float,
) -> None:
    """knows (a forward scan without a ttl, a backward one with it) answers what the view
    shows: an event of *fact* for this issue, or of customer scope, visible at *at*."""
    store = HistoryStore(topology)
    t = 0.0
    for channel, name, gap, of, scope in items:
        t += gap
        store.append(HistoryEvent(1, of, name, channel, t, scope))
    expected = any(e.fact == fact and (e.issue == issue or e.scope == "customer")
                   for e in store.view(reader, 1, at))
    assert store.knows(reader, 1, issue, fact, at) is expected


def test_a_channel_of_no_topology_reads_and_writes_the_store_of_its_own_name() -> None:
    """A channel the topology does not list has a store named after it (as before the
    stores kept their logs by identity): what it writes, it and only it reads."""
    store = HistoryStore(Topology(groups=[["chat", "sms"]]))
    store.write(1, 1, "booking", "kiosk", 1.0)
    assert store.knows("kiosk", 1, 1, "booking", 2.0)
    assert [e.fact for e in store.view("kiosk", 1, 2.0)] == ["booking"]
    assert not store.knows("chat", 1, 1, "booking", 2.0)
    assert not store.knows("other", 1, 1, "booking", 2.0)
    store.write(1, 1, "account", "chat+sms", 3.0)  # the group's store, by its name
    assert store.knows("chat", 1, 1, "account", 4.0)
    assert [e.fact for e in store.events(1)] == ["booking", "account"]
    store.forget(1)
    assert list(store.events(1)) == [] and not store.knows("kiosk", 1, 1, "booking", 5.0)
