"""Asynchronous conversations that release the agent between exchanges.

On an asynchronous channel whose ``[channels.NAME]`` table gives ``exchanges`` > 1, an
agent contact is a conversation: the agent works an exchange (an equal share of the
drawn handle time; the facts are asked in the first) on its own — the customer's
interruptions do not hold it — then the conversation waits for the customer's reply (a
drawn ``reply_gap``, longer by the interruptions that fall in it). Meanwhile the agent
is free for other work, or keeps the concurrency slot with ``hold_slot``. The reply
queues again, without patience: to the last agent under affinity, else to any agent.
The same agent remembers the conversation; a new one reads the facts its channel's
history view shows (the conversation's own channel keeps its transcript under every
topology, unless a ``history_ttl`` shorter than the pause let it expire) and asks
again, as repetitions, those it cannot see, before working the next exchange. A reply
that takes longer than the channel's ``timeout`` closes the conversation unresolved.
"""

from __future__ import annotations

import attrs

from ..metrics.recorder import IssueState
from ..model.channels import TOUCHPOINTS
from .contacts import READ_FRACTION, Contacts
from .pools import Agent, Pool
from .state import DROPPED, UNRESOLVED, Context, Draws, Proc, Seat
from .world import ConversationRT, IntentRT, SegmentRT

__all__ = ["Conversations"]


class Conversations(Contacts):
    """The part of a replication that runs asynchronous conversations."""

    def _session(self, issue: IssueState, ctx: Context, segment: SegmentRT, intent: IntentRT,
                 tp: str, draws: Draws, pool: Pool, agent: Agent) -> Proc:
        """An agent session, or a conversation of exchanges where the channel has them.

        Not a generator itself: it hands back the one to run (a layer less per event).
        """
        conv = self.world.conversations.get(tp)
        if conv is None:
            return super()._session(issue, ctx, segment, intent, tp, draws, pool, agent)
        return self._conversation(issue, ctx, segment, intent, tp, draws, pool, agent, conv)

    def _conversation(self, issue: IssueState, ctx: Context, segment: SegmentRT,
                      intent: IntentRT, tp: str, draws: Draws, pool: Pool, agent: Agent,
                      conv: ConversationRT) -> Proc:
        """Exchange after exchange until the conversation resolves, closes or drops."""
        env = self.env
        resolve = self._resolve_with(issue, intent, tp, pool, agent, ctx.customer)
        share = intent.handle[tp].sample(draws.work) / conv.exchanges
        collect = [f.collect.sample(draws.work) for f in intent.facts]
        reads = [c * READ_FRACTION if f.read is None else f.read.sample(draws.work)
                 for f, c in zip(intent.facts, collect, strict=True)]
        seat = ctx.seat = Seat(pool, agent, env.now, draws)
        started = env.now
        # the agent works an exchange on its own: interruptions lengthen the reply gaps
        calm = attrs.evolve(segment, interrupt_rate=0.0, talk_rate=0.0)
        done, extra = yield from self._converse(issue, ctx, calm, intent, tp, collect,
                                                share, seat, draws.interrupt, reads)
        exchanges = 1
        while done and exchanges < conv.exchanges:
            first = seat.agent
            replied = yield from self._await_reply(issue, segment, intent, tp, seat, conv)
            if not replied:  # idle past the timeout: closed unresolved
                ctx.seat = None
                self._count(issue, seat, tp, started, exchanges)
                return UNRESOLVED, 0.0
            if seat.agent is first:  # the same agent remembers the conversation
                done, extra = yield from self._spend(share, calm, tp, draws.interrupt, issue,
                                                     ctx, seat)
            else:  # a new agent reads what its view shows and asks again what it does not
                ctx.within = True  # the same contact: nobody re-authenticates
                done, extra = yield from self._converse(issue, ctx, calm, intent, tp, collect,
                                                        share, seat, draws.interrupt, reads)
            exchanges += 1
        ctx.seat = None
        if seat.agent is not None:
            self._end_seat(issue, seat, tp, not done)
        if not done:
            return DROPPED, extra
        self._count(issue, seat, tp, started, exchanges)
        return self._settle(resolve, intent, tp, draws), 0.0

    def _count(self, issue: IssueState, seat: Seat, tp: str, started: float,
               exchanges: int) -> None:
        """Count the conversation, of *exchanges* exchanges, as one answered contact."""
        self.recorder.conversation(issue, seat.pool.spec.name, TOUCHPOINTS[tp].channel,
                                   started, exchanges)

    def _await_reply(self, issue: IssueState, segment: SegmentRT, intent: IntentRT, tp: str,
                     seat: Seat, conv: ConversationRT) -> Proc:
        """End an exchange and wait for the customer's reply, then for an agent.

        True once an agent has the conversation again; False if the reply came after the
        channel's timeout (the conversation is closed, its slot freed).
        """
        env, channel = self.env, TOUCHPOINTS[tp].channel
        assert seat.agent is not None
        if conv.hold_slot:  # the slot stays taken; only the worked time is charged
            self._charge(issue, seat.pool, tp, env.now - seat.started)
            self.recorder.session_ended(issue, seat.pool.spec.name, channel, seat.started,
                                        env.now - seat.started)
        else:
            self._end_seat(issue, seat, tp, False)
        gap = self._reply_gap(segment, conv, seat.draws)
        self.recorder.reply(issue, seat.pool.spec.name, channel, env.now, gap)
        timeout = self.world.timeout[tp]
        if gap > timeout:
            yield timeout, None  # a sleep of the walk (env.timeout(timeout))
            if conv.hold_slot:
                seat.pool.release(seat.agent, tp)
            seat.agent = None
            return False
        yield gap, None  # a sleep of the walk (env.timeout(gap))
        if conv.hold_slot:
            seat.started = env.now
            return True
        entered = env.now
        pool, agent, _ = yield from self._queue(issue, segment, intent, tp, seat.draws,
                                                patient=True)
        assert agent is not None  # a reply waits for ever
        self.recorder.queue_left(issue, pool.spec.name, channel, entered, env.now, True)
        seat.pool, seat.agent, seat.started = pool, agent, env.now
        return True

    def _reply_gap(self, segment: SegmentRT, conv: ConversationRT, draws: Draws) -> float:
        """A drawn reply gap, lengthened by every interruption that starts within it."""
        gap = conv.reply_gap.sample(draws.reply)
        rate = segment.interrupt_rate
        if rate <= 0:
            return gap
        rng, t, extra = draws.reply, draws.reply.expovariate(rate), 0.0
        while t < gap:
            extra += segment.interrupt_duration.sample(rng)
            t += rng.expovariate(rate)
        return gap + extra
