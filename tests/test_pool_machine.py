"""The pool protocol against a small reference model, step by step (hypothesis state machine).

A pool of two agents, each holding up to two chats, with two intent priorities. The
machine offers contacts (to anyone, or to one agent first under affinity), lets them
run out of patience or stop waiting for their agent, finishes sessions, changes the
headcount and lets time pass; after every step it checks the pool against a
pure-Python model of what must hold: no agent beyond its capacity, new work only to
agents on shift, first come first served within a priority and higher priorities
first, no contact waiting while an agent on shift has room, no contact served twice,
and the pool's counts and wait sums equal the model's.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sim.engine.pools import Agent, Pool, QueueEntry, request
from sim.engine.world import PoolSpec

AGENTS, CONCURRENCY = 2, 2


@dataclass
class Entry:
    """The model's view of one contact."""

    queue: QueueEntry
    level: int
    seq: int
    status: str = "queued"  # queued, held, serving, done, gone
    agent: Agent | None = None


class PoolMachine(RuleBasedStateMachine):
    """Drive one :class:`Pool` and the reference model side by side."""

    def __init__(self) -> None:
        super().__init__()
        self.env = simpy.Environment()
        spec = PoolSpec("p", AGENTS, {"chat": CONCURRENCY}, 0.0, levels=(0, 1))
        self.pool = Pool(self.env, spec, 0.0, 1e4)  # longer than any run here
        self.entries: list[Entry] = []
        self.settled = 0
        self.wait_sum = 0.0
        self.served_now: list[Entry] = []  # served by the last step

    # --- the model's bookkeeping ----------------------------------------------------

    def _with(self, *status: str) -> list[Entry]:
        return [e for e in self.entries if e.status in status]

    def _settle(self, e: Entry) -> None:
        self.settled += 1
        self.wait_sum += self.env.now - e.queue.entered

    def _observe(self) -> None:
        """Find the contacts the step served; close their books as the engine does."""
        self.served_now = []
        for e in self._with("queued", "held"):
            if e.queue.event.triggered and e.queue.event.value is not None:
                assert not e.queue.waiting
                self.served_now.append(e)
        for e in self.served_now:
            self._check_order(e)
        for e in self.served_now:
            e.status, e.agent = "serving", e.queue.event.value
            e.queue.settle(self.env.now)
            self._settle(e)

    def _check_order(self, e: Entry) -> None:
        """A contact served from the queue had nobody before it still queued."""
        if e.status == "held":
            return  # affinity: its own agent takes it before the queue
        for other in self._with("queued"):
            if other in self.served_now:
                continue
            assert (other.level, other.queue.entered, other.seq) > (
                e.level, e.queue.entered, e.seq), "served out of order"

    # --- rules --------------------------------------------------------------------

    def _new(self, intent: int) -> Entry:
        queue = QueueEntry(self.env.event(), "chat", self.env.now, intent, (self.pool,))
        e = Entry(queue, intent, len(self.entries))
        self.entries.append(e)
        return e

    def _arrived(self, e: Entry, agent: Agent | None) -> None:
        if agent is not None:  # served as it asked: waited 0, books closed by the pool
            assert agent.on_shift
            e.status, e.agent = "serving", agent
            self.settled += 1
        self._observe()

    @rule(intent=st.integers(0, 1))
    def arrive(self, intent: int) -> None:
        """A new contact asks for any agent."""
        e = self._new(intent)
        self._arrived(e, request(e.queue))

    @rule(intent=st.integers(0, 1), a=st.integers(0, AGENTS - 1))
    def arrive_for_last_agent(self, intent: int, a: int) -> None:
        """A contact asks for its last agent (when on shift, as routing does)."""
        agent = self.pool.agents[a]
        if not agent.on_shift:
            return
        e = self._new(intent)
        got = request(e.queue, (self.pool, agent))
        if got is None:
            e.status = "held"
        self._arrived(e, got)

    @precondition(lambda self: self._with("held"))
    @rule(data=st.data())
    def stop_holding(self, data: st.DataObject) -> None:
        """A contact's affinity wait ends: it waits for anyone."""
        e = data.draw(st.sampled_from(self._with("held")))
        e.queue.stop_holding()
        if e.queue.waiting:
            e.status = "queued" if e.queue.holder is None else "held"
        self._observe()

    @precondition(lambda self: self._with("queued", "held"))
    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        """A waiting contact runs out of patience."""
        e = data.draw(st.sampled_from(self._with("queued", "held")))
        e.queue.renege()
        e.queue.settle(self.env.now)
        e.status = "gone"
        self._settle(e)
        self._observe()

    @precondition(lambda self: self._with("serving"))
    @rule(data=st.data())
    def finish(self, data: st.DataObject) -> None:
        """A session ends; its agent takes waiting contacts."""
        e = data.draw(st.sampled_from(self._with("serving")))
        assert e.agent is not None
        self.pool.release(e.agent, "chat")
        e.status = "done"
        for held in self._with("held"):  # an agent off shift no longer holds anyone
            if held.queue.holder is None and held.queue.waiting:
                held.status = "queued"
        self._observe()

    @rule(n=st.integers(0, AGENTS))
    def shift(self, n: int) -> None:
        """The headcount changes to *n*."""
        self.pool.set_headcount(n)
        for held in self._with("held"):
            if held.queue.holder is None and held.queue.waiting:
                held.status = "queued"
        self._observe()

    @rule(dt=st.floats(0.1, 5.0))
    def tick(self, dt: float) -> None:
        """Time passes."""
        self.env.run(until=self.env.now + dt)

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def capacity_is_never_exceeded(self) -> None:
        """No agent holds more than its concurrency; the model agrees on every agent."""
        for agent in self.pool.agents:
            mine = sum(1 for e in self._with("serving") if e.agent is agent)
            assert agent.sessions == mine <= CONCURRENCY
            assert agent.load <= 1.0 + 1e-9

    @invariant()
    def new_work_goes_to_agents_on_shift(self) -> None:
        """A contact the last step served went to an agent on shift."""
        for e in self.served_now:
            assert e.agent is not None and e.agent.on_shift

    @invariant()
    def nobody_waits_while_an_agent_has_room(self) -> None:
        """Work conservation: a queued contact means every agent on shift is full."""
        if self._with("queued"):
            assert all(a.sessions >= CONCURRENCY for a in self.pool.agents if a.on_shift)

    @invariant()
    def the_headcount_is_on_shift(self) -> None:
        """Exactly the scheduled headcount is on shift."""
        assert sum(a.on_shift for a in self.pool.agents) == self.pool.headcount

    @invariant()
    def the_books_match_the_model(self) -> None:
        """Waiting and held counts, busy agents, slots, entries and wait sums."""
        pool = self.pool
        assert pool.waiting == len(self._with("queued"))
        assert pool.held == len(self._with("held"))
        assert pool.busy == sum(1 for a in pool.agents if a.sessions)
        assert abs(pool.slots - len(self._with("serving")) / CONCURRENCY) < 1e-9
        assert pool.entries == self.settled
        assert abs(pool.wait_sum - self.wait_sum) < 1e-6


PoolMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40,
                                         deadline=None)
TestPoolProtocol = PoolMachine.TestCase
