"""Behaviour of the engine on small scenarios built in the test."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import APP_TO_VOICE

from sim import compile_world, parse_scenario, resolve_designs, run_experiment, simulate
from sim.engine import Replication
from sim.engine.streams import Streams
from sim.metrics.stats import estimate, paired_difference
from sim.model import Design
from sim.theory import erlang_c

BASE: dict[str, Any] = {
    "scenario": {"name": "t", "horizon": "10h", "warmup": "30min", "replications": 6,
                 "seed": 3, "designs": ["siloed"]},
    "arrivals": {"rate": "1.5/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0}}],
    "intents": [{"name": "q", "share": 1.0,
                 "handle": {"voice": {"dist": "exponential", "mean": "1min"}}}],
    "pools": [{"name": "p", "agents": 2, "channels": ["voice"]}],
}


def scenario(**changes: Any) -> Any:
    """BASE with top-level tables replaced by *changes*."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return parse_scenario(data)


def outcomes(sc: Any, replications: int = 6, designs: list[str] | None = None) -> Any:
    """Run *sc* and return results per design."""
    return run_experiment(compile_world(sc), resolve_designs(sc, designs), replications,
                          sc.scenario.seed, jobs=2)


def test_erlang_c_mean_wait_without_abandonment() -> None:
    """With infinite patience, M/M/2 mean wait's interval covers the Erlang C value."""
    sc = scenario(scenario={**BASE["scenario"], "horizon": "40h"})
    reps = outcomes(sc, 10)["siloed"]
    exact = erlang_c(1.5, 1.0, 2).mean_wait
    est = estimate([r["mean_wait"] for r in reps])
    assert est["ci_low"] <= exact <= est["ci_high"], (exact, est)
    assert all(r["abandonment_rate"] == 0 for r in reps)


def test_issues_are_conserved() -> None:
    """Every measured issue is resolved, abandoned or open; the rates add up."""
    sc = scenario(
        segments=[{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                   "patience": {"dist": "exponential", "mean": "1min"}}],
        intents=[{"name": "q", "share": 1.0, "resolve": {"voice": 0.6},
                  "handle": {"voice": {"dist": "exponential", "mean": "1min"}}}],
        journeys=[{"from": "voice", "after": "abandoned", "to": {"retry": 0.5, "give_up": 0.5},
                   "delay": "5min"}],
    )
    out = simulate(compile_world(sc), resolve_designs(sc)[0], 3, 0)
    assert out["issues"] > 500
    assert 0 <= out["open_issues"] < out["issues"]
    assert out["give_up_rate"] + out["resolution_rate"] == pytest.approx(1.0)
    assert 0 < out["give_up_rate"] < 1
    assert out["contacts_per_issue"] > 1  # retries and follow-ups happened


def test_self_service_success_probability() -> None:
    """Self-service that succeeds with p=0.4 (failures give up) resolves ~40% of issues."""
    sc = scenario(
        segments=[{"name": "s", "share": 1.0, "start": {"app": 1.0}}],
        intents=[{"name": "q", "share": 1.0, "self_service": {"app": 0.4}}],
        pools=[],
    )
    reps = outcomes(sc)["siloed"]
    est = estimate([r["resolution_rate"] for r in reps])
    assert est["ci_low"] <= 0.4 <= est["ci_high"]
    assert all(r["contacts_per_issue"] == 1 for r in reps)


def test_agents_never_exceed_their_concurrency() -> None:
    """A chat pool with concurrency 3 fills agents up to 3 sessions, never more."""
    sc = scenario(
        scenario={**BASE["scenario"], "horizon": "3h"},
        arrivals={"rate": "5/min"},
        segments=[{"name": "s", "share": 1.0, "start": {"chat": 1.0},
                   "patience": {"dist": "exponential", "mean": "3min"}}],
        intents=[{"name": "q", "share": 1.0,
                  "handle": {"chat": {"dist": "exponential", "mean": "4min"}}}],
        pools=[{"name": "p", "agents": 4, "channels": ["chat"], "concurrency": {"chat": 3},
                "concurrency_penalty": 0.25}],
    )
    rep = Replication(compile_world(sc), resolve_designs(sc)[0], Streams(1, 0))
    out = rep.run()
    assert rep.pools[0].peak_sessions == 3
    assert 0 <= out["pool.p.slot_utilization"] <= out["pool.p.agent_utilization"] <= 1
    # the penalty inflates handle time above the base 4 min mean
    assert out["mean_handle_time"] > 4.2


STORY: dict[str, Any] = {
    **APP_TO_VOICE,
    "pools": [{"name": "p", "agents": 6, "channels": ["voice"]}],
    "designs": {
        "grouped": {"history": [["app", "voice"]]},
        "siloed-resumable": {"base": "siloed", "resumable": True},
    },
}


def test_grouping_app_and_voice_removes_repetition() -> None:
    """A design whose app and voice share a history has no repetitions on app→voice."""
    sc = scenario(**STORY)
    res = outcomes(sc, 4, ["siloed", "grouped"])
    assert all(r["repetitions_per_issue"] > 0 for r in res["siloed"])
    assert all(r["repetitions_per_issue"] == 0 for r in res["grouped"])


def test_resumable_sessions_mean_fewer_contacts_with_frequent_interruptions() -> None:
    """Resumable sessions lower contacts_per_issue when interruptions are frequent."""
    sc = scenario(**STORY)
    res = outcomes(sc, 6, ["siloed", "siloed-resumable"])
    diff = paired_difference([r["contacts_per_issue"] for r in res["siloed-resumable"]],
                             [r["contacts_per_issue"] for r in res["siloed"]])
    assert diff["ci_high"] is not None and diff["ci_high"] < 0


def test_daily_profile_gives_the_integrated_number_of_arrivals() -> None:
    """A piecewise daily profile yields arrivals matching the integral of its rate."""
    sc = scenario(
        scenario={**BASE["scenario"], "horizon": "24h", "warmup": "0h"},
        arrivals={"profile": [{"at": "0h", "rate": "0/min"}, {"at": "8h", "rate": "2/min"},
                              {"at": "20h", "rate": "0.5/min"}]},
        pools=[{"name": "p", "agents": 5, "channels": ["voice"]}],
    )
    reps = outcomes(sc, 6)["siloed"]
    expected = 12 * 60 * 2 + 4 * 60 * 0.5
    est = estimate([r["issues"] for r in reps])
    assert est["ci_low"] <= expected <= est["ci_high"], (expected, est)


def test_designs_see_the_same_customers() -> None:
    """Common random numbers: both designs get the same number of issues per replication."""
    sc = scenario(**STORY)
    res = outcomes(sc, 3, ["siloed", "unified"])
    assert [r["issues"] for r in res["siloed"]] == [r["issues"] for r in res["unified"]]


def test_unknown_design_capability_is_refused() -> None:
    """A design table with an unknown capability is a scenario error naming it."""
    from sim import ScenarioError

    data = copy.deepcopy(BASE)
    data["designs"] = {"x": {"resumeable": True}}
    with pytest.raises(ScenarioError, match=r"designs\.x\.resumeable: unknown key"):
        parse_scenario(data)


def test_design_is_a_value() -> None:
    """Designs compare by value, so results can be keyed by them."""
    assert Design("a") == Design("a")


def test_slot_boundaries_with_fractional_warmup_terminate() -> None:
    """A warm-up that is not a whole number of minutes never stalls the slot bookkeeping."""
    import subprocess
    import sys

    code = (
        "from sim import parse_scenario, compile_world, resolve_designs, simulate\n"
        "sc = parse_scenario({'scenario': {'name': 'f', 'horizon': '395.8333333333333min',"
        " 'warmup': '20.833333333333336min', 'designs': ['siloed']},"
        " 'arrivals': {'rate': '48/min'},"
        " 'segments': [{'name': 's', 'share': 1.0, 'start': {'voice': 1.0},"
        " 'patience': {'dist': 'exponential', 'mean': '2min'}}],"
        " 'intents': [{'name': 'q', 'share': 1.0,"
        " 'handle': {'voice': {'dist': 'exponential', 'mean': '1min'}}}],"
        " 'pools': [{'name': 'p', 'agents': 50, 'channels': ['voice']}]})\n"
        "out = simulate(compile_world(sc), resolve_designs(sc)[0], 1, 0)\n"
        "print(out['issues'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 15_000


CALLBACK: dict[str, Any] = {
    "scenario": {**BASE["scenario"], "horizon": "8h", "designs": ["siloed", "with-callback"]},
    "arrivals": {"rate": "2.2/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "2min"}}],
    "callback": {"offer_after": "1min", "accept": 0.37, "unreachable": 0.07},  # Hathaway et al.
    "designs": {"with-callback": {"base": "siloed", "callback": True}},
}


def test_callbacks_lower_queue_abandonment() -> None:
    """Offering call backs when the wait is long lowers queue abandonment (interval < 0)."""
    sc = scenario(**CALLBACK)
    res = outcomes(sc, 8)
    diff = paired_difference([r["abandonment_rate"] for r in res["with-callback"]],
                             [r["abandonment_rate"] for r in res["siloed"]])
    assert diff["ci_high"] is not None and diff["ci_high"] < 0, diff
    assert all(r["callback_rate"] == 0 for r in res["siloed"])
    taken = estimate([r["callback_rate"] for r in res["with-callback"]])
    assert taken["mean"] is not None and taken["mean"] > 0.02
    # ~2,400 call backs over the replications: the binomial standard error of the
    # unreachable share is ~0.005, so 0.025 is a 5-sigma tolerance around 0.07
    unreachable = estimate([r["callback_unreachable_rate"] for r in res["with-callback"]])
    assert unreachable["mean"] is not None and abs(unreachable["mean"] - 0.07) < 0.025


def test_no_callback_table_means_no_callbacks() -> None:
    """Without a [callback] table the capability has nothing to offer: outcomes are NaN."""
    sc = scenario()
    out = simulate(compile_world(sc), Design("x", callback=True), 3, 0)
    assert out["callback_rate"] != out["callback_rate"]  # NaN
