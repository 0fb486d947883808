"""Queueing for an agent: which pool, which agent, patience, call back and affinity.

The customer's side of the pool protocol (:mod:`.pools` is the pool's): a contact takes
a free agent of the pools that serve it, or joins their queues (first waiting for its
last agent, under affinity) until an agent takes it or its patience runs out.
"""

from __future__ import annotations

import math

import simpy

from ..metrics.recorder import IssueState
from ..model.dists import Source
from .pools import Agent, Answer, Pool, QueueEntry, request
from .state import Draws, EngineState, Proc, WalkAnswer, coin
from .world import IntentRT, SegmentRT


def patience_for(segment: SegmentRT, tp: str, issue: IssueState, rng: Source) -> float:
    """How long the customer waits for an agent at *tp*: the segment's patience there,
    shortened by frustration (every repetition and failure so far), or for ever."""
    dist = segment.patience.get(tp)
    if dist is None:
        return math.inf
    patience = dist.sample(rng)
    if segment.frustration:
        patience *= (1.0 - segment.frustration) ** (issue.repetitions + issue.failures)
    return patience


def plain_request(env: simpy.Environment, pools: tuple[Pool, ...], tp: str, entered: float,
                  intent: int, patience: float, answer: Answer | None = None,
                  ) -> tuple[Pool, Agent] | QueueEntry:
    """A plain contact asks *pools* for an agent: ``(pool, agent)`` when one takes it now
    (as :func:`~.pools.request` does, without a queue entry), else its queue entry, in
    every pool's queue, which reneges after *patience*. The queue's answer goes to
    *answer* (default: a new :class:`~.state.WalkAnswer`, for a walk to yield)."""
    got = take_now(pools, tp, entered)
    if got is not None:
        return got
    return join_queues(env, pools, tp, entered, intent, patience, answer)


def take_now(pools: tuple[Pool, ...], tp: str, entered: float) -> tuple[Pool, Agent] | None:
    """The first half of :func:`plain_request`: ``(pool, agent)`` when one of *pools*
    takes the contact now (its wait of 0 counted), else ``None``."""
    for pool in pools:
        agent = pool.try_assign(tp)
        if agent is not None:
            pool.waited(entered, entered)
            return pool, agent
    return None


def join_queues(env: simpy.Environment, pools: tuple[Pool, ...], tp: str, entered: float,
                intent: int, patience: float, answer: Answer | None = None) -> QueueEntry:
    """The second half of :func:`plain_request`: the contact's queue entry, in every one
    of *pools*' queues, which reneges after *patience*."""
    entry = QueueEntry(WalkAnswer() if answer is None else answer, tp, entered, intent, pools)
    for pool in pools:
        pool.enqueue(entry)
    if patience < math.inf:
        entry.alarm(env, patience)
    return entry

__all__ = ["Routing", "join_queues", "patience_for", "plain_request", "take_now"]


class Routing(EngineState):
    """The part of a replication that puts contacts in agent queues."""

    def _queue(self, issue: IssueState, segment: SegmentRT, intent: IntentRT, tp: str,
               draws: Draws, call_back: bool = False, patient: bool = False) -> Proc:
        """Wait for an agent: ``(pool, agent, called back)``, the agent ``None`` if it left.

        :meth:`_join`, then the wait for the queue's answer (:meth:`_left`).
        """
        where, agent, called_back = self._join(issue, segment, intent, tp, draws, call_back,
                                               patient)
        if not isinstance(where, QueueEntry):
            return where, agent, called_back
        agent = yield where.event  # type: ignore[misc]  # a WalkAnswer: the walk reads it
        return self._left(where), agent, called_back

    def _join(self, issue: IssueState, segment: SegmentRT, intent: IntentRT, tp: str,
              draws: Draws, call_back: bool = False, patient: bool = False,
              ) -> tuple[Pool | QueueEntry, Agent | None, bool]:
        """Take an agent now, or join the queues: ``(pool, agent, called back)`` when an
        agent takes the contact now, else ``(entry, None, called back)``, whose event
        answers with the agent (``None`` if it left); :meth:`_left` closes its books.

        The patience is the segment's on this channel, shortened by frustration. With
        *call_back* the contact waits as a call back (it missed an answer on hold); a
        *patient* contact (a reply in a conversation) waits for ever, offered nothing.
        Not a generator, so that a contact waiting in a queue holds no frame of its own
        (:meth:`_queue` is one, for callers that need it).
        """
        env = self.env
        pools = self._routes[tp, issue.intent]
        patience = math.inf if patient else patience_for(segment, tp, issue, draws.patience)
        last = None if self._affinity is None else self._last_agent(issue, pools)
        if last is None:  # as request(entry) does, without an entry if a pool takes it now
            for pool in pools:
                agent = pool.try_assign(tp)
                if agent is not None:
                    pool.waited(env.now, env.now)
                    return pool, agent, call_back
            entry = QueueEntry(WalkAnswer(), tp, env.now, issue.intent, pools)
            for pool in pools:
                pool.enqueue(entry)
        else:
            entry = QueueEntry(WalkAnswer(), tp, env.now, issue.intent, pools)
            agent = request(entry, last)
            if agent is not None:
                assert entry.pool is not None
                return entry.pool, agent, call_back
        if last is not None:  # it waits for the last agent first, then for anyone
            assert self.world.affinity is not None
            env.timeout(self.world.affinity.wait).callbacks.append(entry.stop_holding)
        called_back = call_back or (not patient
                                    and self._takes_callback(pools[0], intent, tp, draws))
        if patience < math.inf and not called_back:  # on a call back, no one holds
            entry.alarm(env, patience)
        return entry, None, called_back

    def _left(self, entry: QueueEntry) -> Pool:
        """The queue answered *entry* (an agent, or none: it left): settle it, and give
        the pool that served it (the first of its pools if none did)."""
        entry.settle(self.env.now)
        return entry.pools[0] if entry.pool is None else entry.pool

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

    def _takes_callback(self, pool: Pool, intent: IntentRT, tp: str, draws: Draws) -> bool:
        """Whether a customer joining *pool*'s queue is offered a call back and takes it.

        The expected wait is the work ahead (those waiting, and this contact) over the
        pool's session capacity now, at the intent's mean handle time on *tp*.
        """
        spec = self.world.callback
        if spec is None or not self.design.callback:
            return False
        expected = pool.expected_wait(tp, intent.handle[tp].mean)
        return expected > spec.offer_after and coin(spec.accept, draws)

