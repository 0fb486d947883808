"""The contacts of an issue: a self-service session, and an agent queue then session.

Both collect the facts the touchpoint cannot see in its history view (repetitions when
the customer gave them before) and do the contact's work through the customer's
interruptions.
"""

from __future__ import annotations

import math
from math import inf as _INF
from math import log as _log
from typing import Any

import simpy

from ..metrics.recorder import IssueState
from ..model.channels import CHANNELS, TOUCHPOINTS
from ..model.history import HistoryEvent
from .pools import Agent, Pool, QueueEntry
from .routing import Routing, patience_for, plain_request
from .state import (
    ABANDONED,
    DROPPED,
    FAILED,
    RESOLVED,
    UNRESOLVED,
    ContactOutcome,
    Context,
    Draws,
    Proc,
    Seat,
    Sleep,
    coin,
)
from .streams import Stream
from .world import FactRT, IntentRT, SegmentRT

__all__ = ["CALLS", "READ_FRACTION", "Contacts"]

#: An agent's time to read a fact from the history, a hand-over or a device report, as a
#: fraction of the time to collect it from the customer, when ``[facts.X] read`` is not
#: given (an assumption: a glance at a screen against a question, an answer and a check).
READ_FRACTION = 0.1

#: Agent touchpoints where the customer talks with the agent: interruptions come at the
#: segment's ``talking`` rate there.
CALLS = frozenset({"voice", "video"})


class Contacts(Routing):
    """The part of a replication that runs one contact."""

    def _self_service(self, issue: IssueState, ctx: Context, segment: SegmentRT,
                      intent: IntentRT, tp: str, draws: Draws) -> Proc:
        """A self-service session: the contact's outcome and, if dropped, the time away."""
        offered = intent.self_service.get(tp)
        if offered is None:
            return FAILED, 0.0  # this touchpoint cannot serve the intent at all
        success, time = offered
        work = draws.work
        base = time.sample(work)
        collect = [f.collect.sample(work) for f in intent.facts]
        done, extra = yield from self._converse(issue, ctx, segment, intent, tp, collect, base,
                                                None, draws.interrupt)
        if not done:
            return DROPPED, extra
        return (RESOLVED if coin(success, draws) else FAILED), 0.0

    def _assisted(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
                  tp: str, draws: Draws, call_back: bool = False) -> Proc:
        """Queue for an agent, then hold the session: the contact's outcome.

        A customer away on hold when the agent answers misses the answer; the contact then
        queues again (*call_back*: as a call back) or is abandoned, as the segment says.
        """
        env = self.env
        entered = env.now
        # as _queue, without its generator: a contact in a queue holds a frame less
        where, agent, called_back = self._join(issue, segment, intent, tp, draws, call_back)
        if isinstance(where, QueueEntry):  # (narrows the type without a call to cast)
            agent = yield where.event  # type: ignore[misc]  # a WalkAnswer: the walk reads it
            pool = self._left(where)
        else:
            pool = where
        missed = (agent is not None and not called_back and segment.hold_rate > 0
                  and self._away(segment, entered, draws))
        if agent is not None and not called_back and not missed:  # as _answered, at once
            self.recorder.queue_left(issue, pool.spec.name, TOUCHPOINTS[tp].channel, entered,
                                     env.now, True)
            answered = True
        else:
            answered = yield from self._answered(issue, pool, agent, called_back, entered, tp,
                                                 draws, missed)
        if missed and segment.missed != "abandon":
            again = segment.missed == "callback" and self._can_call_back()
            return (yield from self._assisted(issue, ctx, segment, intent, tp, draws, again))
        if not answered:
            return ABANDONED, 0.0
        assert agent is not None
        if self.monitor is not None:
            self._monitor_assigned(issue, intent, tp, pool, agent, entered)
        if self.world.routing is not None and self._misrouted(ctx, draws):
            return (yield from self._transfer(issue, ctx, segment, intent, tp, draws, pool,
                                              agent))
        return (yield from self._session(issue, ctx, segment, intent, tp, draws, pool, agent))

    def _monitor_assigned(self, issue: IssueState, intent: IntentRT, tp: str, pool: Pool,
                          agent: Agent, entered: float) -> None:
        """Tell the monitor a contact that waited since *entered* got *agent* now."""
        assert self.monitor is not None
        self.monitor.took(issue.index, entered, pool.spec, agent, tp, intent.name, self.env.now)

    def _assisted_by(self, issue: IssueState, segment: SegmentRT, intent: IntentRT,
                     tp: str) -> Any:
        """The process of an assisted contact at *tp*: :meth:`_plain` where it does what
        :meth:`_assisted` would, else :meth:`_assisted`."""
        plain = self._is_plain(issue.segment, issue.intent, tp)
        return self._plain if plain else self._assisted

    def _is_plain(self, s: int, k: int, tp: str) -> bool:
        """Whether assisted contacts at *tp* of segment *s*, intent *k* are plain: no
        facts, interruptions, hold, conversation, call back, affinity or misrouting."""
        key = (s, k, tp)
        plain = self._plain_at.get(key)
        if plain is None:
            world, design = self.world, self.design
            segment, intent = world.segments[s], world.intents[k]
            rate = segment.talk_rate if tp in CALLS else segment.interrupt_rate
            plain = self._plain_at[key] = (
                self._affinity is None and not intent.facts
                and rate <= 0 and segment.hold_rate <= 0 and tp not in world.conversations
                and (world.callback is None or not design.callback)
                and (world.routing is None or world.routing.misroute <= 0))
        return plain

    def _plain(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
               tp: str, draws: Draws) -> Proc:
        """:meth:`_assisted` (with :meth:`_queue` and :meth:`_session`) in one generator,
        for a plain contact: no facts, interruptions, hold, conversation, call back,
        affinity or misrouting. The same draws, events and counts."""
        env = self.env
        entered = env.now
        pools = self._routes[tp, issue.intent]
        got = plain_request(env, pools, tp, entered, issue.intent,
                            patience_for(segment, tp, issue, draws.patience))
        if isinstance(got, QueueEntry):
            agent = yield got.event  # type: ignore[misc]  # a WalkAnswer: the walk reads it
            got.settle(env.now)
            pool = pools[0] if got.pool is None else got.pool
        else:
            pool, agent = got
        channel = TOUCHPOINTS[tp].channel
        self.recorder.queue_left(issue, pool.spec.name, channel, entered, env.now,
                                 agent is not None)
        if agent is None:
            return ABANDONED, 0.0
        if self.monitor is not None:
            self._monitor_assigned(issue, intent, tp, pool, agent, entered)
        base = intent.handle[tp].sample(draws.work)
        started = env.now
        if base > 0:  # (without a penalty, the sleep pool.work's timeout stands for)
            yield (base, 0.0) if pool.penalty <= 0 else pool.work(agent, base)
        now = env.now
        self._release(issue, pool, agent, tp, now - started)
        self.recorder.session_done(issue, pool.spec.name, channel, started, now - started)
        if self.monitor is not None:
            self.monitor.session(issue.index, started, now)
        return self._settle(intent.resolve[tp], intent, tp, draws), 0.0

    def _misrouted(self, ctx: Context, draws: Draws) -> bool:
        """Whether the menu sends this contact to the wrong agent.

        Only a contact that follows a self-service session without a hand-over can be
        misrouted (with a hand-over the self-service context carries the intent).
        """
        routing = self.world.routing
        if routing is None or routing.misroute <= 0 or not ctx.from_self_service:
            return False
        if ctx.handed is not None:
            return False
        return draws.misroute.random() < routing.misroute

    def _transfer(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
                  tp: str, draws: Draws, pool: Pool, agent: Agent) -> Proc:
        """A misrouted contact: the wrong agent asks what it cannot see, spends the transfer
        time and transfers; the customer waits again for the right agent.

        What the customer told the wrong agent reaches the right one only under a history
        that one store holds for every channel; otherwise it is asked again (repetitions).
        """
        env, routing = self.env, self.world.routing
        assert routing is not None
        started = env.now
        collect = [f.collect.sample(draws.work) for f in intent.facts]
        reads = [c * READ_FRACTION if f.read is None else f.read.sample(draws.work)
                 for f, c in zip(intent.facts, collect, strict=True)]
        worker = Seat(pool, agent, started, draws)
        ctx.unnoted = not any(g >= frozenset(CHANNELS) for g in self.design.topology.groups)
        done, extra = yield from self._converse(issue, ctx, segment, intent, tp, collect,
                                                routing.transfer.sample(draws.work), worker,
                                                draws.interrupt, reads)
        ctx.unnoted = False
        self._release(issue, pool, agent, tp, env.now - started)
        self.recorder.session_ended(issue, pool.spec.name, TOUCHPOINTS[tp].channel, started,
                                    env.now - started, not done)
        if not done:
            return DROPPED, extra
        issue.transfers += 1
        ctx.within, ctx.from_self_service = True, False  # the same call, to the right agent
        return (yield from self._assisted(issue, ctx, segment, intent, tp, draws))

    def _away(self, segment: SegmentRT, entered: float, draws: Draws) -> bool:
        """Whether an interruption on hold, since *entered*, keeps the customer away now."""
        rate = segment.hold_rate
        if rate <= 0:
            return False
        now, rng = self.env.now, draws.hold
        t = entered + rng.expovariate(rate)
        while t <= now:
            if t + segment.interrupt_duration.sample(rng) > now:
                return True
            t += rng.expovariate(rate)
        return False

    def _answered(self, issue: IssueState, pool: Pool, agent: Agent | None, called_back: bool,
                  entered: float, tp: str, draws: Draws, missed: bool = False) -> Proc:
        """Record the queue entry's end: True when the customer is now with the agent.

        An unanswered call back costs the agent its attempt; an answer the customer
        *missed* (away on hold) costs the agent the segment's ring time.
        """
        env, recorder = self.env, self.recorder
        channel = TOUCHPOINTS[tp].channel
        if agent is None:
            recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, False)
            return False
        if not called_back:
            recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, not missed)
            if missed:
                ring = self.world.segments[issue.segment].ring
                yield ring, None  # a sleep of the walk (env.timeout(ring))
                self._release(issue, pool, agent, tp, ring)
            return not missed
        callback = self.world.callback
        assert callback is not None
        answered = not coin(callback.unreachable, draws)
        recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, answered,
                            callback=True)
        if not answered:  # the agent's attempt, then the issue goes on as abandoned
            yield callback.attempt, None  # a sleep of the walk
            self._release(issue, pool, agent, tp, callback.attempt)
        return answered

    def _can_call_back(self) -> bool:
        """Whether the service can turn a missed answer into a call back."""
        return self.design.callback and self.world.callback is not None

    def _session(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
                 tp: str, draws: Draws, pool: Pool, agent: Agent) -> Proc:
        """The agent's session: collect what it cannot see, work, then resolve or not."""
        env = self.env
        resolve = (intent.resolve[tp] if self._affinity is None
                   else self._resolve_with(issue, intent, tp, pool, agent, ctx.customer))
        work = draws.work
        base = intent.handle[tp].sample(work)
        seat = ctx.seat = Seat(pool, agent, env.now, draws)
        rate = segment.talk_rate if tp in CALLS else segment.interrupt_rate
        if not intent.facts and rate <= 0:  # a plain queue: the work alone
            if base > 0:  # (without a penalty, the sleep pool.work's timeout stands for)
                yield (base, 0.0) if pool.penalty <= 0 else pool.work(agent, base)
            done, extra = True, 0.0
        else:
            collect = [f.collect.sample(work) for f in intent.facts]
            reads = [c * READ_FRACTION if f.read is None else f.read.sample(work)
                     for f, c in zip(intent.facts, collect, strict=True)]
            done, extra = yield from self._converse(issue, ctx, segment, intent, tp, collect,
                                                    base, seat, draws.interrupt, reads)
        ctx.seat = None
        if seat.agent is not None:  # else it left the queue while waiting to resume
            self._end_seat(issue, seat, tp, not done)
        if not done:
            return DROPPED, extra
        if self.monitor is not None:
            self.monitor.session(issue.index, seat.started, env.now)
        self.recorder.conversation(issue, pool.spec.name, TOUCHPOINTS[tp].channel,
                                   seat.started, 1)
        return self._settle(resolve, intent, tp, draws), 0.0

    def _settle(self, resolve: float, intent: IntentRT, tp: str,
                draws: Draws) -> ContactOutcome:
        """Whether a completed session resolved the issue, with probability *resolve*."""
        if resolve != intent.resolve[tp] and 0.0 < intent.resolve[tp] < 1.0:
            # the same coin as without the bonus, so that the draws stay paired
            resolved = draws.outcome.random() < resolve
        else:
            resolved = coin(resolve, draws)
        return RESOLVED if resolved else UNRESOLVED

    def _resolve_with(self, issue: IssueState, intent: IntentRT, tp: str, pool: Pool,
                      agent: Agent, customer: int) -> float:
        """The session's resolution probability: with the affinity bonus for the last agent.

        Under affinity, counts a follow-up contact (one with a last agent to go back to)
        and notes *agent* as the issue's last agent, and under retention as *customer*'s.
        """
        resolve = intent.resolve[tp]
        if self._affinity is None:
            return resolve
        where = (self.pools.index(pool), agent.index)
        if issue.last_agent is not None:
            self.recorder.follow_up(issue, pool.spec.name, TOUCHPOINTS[tp].channel,
                                    self.env.now, issue.last_agent == where)
        if issue.last_agent == where:
            resolve = min(1.0, resolve + self._affinity.bonus)
        issue.last_agent = where
        if self.design.retention and self.world.population is not None:  # for the next issue
            self._customer_agent[customer] = where
        return resolve

    def _release(self, issue: IssueState, pool: Pool, agent: Agent, tp: str,
                 minutes: float) -> None:
        """End *agent*'s session, charging its share of *minutes* of agent time to *issue*.

        A session on a channel of concurrency *c* holds 1/*c* of the agent.
        """
        pool.release(agent, tp)
        self._charge(issue, pool, tp, minutes)
        if self.recorder.records is not None:
            self.recorder.records.agent(issue, pool.spec.name, agent.index)

    def _charge(self, issue: IssueState, pool: Pool, tp: str, minutes: float) -> None:
        """Charge *issue* its share of *minutes* of a session of *pool* on *tp*."""
        used = minutes * pool.share[tp]
        issue.agent_minutes += used
        issue.agent_cost += used * pool.spec.cost_per_minute

    def _converse(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
                  tp: str, collect: list[float], base: float, worker: Seat | None, rng: Stream,
                  reads: list[float] | None = None) -> Proc:
        """Ask for every fact the touchpoint cannot see, then do the work of the contact.

        Collecting a fact the customer gave before in this issue counts a repetition (a
        fact collected to re-authenticate a new call is asked whatever the history holds,
        so it is never one); once given, it is written to the channel's history.
        *reads* are an agent's times to read each fact it can see (``None`` in
        self-service, where reading costs nothing); they are spent with the work.
        *worker* is the agent session doing the work (``None`` in self-service): its
        agent drains it at the agent's processor-sharing rate.
        Returns ``(True, 0)`` when the session completed, ``(False, rest)`` when an
        interruption dropped it (*rest*: how long the customer stays away).
        """
        fresh = reads is not None and not ctx.within  # a new agent contact
        if self.trace is not None and not ctx.unnoted:
            self._trace(issue, ctx, intent, tp, fresh)
        # each stretch of work is one event here: _spend (a layer more) only after the
        # customer is interrupted
        rate = segment.talk_rate if tp in CALLS else segment.interrupt_rate
        read, channel = 0.0, TOUCHPOINTS[tp].channel
        records, knows, env = self.recorder.records, self.history.knows, self.env
        hooked = records is not None or self.monitor is not None
        # the same all through the contact: read once (the time, once per event)
        preknown, handed, index, now = ctx.preknown, ctx.handed, issue.index, env.now
        for k, fact in enumerate(intent.facts):
            again, name, key = fresh and fact.reauthenticate, fact.name, ctx.key
            # can the touchpoint see it: reported by a device, in its history view, or
            # in the self-service view a hand-over passed on
            if not again and (name in preknown or knows(channel, key, index, name, now)
                              or (handed is not None
                                  and knows(handed[0], key, index, name, handed[1]))):
                read += reads[k] if reads is not None else 0.0
                if records is not None:
                    records.read(issue)
                continue
            if hooked:
                self._asking(issue, ctx, name, again)
            elif not again and name in issue.given:  # as _asking, with nothing to tell
                issue.repetitions += 1
            if collect[k] > 0:  # the first stretch here; _spend only after an interruption
                left = yield self._stretch(collect[k], rate, rng, worker)
                if left > 0:
                    done, extra = yield from self._spend(left, segment, tp, rng, issue, ctx,
                                                         worker, True)
                    if not done:
                        return False, extra
                now = env.now
            self._given(issue, ctx, fact, key, channel, now)
        if base + read > 0:
            left = yield self._stretch(base + read, rate, rng, worker)
            if left > 0:
                return (yield from self._spend(left, segment, tp, rng, issue, ctx, worker, True))
        return True, 0.0

    def _trace(self, issue: IssueState, ctx: Context, intent: IntentRT, tp: str,
               fresh: bool) -> None:
        """Log the contact for the repetition replay: the facts a history could spare."""
        assert self.trace is not None
        facts = tuple(f.name for f in intent.facts if f.name not in ctx.preknown
                      and not (fresh and f.reauthenticate))
        self.trace.append((ctx.key, issue.index, TOUCHPOINTS[tp].channel, self.env.now, facts))

    def _asking(self, issue: IssueState, ctx: Context, name: str,
                reauthenticating: bool) -> None:
        """Count fact *name* asked of the customer: a repetition if they gave it before."""
        if self.recorder.records is not None:
            self.recorder.records.asked(issue)
        if reauthenticating:
            return
        if name in issue.given:
            issue.repetitions += 1
        monitor = self.monitor
        if monitor is not None:  # the check: asked again of the very same identity
            pair, given = (ctx.key, name), ctx.given
            again = (given is not None and pair in given) or (
                pair in self._customer_keys.get(ctx.customer, ()))
            monitor.asked(issue.index, name, again, self.env.now)

    def _given(self, issue: IssueState, ctx: Context, fact: FactRT, key: int,
               channel: str, now: float) -> None:
        """The customer gave *fact* (asked under identity *key*) *now*: write it to
        *channel*'s history and count it as given."""
        name, monitor = fact.name, self.monitor
        if not ctx.unnoted:  # as _write does, without making the event
            if monitor is None:
                self.history.write(key, issue.index, name, channel, now, fact.scope)
            else:
                self._checked_write(key, issue.index, name, channel, now, fact.scope)
        given = issue.given
        if name not in given:
            issue.given = (*given, name)
        ctx.wrote = True
        if monitor is not None:  # only the continuity check reads the pairs
            ctx.add_given(key, name)
        if fact.scope == "customer" and self.world.population is not None:
            known = self._customer_given.get(ctx.customer, ())
            if name not in known:
                self._customer_given[ctx.customer] = (*known, name)
            if self.monitor is not None:  # only the continuity check reads it
                self._customer_keys.setdefault(ctx.customer, set()).add((key, name))

    def _write(self, event: HistoryEvent) -> None:
        """Append *event* to the history (checked for read-your-writes under a monitor)."""
        if self.monitor is None:
            self.history.append(event)
        else:
            self._checked_write(event.key, event.issue, event.fact, event.channel, event.at,
                                event.scope)

    def _checked_write(self, key: int, issue: int, fact: str, channel: str, at: float,
                       scope: str) -> None:
        """Write ``HistoryEvent(key, issue, fact, channel, at, scope)`` to the history and
        check that the writer reads it back (read-your-writes)."""
        assert self.monitor is not None
        try:
            self.history.write(key, issue, fact, channel, at, scope)
        except ValueError as e:
            self.monitor.history_written(issue, False, at, str(e))
            return
        seen = self.history.knows(channel, key, issue, fact, at)
        self.monitor.history_written(  # the message is made only for a violation
            issue, seen, at,
            "" if seen else f"fact {fact!r} written on {channel!r} is not visible to {channel!r}",
        )

    def _spend(
        self, minutes: float, segment: SegmentRT, tp: str, rng: Stream, issue: IssueState,
        ctx: Context, worker: Seat | None = None, interrupted: bool = False,
    ) -> Proc:
        """Do *minutes* of the session's work, through the customer's interruptions.

        *worker* is the agent session doing it (``None``: self-service, at rate 1).
        *interrupted*: an interruption has just stopped the work (the caller did the first
        stretch, :meth:`_stretch`), with *minutes* > 0 left.
        Returns ``(True, 0)`` when done, ``(False, rest)`` when an interruption dropped the
        session (*rest*: how long the customer stays away).
        """
        env = self.env
        rate = segment.talk_rate if tp in CALLS else segment.interrupt_rate
        if rate <= 0:
            if minutes > 0:
                yield self._work(worker, minutes)
            return True, 0.0
        limits = None  # worked out at the first interruption: most spends have none
        while minutes > 0:
            if interrupted:
                interrupted = False
            else:
                minutes = yield self._stretch(minutes, rate, rng, worker)
                if minutes <= 0:
                    break
            length = segment.interrupt_duration.sample(rng)
            if limits is None:
                limits = self._limits(segment, tp, ctx)
            limit, release = limits
            dropped = length > limit
            if self.monitor is not None:
                self.monitor.interrupted(issue.index, dropped, len(issue.given), env.now)
            if dropped:
                yield limit, None  # a sleep of the walk (env.timeout(limit))
                return False, length - limit
            if length > release:  # the agent is freed, the customer resumes later
                assert ctx.seat is not None
                yield release, None  # a sleep of the walk
                if not (yield from self._park(issue, ctx.seat, segment, tp, length - release)):
                    return False, 0.0
                continue
            yield length, None  # a sleep of the walk (env.timeout(length))
        return True, 0.0

    def _stretch(self, minutes: float, rate: float, rng: Stream,
                 worker: Seat | None) -> simpy.Event | Sleep:
        """The event of *minutes* of work (> 0) up to the next interruption, drawn at
        *rate*: it succeeds with the work left (0 when it was all done, never below).

        *worker* is the agent session doing it (``None``: self-service, at rate 1).
        Without interruptions (*rate* 0) it is all the work. Work at rate 1 (self-service,
        no agent, or an agent without a processor-sharing penalty, where pool.work would
        make a timeout) is a :data:`~.state.Sleep` of the walk.
        """
        gap = -_log(1.0 - rng.random()) / rate if rate > 0 else _INF  # rng.expovariate
        if worker is not None and worker.agent is not None and worker.pool.penalty > 0:
            return worker.pool.work(worker.agent, minutes, gap)
        if minutes <= gap:
            return minutes, 0.0
        return gap, minutes - gap

    def _limits(self, segment: SegmentRT, tp: str, ctx: Context) -> tuple[float, float]:
        """How long an interruption of a session at *tp* may last before it drops the
        session, and before it frees the agent of a resumable one (infinite: never)."""
        limit = math.inf if self.design.resumable else (
            segment.drop_after if self.world.synchronous[tp] else self.world.timeout[tp])
        return limit, self._release_after(tp) if ctx.seat is not None else math.inf

    def _work(self, worker: Seat | None, minutes: float) -> simpy.Event | Sleep:
        """The event of *minutes* of work done: by the agent of *worker* at its
        processor-sharing rate, else (self-service, or no agent) at rate 1 (a sleep)."""
        if worker is not None and worker.agent is not None and worker.pool.penalty > 0:
            return worker.pool.work(worker.agent, minutes)
        return minutes, 0.0  # as pool.work without a penalty: a sleep of the walk

    def _release_after(self, tp: str) -> float:
        """How long an interruption may hold an agent idle in a resumable session on *tp*
        before the agent is freed (infinite: held through every interruption)."""
        if not self.design.resumable or TOUCHPOINTS[tp].self_service:
            return math.inf
        return self.world.release_after.get(tp, math.inf)

    def _end_seat(self, issue: IssueState, seat: Seat, tp: str, dropped: bool) -> None:
        """Free the seat's agent and count its session."""
        assert seat.agent is not None
        now = self.env.now
        self._release(issue, seat.pool, seat.agent, tp, now - seat.started)
        self.recorder.session_ended(issue, seat.pool.spec.name, TOUCHPOINTS[tp].channel,
                                    seat.started, now - seat.started, dropped)

    def _park(self, issue: IssueState, seat: Seat, segment: SegmentRT, tp: str,
              away: float) -> Proc:
        """Free the agent of a resumable session through a long interruption; when the
        customer is back after *away*, wait for an agent (as a call back where the design
        calls back) and resume: True once an agent has the session again.

        The facts already given stay in the channel's history; the agent who resumes
        reads them. A customer who leaves that queue ends the session dropped.
        """
        env = self.env
        self._end_seat(issue, seat, tp, False)
        yield away, None  # a sleep of the walk (env.timeout(away))
        intent, entered = self.world.intents[issue.intent], env.now
        pool, agent, called_back = yield from self._queue(issue, segment, intent, tp,
                                                          seat.draws, self._can_call_back())
        answered = yield from self._answered(issue, pool, agent, called_back, entered, tp,
                                             seat.draws)
        if not answered or agent is None:
            seat.agent = None
            return False
        seat.pool, seat.agent, seat.started = pool, agent, env.now
        return True

