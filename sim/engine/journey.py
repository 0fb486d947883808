"""The issue's journey: it arrives, then walks the journey graph contact by contact.

docs/model.md, "What one issue does": the customer, segment, intent and first
touchpoint are drawn; a scenario event may notify the customer first; then each contact
(self-service or assisted) ends in an outcome whose route says where the customer goes
next, until the issue is resolved or given up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simpy.events import ProcessGenerator

from ..metrics.recorder import Ending, IssueState
from ..model.channels import TOUCHPOINTS
from ..model.history import HistoryEvent, identity
from ..model.journey import GIVE_UP
from .arrivals import CUSTOMERS, arrival_times, fixed_arrival, who_arrives
from .conversation import Conversations
from .plain import PlainIssue, plain_journeys
from .state import (
    ABANDONED,
    DROPPED,
    FAILED,
    NOTHING,
    RESOLVED,
    ContactOutcome,
    Context,
    Draws,
    Proc,
    Walk,
    coin,
    succeed,
)
from .streams import CounterStream, FirstDraws, Prefixes, Purpose
from .wakeups import Wakeable, wake_after
from .world import EventRT, IntentRT, SegmentRT, pick

__all__ = ["CUSTOMERS", "EVENTS", "PER_EVENT", "Arrivals", "IssueJourney", "where_given_up"]

#: Offsets of the entity indexes of customers and of event issues, far above those of
#: Poisson issues, so that their streams never meet.
EVENTS = 1 << 41
PER_EVENT = 1 << 24


#: How an issue ended, as module constants (see state.RESOLVED: an Enum member read off
#: its class costs several times a global).
_ENDED_RESOLVED = Ending.RESOLVED
_IN_SELF_SERVICE = Ending.IN_SELF_SERVICE
_IN_QUEUE = Ending.IN_QUEUE
_AFTER_CONTACT = Ending.AFTER_CONTACT
#: Purpose.PROFILE as a plain integer
_PROFILE = int(Purpose.PROFILE)


def where_given_up(self_service: bool, outcome: ContactOutcome) -> Ending:
    """Where a customer who gives up after a contact with *outcome* gave up."""
    if self_service:
        return _IN_SELF_SERVICE
    return _IN_QUEUE if outcome is ABANDONED else _AFTER_CONTACT


class Arrivals(Wakeable):
    """The Poisson issues of a replication: each arrival starts its issue and schedules
    the next arrival (a callback on a timeout, no process).

    A :class:`PlainIssue` (*plain*) or an issue walk (:class:`~.state.Walk`) runs its
    first step at once, after the next arrival is scheduled: the events follow in the
    order the process-per-issue engine made them (where it started the issue right after
    this event; nothing else is due at a Poisson arrival's time).
    """

    __slots__ = ("firsts", "index", "plain", "prefixes", "rep", "times", "who")  # and Wakeable's

    def __init__(self, rep: IssueJourney, times: Iterator[float], plain: Any) -> None:
        self.rep = rep
        self.times = times
        self.plain = plain
        self.index = 0
        #: each plain issue's key and first patience and work draws in turn, made by blocks
        self.firsts = iter(FirstDraws(rep.streams, PlainIssue.PRIMED)) if plain else None
        #: an issue walk's key and first draws of each purpose, made by blocks
        self.prefixes = None if plain else Prefixes(rep.streams, prefix_counts(rep))
        #: who every plain issue is, where that takes no draw
        self.who = fixed_arrival(rep.world) if plain else None

    def next(self) -> None:
        """Schedule the next arrival, if it falls before the end."""
        t = next(self.times, None)
        if t is not None:
            env = self.rep.env
            wake_after(env, self, _ARRIVE, t - env.now)

    def arrive(self) -> None:
        """The next issue arrives."""
        index = self.index
        self.index = index + 1
        if self.plain is None:  # its first step runs now, after the next arrival is set
            assert self.prefixes is not None
            self.next()
            Walk(self.rep.env, self.rep._issue(index, None, *self.prefixes.take(index)),
                 at_once=True)
        else:
            self.next()
            assert self.firsts is not None
            self.plain(self.rep, index, next(self.firsts), self.who)  # entity index's


#: what an arrival's wake-up calls (with the :class:`Arrivals`)
_ARRIVE = (Arrivals.arrive,)


def prefix_counts(rep: IssueJourney) -> list[tuple[Purpose, int]]:
    """How many first draws of each purpose :class:`Arrivals` makes by block for an issue
    walk: about what most issues of the story draw (scenarios/app-to-phone.toml, measured
    per purpose), and none of a purpose the world or design never draws from.

    A draw made and not used costs about a tenth of one made in Python (numpy, then a
    float in a list), so a count covers the draws of nine issues in ten or so.
    """
    world = rep.world
    segments = world.segments
    facts = max((len(i.facts) for i in world.intents), default=0)
    counts = [(Purpose.WORK, min(32, 8 + 6 * facts)), (Purpose.OUTCOME, 3),
              (Purpose.ROUTE, 5)]
    if any(s.interrupt_rate > 0 or s.talk_rate > 0 for s in segments):
        counts.append((Purpose.INTERRUPT, 12))
    if any(s.patience for s in segments):
        counts.append((Purpose.PATIENCE, 2))
    if not rep.design.mesh and any(s.devices_cum for s in segments):
        counts.append((Purpose.DEVICE, 2))
    if (world.population is not None or len(world.segment_cum) > 1
            or len(world.intent_cum) > 1 or any(len(s.start_cum) > 1 for s in segments)
            or any(i.reported > 0 for i in world.intents)):  # who_arrives draws
        counts.append((Purpose.PROFILE, 3))
    return counts


class IssueJourney(Conversations):
    """The part of a replication that starts issues and walks each one's journey."""

    def _arrivals(self) -> ProcessGenerator:
        """Schedule the first Poisson arrival; an :class:`Arrivals` chains the others.

        A process, so that the first arrival is scheduled where it always was: when the
        processes started at time 0 run, in the order they were made.
        """
        times = arrival_times(self.world, self.streams.unit_exponential_blocks())
        Arrivals(self, times, PlainIssue if plain_journeys(self) else None).next()
        return
        yield  # a generator, for env.process

    def _event(self, e: int, event: EventRT) -> ProcessGenerator:
        """At the event's time, start the issues of every customer it touches."""
        env = self.env
        if event.at >= self.world.end:
            return
        yield env.timeout(event.at - env.now)
        base = EVENTS + e * PER_EVENT
        prefixes = Prefixes(self.streams, prefix_counts(self), min(256, event.customers))
        for j in range(event.customers):
            Walk(env, self._issue(base + j, event, *prefixes.take(base + j)))

    def _issue(self, index: int, event: EventRT | None, key: int, layout: Any,
               row: Any) -> Proc:
        """One issue, from its arrival to its end: contact after contact until it ends.

        One generator for the whole journey (each contact's, below it), so that every
        event of the issue resumes through as few frames as can be. *key*, *layout* and
        *row* are the issue's key and its first draws made by block
        (:meth:`~.streams.Prefixes.take`): arguments, not a tuple the frame would keep.
        """
        draws = Draws(key, layout, row)
        issue, ctx, segment, intent, tp = self._open(index, event, key, draws)
        device: int | None = None
        if event is not None:
            settled, tp, device = yield from self._start_event(issue, ctx, event, draws, tp)
            if settled:
                self._ended(issue, _ENDED_RESOLVED)
                self._forget(ctx, issue.index)
                return
        elif ctx.dialog is None:  # as _start does, without a generator
            self.recorder.flow(issue, "arrival", tp)
        else:
            tp = yield from self._start(issue, ctx, intent, tp)
        linked = self.design.mesh or not segment.devices_cum
        if not linked:
            ctx.add_key(ctx.key)
        previous = None
        ending = _IN_SELF_SERVICE
        while issue.contacts < segment.max_contacts:
            self._enter(issue, ctx, segment, tp, linked, device, previous, draws)
            device = None
            touch = TOUCHPOINTS[tp]
            ctx.from_self_service = previous is not None and TOUCHPOINTS[previous].self_service
            previous = tp
            # the contact's generator, without a local keeping its bound method for the
            # whole contact
            outcome, extra = yield from (
                self._self_service if touch.self_service
                else self._assisted_by(issue, segment, intent, tp))(issue, ctx, segment, intent,
                                                                   tp, draws)
            step = self._after(issue, ctx, segment, tp, outcome, extra, draws)
            if isinstance(step, Ending):
                ending = step
                break
            tp, delay = step
            del step  # not kept through the sleep and the next contact
            if delay > 0:
                yield delay, None  # a sleep of the walk (env.timeout(delay))
        self._ended(issue, ending)
        if ctx.wrote or event is not None:  # else nothing was written about them
            self._forget(ctx, issue.index)

    def _open(self, index: int, event: EventRT | None, key: int, draws: Draws,
              ) -> tuple[IssueState, Context, SegmentRT, IntentRT, str]:
        """Draw who the customer is, the intent and the first touchpoint; count the issue.

        *key* is the issue's stream key (``streams.key(index)``), *draws* its streams
        (whose block may hold the first profile draws).
        """
        world, design = self.world, self.design
        person, s, k, tp, reported, profile = who_arrives(
            world, self.streams, index, key, event, draws.primed(_PROFILE))
        segment, intent = world.segments[s], world.intents[k]
        notified = event is not None and design.proactive and event.notify is not None
        first = event.notify if notified and event is not None and event.notify else tp
        dialog = None
        if reported and intent.dialog is not None and event is None:  # drawn in every design
            profile = profile or CounterStream(key, _PROFILE)
            dialog = (intent.dialog.discover.sample(profile),
                      intent.dialog.respond.sample(profile))
            if self._device_opens():
                first = intent.dialog.touchpoint
        issue = self._arrived(index, s, k, TOUCHPOINTS[first].channel, person)
        ctx = Context(person, person if design.retention else index,
                      intent.reported_facts if reported and design.mesh else NOTHING)
        ctx.dialog = dialog
        if world.population is not None:
            known = self._customer_given.get(person)
            if known:  # what the customer gave in earlier issues
                issue.given = known
            if design.retention:  # under affinity, back to the customer's last agent
                issue.last_agent = self._customer_agent.get(person)
        return issue, ctx, segment, intent, tp

    def _arrived(self, index: int, s: int, k: int, channel: str, person: int) -> IssueState:
        """Count issue *index* of segment *s* and intent *k*, starting on *channel*, of
        customer *person*, as arrived now: its state."""
        now = self.env.now
        issue = IssueState(index, person, s, k, now, now >= self.world.warmup, channel)
        self._in_flight += 1
        self.recorder.issue_arrived(issue)
        return issue

    def _device_opens(self) -> bool:
        """Whether a device that reports an issue opens it (a proactive, meshed design)."""
        return self.design.proactive and self.design.mesh

    def _start(self, issue: IssueState, ctx: Context, intent: IntentRT, tp: str) -> Proc:
        """An issue begins: its first touchpoint, once the customer is there.

        An issue a device reported, of an intent with a device dialog, opens at once on
        the dialog's touchpoint under a proactive, meshed design, and the customer answers
        after the respond time; otherwise the customer notices it after the discover time.
        """
        if ctx.dialog is None or intent.dialog is None:
            self.recorder.flow(issue, "arrival", tp)
            return tp
        discover, respond = ctx.dialog
        opens = self._device_opens()
        if opens:
            tp = intent.dialog.touchpoint
        issue.touchpoint = tp
        self.recorder.flow(issue, "arrival", tp)
        delay = respond if opens else discover
        if delay > 0:
            yield delay, None  # a sleep of the walk (env.timeout(delay))
        return tp

    def _start_event(self, issue: IssueState, ctx: Context, event: EventRT, draws: Draws,
                     tp: str) -> Proc:
        """An event's issue begins: ``(settled, first touchpoint, first device)``.

        Notified (under a proactive design), the customer replies on the notified
        touchpoint and device, or needs nothing more; else they find out after a while.
        """
        if self.design.proactive and event.notify is not None:
            notified = yield from self._notify(issue, ctx, event, draws)
            return notified, event.notify, 0  # the reply, on the notified device
        self.recorder.flow(issue, "arrival", "event")
        yield event.discover.sample(draws.route), None  # a sleep of the walk
        self.recorder.flow(issue, "event", tp)
        return False, tp, None

    def _after(self, issue: IssueState, ctx: Context, segment: SegmentRT, tp: str,
               outcome: ContactOutcome, extra: float, draws: Draws,
               ) -> Ending | tuple[str, float]:
        """A contact at *tp* ended in *outcome*: how the issue ended, or where the customer
        goes next and after how long (``(target, delay)``)."""
        if self.recorder.records is not None:
            self.recorder.records.contact_ended(issue, outcome, self.env.now)
        ctx.within, ctx.handed = False, None
        if outcome is RESOLVED:
            self.recorder.flow(issue, tp, outcome._value_)
            return _ENDED_RESOLVED
        if outcome is not DROPPED:
            issue.failures += 1
        target, transfer, delay = self._next_step(issue, tp, outcome, extra, draws)
        touch = TOUCHPOINTS[tp]
        if target == GIVE_UP or issue.contacts >= segment.max_contacts:
            self.recorder.flow(issue, tp, ABANDONED._value_)
            return where_given_up(touch.self_service, outcome)  # or out of tolerance
        self.recorder.flow(issue, tp, target)
        issue.touchpoint = target  # open at the horizon while on the way: counted there
        if transfer:  # on the spot, with the self-service view if the design hands over
            ctx.within = True
            if self.design.handover:
                ctx.handed = (touch.channel, self.env.now)
            return target, 0.0
        return target, delay

    def _enter(self, issue: IssueState, ctx: Context, segment: SegmentRT, tp: str,
               linked: bool, device: int | None, previous: str | None, draws: Draws) -> None:
        """Count a contact at *tp* starting: its device identity, a change of channel.

        *previous* is the touchpoint of the contact before (``None`` for the first).
        """
        issue.contacts += 1
        if self.monitor is not None:
            self.monitor.contact_started(issue.index, issue.arrived, self.env.now)
        touch = TOUCHPOINTS[tp]
        issue.touchpoint = tp
        if self.recorder.records is not None:
            self.recorder.records.contact_started(issue, tp, self.env.now)
        if not ctx.within:  # a new contact, not an agent taking over within one
            if not linked:
                if device is None:
                    device = pick(segment.devices_cum, draws.device.random())
                ctx.key = identity(ctx.person, device)
                ctx.add_key(ctx.key)
            if previous is not None and touch.channel != TOUCHPOINTS[previous].channel:
                issue.switches += 1
        issue.cost += self.world.cost[tp]

    def _next_step(self, issue: IssueState, tp: str, outcome: ContactOutcome, extra: float,
                   draws: Draws) -> tuple[str, bool, float]:
        """Where the customer goes after *outcome* at *tp*: ``(target, transfer, delay)``.

        An in-channel escalation (under the design) comes first; else the journey graph.
        *extra* is the time the customer stays away after a dropped contact.
        """
        world = self.world
        escalate = (world.escalation.get(tp)
                    if outcome is FAILED and self.design.escalation else None)
        if escalate is not None and coin(escalate[1], draws):
            return escalate[0], True, 0.0
        route = world.routes[tp, outcome._value_]
        target = route.targets[0] if len(route.targets) == 1 else route.pick(
            draws.route.random())
        transfer = route.transfer and target in TOUCHPOINTS
        if transfer or target == GIVE_UP or issue.contacts >= self._max_contacts(issue):
            return target, transfer, 0.0
        return target, False, extra + route.delay.sample(draws.route)

    def _max_contacts(self, issue: IssueState) -> int:
        """The most contacts the issue's customer makes (their tolerance for effort)."""
        return self.world.segments[issue.segment].max_contacts

    def _ended(self, issue: IssueState, ending: Ending) -> None:
        """Count *issue* as ended; under a drain, the last one to end stops the run."""
        self.recorder.issue_ended(issue, ending, self.env.now)
        self._gone()

    def _gone(self) -> None:
        """An issue counted as ended is no longer in flight; under a drain, the last one
        stops the run."""
        self._in_flight -= 1
        if not self._in_flight and self._drained is not None:
            succeed(self._drained)

    def _notify(self, issue: IssueState, ctx: Context, event: EventRT, draws: Draws) -> Proc:
        """Notify a customer an event touched: True when that settles the issue.

        Otherwise the notification has put the facts it carries into the history of its
        channel, and the customer replies there after a response time.
        """
        env, recorder = self.env, self.recorder
        assert event.notify is not None
        if event.notice > 0:
            yield event.notice, None  # a sleep of the walk
        recorder.flow(issue, "arrival", "notified")
        if coin(event.deflect, draws):
            recorder.flow(issue, "notified", RESOLVED._value_)
            return True
        channel = TOUCHPOINTS[event.notify].channel
        for fact in event.known:
            self._write(HistoryEvent(ctx.key, issue.index, fact, channel, env.now))
        recorder.flow(issue, "notified", event.notify)
        delay = event.respond.sample(draws.route)
        if delay > 0:
            yield delay, None  # a sleep of the walk (env.timeout(delay))
        return False

    def _forget(self, ctx: Context, issue: int) -> None:
        """Drop what nobody can read again of the issue's customer: everything, unless the
        design retains it for a customer who can come back; else the ended issue's own
        events (the customer's stay, for their next issue)."""
        keys = ctx.keys or (ctx.key,)
        if not self.design.retention or self.world.population is None:
            for key in keys:  # nobody recognises them again, or every issue is a new customer
                self.history.forget(key)
        else:
            for key in keys:
                self.history.retire(key, issue)
