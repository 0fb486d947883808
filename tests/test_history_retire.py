"""Retiring an ended issue's events: every later read answers as before, memory stays put."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.model.history import SILOED, UNIFIED, HistoryEvent, HistoryStore, Topology

CHANNELS = ("voice", "app", "web")
FACTS = ("identity", "booking", "problem")

events = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(FACTS),
                            st.sampled_from(CHANNELS), st.sampled_from(("issue", "customer"))),
                  max_size=30)
topologies = st.sampled_from([SILOED, UNIFIED, Topology(groups=(frozenset({"app", "web"}),)),
                              Topology(groups=(frozenset(CHANNELS),), ttl=3.0)])


def _store(topology: Topology, written: list[tuple[int, int, str, str, str]]) -> HistoryStore:
    store = HistoryStore(topology)
    for at, (customer, issue, fact, channel, scope) in enumerate(written):
        store.append(HistoryEvent(customer, issue, fact, channel, float(at), scope))
    return store


@given(topologies, events, st.integers(0, 2), st.integers(0, 3))
def test_retiring_an_issue_changes_no_read_of_another_issue(
        topology: Topology, written: list[tuple[int, int, str, str, str]], customer: int,
        issue: int) -> None:
    """knows() of every other issue, at every time, answers as without the retirement."""
    full, retired = _store(topology, written), _store(topology, written)
    retired.retire(customer, issue)
    for who in range(3):
        for other in range(4):
            if (who, other) == (customer, issue):
                continue
            for channel in CHANNELS:
                for fact in FACTS:
                    for at in (0.0, 2.5, 7.0, float(len(written))):
                        assert (retired.knows(channel, who, other, fact, at)
                                == full.knows(channel, who, other, fact, at))


def test_retiring_drops_the_issue_events_and_keeps_the_customer_ones() -> None:
    """Only what the ended issue alone could read goes."""
    store = HistoryStore(UNIFIED)
    store.append(HistoryEvent(1, 10, "identity", "app", 0.0, "customer"))
    store.append(HistoryEvent(1, 10, "booking", "app", 1.0))
    store.append(HistoryEvent(1, 11, "problem", "voice", 2.0))
    store.retire(1, 10)
    assert [(e.issue, e.fact) for e in store.events(1)] == [(10, "identity"), (11, "problem")]
    assert store.knows("voice", 1, 12, "identity", 5.0)
    assert not store.knows("voice", 1, 10, "booking", 5.0)
    store.retire(7, 1)  # a customer without history: nothing happens
