"""What the engine's processes share: contact outcomes, a customer's random draws, what
the service knows of an issue, and the state every part of a replication reads.

The parts of a replication each have a module of their own, stacked in one line of
classes: :mod:`.routing` (queueing for a pool), :mod:`.contacts` (the self-service and
assisted contacts), :mod:`.journey` (the issue, contact by contact) and
:mod:`.replication` (running it and reading the outcomes). :class:`EngineState` declares
the state they share.
"""

from __future__ import annotations

from array import array
from collections.abc import Generator
from enum import Enum
from typing import Any, cast

import simpy
from simpy.events import NORMAL, URGENT

from ..metrics.recorder import Recorder
from ..model.design import Design
from ..model.history import MAX_DEVICES, HistoryStore
from ..scenario.schema import AffinitySpec
from .monitors import Monitor
from .pools import Agent, Pool
from .streams import Block, CounterStream, Prefixed, Purpose, Stream, Streams
from .wakeups import Clock, Wakeable
from .world import World

__all__ = [
    "ABANDONED",
    "DROPPED",
    "FAILED",
    "NOTHING",
    "RESOLVED",
    "UNRESOLVED",
    "ContactOutcome",
    "Context",
    "Draws",
    "EngineState",
    "Proc",
    "Seat",
    "Sleep",
    "Walk",
    "WalkAnswer",
    "coin",
    "succeed",
]

#: What a walk's generator may yield instead of an event: ``(delay, value)``, to be
#: resumed with *value* after *delay* (≥ 0) minutes, as by ``env.timeout(delay, value)``.
Sleep = tuple[float, Any]

#: A SimPy process body (an issue walk's may also yield a :data:`Sleep`).
Proc = Generator[simpy.Event | Sleep, Any, Any]

#: No facts.
NOTHING: frozenset[str] = frozenset()


class ContactOutcome(Enum):
    """How one contact ended; the value is the journey graph's name for it."""

    RESOLVED = "resolved"
    FAILED = "failed"  # self-service did not resolve it
    ABANDONED = "abandoned"  # left the agent queue (or missed the call back)
    UNRESOLVED = "unresolved"  # an agent session that did not resolve it
    DROPPED = "dropped"  # an interruption ended the session


#: The outcomes as module constants. Reading a member off its Enum class, or its
#: ``value``, goes through the enum machinery (several times the cost of a global) on
#: every use: the hot paths read these, and a member's ``_value_``, instead.
RESOLVED = ContactOutcome.RESOLVED
FAILED = ContactOutcome.FAILED
ABANDONED = ContactOutcome.ABANDONED
UNRESOLVED = ContactOutcome.UNRESOLVED
DROPPED = ContactOutcome.DROPPED

#: The streams' purposes as plain integers (an IntEnum member is read as slowly).
_PATIENCE, _WORK, _OUTCOME, _ROUTE, _INTERRUPT, _HOLD, _MISROUTE, _REPLY, _DEVICE = (
    int(p) for p in (Purpose.PATIENCE, Purpose.WORK, Purpose.OUTCOME, Purpose.ROUTE,
                     Purpose.INTERRUPT, Purpose.HOLD, Purpose.MISROUTE, Purpose.REPLY,
                     Purpose.DEVICE))


class Walk(Wakeable):
    """Run *generator* as SimPy would run it as a process, without a Process event.

    The same Initialize event (urgent, now) starts it, and each event it yields resumes
    it in the same order as :meth:`simpy.Environment.process` would: only the process's
    own end event, which nobody waits for here, is never scheduled (an event less per
    issue), and the resumption is leaner. An exception in the generator propagates out
    of the run at once. Nothing may wait for, or interrupt, the walk.

    The generator may also yield a :data:`Sleep` ``(delay, value)``: the walk then puts
    itself on SimPy's heap (:mod:`.wakeups`), the same entry, in the same order, as the
    ``env.timeout(delay, value)`` it stands for, without the Timeout, its list of
    callbacks and a bound method.

    *at_once* runs the generator's first step now, in the caller, without the Initialize
    event (an event less again): the same order as long as no other urgent event is due
    at this very time, which holds where *now* is a Poisson arrival's time (a sum of
    continuous draws that nothing else is scheduled at).
    """

    __slots__ = ("_env", "_generator", "_value")  # and Wakeable's

    def __init__(self, env: simpy.Environment, generator: Proc, at_once: bool = False) -> None:
        self._env = env
        self._generator = generator
        if at_once:
            self._resume(_STARTED)
            return
        start = simpy.Event(env)  # as simpy.events.Initialize: succeeded, urgent
        start._ok = True
        start._value = None
        start.callbacks.append(self)
        env.schedule(start, URGENT)

    def _resume(self, event: Any = None) -> None:
        """Send *event*'s value into the generator, until it waits for a pending event
        or sleeps (*event* ``None``: the walk's own sleep has ended, its value kept)."""
        if event is None:
            event = self
        generator = self._generator
        while True:
            try:
                if event._ok:
                    event = generator.send(event._value)
                else:  # as Process._resume: the walk handles the failure, or fails
                    event._defused = True
                    event = generator.throw(event._value)
            except StopIteration:
                return
            if event.__class__ is tuple:  # a Sleep: a timeout of the walk's own
                self._value = event[1]
                self.callbacks = _WAKE
                self._env.schedule(self, NORMAL, event[0])  # type: ignore[arg-type]
                return
            if event.__class__ is WalkAnswer:  # a queue's answer: it wakes the walk itself
                event.walk = self
                return
            if event.callbacks is not None:  # the walk itself: no bound method to keep
                event.callbacks.append(self)
                return

    #: an event the walk waits for calls the walk (as it would a bound ``_resume``)
    __call__ = _resume


#: what ends a walk's sleep (SimPy calls it with the walk)
_WAKE = (Walk._resume,)


class WalkAnswer(Wakeable):
    """A queue's answer to the walk waiting in it (a queue entry's *event*): the agent, or
    ``None`` when the patience ran out.

    The walk's generator yields it as it would a SimPy event, and the walk notes itself
    as its *walk*; :meth:`succeed` schedules the answer as ``event.succeed`` would (the
    same heap entry, in the same order), to resume the walk with the value. It stands
    for a SimPy event and its list of callbacks, for every contact in a queue.
    """

    __slots__ = ("_value", "walk")  # and Wakeable's

    def __init__(self) -> None:
        #: the walk waiting for the answer (``None`` before it waits and once answered)
        self.walk: Walk | None = None

    @property
    def value(self) -> Any:
        """The answer: the agent, or ``None`` when the patience ran out."""
        return self._value

    def succeed(self, value: Any = None) -> None:
        """Take the answer *value* and wake the walk with it (now, after what is due)."""
        self._value = value
        walk = self.walk
        assert walk is not None
        self.walk = None  # (the walk, its frame, the entry and this answer: no cycle left)
        self.callbacks = (walk,)
        walk._env.schedule(self, NORMAL)  # type: ignore[arg-type]  # duck-typed event


class _Started:
    """What starts a walk at once: a succeeded event's value (``None``) to send."""

    _ok = True
    _value = None


#: the start of every walk run at once
_STARTED = cast(simpy.Event, _Started())


def succeed(event: simpy.Event) -> None:
    """Succeed *event* unless it already has."""
    if not event.triggered:
        event.succeed()


class Draws:
    """A customer's streams, one per purpose, each made the first time it is drawn from.

    Each is a property that makes its stream on first read (an empty slot until then):
    a customer who is never interrupted never makes an interruption stream. A property,
    not ``__getattr__`` on a missing slot, which raises and catches an AttributeError on
    every first read. *layout* and *row* are the first draws made by block for the
    customer (:meth:`~.streams.Prefixes.take`): a purpose that has them gets a
    :class:`~.streams.Prefixed` stream, the same numbers.
    """

    __slots__ = ("_device", "_hold", "_interrupt", "_key", "_layout", "_misroute",
                 "_outcome", "_patience", "_reply", "_route", "_row", "_work")

    def __init__(self, key: int, layout: tuple[Block | None, ...] | None = None,
                 row: array | None = None) -> None:
        self._key = key
        self._layout = layout
        self._row = row
        self._patience = self._work = self._outcome = self._route = self._interrupt = None
        self._hold = self._misroute = self._reply = self._device = None

    _patience: Stream | None
    _work: Stream | None
    _outcome: Stream | None
    _route: Stream | None
    _interrupt: Stream | None
    _hold: Stream | None
    _misroute: Stream | None
    _reply: Stream | None
    _device: Stream | None

    def _make(self, purpose: int) -> Stream:
        """The stream of *purpose*: with its first draws if its row has them (as
        :meth:`primed`, without a call more)."""
        layout = self._layout
        if layout is not None:
            at = layout[purpose]
            if at is not None:
                start, k = at
                assert self._row is not None
                return Prefixed(self._key, purpose, self._row, start, start + k)
        return CounterStream(self._key, purpose)

    def primed(self, purpose: int) -> Prefixed | None:
        """A new stream of *purpose* if the row has first draws for it, else ``None``."""
        layout = self._layout
        at = None if layout is None else layout[purpose]
        if at is None:
            return None
        start, k = at
        assert self._row is not None
        return Prefixed(self._key, purpose, self._row, start, start + k)

    @property
    def patience(self) -> Stream:
        """The stream of patience draws."""
        stream = self._patience
        if stream is None:
            stream = self._patience = self._make(_PATIENCE)
        return stream

    @property
    def work(self) -> Stream:
        """The stream of handle, collection, reading and self-service times."""
        stream = self._work
        if stream is None:
            stream = self._work = self._make(_WORK)
        return stream

    @property
    def outcome(self) -> Stream:
        """The stream of self-service success and resolution coins."""
        stream = self._outcome
        if stream is None:
            stream = self._outcome = self._make(_OUTCOME)
        return stream

    @property
    def route(self) -> Stream:
        """The stream of journey choices and delays."""
        stream = self._route
        if stream is None:
            stream = self._route = self._make(_ROUTE)
        return stream

    @property
    def interrupt(self) -> Stream:
        """The stream of interruption arrivals and lengths."""
        stream = self._interrupt
        if stream is None:
            stream = self._interrupt = self._make(_INTERRUPT)
        return stream

    @property
    def hold(self) -> Stream:
        """The stream of interruptions while waiting on hold."""
        stream = self._hold
        if stream is None:
            stream = self._hold = self._make(_HOLD)
        return stream

    @property
    def misroute(self) -> Stream:
        """The stream of whether the menu sends a contact to the wrong agent."""
        stream = self._misroute
        if stream is None:
            stream = self._misroute = self._make(_MISROUTE)
        return stream

    @property
    def reply(self) -> Stream:
        """The stream of reply gaps in asynchronous conversations."""
        stream = self._reply
        if stream is None:
            stream = self._reply = self._make(_REPLY)
        return stream

    @property
    def device(self) -> Stream:
        """The stream of which device each contact starts on."""
        stream = self._device
        if stream is None:
            stream = self._device = self._make(_DEVICE)
        return stream


class Seat:
    """The agent session a contact holds now: its *pool*, *agent* and when it *started*.

    A resumable session that releases its agent during a long interruption takes a new
    seat when it resumes; *draws* are the customer's, for the queue it waits in then.
    """

    __slots__ = ("agent", "draws", "pool", "started")

    def __init__(self, pool: Pool, agent: Agent, started: float, draws: Draws) -> None:
        self.pool = pool
        #: ``None`` once the customer left the queue waiting to resume
        self.agent: Agent | None = agent
        self.started = started
        self.draws = draws


class Context:
    """What the design lets the service know of one issue, beyond its history view.

    *customer* is who the customer is; *person* who the history knows them as (the
    customer under retention, else this issue alone); *key* the identity of the
    current contact (the person seen from a device); *within* whether an agent is taking
    over in the same contact; *handed* the self-service channel and time whose view a
    hand-over passes to that agent (``None``: nothing passes); *preknown* the facts
    a linked connected device reported; *wrote* whether the customer gave a fact in
    this issue; *given* the (identity, fact) pairs given in this issue, kept only for the
    continuity check (a monitor); *from_self_service* whether the contact follows a
    self-service session; *unnoted* whether the facts given now stay out of the history;
    *dialog* for an issue a device reported that could open it, the customer's
    (discover, respond) times.
    """

    __slots__ = ("customer", "dialog", "from_self_service", "given", "handed", "key", "keys",
                 "person", "preknown", "seat", "unnoted", "within", "wrote")

    def __init__(self, customer: int, person: int, preknown: frozenset[str]) -> None:
        self.customer = customer
        self.person = person
        self.key = person * MAX_DEVICES  # identity(person, 0), without the call
        #: every identity the issue used, when it may use more than :attr:`key` (``None``
        #: until the first; a tuple, a few identities at most: a set costs 216 bytes)
        self.keys: tuple[int, ...] | None = None
        self.within = False
        self.handed: tuple[str, float] | None = None
        self.preknown = preknown
        #: a fact was given (so the issue's history has something to drop at its end)
        self.wrote = False
        #: ``None`` until the first fact is given, and without a monitor
        self.given: set[tuple[int, str]] | None = None
        #: the contact follows a self-service session (a menu may misroute it)
        self.from_self_service = False
        #: what the customer tells the agent now stays out of the history (a misrouted
        #: agent's notes, under a history that is not unified)
        self.unnoted = False
        #: the agent session in progress, if any
        self.seat: Seat | None = None
        self.dialog: tuple[float, float] | None = None

    def add_key(self, key: int) -> None:
        """Count *key* among the identities the issue used."""
        keys = self.keys
        if keys is None:
            self.keys = (key,)
        elif key not in keys:
            self.keys = (*keys, key)

    def add_given(self, key: int, fact: str) -> None:
        """Count *fact* as given in this issue under identity *key*."""
        if self.given is None:
            self.given = {(key, fact)}
        else:
            self.given.add((key, fact))


def coin(p: float, draws: Draws) -> bool:
    """True with probability *p*; certain outcomes draw nothing (the same in every design)."""
    if p >= 1.0:
        return True
    if p <= 0.0:
        return False
    return draws.outcome.random() < p


class EngineState:
    """The state of one replication that its parts share (set by ``Replication``)."""

    world: World
    design: Design
    streams: Streams
    monitor: Monitor | None
    trace: list[tuple[int, int, str, float, tuple[str, ...]]] | None
    env: Clock
    history: HistoryStore
    recorder: Recorder
    pools: list[Pool]
    #: with a finite population: per customer, the customer-scope facts given so far (a
    #: tuple, a few facts at most, kept for every customer seen: a set costs 216 bytes)
    _customer_given: dict[int, tuple[str, ...]]
    #: and under which identities (read only by the continuity check)
    _customer_keys: dict[int, set[tuple[int, str]]]
    _routes: dict[tuple[str, int], tuple[Pool, ...]]
    _in_flight: int
    #: the scenario's affinity, when the design routes back to the last agent
    _affinity: AffinitySpec | None
    _customer_agent: dict[int, tuple[int, int]]
    _drained: simpy.Event | None
    #: per (segment, intent, touchpoint): whether its assisted contacts take the plain path
    _plain_at: dict[tuple[int, int, str], bool]
