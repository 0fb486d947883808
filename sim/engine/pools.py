"""Agent pools: agents with per-channel concurrency, one FCFS queue per pool.

A session of a channel with concurrency *c* takes 1/*c* of an agent, so an agent holds
either one voice call or up to three chats (with ``chat = 3``), or a mix that fits. A new
contact goes to an idle agent first, else to the least loaded agent it fits; when an
agent frees capacity it takes the first waiting contacts that fit. A waiting contact that
runs out of patience is marked and skipped (lazy deletion keeps the queue O(1)).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import simpy

from .world import PoolSpec

__all__ = ["SLOT", "Agent", "Pool", "QueueEntry"]

_EPS = 1e-9
#: Width of the time slots of the per-pool series (minutes).
SLOT = 15.0


class Agent:
    """One agent: its sessions now and the load they put on it (1.0 = full)."""

    __slots__ = ("index", "load", "sessions")

    def __init__(self, index: int) -> None:
        self.index = index
        self.sessions = 0
        self.load = 0.0


class QueueEntry:
    """A contact waiting for an agent; *event* succeeds with the agent, or ``None``."""

    __slots__ = ("channel", "entered", "event", "waiting")

    def __init__(self, event: simpy.Event, channel: str, entered: float) -> None:
        self.event = event
        self.channel = channel
        self.entered = entered
        self.waiting = True

    def renege(self, _: Any = None) -> None:
        """Leave the queue (patience ran out) unless an agent took the contact already."""
        if self.waiting:
            self.waiting = False
            self.event.succeed(None)


class Pool:
    """A pool of agents with one FCFS queue, and its busy-time bookkeeping.

    *start* and *end* bound the measurement window for utilization.
    """

    def __init__(self, env: simpy.Environment, spec: PoolSpec, start: float, end: float) -> None:
        self.env = env
        self.spec = spec
        self.agents = [Agent(i) for i in range(spec.agents)]
        self.idle = self.agents[::-1]
        # agents with some but not all capacity used; a dict (ordered by insertion) so that
        # ties are broken the same way in every run, unlike a set of objects
        self.partial: dict[Agent, None] = {}
        self.share = {ch: 1.0 / c for ch, c in spec.concurrency.items()}
        self.single_class = len(set(self.share.values())) == 1
        self.queue: deque[QueueEntry] = deque()
        self.waiting = 0
        self.start, self.end = start, end
        self.peak_sessions = 0  # most sessions any agent held at once
        self.busy = 0  # agents with at least one session
        self.slots = 0.0  # load summed over agents
        self.busy_area = 0.0
        self.slot_area = 0.0
        self.queue_area = 0.0
        self.entries = 0  # queue entries after the warm-up that have left the queue
        self.wait_sum = 0.0
        n_slots = max(1, math.ceil((end - start) / SLOT - 1e-9))
        self.busy_slots = [0.0] * n_slots  # busy-agent minutes per slot
        self.queue_slots = [0.0] * n_slots  # waiting-contact minutes per slot
        self._slot = 0  # the slot the clock is in, and where it ends
        self._slot_end = end if n_slots == 1 else start + SLOT
        self._last = start

    def _account(self) -> None:
        now = self.env.now
        last = self._last
        if now <= last:
            return
        t = now if now < self.end else self.end
        if t <= last:
            return
        dt = t - last
        busy, waiting = self.busy, self.waiting
        self.busy_area += busy * dt
        self.slot_area += self.slots * dt
        self.queue_area += waiting * dt
        if t <= self._slot_end:  # the common case: within the current slot
            k = self._slot
            self.busy_slots[k] += busy * dt
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
        agent = self._find(channel)
        if agent is not None:
            self._take(agent, channel)
        return agent

    def enqueue(self, entry: QueueEntry) -> None:
        """Put *entry* at the back of the queue."""
        self._account()
        self.queue.append(entry)
        self.waiting += 1

    def leave(self, entry: QueueEntry) -> None:
        """Account for *entry* having left the queue without service."""
        self._account()
        self.waiting -= 1

    def release(self, agent: Agent, channel: str) -> None:
        """End one session of *agent* on *channel* and give its room to waiting contacts."""
        self._account()
        share = self.share[channel]
        agent.sessions -= 1
        agent.load -= share
        self.slots -= share
        if agent.sessions == 0:
            agent.load = 0.0
            self.partial.pop(agent, None)
            self.idle.append(agent)
            self.busy -= 1
        else:
            self.partial[agent] = None
        if self.waiting:
            self._dispatch()

    def _dispatch(self) -> None:
        queue = self.queue
        skipped: list[QueueEntry] = []
        while queue:
            entry = queue[0]
            if not entry.waiting:
                queue.popleft()
                continue
            agent = self._find(entry.channel)
            if agent is None:
                if self.single_class or not (self.idle or self.partial):
                    break
                skipped.append(queue.popleft())
                continue
            queue.popleft()
            entry.waiting = False
            self.waiting -= 1
            self._take(agent, entry.channel)
            entry.event.succeed(agent)
        if skipped:
            queue.extendleft(reversed(skipped))

    def waited(self, entered: float, now: float) -> None:
        """Count one queue entry (made after the warm-up) that left after *now − entered*."""
        if entered >= self.start:
            self.entries += 1
            self.wait_sum += now - entered

    def finish(self) -> None:
        """Close the books at the end of the run."""
        self._account()
