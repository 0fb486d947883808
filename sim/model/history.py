"""The history store: what the customer did and said, and who may read it.

This is the reference implementation of what a history must guarantee. It knows
nothing of the simulation engine: it takes events with times and answers reads at a
time. A :class:`Topology` maps each channel to a store (siloed: one per channel;
unified: one for all; anything in between by channel groups) and may bound retention
with a time-to-live.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from .channels import CHANNELS

__all__ = [
    "MAX_DEVICES",
    "SILOED",
    "UNIFIED",
    "HistoryEvent",
    "HistoryStore",
    "Topology",
    "count_repetitions",
    "identity",
]

#: The most devices one customer may use (each has its own identity unless linked).
MAX_DEVICES = 16


def identity(person: int, device: int) -> int:
    """The key a history knows a customer by: the person, seen from one device.

    A service that links a customer's devices (a digital mesh) passes ``device=0`` for
    all of them, so every device reads and writes the same history.
    """
    return person * MAX_DEVICES + device


def _as_groups(groups: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g) for g in groups)


@attrs.frozen
class Topology:
    """Which store each channel reads and writes.

    *groups* is a partition of (some of) the channels: channels in one group share a
    store, a channel in no group has a store of its own. *ttl* (minutes) bounds how long
    an event stays visible; ``None`` keeps it for ever.
    """

    groups: tuple[frozenset[str], ...] = attrs.field(default=(), converter=_as_groups)
    ttl: float | None = None

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for group in self.groups:
            if seen & group:
                raise ValueError(f"channel groups overlap on {sorted(seen & group)}")
            seen |= group
        if self.ttl is not None and self.ttl <= 0:
            raise ValueError(f"ttl must be > 0 (got {self.ttl})")

    def store_of(self, channel: str) -> str:
        """The name of the store *channel* reads and writes."""
        for group in self.groups:
            if channel in group:
                return "+".join(sorted(group))
        return channel

    @property
    def is_unified(self) -> bool:
        """True when every channel shares one store with unbounded retention."""
        return self.ttl is None and any(g >= set(CHANNELS) for g in self.groups)


#: One store per channel.
SILOED = Topology()
#: One store for every channel, kept for ever.
UNIFIED = Topology(groups=(frozenset(CHANNELS),))


@attrs.frozen
class HistoryEvent:
    """One fact given by a customer, at a time, on a channel.

    *key* is the identity the history knows the customer by (see :func:`identity`: a
    person, seen from a device unless the devices are linked); *issue* the issue's
    index. *scope* is ``"issue"`` when the fact belongs to one issue (a booking
    reference) and ``"customer"`` when it holds for every issue of the customer.
    """

    key: int
    issue: int
    fact: str
    channel: str
    at: float
    scope: str = "issue"


class HistoryStore:
    """Append-only histories, one log per (store, identity), read through a topology.

    A log holds each event as a tuple ``(at, fact, issue, scope, channel)`` (the log's
    identity is its key): cheaper to write and to scan than a :class:`HistoryEvent`,
    which :meth:`view` and :meth:`events` make again for their callers. Each store keeps
    its logs by identity, and each channel reads its store's directly: a read or a write
    makes no ``(store, identity)`` key, and a log costs no such key in memory.
    """

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        #: store name -> identity -> its log
        self._stores: dict[str, dict[int, list[tuple[float, str, int, str, str]]]] = {}
        #: channel -> its store's logs (the same dict for every channel of a store)
        self._logs_of: dict[str, dict[int, list[tuple[float, str, int, str, str]]]] = {}
        #: identity -> the stores with a log of it (a tuple: one or a few, and a list
        #: costs twice the memory)
        self._keys: dict[int, tuple[str, ...]] = {}
        self._store_of: dict[str, str] = {}
        for channel in CHANNELS:
            self._channel(channel, topology.store_of(channel))
        self._ttl = topology.ttl  # the topology is frozen: read once, not on every read

    def _channel(self, channel: str, store: str) -> dict[int, list[Any]]:
        """Let *channel* read and write *store*: the store's logs by identity."""
        self._store_of[channel] = store
        logs = self._logs_of[channel] = self._stores.setdefault(store, {})
        return logs

    def append(self, event: HistoryEvent) -> None:
        """Write *event* to the store of its channel (as :meth:`write`)."""
        self.write(event.key, event.issue, event.fact, event.channel, event.at, event.scope)

    def write(self, key: int, issue: int, fact: str, channel: str, at: float,
              scope: str = "issue") -> None:
        """Write the event ``HistoryEvent(key, issue, fact, channel, at, scope)`` to the
        store of its channel, without making the event.

        Raises :exc:`ValueError` if it is older than the last event of that log (a
        history is written in time order and never rewritten).
        """
        logs = self._logs_of.get(channel)
        if logs is None:  # a channel of no topology: a store of its own name
            logs = self._channel(channel, channel)
        log = logs.get(key)
        if log is None:
            log = logs[key] = []
            self._keys[key] = (*self._keys.get(key, ()), self._store_of[channel])
        elif log and at < log[-1][0]:
            raise ValueError(f"event at {at} written after one at {log[-1][0]}")
        log.append((at, fact, issue, scope, channel))

    def view(self, channel: str, key: int, at: float) -> list[HistoryEvent]:
        """The events about identity *key* that *channel* can see at *at*, oldest first."""
        logs = self._logs_of.get(channel)
        if logs is None:  # a channel of no topology reads the store of its own name
            logs = self._stores.get(channel)
        log = logs.get(key, ()) if logs else ()
        ttl = self.topology.ttl
        return [HistoryEvent(key, e[2], e[1], e[4], e[0], e[3]) for e in log
                if e[0] <= at and (ttl is None or at - e[0] <= ttl)]

    def knows(self, channel: str, key: int, issue: int, fact: str, at: float) -> bool:
        """True when *channel* can see *fact* of identity *key* for this *issue* (or for
        every issue of the customer) at *at*."""
        logs = self._logs_of.get(channel)
        if logs is None:  # a channel of no topology reads the store of its own name
            logs = self._stores.get(channel)
        log = logs.get(key) if logs else None
        if not log:
            return False
        ttl = self._ttl
        if ttl is None:  # kept for ever: any event of the log may match, in any order
            for when, name, of, scope, _ in log:
                if name == fact and when <= at and (of == issue or scope == "customer"):
                    return True
            return False
        for when, name, of, scope, _ in reversed(log):
            if when > at:
                continue
            if at - when > ttl:  # this one and every older one: out of retention
                return False
            if name == fact and (of == issue or scope == "customer"):
                return True
        return False

    def events(self, key: int) -> Iterator[HistoryEvent]:
        """Every event written about identity *key*, store by store, each in write order."""
        for store in self._keys.get(key, ()):
            for at, fact, issue, scope, channel in self._stores[store][key]:
                yield HistoryEvent(key, issue, fact, channel, at, scope)

    def forget(self, key: int) -> None:
        """Drop every log of identity *key* (a customer who will never come back)."""
        for store in self._keys.pop(key, ()):
            del self._stores[store][key]

    def retire(self, customer: int, issue: int) -> None:
        """Drop the issue-scope events of *issue*, which has ended, from *customer*'s logs.

        Only a contact of that issue reads them (:meth:`knows` matches an issue-scope
        event to its own issue), so every later read answers as before; the
        customer-scope events stay for the customer's next issues. Under retention this
        keeps a returning customer's history to what can still be read: bounded by the
        population, not growing with the horizon. :meth:`view` and :meth:`events` no
        longer list the dropped events.
        """
        for store in self._keys.get(customer, ()):
            log = self._stores[store][customer]
            kept = [e for e in log if e[2] != issue or e[3] != "issue"]
            if len(kept) != len(log):
                log[:] = kept


def count_repetitions(
    contacts: Iterable[tuple[int, int, str, float, tuple[str, ...]]], topology: Topology
) -> int:
    """Replay a trace of contacts through *topology* and count the repetitions.

    Each contact is ``(identity, issue, channel, time, facts)`` in time order: the
    touchpoint asks each fact it cannot see, the customer gives it, and a fact asked that
    was given before for the issue is a repetition. Replaying one trace under two
    topologies compares them on exactly the same journeys.
    """
    store = HistoryStore(topology)
    given: set[tuple[int, int, str]] = set()
    repetitions = 0
    for key, issue, channel, at, facts in contacts:
        for fact in facts:
            if store.knows(channel, key, issue, fact, at):
                continue
            if (key, issue, fact) in given:
                repetitions += 1
            given.add((key, issue, fact))
            store.write(key, issue, fact, channel, at)
    return repetitions
