"""The history store on its own: views per topology, append-only, retention."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model import CHANNELS, SILOED, UNIFIED, HistoryEvent, HistoryStore, Topology

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
