"""Interruptions as they happen: by what the customer is doing.

A call with an agent holds attention far better than an app: interruptions on voice and
video come at the segment's ``talking`` rate (default a twentieth of ``rate``), so the
story's phone calls rarely drop. Each effect is measured on the same customers (common
random numbers) with a 95% paired interval.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest
from conftest import APP_TO_VOICE, SCENARIOS

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.engine.world import TALKING_FRACTION
from sim.experiment.runner import run_experiment
from sim.metrics.stats import estimate, paired_difference

VOICE = "by.channel.voice.session_drop_rate"

CALLS: dict[str, Any] = {
    **copy.deepcopy(APP_TO_VOICE),
    "scenario": {"name": "calls", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 8, "designs": ["siloed"]},
    "arrivals": {"rate": "1/min"},
    "pools": [{"name": "p", "agents": 5, "channels": ["voice"]}],
    "journeys": [{"from": "app", "after": "failed", "to": {"voice": 1.0}},
                 {"from": "voice", "after": "dropped", "to": {"voice": 0.5, "give_up": 0.5}}],
}


def _runs(data: dict[str, Any], replications: int = 6) -> dict[str, Any]:
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc), replications,
                          sc.scenario.seed, jobs=1)


def _with(**interruptions: Any) -> dict[str, Any]:
    data = copy.deepcopy(CALLS)
    data["segments"][0]["interruptions"].update(interruptions)
    return data


def test_phone_calls_drop_far_less_often_than_app_sessions() -> None:
    """At the default talking rate fewer calls drop than when calls are interrupted at
    the in-app rate (as before issue 12); fewer give up after a contact."""
    default = _runs(CALLS)["siloed"]
    app_rate = _runs(_with(talking=CALLS["segments"][0]["interruptions"]["rate"]))["siloed"]
    diff = paired_difference([r[VOICE] for r in default], [r[VOICE] for r in app_rate])
    assert diff["ci_high"] < 0, diff
    assert TALKING_FRACTION == 0.05
    never = _runs(_with(talking="0/min"))["siloed"]
    assert all(r[VOICE] == 0 for r in never)
    assert all(r[VOICE] > 0 for r in default)


def test_fewer_than_two_percent_of_the_storys_phone_calls_drop() -> None:
    """At the story's defaults (app-to-phone.toml, siloed) under 2% of voice sessions drop."""
    data = tomllib.loads((SCENARIOS / "app-to-phone.toml").read_text(encoding="utf-8"))
    data["scenario"]["designs"] = ["siloed"]
    rs = _runs(data, replications=4)["siloed"]
    drop = estimate([r[VOICE] for r in rs])
    assert 0 < drop["mean"] < 0.02, drop


@pytest.mark.parametrize(("more", "message"), [
    ({"talking": "-1/min"}, "segments[0].interruptions.talking: must be >= 0 (got -1)"),
    ({"talking": 3}, "segments[0].interruptions.talking"),
])
def test_interruption_keys_are_validated(more: dict[str, Any], message: str) -> None:
    """A mistake in a new interruption key is one line naming the field."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_with(**more))
    assert message in str(info.value)


#: Callers on a busy queue who look away while on hold.
HOLD: dict[str, Any] = {
    "scenario": {"name": "hold", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 4, "designs": ["siloed", "on"]},
    "arrivals": {"rate": "1.8/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "8min"},
                  "interruptions": {"rate": "0/min", "talking": "0/min",
                                    "duration": {"dist": "exponential", "mean": "1min"}}}],
    "intents": [{"name": "q", "share": 1.0,
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}}}],
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
    "journeys": [{"from": "voice", "after": "abandoned", "to": {"voice": 0.5, "give_up": 0.5},
                  "delay": {"dist": "exponential", "mean": "5min"}}],
    "callback": {"offer_after": "100h", "accept": 0.0},
    "designs": {"on": {"callback": True}},
}


def _hold(**interruptions: Any) -> dict[str, Any]:
    data = copy.deepcopy(HOLD)
    data["segments"][0]["interruptions"].update(interruptions)
    return data


def _paired(a: list[dict[str, float]], b: list[dict[str, float]], outcome: str) -> Any:
    return paired_difference([r[outcome] for r in a], [r[outcome] for r in b])


def test_a_customer_away_on_hold_misses_the_answer() -> None:
    """Interrupted on hold, some customers miss the agent's answer: unanswered entries and
    ring time raise abandonment and agent minutes; requeued, the issue still ends well
    more often than when a missed answer is abandoned."""
    calm = _runs(HOLD)["siloed"]
    requeue = _runs(_hold(waiting="0.3/min"))["siloed"]
    abandon = _runs(_hold(waiting="0.3/min", missed="abandon"))["siloed"]
    for outcome in ("abandonment_rate", "agent_minutes_per_issue"):
        diff = _paired(requeue, calm, outcome)
        assert diff["ci_low"] > 0, (outcome, diff)
    gave_up = _paired(abandon, requeue, "give_up_in_queue")
    assert gave_up["ci_low"] > 0, gave_up


def test_a_missed_answer_becomes_a_call_back_where_the_design_calls_back() -> None:
    """missed = "callback": under a design with call backs the missed contact waits as a
    call back (call backs happen although none is ever offered); without, it requeues."""
    res = _runs(_hold(waiting="0.3/min", missed="callback"))
    assert all(r["callback_rate"] > 0 for r in res["on"])
    assert all(r["callback_rate"] == 0 for r in res["siloed"])


@pytest.mark.parametrize(("more", "message"), [
    ({"waiting": "-1/min"}, "segments[0].interruptions.waiting: must be >= 0"),
    ({"ring": "-2s"}, "segments[0].interruptions.ring: must be"),
    ({"missed": "retry"}, "segments[0].interruptions.missed: must be one of 'requeue'"),
])
def test_hold_keys_are_validated(more: dict[str, Any], message: str) -> None:
    """A mistake in an on-hold interruption key is one line naming the field."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_hold(**more))
    assert message in str(info.value)


def test_a_missed_call_back_needs_a_callback_table() -> None:
    """missed = "callback" without a [callback] table is refused with the reason."""
    data = _hold(missed="callback")
    data.pop("callback")
    data.pop("designs")
    data["scenario"]["designs"] = ["siloed"]
    with pytest.raises(ScenarioError, match=r"interruptions\.missed: 'callback' needs a"):
        parse_scenario(data)


#: Chats interrupted often and long, under a design whose sessions survive interruptions.
RESUMABLE: dict[str, Any] = {
    "scenario": {"name": "resume", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 6, "designs": ["resumable"]},
    "arrivals": {"rate": "1.5/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"chat": 1.0},
                  "patience": {"dist": "exponential", "mean": "10min"},
                  "interruptions": {"rate": "0.3/min",
                                    "duration": {"dist": "exponential", "mean": "4min"}}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["problem"],
                 "handle": {"chat": {"dist": "exponential", "mean": "3min"}}}],
    "facts": {"problem": {"collect": "1min"}},
    "pools": [{"name": "p", "agents": 8, "channels": ["chat"]}],
    "designs": {"resumable": {"resumable": True}},
}


def test_a_resumable_session_frees_the_agent_through_a_long_interruption() -> None:
    """With release_after, a resumable chat interrupted longer than it frees the agent
    (and resumes with another): agent minutes per issue and utilization fall, no fact is
    asked again, and the monitors stay quiet."""
    held = _runs(RESUMABLE)["resumable"]
    freed_data = copy.deepcopy(RESUMABLE)
    freed_data["channels"] = {"chat": {"release_after": "1min"}}
    freed = _runs(freed_data)["resumable"]
    for outcome in ("agent_minutes_per_issue", "agent_utilization"):
        diff = _paired(freed, held, outcome)
        assert diff["ci_high"] < 0, (outcome, diff)
    assert all(r["repetitions_per_issue"] == 0 for r in freed)
    from sim.engine.monitors import Monitor
    from sim.engine.replication import Replication
    from sim.engine.streams import Streams

    sc = parse_scenario(freed_data)
    monitor = Monitor(unified=False, resumable=True)
    Replication(compile_world(sc), resolve_designs(sc)[0], Streams(6, 0), monitor).run()
    assert monitor.violations == {}


def test_release_after_is_validated() -> None:
    """A negative release_after is one line naming the field."""
    data = {**copy.deepcopy(RESUMABLE), "channels": {"chat": {"release_after": "-1min"}}}
    with pytest.raises(ScenarioError, match=r"channels\.chat\.release_after: must be"):
        parse_scenario(data)
