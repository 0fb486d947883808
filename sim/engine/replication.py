"""One replication of one design: the SimPy processes of arrivals, issues and contacts.

An issue is a process that walks the journey graph contact by contact (DESIGN.md,
"The behaviour model", steps 1–6): self-service sessions, agent queues with patience,
conversations that collect the facts the touchpoint cannot see in its history view, and
interruptions that drop or pause a session.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator
from typing import Any

import simpy

from ..metrics.recorder import Ending, IssueState, Recorder, pool_outcomes
from ..model.channels import TOUCHPOINTS
from ..model.design import Design
from ..model.history import HistoryEvent, HistoryStore, identity
from ..model.journey import GIVE_UP
from .monitors import Monitor
from .pools import SLOT, Agent, Pool, QueueEntry
from .streams import CounterStream, Purpose, Streams
from .world import EventRT, IntentRT, SegmentRT, World, pick

__all__ = ["Replication", "simulate"]

RESOLVED = "resolved"
FAILED = "failed"
ABANDONED = "abandoned"
UNRESOLVED = "unresolved"
DROPPED = "dropped"

Proc = Generator[simpy.Event, Any, Any]


class _Draws:
    """A customer's streams, one per purpose, each made the first time it is drawn from."""

    __slots__ = ("_device", "_interrupt", "_key", "_outcome", "_patience", "_route", "_work")
    _patience: CounterStream | None
    _work: CounterStream | None
    _outcome: CounterStream | None
    _route: CounterStream | None
    _interrupt: CounterStream | None
    _device: CounterStream | None

    def __init__(self, key: int) -> None:
        self._key = key
        self._patience = self._work = self._outcome = self._route = self._interrupt = None
        self._device = None

    @property
    def patience(self) -> CounterStream:
        """Patience draws."""
        if self._patience is None:
            self._patience = CounterStream(self._key, Purpose.PATIENCE)
        return self._patience

    @property
    def work(self) -> CounterStream:
        """Handle, collection and self-service times."""
        if self._work is None:
            self._work = CounterStream(self._key, Purpose.WORK)
        return self._work

    @property
    def outcome(self) -> CounterStream:
        """Self-service success and resolution coins."""
        if self._outcome is None:
            self._outcome = CounterStream(self._key, Purpose.OUTCOME)
        return self._outcome

    @property
    def route(self) -> CounterStream:
        """Journey choices and delays."""
        if self._route is None:
            self._route = CounterStream(self._key, Purpose.ROUTE)
        return self._route

    @property
    def interrupt(self) -> CounterStream:
        """Interruption arrivals and lengths."""
        if self._interrupt is None:
            self._interrupt = CounterStream(self._key, Purpose.INTERRUPT)
        return self._interrupt


    @property
    def device(self) -> CounterStream:
        """Which device each contact starts on."""
        if self._device is None:
            self._device = CounterStream(self._key, Purpose.DEVICE)
        return self._device


class _Context:
    """What the design lets the service know of one issue, beyond its history view.

    *customer* is who the customer is; *person* who the history knows them as (the
    customer under retention, else this issue alone); *key* the identity of the
    current contact (the person seen from a device); *within* whether an agent is taking
    over in the same contact; *handed* the self-service channel and time whose view a
    hand-over passes to that agent (``None``: nothing passes); *preknown* the facts
    a linked connected device reported; *given* the (identity, fact) pairs given in
    this issue.
    """

    __slots__ = ("customer", "given", "handed", "key", "keys", "person", "preknown", "within")

    def __init__(self, customer: int, person: int, preknown: frozenset[str]) -> None:
        self.customer = customer
        self.person = person
        self.key = identity(person, 0)
        #: every identity the issue used, when it may use more than :attr:`key`
        self.keys: set[int] = set()
        self.within = False
        self.handed: tuple[str, float] | None = None
        self.preknown = preknown
        self.given: set[tuple[int, str]] = set()


_NOTHING: frozenset[str] = frozenset()

#: Offsets of the entity indexes of customers and of event issues, far above those of
#: Poisson issues, so that their streams never meet.
_CUSTOMERS = 1 << 40
_EVENTS = 1 << 41
_PER_EVENT = 1 << 24


def _succeed(event: simpy.Event) -> None:
    """Succeed *event* unless it already has."""
    if not event.triggered:
        event.succeed()


def _where_given_up(self_service: bool, outcome: str) -> Ending:
    """Where a customer who gives up after a contact with *outcome* gave up."""
    if self_service:
        return Ending.IN_SELF_SERVICE
    return Ending.IN_QUEUE if outcome == ABANDONED else Ending.AFTER_CONTACT


def _coin(p: float, draws: _Draws) -> bool:
    """True with probability *p*; certain outcomes draw nothing (the same in every design)."""
    if p >= 1.0:
        return True
    if p <= 0.0:
        return False
    return draws.outcome.random() < p


def arrival_times(world: World, unit_exponentials: Iterator[float]) -> Iterator[float]:
    """Poisson arrival times up to the end of the run, constant rate or daily profile.

    Each arrival consumes one unit exponential, spent against the integrated rate, so the
    times are exact for a piecewise-constant profile and the same under every design.
    """
    end = world.end
    t = 0.0
    if world.rate is not None:
        rate = world.rate
        for e in unit_exponentials:
            t += e / rate
            if t >= end:
                return
            yield t
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


class Replication:
    """The processes and state of one replication of one design."""

    def __init__(
        self,
        world: World,
        design: Design,
        streams: Streams,
        monitor: Monitor | None = None,
        trace: list[tuple[int, int, str, float, tuple[str, ...]]] | None = None,
    ) -> None:
        self.world = world
        self.monitor = monitor
        #: when a list, every conversation is appended as (customer, issue, channel,
        #: time, facts needed) — the input of :func:`sim.model.history.count_repetitions`
        self.trace = trace
        self.design = design
        self.streams = streams
        self.env = simpy.Environment()
        self.history = HistoryStore(design.topology)
        self.recorder = Recorder(world.warmup, world.end, world.thresholds)
        self.pools = [Pool(self.env, spec, world.warmup, world.end) for spec in world.pools]
        # with a finite population: per customer, the customer-scope facts given so far,
        # and under which identities
        self._customer_given: dict[int, set[str]] = {}
        self._customer_keys: dict[int, set[tuple[int, str]]] = {}
        #: (touchpoint, intent index) -> the pools that can serve it, in routing order
        self._routes = {key: tuple(self.pools[p] for p in ps)
                        for key, ps in world.pools_for.items()}
        self._affinity = world.affinity if design.affinity else None
        self._in_flight = 0  # issues started and not ended
        #: under a drain, succeeds when the last issue ends after the horizon
        self._drained: simpy.Event | None = None

    def run(self) -> dict[str, float]:
        """Simulate to the horizon and return the outcomes."""
        self.env.process(self._arrivals())
        for e, event in enumerate(self.world.events):
            self.env.process(self._event(e, event))
        world = self.world
        self.env.run(until=world.end)
        if world.drain and self._in_flight:
            drained = self._drained = self.env.event()
            self.env.timeout(world.drain_limit).callbacks.append(lambda _: _succeed(drained))
            self.env.run(until=drained)
        for pool in self.pools:
            pool.finish()
        rec = self.recorder
        if self.monitor is not None:
            self.monitor.ended(rec.issues, rec.resolved, rec.abandoned, len(rec.live),
                               self.env.now)
        self._open_at: dict[str, int] = {}
        for issue in rec.live:
            self._open_at[issue.touchpoint] = self._open_at.get(issue.touchpoint, 0) + 1
        rec.close()
        horizon = world.horizon
        busy = sum(p.busy_area for p in self.pools)
        staffed = sum(p.staffed(horizon) for p in self.pools)
        callback = world.callback is not None
        out = rec.outcomes(busy, staffed, world.has_costs, callback)
        out.update(pool_outcomes(self.pools, horizon))
        out.update(rec.breakdown(self._names, world.has_costs, callback))
        out.update(self._hourly_utilization())
        return out

    @property
    def _names(self) -> dict[str, list[str]]:
        return {"segment": [s.name for s in self.world.segments],
                "intent": [i.name for i in self.world.intents]}

    def _hourly_utilization(self) -> dict[str, float]:
        """``by.hour.HH.agent_utilization`` over every pool, from the 15-minute slots."""
        busy: dict[int, float] = {}
        staffed: dict[int, float] = {}
        start, end = self.world.warmup, self.world.end
        for pool in self.pools:
            for k, area in enumerate(pool.busy_slots):
                a = start + k * SLOT
                b = min(a + SLOT, end)
                hour = int(a % 1440.0 // 60.0)
                busy[hour] = busy.get(hour, 0.0) + area
                staffed[hour] = staffed.get(hour, 0.0) + pool.staffed_between(a, b)
        return {f"by.hour.{h:02d}.agent_utilization": (busy[h] / staffed[h] if staffed[h]
                                                        else math.nan)
                for h in sorted(busy)}

    def details(self) -> dict[str, Any]:
        """What the figures need beyond the outcomes (call after :meth:`run`).

        ``series``: per pool and slot of :data:`~sim.engine.pools.SLOT` minutes, the mean
        busy agents and mean contacts waiting; ``flows``: journey steps of the measured
        issues (open ones end in ``"open"``); ``ttr_quantiles``: the time to resolution at
        quantiles 0.01 … 0.99.
        """
        series = [
            (p.spec.name, self.world.warmup + k * SLOT,
             busy / min(SLOT, self.world.end - self.world.warmup - k * SLOT),
             queue / min(SLOT, self.world.end - self.world.warmup - k * SLOT))
            for p in self.pools
            for k, (busy, queue) in enumerate(zip(p.busy_slots, p.queue_slots, strict=True))
        ]
        flows = dict(self.recorder.flows)
        for tp, count in self._open_at.items():
            flows[tp, "open"] = flows.get((tp, "open"), 0) + count
        qs = [i / 100 for i in range(1, 100)]
        return {"series": series, "flows": flows,
                "ttr_quantiles": list(zip(qs, self.recorder.ttr_quantiles(qs), strict=True))}

    def _arrivals(self) -> Proc:
        env = self.env
        for index, t in enumerate(arrival_times(self.world, self.streams.unit_exponentials())):
            yield env.timeout(t - env.now)
            env.process(self._issue(index))

    def _event(self, e: int, event: EventRT) -> Proc:
        """At the event's time, start the issues of every customer it touches."""
        env = self.env
        if event.at >= self.world.end:
            return
        yield env.timeout(event.at - env.now)
        base = _EVENTS + e * _PER_EVENT
        for j in range(event.customers):
            env.process(self._issue(base + j, event))

    def _issue(self, index: int, event: EventRT | None = None) -> Proc:
        env, world, design = self.env, self.world, self.design
        key = self.streams.key(index)
        profile = CounterStream(key, Purpose.PROFILE)
        person, who = index, profile
        if world.population is not None:  # one of a finite set of customers comes back
            person = min(int(profile.random() * world.population), world.population - 1)
            who = CounterStream(self.streams.key(_CUSTOMERS + person), Purpose.PROFILE)
        if event is not None and event.segment is not None:
            s = event.segment
        else:
            s = pick(world.segment_cum, who.random()) if len(world.segment_cum) > 1 else 0
        if event is not None:
            k = event.intent
        else:
            k = pick(world.intent_cum, profile.random()) if len(world.intent_cum) > 1 else 0
        segment, intent = world.segments[s], world.intents[k]
        starts = segment.start_cum
        tp = segment.starts[pick(starts, profile.random()) if len(starts) > 1 else 0]
        reported = intent.reported > 0 and profile.random() < intent.reported
        recorder = self.recorder
        issue = IssueState(index, s, k, env.now, env.now >= world.warmup,
                           TOUCHPOINTS[event.notify if event is not None and design.proactive
                                       and event.notify is not None else tp].channel)
        self._in_flight += 1
        recorder.issue_arrived(issue)
        ctx = _Context(person, person if design.retention else index,
                       intent.reported_facts if reported and design.mesh else _NOTHING)
        if world.population is not None:
            issue.given |= self._customer_given.get(person, set())
        draws = _Draws(key)
        first_device: int | None = None
        if event is not None:
            if design.proactive and event.notify is not None:
                notified = yield from self._notify(issue, ctx, event, draws)
                if notified:
                    self._ended(issue, Ending.RESOLVED)
                    self._forget(ctx)
                    return
                tp, first_device = event.notify, 0  # the reply, on the notified device
            else:
                recorder.flow(issue, "arrival", "event")
                yield env.timeout(event.discover.sample(draws.route))
                recorder.flow(issue, "event", tp)
        if event is None:
            recorder.flow(issue, "arrival", tp)
        monitor = self.monitor
        device = first_device
        previous = None
        ending = Ending.IN_SELF_SERVICE
        linked = design.mesh or not segment.devices_cum
        keys = ctx.keys
        if not linked:
            keys.add(ctx.key)
        while issue.contacts < segment.max_contacts:
            issue.contacts += 1
            if monitor is not None:
                monitor.contact_started(issue.index, issue.arrived, env.now)
            touch = TOUCHPOINTS[tp]
            issue.touchpoint = tp
            if not ctx.within:  # a new contact, not an agent taking over within one
                if not linked:
                    if device is None:
                        device = pick(segment.devices_cum, draws.device.random())
                    ctx.key = identity(ctx.person, device)
                    keys.add(ctx.key)
                    device = None
                if previous is not None and touch.channel != previous:
                    issue.switches += 1
            previous = touch.channel
            issue.cost += world.cost[tp]
            if touch.self_service:
                outcome, extra = yield from self._self_service(issue, ctx, segment, intent, tp,
                                                               draws)
            else:
                outcome, extra = yield from self._assisted(issue, ctx, segment, intent, tp,
                                                           draws)
            ctx.within, ctx.handed = False, None
            if outcome == RESOLVED:
                ending = Ending.RESOLVED
                recorder.flow(issue, tp, RESOLVED)
                break
            if outcome != DROPPED:
                issue.failures += 1
            escalate = world.escalation.get(tp) if outcome == FAILED and design.escalation \
                else None
            route = None
            if escalate is not None and _coin(escalate[1], draws):
                target, transfer = escalate[0], True
            else:
                route = world.routes[tp, outcome]
                target = route.targets[0] if len(route.targets) == 1 else route.pick(
                    draws.route.random()
                )
                transfer = route.transfer and target in TOUCHPOINTS
            if target == GIVE_UP or issue.contacts >= segment.max_contacts:
                recorder.flow(issue, tp, ABANDONED)
                ending = _where_given_up(touch.self_service, outcome)
                break  # gave up, or out of tolerance for effort
            recorder.flow(issue, tp, target)
            issue.touchpoint = target  # open at the horizon while on the way: counted there
            if transfer:  # on the spot, with the self-service view if the design hands over
                ctx.within = True
                if design.handover:
                    ctx.handed = (touch.channel, env.now)
            else:
                assert route is not None  # only an escalation moves without a route
                delay = extra + route.delay.sample(draws.route)
                if delay > 0:
                    yield env.timeout(delay)
            tp = target
        self._ended(issue, ending)
        if ctx.given or event is not None:  # else nothing was written about them
            self._forget(ctx)

    def _ended(self, issue: IssueState, ending: Ending) -> None:
        """Count *issue* as ended; under a drain, the last one to end stops the run."""
        self.recorder.issue_ended(issue, ending, self.env.now)
        self._in_flight -= 1
        if not self._in_flight and self._drained is not None:
            _succeed(self._drained)

    def _notify(self, issue: IssueState, ctx: _Context, event: EventRT, draws: _Draws) -> Proc:
        """Notify a customer an event touched: True when that settles the issue.

        Otherwise the notification has put the facts it carries into the history of its
        channel, and the customer replies there after a response time.
        """
        env, recorder = self.env, self.recorder
        assert event.notify is not None
        if event.notice > 0:
            yield env.timeout(event.notice)
        recorder.flow(issue, "arrival", "notified")
        if _coin(event.deflect, draws):
            recorder.flow(issue, "notified", RESOLVED)
            return True
        channel = TOUCHPOINTS[event.notify].channel
        for fact in event.known:
            self._write(HistoryEvent(ctx.key, issue.index, fact, channel, env.now), channel)
        recorder.flow(issue, "notified", event.notify)
        delay = event.respond.sample(draws.route)
        if delay > 0:
            yield env.timeout(delay)
        return False

    def _forget(self, ctx: _Context) -> None:
        if not self.design.retention:  # nobody will recognise this customer again
            for key in ctx.keys or (ctx.key,):
                self.history.forget(key)

    def _self_service(self, issue: IssueState, ctx: _Context, segment: SegmentRT,
                      intent: IntentRT, tp: str, draws: _Draws) -> Proc:
        if tp not in intent.self_service:
            return FAILED, 0.0  # this touchpoint cannot serve the intent: it fails at once
        success, time = intent.self_service[tp]
        base = time.sample(draws.work)
        collect = [f.collect.sample(draws.work) for f in intent.facts]
        done, extra = yield from self._converse(issue, ctx, segment, intent, tp, collect, base,
                                                1.0, draws.interrupt)
        if not done:
            return DROPPED, extra
        return (RESOLVED if _coin(success, draws) else FAILED), 0.0

    def _assisted(self, issue: IssueState, ctx: _Context, segment: SegmentRT, intent: IntentRT,
                  tp: str, draws: _Draws) -> Proc:
        """Queue for an agent, then hold the session: the contact's outcome."""
        env, recorder = self.env, self.recorder
        entered = env.now
        pool, agent, called_back = yield from self._queue(issue, segment, intent, tp, draws)
        channel = TOUCHPOINTS[tp].channel
        if agent is None:
            recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, False)
            return ABANDONED, 0.0
        if called_back:
            assert self.world.callback is not None
            answered = not _coin(self.world.callback.unreachable, draws)
            recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, answered,
                                callback=True)
            if not answered:  # the agent's attempt, then the issue goes on as abandoned
                yield env.timeout(self.world.callback.attempt)
                self._release(issue, pool, agent, tp, self.world.callback.attempt)
                return ABANDONED, 0.0
        else:
            recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, True)
        spec = pool.spec
        if self.monitor is not None:
            self.monitor.waited(issue.index, entered, env.now)
            self.monitor.assigned(
                issue.index, spec.name, agent.sessions, spec.concurrency.get(tp, 1),
                spec.serves(tp, intent.name), env.now, on_shift=agent.on_shift,
            )
        resolve = intent.resolve[tp]
        if self._affinity is not None:
            where = (self.pools.index(pool), agent.index)
            if issue.last_agent == where:
                resolve = min(1.0, resolve + self._affinity.bonus)
            issue.last_agent = where
        factor = 1.0 + spec.penalty * (agent.sessions - 1)
        base = intent.handle[tp].sample(draws.work)
        started = env.now
        if not intent.facts and segment.interrupt_rate <= 0:  # a plain queue: one timeout
            if base > 0:
                yield env.timeout(base * factor)
            done, extra = True, 0.0
        else:
            collect = [f.collect.sample(draws.work) for f in intent.facts]
            done, extra = yield from self._converse(issue, ctx, segment, intent, tp, collect,
                                                    base, factor, draws.interrupt)
        self._release(issue, pool, agent, tp, env.now - started)
        recorder.session_ended(issue, spec.name, channel, started, env.now - started)
        if not done:
            return DROPPED, extra
        if self.monitor is not None:
            self.monitor.session(issue.index, started, env.now)
        if resolve != intent.resolve[tp] and 0.0 < intent.resolve[tp] < 1.0:
            # the same coin as without the bonus, so that the draws stay paired
            return (RESOLVED if draws.outcome.random() < resolve else UNRESOLVED), 0.0
        return (RESOLVED if _coin(resolve, draws) else UNRESOLVED), 0.0

    def _release(self, issue: IssueState, pool: Pool, agent: Agent, tp: str,
                 minutes: float) -> None:
        """End *agent*'s session, charging its share of *minutes* of agent time to *issue*.

        A session on a channel of concurrency *c* holds 1/*c* of the agent.
        """
        pool.release(agent, tp)
        used = minutes * pool.share[tp]
        issue.agent_minutes += used
        issue.agent_cost += used * pool.spec.cost_per_minute

    def _queue(self, issue: IssueState, segment: SegmentRT, intent: IntentRT, tp: str,
               draws: _Draws) -> Proc:
        """Wait for an agent: ``(pool, agent, called back)``, the agent ``None`` if it left.

        The patience is the segment's on this channel, shortened by frustration.
        """
        env = self.env
        pools = self._routes[tp, issue.intent]
        pool = pools[0]
        patience = math.inf
        dist = segment.patience.get(tp)
        if dist is not None:
            patience = dist.sample(draws.patience)
            if segment.frustration:
                patience *= (1.0 - segment.frustration) ** (issue.repetitions + issue.failures)
        entered = env.now
        last = None if self._affinity is None else self._last_agent(issue, pools)
        if last is not None:
            pool = last[0]
            agent = last[1] if pool.try_assign_to(last[1], tp) else None
        elif len(pools) == 1:
            agent = pool.try_assign(tp)
        else:
            for pool in pools:
                agent = pool.try_assign(tp)
                if agent is not None:
                    break
        if agent is not None:
            pool.waited(entered, env.now)
            return pool, agent, False
        entry = QueueEntry(env.event(), tp, entered, issue.intent, pools)
        if last is not None:  # wait for the last agent first, then for anyone
            assert self.world.affinity is not None
            last[0].hold(entry, last[1])
            env.timeout(self.world.affinity.wait).callbacks.append(entry.stop_holding)
        elif len(pools) == 1:
            pool.enqueue(entry)
        else:
            for queue in pools:
                queue.enqueue(entry)
        called_back = self._takes_callback(pools[0], intent, tp, draws)
        if patience < math.inf and not called_back:  # on a call back, no one holds
            env.timeout(patience).callbacks.append(entry.renege)
        agent = yield entry.event
        entry.settle(env.now)
        return (pools[0] if entry.pool is None else entry.pool), agent, called_back

    def _last_agent(self, issue: IssueState, pools: tuple[Pool, ...]) -> tuple[Pool, Agent] | None:
        """The agent who handled the issue's last assisted contact, if affinity routes to them.

        Only under a design with affinity and a scenario with an ``[affinity]`` table, when
        that agent's pool can serve this contact and the agent is on shift.
        """
        if self._affinity is None or issue.last_agent is None:
            return None
        p, a = issue.last_agent
        pool = self.pools[p]
        agent = pool.agents[a]
        if pool not in pools or not agent.on_shift:
            return None
        return pool, agent

    def _takes_callback(self, pool: Pool, intent: IntentRT, tp: str, draws: _Draws) -> bool:
        """Whether a customer joining *pool*'s queue is offered a call back and takes it.

        The expected wait is the work ahead (those waiting, and this contact) over the
        pool's session capacity now, at the intent's mean handle time on *tp*.
        """
        spec = self.world.callback
        if spec is None or not self.design.callback:
            return False
        capacity = pool.headcount * pool.spec.concurrency.get(tp, 1)
        expected = pool.waiting * intent.handle[tp].mean / capacity if capacity else math.inf
        return expected > spec.offer_after and _coin(spec.accept, draws)

    def _converse(
        self,
        issue: IssueState,
        ctx: _Context,
        segment: SegmentRT,
        intent: IntentRT,
        tp: str,
        collect: list[float],
        base: float,
        factor: float,
        rng: CounterStream,
    ) -> Proc:
        """Ask for every fact the touchpoint cannot see, then do the work of the contact.

        Returns ``(True, 0)`` when the session completed, ``(False, rest)`` when an
        interruption dropped it (*rest*: how long the customer stays away).
        """
        env, history, monitor = self.env, self.history, self.monitor
        channel = TOUCHPOINTS[tp].channel
        key, preknown, handed = ctx.key, ctx.preknown, ctx.handed
        if self.trace is not None:
            self.trace.append((key, issue.index, channel, env.now,
                               tuple(f.name for f in intent.facts if f.name not in preknown)))
        for fact, minutes in zip(intent.facts, collect, strict=True):
            name = fact.name
            if name in preknown or history.knows(channel, key, issue.index, name, env.now):
                continue
            if handed is not None and history.knows(handed[0], key, issue.index, name,
                                                     handed[1]):
                continue
            repeated = name in issue.given
            if repeated:
                issue.repetitions += 1
            if monitor is not None:  # the check: asked again of the very same identity
                again = (key, name) in ctx.given or (key, name) in self._customer_keys.get(
                    ctx.customer, ())
                monitor.asked(issue.index, name, again, env.now)
            done, extra = yield from self._spend(minutes * factor, segment, tp, rng, issue)
            if not done:
                return False, extra
            self._write(HistoryEvent(key, issue.index, name, channel, env.now, fact.scope),
                        channel)
            issue.given.add(name)
            ctx.given.add((key, name))
            if fact.scope == "customer" and self.world.population is not None:
                self._customer_given.setdefault(ctx.customer, set()).add(name)
                if monitor is not None:  # only the continuity check reads it
                    self._customer_keys.setdefault(ctx.customer, set()).add((key, name))
        return (yield from self._spend(base * factor, segment, tp, rng, issue))

    def _write(self, event: HistoryEvent, channel: str) -> None:
        """Append *event* to the history (checked for read-your-writes under a monitor)."""
        if self.monitor is None:
            self.history.append(event)
        else:
            self._checked_append(event, channel)

    def _checked_append(self, event: HistoryEvent, channel: str) -> None:
        """Append *event* and check that the writer reads it back (read-your-writes)."""
        assert self.monitor is not None
        try:
            self.history.append(event)
        except ValueError as e:
            self.monitor.history_written(event.customer, False, event.at, str(e))
            return
        seen = self.history.knows(channel, event.customer, event.issue, event.fact, event.at)
        self.monitor.history_written(
            event.customer, seen, event.at,
            f"fact {event.fact!r} written on {channel!r} is not visible to {channel!r}",
        )

    def _spend(
        self, minutes: float, segment: SegmentRT, tp: str, rng: CounterStream, issue: IssueState
    ) -> Proc:
        """Spend *minutes* of session time, through the customer's interruptions."""
        env = self.env
        rate = segment.interrupt_rate
        if rate <= 0:
            if minutes > 0:
                yield env.timeout(minutes)
            return True, 0.0
        limit = math.inf if self.design.resumable else (
            segment.drop_after if self.world.synchronous[tp] else self.world.timeout[tp])
        while minutes > 0:
            gap = rng.expovariate(rate)
            if gap >= minutes:
                yield env.timeout(minutes)
                break
            yield env.timeout(gap)
            minutes -= gap
            length = segment.interrupt_duration.sample(rng)
            dropped = length > limit
            if self.monitor is not None:
                self.monitor.interrupted(issue.index, dropped, len(issue.given), env.now)
            if dropped:
                yield env.timeout(limit)
                return False, length - limit
            yield env.timeout(length)
        return True, 0.0


def simulate(
    world: World, design: Design, seed: int, replication: int, monitor: Monitor | None = None
) -> dict[str, float]:
    """Run replication *replication* of *design* and return its outcomes.

    With a *monitor*, the continuity invariants are checked while it runs.
    """
    return Replication(world, design, Streams(seed, replication), monitor).run()
