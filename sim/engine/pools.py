"""Agent pools: agents with per-channel concurrency and shifts, queues by priority.

A session of a channel with concurrency *c* takes 1/*c* of an agent, so an agent holds
either one voice call or up to three chats (with ``chat = 3``), or a mix that fits. A new
contact goes to an idle agent first, else to the least loaded agent it fits; when an
agent frees capacity it takes the first waiting contacts that fit: those waiting for
this agent in particular (last-agent affinity) first, then the pool's queue, highest
intent priority first and first come first served within a priority. A waiting contact
that runs out of patience is marked and skipped (lazy deletion keeps the queue O(1)).

A contact several pools can serve waits in the queue of each (one shared
:class:`QueueEntry`): the first of them with room takes it, and the others skip it.

A pool with a schedule changes its headcount over the day: agents who go off shift
finish their sessions first (no pre-emption) and take no new work; agents who come on
shift take waiting contacts at once.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from typing import Any, Protocol

import simpy

from .wakeups import Wakeable, wake_after
from .world import PoolSpec

__all__ = ["SLOT", "Agent", "Answer", "Job", "Pool", "QueueEntry", "offer", "request"]

_EPS = 1e-9
#: Numbers the queue entries in the order they are made (ties of arrival time).
_SEQ = itertools.count()
#: Width of the time slots of the per-pool series (minutes).
SLOT = 15.0


class Agent:
    """One agent: its sessions now, the load they put on it (1.0 = full), its shift.

    *held* are the contacts waiting for this agent in particular (affinity), or ``None``.
    *jobs* are the pieces of work its sessions are draining now, at *rate* minutes of
    work per minute (processor sharing, under a concurrency penalty).
    """

    __slots__ = ("held", "index", "jobs", "load", "on_shift", "rate", "sessions")

    def __init__(self, index: int) -> None:
        self.index = index
        self.sessions = 0
        self.load = 0.0
        self.on_shift = True
        self.held: deque[QueueEntry] | None = None
        self.jobs: list[Job] = []
        self.rate = 1.0


class Job:
    """Work a session is draining: *left* minutes of work as of *since*; *event* succeeds
    with the work left when it is done or at wall time *deadline*. *stamp* tells the
    current wake-up from those a change of rate made stale."""

    __slots__ = ("deadline", "event", "left", "since", "stamp")

    def __init__(self, event: simpy.Event, left: float, since: float, deadline: float) -> None:
        self.event = event
        self.left = left
        self.since = since
        self.deadline = deadline
        self.stamp = 0


class Answer(Protocol):
    """What a queue entry's *event* is: a SimPy event, or any object that takes the
    queue's answer the same way (:class:`~sim.engine.plain.PlainIssue` does)."""

    @property
    def value(self) -> Any:
        """The answer: the agent, or ``None`` when the patience ran out."""

    def succeed(self, value: Any = None) -> Any:
        """Take the answer *value* and wake whoever waits for it."""


class QueueEntry(Wakeable):
    """A contact waiting for an agent; *event* succeeds with the agent, or ``None``.

    *pools* are the pools whose queues it joins (all that can serve it, in routing
    order); *pool* is the one that served it. While *holder* is set, the contact waits
    for that agent of pool *home* only; *joined* is when it joined the pools' queues.
    The entry is its own patience timeout (:meth:`alarm`).
    """

    __slots__ = ("channel", "entered", "event", "holder", "home", "intent", "joined", "pool",
                 "pools", "seq", "waiting")

    def __init__(self, event: Answer, channel: str, entered: float, intent: int = 0,
                 pools: tuple[Pool, ...] = ()) -> None:
        self.event = event
        self.channel = channel
        self.entered = entered
        self.intent = intent
        self.pools = pools
        self.waiting = True
        self.pool: Pool | None = None
        self.holder: Agent | None = None
        self.home: Pool | None = None
        self.joined: float | None = entered
        #: the order of arrival among contacts that arrive at the same time
        self.seq = next(_SEQ)

    def before(self, other: QueueEntry) -> bool:
        """Whether this contact arrived before *other* (at the same time: asked first)."""
        return self.entered < other.entered or (
            self.entered == other.entered and self.seq < other.seq)

    def renege(self, _: Any = None) -> None:
        """Leave the queue (patience ran out) unless an agent took the contact already."""
        if self.waiting:
            self.waiting = False
            self.event.succeed(None)

    def alarm(self, env: simpy.Environment, patience: float) -> None:
        """Leave the queue after *patience* minutes unless an agent took it by then."""
        wake_after(env, self, _RENEGE, patience)

    def stop_holding(self, _: Any = None) -> None:
        """Stop waiting for one agent: join the pools' queues (or take a free agent)."""
        if self.waiting and self.holder is not None:
            assert self.home is not None
            self.home.unhold(self)

    def settle(self, now: float) -> None:
        """The contact left every queue (served, or out of patience): close the books.

        Each pool counts the time the contact spent in its queue: the pool it waited in
        for one agent from its arrival, the others from when it joined their queues.
        """
        home = self.home
        if home is None and len(self.pools) == 1:  # the common case: one queue
            pool = self.pools[0]
            if self.event.value is None:
                pool.leave(self)
            pool.waited(self.entered, now)
            return
        if self.event.value is None:  # out of patience: leave the queues it is in
            if self.holder is not None:
                assert self.home is not None
                self.home.leave_held()
            elif self.joined is not None:
                for pool in self.pools:
                    pool.leave(self)
        if home is not None:
            home.waited(self.entered, now)
        if self.joined is not None:
            for pool in self.pools:
                if pool is not home:
                    pool.waited(self.joined, now)


#: what a queue entry's patience alarm calls (with the entry)
_RENEGE = (QueueEntry.renege,)


def _insert_by_arrival(queue: deque[QueueEntry], entry: QueueEntry) -> None:
    """Put *entry* in *queue* behind every contact that joined before it.

    A contact that waited for its last agent (affinity) joins the pool's queue late, but
    keeps the place its arrival gives it: it does not go behind those who came after.
    """
    i = len(queue)
    while i > 0 and entry.before(queue[i - 1]):
        i -= 1
    queue.insert(i, entry)


def request(entry: QueueEntry, last: tuple[Pool, Agent] | None = None) -> Agent | None:
    """A new contact asks for an agent: the agent, when one takes it now.

    With *last* (affinity) it asks that agent of that pool alone, and otherwise waits
    for it (:meth:`QueueEntry.stop_holding` ends that wait); else the first of the
    entry's pools with room takes it, or it waits in all their queues. A contact served
    now has waited 0 and left the queues: its books are closed here, so that every
    queue entry is counted once, by the pool that served it or the ones it left.
    """
    if last is not None:
        pool, agent = last
        if pool.try_assign_to(agent, entry.channel):
            return _served_now(entry, pool, agent)
        pool.hold(entry, agent)
        return None
    for pool in entry.pools:
        found = pool.try_assign(entry.channel)
        if found is not None:
            return _served_now(entry, pool, found)
    for pool in entry.pools:
        pool.enqueue(entry)
    return None


def _served_now(entry: QueueEntry, pool: Pool, agent: Agent) -> Agent:
    """Close the books of a contact *pool* served as it asked."""
    entry.waiting = False
    entry.pool = pool
    pool.waited(entry.entered, entry.entered)
    return agent


def offer(entry: QueueEntry, pools: tuple[Pool, ...], now: float) -> None:
    """Give a waiting *entry* to the first of *pools* with room, or put it in all their
    queues (a contact that stopped waiting for its last agent)."""
    for pool in pools:
        agent = pool.try_assign(entry.channel)
        if agent is not None:
            pool.serve(entry, agent, taken=True)
            return
    entry.joined = now
    for pool in pools:
        pool.enqueue(entry)


class Pool:
    """A pool of agents with its queue, its shifts and its busy-time bookkeeping.

    *start* and *end* bound the measurement window for utilization. *headcount* is the
    number of agents on shift now (the scheduled headcount).
    """

    def __init__(self, env: simpy.Environment, spec: PoolSpec, start: float, end: float) -> None:
        self.env = env
        self.spec = spec
        self.agents = [Agent(i) for i in range(spec.agents)]
        schedule = spec.schedule
        self.headcount = spec.agents if schedule is None else schedule.headcount(0.0)
        for agent in self.agents[self.headcount:]:
            agent.on_shift = False
        self.off = self.agents[self.headcount:][::-1]  # agents off shift
        self.idle = self.agents[self.headcount - 1::-1] if self.headcount else []
        # agents with some but not all capacity used; a dict (ordered by insertion) so that
        # ties are broken the same way in every run, unlike a set of objects
        self.partial: dict[Agent, None] = {}
        self.share = {ch: 1.0 / c for ch, c in spec.concurrency.items()}
        self.penalty = spec.penalty  # of processor sharing (0: none)
        self.single_class = len(set(self.share.values())) == 1
        self.levels = spec.levels
        # one queue per intent priority level, highest first
        n_levels = max(spec.levels, default=0) + 1
        self.queues: list[deque[QueueEntry]] = [deque() for _ in range(n_levels)]
        self.queue = self.queues[0]
        self.waiting = 0  # contacts in the queue
        self.held = 0  # contacts waiting for one agent of this pool
        self.start, self.end = start, end
        self.peak_sessions = 0  # most sessions any agent held at once
        self.busy = 0  # agents with at least one session
        self.slots = 0.0  # load summed over agents
        self.busy_area = 0.0
        self.slot_area = 0.0
        self.queue_area = 0.0
        self.overtime_area = 0.0  # busy agent-time beyond the scheduled headcount
        self.entries = 0  # queue entries after the warm-up that have left the queue
        self.wait_sum = 0.0
        n_slots = max(1, math.ceil((end - start) / SLOT - 1e-9))
        self.busy_slots = [0.0] * n_slots  # busy-agent minutes per slot
        self.queue_slots = [0.0] * n_slots  # waiting-contact minutes per slot
        self._slot = 0  # the slot the clock is in, and where it ends
        self._slot_end = end if n_slots == 1 else start + SLOT
        self._last = start
        if schedule is not None:
            env.process(self._shifts())

    def staffed(self, horizon: float) -> float:
        """Agent-minutes staffed over the measured window of *horizon* minutes."""
        if self.spec.schedule is None:
            return self.spec.agents * horizon
        return self.spec.schedule.staffed(self.start, self.end)

    def staffed_between(self, a: float, b: float) -> float:
        """Agent-minutes staffed from *a* to *b*."""
        if self.spec.schedule is None:
            return self.spec.agents * (b - a)
        return self.spec.schedule.staffed(a, b)

    def _account(self) -> None:
        """Add the time since the last change to the busy, load and queue integrals.

        A count of zero adds nothing (``x + 0 * dt`` is ``x``): those sums are skipped.
        """
        last = self._last
        t = self.env.now
        if t <= last:
            return
        if t >= self.end:
            t = self.end
            if t <= last:
                return
        dt = t - last
        busy, waiting = self.busy, self.waiting + self.held
        if busy > self.headcount:  # agents finishing sessions after their shift ended
            self.overtime_area += (busy - self.headcount) * dt
            self.busy_area += self.headcount * dt
            self.slot_area += min(self.slots, self.headcount) * dt
        else:
            if busy:
                self.busy_area += busy * dt
            self.slot_area += self.slots * dt
        if waiting:
            self.queue_area += waiting * dt
        if t <= self._slot_end:  # the common case: within the current slot
            k = self._slot
            if busy:
                self.busy_slots[k] += busy * dt
            if waiting:
                self.queue_slots[k] += waiting * dt
        else:
            last_slot = len(self.busy_slots) - 1
            while last < t:
                k = min(int((last - self.start) / SLOT), last_slot)
                # float rounding may put a time on a boundary in the slot before: move on,
                # so that every step advances
                while k < last_slot and self.start + (k + 1) * SLOT <= last:
                    k += 1
                b = t if k == last_slot else min(t, self.start + (k + 1) * SLOT)
                self.busy_slots[k] += busy * (b - last)
                self.queue_slots[k] += waiting * (b - last)
                last = b
            self._slot = k
            self._slot_end = self.end if k == last_slot else self.start + (k + 1) * SLOT
        self._last = t

    def _find(self, channel: str) -> Agent | None:
        if self.idle:
            return self.idle[-1]
        share = self.share[channel]
        best = None
        for agent in self.partial:  # insertion order: reproducible
            if agent.load + share <= 1.0 + _EPS and (best is None or agent.load < best.load):
                best = agent
        return best

    def _take(self, agent: Agent, channel: str) -> int:
        self._account()
        if agent.sessions == 0:
            if agent is self.idle[-1]:
                self.idle.pop()
            else:
                self.idle.remove(agent)
            self.busy += 1
        agent.sessions += 1
        if agent.sessions > self.peak_sessions:
            self.peak_sessions = agent.sessions
        if self.penalty > 0:
            self._reshare(agent)
        share = self.share[channel]
        agent.load += share
        self.slots += share
        if agent.load < 1.0 - _EPS:
            self.partial[agent] = None
        else:
            self.partial.pop(agent, None)
        return agent.sessions

    def try_assign(self, channel: str) -> Agent | None:
        """An agent for a new contact on *channel* now, if one has room and no one waits."""
        if self.waiting:
            return None
        idle = self.idle
        agent = idle[-1] if idle else self._find(channel)
        if agent is not None:
            self._take(agent, channel)
        return agent

    def try_assign_to(self, agent: Agent, channel: str) -> bool:
        """Give a new contact on *channel* to *agent* now, if on shift and with room."""
        if not agent.on_shift or agent.load + self.share[channel] > 1.0 + _EPS:
            return False
        self._take(agent, channel)
        return True

    def expected_wait(self, channel: str, handle: float) -> float:
        """A newcomer's expected wait: the work waiting, of mean *handle* minutes a
        contact, over the pool's session capacity on *channel* now."""
        capacity = self.headcount * self.spec.concurrency.get(channel, 1)
        return self.waiting * handle / capacity if capacity else math.inf

    def enqueue(self, entry: QueueEntry) -> None:
        """Put *entry* in the queue of its intent's priority level, in order of arrival.

        A new contact goes to the back; one that waited for its last agent first goes
        behind those who arrived before it.
        """
        self._account()
        if not entry.pools:
            entry.pools = (self,)
        queue = self.queues[self.levels[entry.intent]] if self.levels else self.queue
        if queue and entry.before(queue[-1]):
            _insert_by_arrival(queue, entry)
        else:
            queue.append(entry)
        self.waiting += 1

    def leave(self, entry: QueueEntry) -> None:
        """Account for *entry* having left the queue (out of patience, or served elsewhere)."""
        self._account()
        self.waiting -= 1

    def hold(self, entry: QueueEntry, agent: Agent) -> None:
        """Let *entry* wait for *agent* alone (it has no room now), before anyone else."""
        self._account()
        if agent.held is None:
            agent.held = deque()
        agent.held.append(entry)
        entry.holder, entry.home, entry.joined = agent, self, None
        self.held += 1

    def unhold(self, entry: QueueEntry) -> None:
        """*entry* stops waiting for its agent: a free agent of its pools, or their queues."""
        self._account()
        self.held -= 1
        entry.holder = None
        offer(entry, entry.pools, self.env.now)

    def leave_held(self) -> None:
        """Account for a contact waiting for one agent having run out of patience."""
        self._account()
        self.held -= 1

    def release(self, agent: Agent, channel: str) -> None:
        """End one session of *agent* on *channel* and give its room to waiting contacts."""
        self._account()
        share = self.share[channel]
        agent.sessions -= 1
        agent.load -= share
        self.slots -= share
        if self.penalty > 0:
            self._reshare(agent)
        if not agent.on_shift:  # finishing after the shift ended: no new work
            if agent.sessions == 0:
                agent.load = 0.0
                self.busy -= 1
                self.off.append(agent)
            return
        if agent.sessions == 0:
            agent.load = 0.0
            self.partial.pop(agent, None)
            self.idle.append(agent)
            self.busy -= 1
        else:
            self.partial[agent] = None
        if agent.held:
            self._serve_held(agent)
        if self.waiting:
            self._dispatch()

    def _serve_held(self, agent: Agent) -> None:
        held = agent.held
        assert held is not None
        while held:
            entry = held[0]
            if not entry.waiting or entry.holder is not agent:
                held.popleft()
                continue
            if agent.load + self.share[entry.channel] > 1.0 + _EPS:
                break
            held.popleft()
            self.held -= 1
            self.serve(entry, agent)

    def work(self, agent: Agent, minutes: float, limit: float = math.inf) -> simpy.Event:
        """An event that succeeds with the work left once *agent* has done *minutes* of a
        session's work, or after *limit* minutes of wall time, whichever comes first.

        Processor sharing: while the agent holds *n* sessions, each session's work drains
        at 1 / (1 + penalty × (n − 1)) minutes per minute, recomputed whenever *n*
        changes. Without a penalty every session drains at 1: a plain timeout.
        """
        env = self.env
        if self.penalty <= 0:
            if minutes <= limit:
                return env.timeout(minutes, 0.0)
            return env.timeout(limit, minutes - limit)
        job = Job(env.event(), minutes, env.now, env.now + limit)
        agent.jobs.append(job)
        self._wake(agent, job)
        return job.event

    def _reshare(self, agent: Agent) -> None:
        """The agent's number of sessions changed: drain its jobs at the new rate."""
        rate = 1.0 / (1.0 + self.spec.penalty * max(agent.sessions - 1, 0))
        if rate == agent.rate:
            return
        now = self.env.now
        for job in agent.jobs:
            job.left -= (now - job.since) * agent.rate
            job.since = now
        agent.rate = rate
        for job in agent.jobs:
            self._wake(agent, job)

    def _wake(self, agent: Agent, job: Job) -> None:
        """Schedule *job*'s next wake-up: its end at the agent's rate, or its deadline."""
        job.stamp += 1
        stamp, now = job.stamp, self.env.now
        finish = job.left / agent.rate if job.left > 0 else 0.0
        done = finish <= job.deadline - now
        delay = finish if done else job.deadline - now

        def wake(_: Any) -> None:
            if job.stamp != stamp:  # the rate changed since: a later wake-up counts
                return
            job.left = 0.0 if done else job.left - (self.env.now - job.since) * agent.rate
            job.since = self.env.now
            agent.jobs.remove(job)
            job.event.succeed(max(job.left, 0.0))

        self.env.timeout(delay).callbacks.append(wake)

    def serve(self, entry: QueueEntry, agent: Agent, taken: bool = False) -> None:
        """Give waiting *entry* to *agent* (the one place a waiting contact is served).

        *taken*: the agent's room is taken already (by :meth:`try_assign`).
        """
        assert entry.waiting, "a contact is served once"
        entry.waiting = False
        entry.pool = self
        if not taken:
            self._take(agent, entry.channel)
        entry.event.succeed(agent)

    def _dispatch(self) -> None:
        for queue in self.queues:
            skipped: list[QueueEntry] = []
            stop = False
            while queue:
                entry = queue[0]
                if not entry.waiting:
                    queue.popleft()
                    continue
                agent = self._find(entry.channel)
                if agent is None:
                    if self.single_class or not (self.idle or self.partial):
                        stop = True
                        break
                    skipped.append(queue.popleft())
                    continue
                queue.popleft()
                for pool in entry.pools:  # it leaves every queue it waits in
                    if pool is self:
                        self.waiting -= 1
                    else:
                        pool.leave(entry)
                self.serve(entry, agent)
            if skipped:
                queue.extendleft(reversed(skipped))
            if stop or not self.waiting:
                return

    def set_headcount(self, n: int) -> None:
        """Put *n* agents on shift: the least loaded leave first, after their sessions."""
        self._account()
        change = n - self.headcount
        self.headcount = n
        while change < 0 and self.idle:
            agent = self.idle.pop()
            agent.on_shift = False
            self.off.append(agent)
            change += 1
        if change < 0:
            busy = sorted((a for a in self.agents if a.on_shift), key=lambda a: (a.load, a.index))
            for agent in busy[:-change]:
                agent.on_shift = False
                self.partial.pop(agent, None)
                while agent.held:  # those waiting for this agent wait for anyone
                    entry = agent.held.popleft()
                    if entry.waiting and entry.holder is agent:
                        self.unhold(entry)
            return
        if change > 0:
            for agent in self.agents:  # those still finishing a session stay on first
                if change and not agent.on_shift and agent.sessions:
                    agent.on_shift = True
                    if agent.load < 1.0 - _EPS:
                        self.partial[agent] = None
                    change -= 1
            while change and self.off:
                agent = self.off.pop()
                agent.on_shift = True
                self.idle.append(agent)
                change -= 1
            if self.waiting:
                self._dispatch()

    def _shifts(self) -> Any:
        assert self.spec.schedule is not None
        for t, n in self.spec.schedule.changes(0.0, self.end):
            yield self.env.timeout(t - self.env.now)
            self.set_headcount(n)

    def waited(self, entered: float, now: float) -> None:
        """Count one queue entry (made after the warm-up) that left after *now − entered*."""
        if self.start <= entered < self.end:
            self.entries += 1
            self.wait_sum += now - entered

    def finish(self) -> None:
        """Close the books at the end of the run."""
        self._account()

    def let_go(self) -> None:
        """Once the books are closed, forget whom the contacts still waiting and the work
        still in progress would answer: a waiting walk holds its queue entry, whose answer
        holds the walk, a reference cycle that would keep the walk and the whole
        replication until a full collection. The queues and tallies stay as they are."""
        entries = {entry for queue in self.queues for entry in queue}
        for agent in self.agents:
            if agent.held is not None:
                entries.update(agent.held)
            for job in agent.jobs:
                del job.event
        for entry in entries:
            if hasattr(entry, "event"):  # (an entry may wait in several pools' queues)
                del entry.event
