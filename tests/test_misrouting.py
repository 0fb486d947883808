"""Zeroing out and misrouting: a customer who leaves self-service for an agent without a
hand-over goes through a menu that may send them to the wrong agent.

A misrouted contact costs a transfer: the wrong agent's time, a second wait and, under a
siloed history, every fact told to the wrong agent asked again. With a hand-over the
self-service context carries the intent and nothing is misrouted. Each effect is measured
on the same customers (common random numbers) with a 95% paired interval.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

FIXED = {"dist": "fixed", "value": "1min"}

#: Customers fail in the app and reach a voice agent: by calling in (siloed), or by an
#: in-app escalation that hands the app's context over (handed).
APP: dict[str, Any] = {
    "scenario": {"name": "menu", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 31, "designs": ["siloed", "unified-history", "handed"]},
    "arrivals": {"rate": "1/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"app": 1.0},
                  "patience": {"dist": "exponential", "mean": "10min"}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["identity", "problem"],
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}},
                 "self_service": {"app": {"success": 0.3, "time": FIXED}}}],
    "facts": {"identity": {"collect": "40s", "scope": "customer"},
              "problem": {"collect": "90s"}},
    "journeys": [{"from": "app", "after": "failed", "to": {"voice": 1.0}}],
    "escalation": {"app": {"to": "voice", "accept": 1.0}},
    "designs": {"handed": {"escalation": True, "handover": True}},
    "pools": [{"name": "p", "agents": 5, "channels": ["voice"]}],
}


def _runs(misroute: float) -> dict[str, list[dict[str, float]]]:
    data = copy.deepcopy(APP)
    data["routing"] = {"misroute": misroute, "transfer": "1min"}
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc), 6, sc.scenario.seed,
                          jobs=1)


def _diff(a: list[dict[str, float]], b: list[dict[str, float]], outcome: str) -> Any:
    return paired_difference([r[outcome] for r in a], [r[outcome] for r in b])


@pytest.fixture(scope="module")
def menus() -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario with a menu that misroutes 30% of calls, and with one that never does."""
    return _runs(0.3), _runs(0.0)


def test_misrouting_costs_a_transfer_under_siloed(menus: Any) -> None:
    """Siloed: transfers, agent minutes per issue, repetitions and waits all rise."""
    bad, good = menus
    for outcome in ("transfers_per_issue", "agent_minutes_per_issue", "repetitions_per_issue",
                    "contacts_per_issue"):
        if outcome == "contacts_per_issue":  # a transfer is the same contact
            assert _diff(bad["siloed"], good["siloed"], outcome)["mean"] == 0
            continue
        diff = _diff(bad["siloed"], good["siloed"], outcome)
        assert diff["ci_low"] > 0, (outcome, diff)
    assert all(r["transfers_per_issue"] == 0 for r in good["siloed"])


def test_a_unified_history_carries_what_the_wrong_agent_heard(menus: Any) -> None:
    """Under a unified history a misrouted call costs time but no repetition."""
    bad, _ = menus
    assert all(r["transfers_per_issue"] > 0 for r in bad["unified-history"])
    assert all(r["repetitions_per_issue"] == 0 for r in bad["unified-history"])


def test_nothing_is_misrouted_after_a_hand_over(menus: Any) -> None:
    """With in-app escalation and hand-over, the menu changes nothing at all."""
    bad, good = menus
    assert all(r["transfers_per_issue"] == 0 for r in bad["handed"])
    for outcome in ("agent_minutes_per_issue", "mean_handle_time", "asa"):
        assert [r[outcome] for r in bad["handed"]] == [r[outcome] for r in good["handed"]]


@pytest.mark.parametrize(("routing", "message"), [
    ({"misroute": 1.5}, "routing.misroute: must be a probability in [0, 1] (got 1.5)"),
    ({"transfer": "-1min"}, "routing.transfer: must be a duration >= 0"),
    ({"misrout": 0.1}, "routing.misrout: unknown key; did you mean 'misroute'?"),
])
def test_routing_keys_are_validated(routing: dict[str, Any], message: str) -> None:
    """A mistake in [routing] is one line naming the field."""
    data = {**copy.deepcopy(APP), "routing": routing}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert message in str(info.value)
