"""An issue whose every contact is a plain assisted contact, run by event callbacks.

Where every journey of a world is a queue then an agent's work (no facts, interruptions,
hold, conversations, call backs, affinity, misrouting or self-service: the Erlang A
queue and its kin), an issue needs no SimPy process: :class:`PlainIssue` keeps its
state in a few slots and moves on when the event it waits for (an agent, its patience,
the end of the work, a delay between contacts) fires. It makes the same draws from the
same streams, schedules the same events in the same order and counts the same things
as :meth:`~sim.engine.journey.IssueJourney._issue` with
:meth:`~sim.engine.contacts.Contacts._plain`, so the results are byte for byte those of
the process (``tests/test_golden.py``), at a fraction of the cost per issue: no process
start and end events, no generator frames, no ``yield from`` layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..metrics.recorder import Ending
from ..model.channels import TOUCHPOINTS
from ..model.journey import GIVE_UP
from .arrivals import who_arrives
from .pools import Agent, Pool, QueueEntry
from .routing import join_queues, patience_for, take_now
from .state import ABANDONED, RESOLVED, UNRESOLVED, Draws
from .state import ContactOutcome as Outcome
from .streams import Primed, Purpose
from .wakeups import Wakeable, wake_after
from .world import IntentRT, SegmentRT

if TYPE_CHECKING:
    from .journey import IssueJourney

__all__ = ["PlainIssue", "plain_journeys"]



def plain_journeys(rep: IssueJourney) -> bool:
    """Whether every Poisson issue of *rep*'s world can run as a :class:`PlainIssue`.

    True when no intent opens a device dialog and every touchpoint a journey can reach
    (from a segment's first touchpoints, through the routes a plain contact's outcomes
    take) is an assisted touchpoint whose contacts take the plain path.
    """
    world = rep.world
    if any(intent.dialog is not None for intent in world.intents):
        return False
    outcomes = (Outcome.UNRESOLVED.value, Outcome.ABANDONED.value)
    for s, segment in enumerate(world.segments):
        for k in range(len(world.intents)):
            seen: set[str] = set()
            todo = list(segment.starts)
            while todo:
                tp = todo.pop()
                if tp in seen or tp == GIVE_UP:
                    continue
                seen.add(tp)
                if TOUCHPOINTS[tp].self_service or not rep._is_plain(s, k, tp):
                    return False
                for outcome in outcomes:
                    route = world.routes.get((tp, outcome))
                    if route is not None:
                        todo.extend(t for t in route.targets if t in TOUCHPOINTS)
    return True


class PlainIssue(Wakeable):
    """One issue of a plain world, from its arrival to its end, driven by callbacks.

    Each method is one stretch of :meth:`IssueJourney._issue` between two events: the
    contact's start (:meth:`contact`), the queue's answer (:meth:`answered`), the end of
    the agent's work (:meth:`worked`) and the step to the next contact (:meth:`ended`).
    The issue is its own event for each of them (:mod:`.wakeups`), and its queue entry's
    answer (:meth:`succeed`): an issue waiting in a queue holds this object, its
    :class:`IssueState` and its queue entry.
    """

    __slots__ = ("agent", "charged", "draws", "entered", "entry", "intent", "issue", "key",
                 "owed", "patience", "pool", "previous", "rep", "segment", "started", "tp",
                 "value", "within", "work")

    #: the streams whose first draw an arrival brings (:class:`~.streams.FirstDraws`)
    PRIMED = (Purpose.PATIENCE, Purpose.WORK)

    def __init__(self, rep: IssueJourney, index: int, firsts: tuple[Any, ...],
                 who: tuple[int, int, str] | None = None) -> None:
        key, patience, work = firsts  # streams.key(index), the first draws of PRIMED
        # _open without its context, which a plain contact never reads, and without a
        # dialog, which no plain world has; *who*: the segment, intent and first
        # touchpoint of every issue, where who_arrives draws nothing (fixed_arrival)
        if who is None:
            person, s, k, tp, _, _ = who_arrives(rep.world, rep.streams, index, key)
        else:
            person, (s, k, tp) = index, who
        self.rep = rep
        self.issue = issue = rep._arrived(index, s, k, TOUCHPOINTS[tp].channel, person)
        self.segment: SegmentRT = rep.world.segments[s]
        self.intent: IntentRT = rep.world.intents[k]
        self.tp = tp
        self.key = key
        self.draws: Draws | None = None  # the other streams, made when first needed
        # their first draws; the streams once a second draw may be needed
        self.patience: Primed | float = patience
        self.work: Primed | float = work
        self.owed: tuple[str, ...] = ()  # contacts served at once: their patience not drawn
        self.previous: str | None = None
        self.within = False  # an agent takes over within the contact (a transfer)
        # set when first needed: entry (queued), pool, agent, entered, started, value;
        # charged (records on)
        self.entry: QueueEntry
        self.pool: Pool
        self.agent: Agent
        self.entered: float
        self.started: float
        self.value: Agent | None
        self.charged: float
        rep.recorder.flow(issue, "arrival", tp)
        self.contact()

    def contact(self, _: Any = None) -> None:
        """Start a contact at the current touchpoint: an agent now, or the queue."""
        rep, issue, segment, tp = self.rep, self.issue, self.segment, self.tp
        if issue.contacts >= segment.max_contacts:
            self.end(_IN_SELF_SERVICE)
            return
        self._enter()
        env = rep.env
        self.entered = entered = env.now
        pools = rep._routes[tp, issue.intent]
        got = take_now(pools, tp, entered)
        if got is not None:  # the patience is not needed: it is drawn if a later contact queues
            self.owed += (tp,)
            self.pool, agent = got
            self.served(agent)
        else:
            self.entry = join_queues(env, pools, tp, entered, issue.intent, self._patience(),
                                     self)

    def _patience(self) -> float:
        """The patience of the contact that queues now (:func:`.patience_for`), its stream
        first drawn from for each earlier contact served at once: the draw it would have
        had, had every contact drawn its own as it started."""
        rng = self.patience
        if not isinstance(rng, Primed):
            rng = self.patience = Primed(self.key, _PATIENCE, rng)
        segment, issue = self.segment, self.issue
        for tp in self.owed:
            patience_for(segment, tp, issue, rng)
        self.owed = ()
        return patience_for(segment, self.tp, issue, rng)

    def _enter(self) -> None:
        """:meth:`IssueJourney._enter` for a plain contact: count it, a change of channel
        and its cost. No device is drawn: a plain world keeps no history, so nothing
        reads who the customer is seen as."""
        rep, issue, tp = self.rep, self.issue, self.tp
        issue.contacts += 1
        if rep.monitor is not None:
            rep.monitor.contact_started(issue.index, issue.arrived, rep.env.now)
        issue.touchpoint = tp
        if rep.recorder.records is not None and issue.measured:
            # no hook as the contact goes: the sink reads its row off it as it ends
            issue.record, self.charged = self, issue.agent_minutes
        previous = self.previous
        if not self.within and previous is not None and (
                TOUCHPOINTS[tp].channel != TOUCHPOINTS[previous].channel):
            issue.switches += 1
        issue.cost += rep.world.cost[tp]
        self.previous = tp

    def succeed(self, value: Agent | None = None) -> None:
        """The queue's answer (as the queue entry's event): *value* is the agent, or
        ``None`` when the patience ran out; :meth:`answered` takes it next."""
        self.value = value
        wake_after(self.rep.env, self, _ANSWERED)

    def answered(self) -> None:
        """The queue's answer: an agent, or ``None`` when the patience ran out."""
        entry = self.entry
        del self.entry  # it holds this issue as its answer: no cycle left for the collector
        entry.settle(self.rep.env.now)
        self.pool = entry.pool or entry.pools[0]
        self.served(self.value)

    def served(self, agent: Agent | None) -> None:
        """Count the queue entry's end; with an *agent*, start the work."""
        rep, issue, pool, tp = self.rep, self.issue, self.pool, self.tp
        now = rep.env.now
        rep.recorder.count_queue_left(issue, pool.spec.name, TOUCHPOINTS[tp].channel,
                                      self.entered, now, agent is not None)
        if agent is None:
            self.ended(ABANDONED, now)
            return
        if rep.monitor is not None:
            rep._monitor_assigned(issue, self.intent, tp, pool, agent, self.entered)
        self.agent = agent
        work = self.work
        if not isinstance(work, Primed):
            work = self.work = Primed(self.key, _WORK, work)
        base = self.intent.handle[tp].sample(work)
        self.started = now
        if base <= 0:
            self.worked()
        elif pool.penalty <= 0:  # what pool.work() would give: a plain timeout
            wake_after(rep.env, self, _WORKED, base)
        else:
            pool.work(agent, base).callbacks.append(self.worked)

    def worked(self, _: Any = None) -> None:
        """The agent's work is done: release the agent, settle the contact's outcome."""
        rep, issue, pool, agent, tp = self.rep, self.issue, self.pool, self.agent, self.tp
        now, started = rep.env.now, self.started
        pool.release(agent, tp)  # rep._release, whose record hook plain_contact stands for
        used = (now - started) * pool.share[tp]  # rep._charge(issue, pool, tp, now - started)
        issue.agent_minutes += used
        issue.agent_cost += used * pool.spec.cost_per_minute
        name, channel = pool.spec.name, TOUCHPOINTS[tp].channel
        rep.recorder.session_done(issue, name, channel, started, now - started)
        if rep.monitor is not None:
            rep.monitor.session(issue.index, started, now)
        # _settle() without an affinity bonus: the plain coin
        p = self.intent.resolve[tp]  # coin(p, draws), making the draws only to draw
        resolved = p >= 1.0 or (p > 0.0 and self._draws().outcome.random() < p)
        self.ended(RESOLVED if resolved else UNRESOLVED, now)

    def ended(self, outcome: Outcome, now: float) -> None:
        """The contact ended in *outcome* at *now*: the issue ends, or the customer moves
        on."""
        rep, issue, tp = self.rep, self.issue, self.tp
        self.within = False
        if outcome is RESOLVED:
            rep.recorder.flow(issue, tp, _RESOLVED_NAME)
            self.end(_RESOLVED, outcome, now)
            return
        issue.failures += 1
        target, transfer, delay = rep._next_step(issue, tp, outcome, 0.0, self._draws())
        if target == GIVE_UP or issue.contacts >= self.segment.max_contacts:
            rep.recorder.flow(issue, tp, _ABANDONED_NAME)
            self.end(_IN_QUEUE if outcome is ABANDONED else _AFTER_CONTACT, outcome, now)
            return
        if issue.record is not None:  # its row, read off this contact
            records = rep.recorder.records
            assert records is not None
            records.plain_contact(self, outcome, now)
        rep.recorder.flow(issue, tp, target)
        issue.touchpoint = self.tp = target
        if transfer:  # on the spot (a hand-over's view is read by no plain contact)
            self.within = True
            self.contact()
        elif delay > 0:
            wake_after(rep.env, self, _CONTACT, delay)
        else:
            self.contact()

    def _draws(self) -> Draws:
        """The issue's other streams (outcome, route), made on first use."""
        draws = self.draws
        if draws is None:
            draws = self.draws = Draws(self.key)
        return draws

    def end(self, ending: Ending, outcome: Outcome | None = None, now: float = 0.0) -> None:
        """Count the issue as ended (a plain world keeps no history to forget); ending
        with its contact in *outcome* at *now*, that contact's row and the issue's are
        put in one call, where records are on."""
        rep, issue = self.rep, self.issue
        if issue.record is None:  # records off, or no contact in progress: rep._ended
            rep.recorder.issue_ended(issue, ending, rep.env.now)
            rep._gone()
            return
        records = rep.recorder.records
        assert records is not None
        records.plain_contact(self, outcome, now, ending)
        rep.recorder.issue_ended(issue, ending, now, True)  # its row is put
        rep._gone()  # the rest of rep._ended


#: enum members read once (reading one off its class costs a metaclass lookup)
_RESOLVED, _IN_SELF_SERVICE = Ending.RESOLVED, Ending.IN_SELF_SERVICE
_IN_QUEUE, _AFTER_CONTACT = Ending.IN_QUEUE, Ending.AFTER_CONTACT
_RESOLVED_NAME, _ABANDONED_NAME = RESOLVED.value, ABANDONED.value
_PATIENCE, _WORK = Purpose.PATIENCE, Purpose.WORK

#: what each of a plain issue's wake-ups calls (with the issue)
_ANSWERED = (PlainIssue.answered,)
_WORKED = (PlainIssue.worked,)
_CONTACT = (PlainIssue.contact,)
