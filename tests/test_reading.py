"""Context costs time as well as saving it: an agent reads what the history shows.

Reading a fact from the history (or a hand-over, or a device report) costs the agent a
read time, ``[facts.X] read`` (default a tenth of the fact's collection time); self-service
reads cost nothing. ``reauthenticate = true`` makes every new agent contact collect the
fact again, and that is not a repetition. Each effect is measured on the same customers
(common random numbers) with a 95% paired interval.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.engine.contacts import READ_FRACTION
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

FIXED = {"dist": "fixed", "value": "1min"}

#: Customers fail in the app and phone in; the agent either sees the app's facts (unified)
#: or asks for them again (siloed). Agent time is what the tests compare.
APP_TO_VOICE: dict[str, Any] = {
    "scenario": {"name": "reading", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 12, "designs": ["siloed", "unified-history"]},
    "arrivals": {"rate": "1/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"app": 1.0}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["identity", "problem"],
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}},
                 "self_service": {"app": {"success": 0.3, "time": FIXED}}}],
    "facts": {"identity": {"collect": {"dist": "gamma", "mean": "40s", "cv": 0.5},
                           "scope": "customer"},
              "problem": {"collect": {"dist": "gamma", "mean": "90s", "cv": 0.5}}},
    "journeys": [{"from": "app", "after": "failed", "to": {"voice": 1.0}}],
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
}


_CACHE: dict[str, dict[str, Any]] = {}


def _runs(facts: dict[str, Any] | None = None, replications: int = 6) -> dict[str, Any]:
    """Both designs' replications with the facts' tables changed (each variant runs once)."""
    key = repr((facts, replications))
    if key not in _CACHE:
        _CACHE[key] = _run(facts, replications)
    return _CACHE[key]


def _run(facts: dict[str, Any] | None, replications: int) -> dict[str, Any]:
    data = copy.deepcopy(APP_TO_VOICE)
    for name, more in (facts or {}).items():
        data["facts"][name].update(more)
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc), replications,
                          sc.scenario.seed, jobs=1)


def _diff(a: list[dict[str, float]], b: list[dict[str, float]], outcome: str) -> Any:
    return paired_difference([r[outcome] for r in a], [r[outcome] for r in b])


def test_reading_the_history_costs_the_agent_time() -> None:
    """Under a unified history, a longer read time means more agent minutes per issue,
    and the history saves collect − read, not collect."""
    slow = {"identity": {"read": "20s"}, "problem": {"read": "45s"}}
    free = {"identity": {"read": "0s"}, "problem": {"read": "0s"}}
    with_read, without = _runs(slow), _runs(free)
    diff = _diff(with_read["unified-history"], without["unified-history"],
                 "agent_minutes_per_issue")
    assert diff["ci_low"] > 0, diff
    saving_free = _diff(without["siloed"], without["unified-history"], "mean_handle_time")
    saving_slow = _diff(with_read["siloed"], with_read["unified-history"], "mean_handle_time")
    assert saving_free["ci_low"] > 0 and saving_slow["ci_low"] > 0
    assert saving_slow["mean"] < saving_free["mean"]


def test_the_default_read_is_a_tenth_of_the_collection_time() -> None:
    """Without a ``read`` key the agent spends READ_FRACTION of the drawn collection time:
    more than reading for free, less than reading at a fixed half of the mean collect."""
    assert READ_FRACTION == 0.1
    default = _runs()["unified-history"]
    free = _runs({"identity": {"read": "0s"}, "problem": {"read": "0s"}})["unified-history"]
    half = _runs({"identity": {"read": "20s"}, "problem": {"read": "45s"}})["unified-history"]
    assert _diff(default, free, "mean_handle_time")["ci_low"] > 0
    assert _diff(half, default, "mean_handle_time")["ci_low"] > 0


def test_reauthentication_is_collected_again_but_not_a_repetition() -> None:
    """reauthenticate = true: the agent collects identity on every new call even under a
    unified history (more agent time), and a siloed agent asking it again no longer counts
    as a repetition (the history could not have spared it)."""
    plain = _runs()
    again = _runs({"identity": {"reauthenticate": True}})
    time = _diff(again["unified-history"], plain["unified-history"], "agent_minutes_per_issue")
    assert time["ci_low"] > 0, time
    reps = _diff(again["siloed"], plain["siloed"], "repetitions_per_issue")
    assert reps["ci_high"] < 0, reps
    assert all(r["repetitions_per_issue"] == 0 for r in again["unified-history"])


@pytest.mark.parametrize(("more", "message"), [
    ({"read": "-2s"}, "facts.identity.read: must be a duration >= 0"),
    ({"read": {"dist": "gamma", "mean": "4s", "cv": -1}}, "facts.identity.read.cv"),
    ({"reauthenticate": "yes"}, "facts.identity.reauthenticate: must be true or false"),
    ({"reed": "4s"}, "facts.identity.reed: unknown key; did you mean 'read'?"),
])
def test_reading_keys_are_validated(more: dict[str, Any], message: str) -> None:
    """A mistake in ``read`` or ``reauthenticate`` is one line naming the field."""
    data = copy.deepcopy(APP_TO_VOICE)
    data["facts"]["identity"].update(more)
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.").replace("?", r"\?")):
        parse_scenario(data)
