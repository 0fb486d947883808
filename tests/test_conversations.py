"""Asynchronous conversations release the agent between exchanges.

On an asynchronous channel with ``exchanges`` > 1 the agent works an exchange, then is
free while the customer replies (interruptions lengthen the reply, not the agent's
work); the reply queues again. Each effect is measured on the same customers (common
random numbers) with a 95% paired interval.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

#: Customers message an agent and are interrupted often and long.
MESSAGING: dict[str, Any] = {
    "scenario": {"name": "messaging", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 14, "designs": ["siloed"]},
    "arrivals": {"rate": "1.2/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"messaging": 1.0},
                  "interruptions": {"rate": "0.4/min",
                                    "duration": {"dist": "exponential", "mean": "3min"}}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["problem"],
                 "handle": {"messaging": {"dist": "exponential", "mean": "4min"}}}],
    "facts": {"problem": {"collect": "1min"}},
    "pools": [{"name": "p", "agents": 6, "channels": ["messaging"],
               "concurrency": {"messaging": 3}}],
}


def _runs(channel: dict[str, Any] | None) -> list[dict[str, float]]:
    data = copy.deepcopy(MESSAGING)
    if channel is not None:
        data["channels"] = {"messaging": channel}
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc), 6, sc.scenario.seed,
                          jobs=1)["siloed"]


def _diff(a: list[dict[str, float]], b: list[dict[str, float]], outcome: str) -> Any:
    return paired_difference([r[outcome] for r in a], [r[outcome] for r in b])


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict[str, float]]]:
    """One session holding the agent; a conversation of 3 exchanges; the same keeping its
    slot between exchanges."""
    conv = {"exchanges": 3, "reply_gap": {"dist": "exponential", "mean": "2min"}}
    return {"held": _runs(None), "released": _runs(conv),
            "slot": _runs({**conv, "hold_slot": True})}


def test_a_conversation_that_releases_the_agent_costs_less_agent_time(runs: Any) -> None:
    """With frequent interruptions, agent minutes per issue and utilization are lower when
    the conversation releases the agent than when one session holds it."""
    for outcome in ("agent_minutes_per_issue", "agent_utilization"):
        diff = _diff(runs["released"], runs["held"], outcome)
        assert diff["ci_high"] < 0, (outcome, diff)


def test_exchanges_and_reply_gaps_are_measured(runs: Any) -> None:
    """Three exchanges a contact; replies take the drawn gap plus interruptions."""
    assert all(r["exchanges_per_contact"] == 3 for r in runs["released"])
    assert all(r["exchanges_per_contact"] == 1 for r in runs["held"])
    assert all(math.isnan(r["mean_reply_gap"]) for r in runs["held"])
    assert all(r["mean_reply_gap"] > 2.5 for r in runs["released"])


def test_keeping_the_slot_keeps_the_agent_busy_not_working(runs: Any) -> None:
    """hold_slot: utilization (busy with a session) rises; worked agent minutes do not."""
    diff = _diff(runs["slot"], runs["released"], "agent_utilization")
    assert diff["ci_low"] > 0, diff
    minutes = _diff(runs["slot"], runs["released"], "agent_minutes_per_issue")
    assert abs(minutes["mean"]) < 0.1 * runs["released"][0]["agent_minutes_per_issue"]


@pytest.mark.slow
def test_a_reply_after_the_timeout_closes_the_conversation_unresolved() -> None:
    """Replies slower than the channel's timeout close conversations: resolution falls."""
    slow = {"exchanges": 3, "reply_gap": {"dist": "exponential", "mean": "30min"}}
    quick = _runs(slow)
    closed = _runs({**slow, "timeout": "20min"})
    diff = _diff(closed, quick, "contacts_per_issue")  # closed, the customer writes again
    assert diff["ci_low"] > 0, diff


@pytest.mark.parametrize(("channels", "message"), [
    ({"chat": {"exchanges": 3}}, "channels.chat.exchanges: 'chat' is synchronous"),
    ({"messaging": {"exchanges": 0}}, "channels.messaging.exchanges: must be >= 1"),
    ({"messaging": {"exchanges": 3}}, "channels.messaging.reply_gap: is 0: a conversation"),
    ({"messaging": {"exchanges": 3, "reply_gap": "0s", "timeout": "1h"}},
     "channels.messaging.reply_gap: is 0"),
    ({"messaging": {"exchanges": 10**6, "reply_gap": "1min"}},
     "channels.messaging.exchanges: 1000000 exchanges: such a conversation never ends"),
    ({"messaging": {"hold_slot": "no"}}, "channels.messaging.hold_slot: must be true or false"),
    ({"messaging": {"reply_gap": "-1min"}}, "channels.messaging.reply_gap: must be a duration"),
])
def test_conversation_keys_are_validated(channels: dict[str, Any], message: str) -> None:
    """A mistake in a conversation key is one line naming the field."""
    data = {**copy.deepcopy(MESSAGING), "channels": channels}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert message in str(info.value)


def test_chat_marked_asynchronous_may_hold_conversations() -> None:
    """synchronous = false lets chat have exchanges."""
    data = {**copy.deepcopy(MESSAGING), "channels": {"chat": {"exchanges": 3,
                                                             "reply_gap": "1min",
                                                             "synchronous": False}}}
    parse_scenario(data)
