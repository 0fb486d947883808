"""The scenario compiled into the flat lookup tables the engine reads on its hot path."""

from __future__ import annotations

import math
from itertools import accumulate

import attrs

from ..model.channels import CHANNELS, SYNCHRONOUS, TOUCHPOINTS
from ..model.dists import Distribution, Fixed
from ..model.journey import Route, routes_from
from ..model.staffing import Schedule
from ..scenario import schema
from ..scenario.schema import AffinitySpec, CallbackSpec, RoutingSpec, Scenario

__all__ = ["TALKING_FRACTION", "ConversationRT", "EventRT", "FactRT", "IntentRT", "PoolSpec",
           "SegmentRT", "World", "compile_world"]


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = sum(weights)
    return tuple(c / total for c in accumulate(weights))


def _scope(scenario: Scenario, fact: str) -> str:
    spec = scenario.facts.get(fact)
    return spec.scope if spec is not None else "issue"


def pick(cumulative: tuple[float, ...], u: float) -> int:
    """Index of the choice a uniform *u* falls in."""
    for i, c in enumerate(cumulative):
        if u < c:
            return i
    return len(cumulative) - 1


@attrs.frozen
class SegmentRT:
    """A segment, ready for the engine."""

    name: str
    starts: tuple[str, ...]
    start_cum: tuple[float, ...]
    #: per agent touchpoint, how long the customer waits for an agent (absent: for ever)
    patience: dict[str, Distribution]
    interrupt_rate: float
    interrupt_duration: Distribution
    drop_after: float
    max_contacts: int
    frustration: float
    #: cumulative weights of the customer's devices (empty: one device)
    devices_cum: tuple[float, ...] = ()
    #: interruptions per minute on a call with an agent (voice, video)
    talk_rate: float = 0.0
    #: interruptions per minute on hold; the agent's time to ring a customer who is
    #: away; what becomes of the contact then ("requeue", "callback" or "abandon")
    hold_rate: float = 0.0
    ring: float = 0.0
    missed: str = "requeue"


@attrs.frozen
class FactRT:
    """A fact an intent needs: its name, collection time and scope.

    *read* is an agent's time to read it where the history shows it (``None``: a
    fraction of the collection time); *reauthenticate* makes every new agent contact
    collect it again.
    """

    name: str
    collect: Distribution
    scope: str
    read: Distribution | None = None
    reauthenticate: bool = False


@attrs.frozen
class IntentRT:
    """An intent, ready for the engine."""

    name: str
    facts: tuple[FactRT, ...]
    handle: dict[str, Distribution]
    resolve: dict[str, float]
    self_service: dict[str, tuple[float, Distribution]]
    #: probability that a connected device raised the issue, and the facts it reports
    reported: float = 0.0
    reported_facts: frozenset[str] = frozenset()
    #: where and how a device that reports the issue opens it as a dialog
    dialog: schema.DeviceDialog | None = None


@attrs.frozen
class PoolSpec:
    """A pool: headcount, channels with their concurrency, penalty per extra session.

    With a *schedule* the headcount varies over the day and *agents* is its peak.
    *levels* gives, per intent index, the rank of its waiting contacts in this pool's
    queue (0 first); empty for a plain first-come first-served queue.
    """

    name: str
    agents: int
    concurrency: dict[str, int]
    penalty: float
    intents: tuple[str, ...] | None = None
    schedule: Schedule | None = None
    levels: tuple[int, ...] = ()
    #: loaded cost of one agent-minute
    cost_per_minute: float = 0.0

    def serves(self, channel: str, intent: str) -> bool:
        """Whether the pool's skills include *channel* and *intent*."""
        return channel in self.concurrency and (self.intents is None or intent in self.intents)


def _pool_spec(pool: schema.Pool, intents: list[str]) -> PoolSpec:
    schedule = None
    agents = pool.agents
    if pool.schedule is not None:
        schedule = Schedule([(step.at, step.agents) for step in pool.schedule])
        agents = schedule.peak
        if schedule.constant:  # the same as a flat headcount, and as fast
            schedule = None
    assert agents is not None
    levels: tuple[int, ...] = ()
    ranks = [pool.priorities.get(name, 1) for name in intents]
    served = {r for r, name in zip(ranks, intents, strict=True)
              if pool.intents is None or name in pool.intents}
    if len(served) > 1:  # else every waiting contact has the same rank: plain FCFS
        order = sorted(set(ranks))
        levels = tuple(order.index(r) for r in ranks)
    return PoolSpec(pool.name, agents, {c: pool.concurrency.get(c, 1) for c in pool.channels},
                    pool.concurrency_penalty, None if pool.intents is None else tuple(pool.intents),
                    schedule, levels, pool.cost_per_minute)


@attrs.frozen
class ConversationRT:
    """An asynchronous channel's conversations: *exchanges*, the customer's *reply_gap*,
    whether the agent keeps the concurrency slot between exchanges (*hold_slot*)."""

    exchanges: int
    reply_gap: Distribution
    hold_slot: bool


@attrs.frozen
class EventRT:
    """A scenario event, ready for the engine (*at* is absolute: warm-up included)."""

    name: str
    at: float
    customers: int
    intent: int
    segment: int | None
    discover: Distribution
    notify: str | None
    notice: float
    deflect: float
    respond: Distribution
    known: tuple[str, ...]


@attrs.frozen
class World:
    """Everything the engine needs to simulate one scenario, under any design."""

    name: str
    horizon: float
    warmup: float
    #: per channel, the service-level threshold T (minutes)
    thresholds: dict[str, float]
    rate: float | None
    profile: tuple[tuple[float, float], ...]
    segments: tuple[SegmentRT, ...]
    segment_cum: tuple[float, ...]
    intents: tuple[IntentRT, ...]
    intent_cum: tuple[float, ...]
    pools: tuple[PoolSpec, ...]
    routes: dict[tuple[str, str], Route]
    synchronous: dict[str, bool]
    cost: dict[str, float]
    callback: CallbackSpec | None = None
    #: self-service touchpoint -> (agent touchpoint it escalates to, acceptance)
    escalation: dict[str, tuple[str, float]] = attrs.field(factory=dict)
    #: number of customers, or None for a new customer with every issue
    population: int | None = None
    events: tuple[EventRT, ...] = ()
    #: per touchpoint, how long an interruption may last before an unresumable
    #: session is lost: the segment's drop_after when synchronous, else the channel's
    #: timeout (infinite when it has none)
    timeout: dict[str, float] = attrs.field(factory=dict)
    #: per agent touchpoint, how long an interruption may hold the agent of a resumable
    #: session idle before the agent is freed (absent: through every interruption)
    release_after: dict[str, float] = attrs.field(factory=dict)
    #: per asynchronous agent touchpoint with exchanges, its conversations
    conversations: dict[str, ConversationRT] = attrs.field(factory=dict)
    #: (touchpoint, intent index) -> every pool that serves it, in routing order
    pools_for: dict[tuple[str, int], tuple[int, ...]] = attrs.field(factory=dict)
    affinity: AffinitySpec | None = None
    #: the menu that may misroute a customer coming from self-service without hand-over
    routing: RoutingSpec | None = None
    #: stop arrivals at the horizon and follow every issue to its end
    drain: bool = False
    #: how long after the horizon a drain may go on before the run stops anyway
    drain_limit: float = 7 * 1440.0

    @property
    def end(self) -> float:
        """The simulated time a replication stops at (warm-up plus horizon)."""
        return self.warmup + self.horizon

    @property
    def has_costs(self) -> bool:
        """True when the scenario gives a cost for some channel or agent time."""
        return any(c > 0 for c in self.cost.values()) or any(
            p.cost_per_minute > 0 for p in self.pools)


def _patience(patience: Distribution | dict[str, Distribution] | None,
              ) -> dict[str, Distribution]:
    """A segment's patience per agent touchpoint: one for all, or one per channel."""
    if patience is None:
        return {}
    if isinstance(patience, dict):
        return dict(patience)
    return {name: patience for name, tp in TOUCHPOINTS.items() if not tp.self_service}


def _thresholds(scenario: Scenario) -> dict[str, float]:
    """Each channel's service-level threshold: its own, else the scenario's."""
    default = scenario.scenario.service_level_threshold
    out: dict[str, float] = {}
    for channel in CHANNELS:
        spec = scenario.channels.get(channel)
        own = spec.service_level_threshold if spec is not None else None
        out[channel] = default if own is None else own
    return out


#: On a call with an agent, the interruption rate as a fraction of the segment's ``rate``
#: when ``talking`` is not given (an assumption: a call holds attention, an app does not).
TALKING_FRACTION = 0.05


def _talk_rate(interruptions: schema.Interruptions | None) -> float:
    """Interruptions per minute on a call with an agent: ``talking``, or a fraction of
    ``rate``."""
    if interruptions is None:
        return 0.0
    if interruptions.talking is not None:
        return interruptions.talking
    return interruptions.rate * TALKING_FRACTION


def _segments(scenario: Scenario) -> tuple[SegmentRT, ...]:
    """The scenario's segments, ready for the engine."""
    return tuple(
        SegmentRT(
            name=s.name,
            starts=tuple(s.start),
            start_cum=_cumulative(list(s.start.values())),
            patience=_patience(s.patience),
            interrupt_rate=s.interruptions.rate if s.interruptions else 0.0,
            interrupt_duration=s.interruptions.duration if s.interruptions else Fixed(0.0),
            drop_after=s.interruptions.drop_after if s.interruptions else 0.0,
            max_contacts=s.max_contacts,
            frustration=s.frustration,
            devices_cum=_cumulative(list(s.devices.values())) if s.devices else (),
            talk_rate=_talk_rate(s.interruptions),
            hold_rate=s.interruptions.waiting if s.interruptions else 0.0,
            ring=s.interruptions.ring if s.interruptions else 0.0,
            missed=s.interruptions.missed if s.interruptions else "requeue",
        )
        for s in scenario.segments
    )


def _fact(scenario: Scenario, name: str) -> FactRT:
    """Fact *name* as the scenario's ``[facts.NAME]`` table describes it (or by default)."""
    spec = scenario.facts.get(name)
    if spec is None:
        return FactRT(name, Fixed(0.0), "issue")
    return FactRT(name, spec.collect, spec.scope, spec.read, spec.reauthenticate)


def _intents(scenario: Scenario) -> tuple[IntentRT, ...]:
    """The scenario's intents, with their facts' collection times, ready for the engine."""
    return tuple(
        IntentRT(
            name=i.name,
            facts=tuple(
                _fact(scenario, f)
                for f in i.facts
            ),
            handle=dict(i.handle),
            resolve={tp: i.resolve.get(tp, 1.0) for tp in TOUCHPOINTS},
            self_service={tp: (ss.success, ss.time) for tp, ss in i.self_service.items()},
            reported=i.reported,
            reported_facts=frozenset(
                i.reported_facts if i.reported_facts is not None
                else [f for f in i.facts if _scope(scenario, f) == "issue"]
            ),
            dialog=i.device_dialog,
        )
        for i in scenario.intents
    )


def _pools_for(scenario: Scenario) -> dict[tuple[str, int], tuple[int, ...]]:
    """(touchpoint, intent index) -> every pool that serves it, lower priority first."""
    order = sorted(range(len(scenario.pools)), key=lambda p: scenario.pools[p].priority)
    pools_for: dict[tuple[str, int], tuple[int, ...]] = {}
    for k, intent in enumerate(scenario.intents):
        for p in order:
            pool = scenario.pools[p]
            if pool.intents is None or intent.name in pool.intents:
                for ch in pool.channels:
                    pools_for[ch, k] = (*pools_for.get((ch, k), ()), p)
    return pools_for


def _synchronous(scenario: Scenario) -> dict[str, bool]:
    """Per touchpoint, whether its sessions are live (the channel's nature, or override)."""
    synchronous: dict[str, bool] = {}
    for name, tp in TOUCHPOINTS.items():
        spec = scenario.channels.get(tp.channel)
        override = spec.synchronous if spec is not None else None
        synchronous[name] = tp.channel in SYNCHRONOUS if override is None else override
    return synchronous


def _events(scenario: Scenario) -> tuple[EventRT, ...]:
    """The scenario's events, at absolute times (warm-up included)."""
    intent_index = {i.name: k for k, i in enumerate(scenario.intents)}
    segment_index = {s.name: k for k, s in enumerate(scenario.segments)}
    return tuple(
        EventRT(
            name=e.name,
            at=scenario.scenario.warmup + e.at,
            customers=e.customers,
            intent=intent_index[e.intent],
            segment=None if e.segment is None else segment_index[e.segment],
            discover=e.discover,
            notify=e.notify,
            notice=e.notice,
            deflect=e.deflect,
            respond=e.respond,
            known=tuple(e.known if e.known is not None
                        else scenario.intents[intent_index[e.intent]].facts),
        )
        for e in scenario.events
    )


def _conversations(scenario: Scenario) -> dict[str, ConversationRT]:
    """The agent touchpoints whose contacts are conversations of several exchanges."""
    out = {}
    for name, tp in TOUCHPOINTS.items():
        spec = scenario.channels.get(tp.channel)
        if spec is not None and spec.exchanges > 1 and not tp.self_service:
            out[name] = ConversationRT(spec.exchanges, spec.reply_gap, spec.hold_slot)
    return out


def compile_world(scenario: Scenario) -> World:
    """Build the engine's :class:`World` from a validated scenario."""
    sec = scenario.scenario
    cost = {
        name: scenario.channels[tp.channel].cost if tp.channel in scenario.channels else 0.0
        for name, tp in TOUCHPOINTS.items()
    }
    timeout = {
        name: math.inf if spec is None or spec.timeout is None else spec.timeout
        for name, tp in TOUCHPOINTS.items()
        for spec in [scenario.channels.get(tp.channel)]
    }
    return World(
        name=sec.name,
        horizon=sec.horizon,
        warmup=sec.warmup,
        thresholds=_thresholds(scenario),
        drain=sec.drain,
        rate=scenario.arrivals.rate,
        profile=tuple((p.at, p.rate) for p in scenario.arrivals.profile or ()),
        segments=_segments(scenario),
        segment_cum=_cumulative([s.share for s in scenario.segments]),
        intents=_intents(scenario),
        intent_cum=_cumulative([i.share for i in scenario.intents]),
        pools=tuple(_pool_spec(p, [i.name for i in scenario.intents]) for p in scenario.pools),
        pools_for=_pools_for(scenario),
        affinity=scenario.affinity,
        routing=scenario.routing,
        routes=routes_from(scenario.journeys, TOUCHPOINTS),
        synchronous=_synchronous(scenario),
        cost=cost,
        callback=scenario.callback,
        escalation={tp: (e.to, e.accept) for tp, e in scenario.escalation.items()},
        population=None if scenario.population is None else scenario.population.customers,
        events=_events(scenario),
        timeout=timeout,
        conversations=_conversations(scenario),
        release_after={
            name: spec.release_after for name, tp in TOUCHPOINTS.items()
            for spec in [scenario.channels.get(tp.channel)]
            if spec is not None and spec.release_after is not None
        },
    )
