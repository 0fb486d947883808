"""What a new agent sees inside one asynchronous conversation.

The conversation's channel keeps its transcript under every topology, siloed included:
a new agent reads it and asks nothing again. Only facts its view no longer shows (a
``history_ttl`` shorter than the customer's pause) are asked again, as repetitions.
"""

from __future__ import annotations

import copy
from typing import Any

from sim import compile_world, parse_scenario, resolve_designs
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

#: Slow replies, many agents: a reply usually finds a new agent.
SLOW: dict[str, Any] = {
    "scenario": {"name": "slow", "horizon": "150min", "warmup": "30min", "replications": 5,
                 "seed": 8, "designs": ["siloed", "forgetful"]},
    "arrivals": {"rate": "0.6/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"messaging": 1.0}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["identity", "problem"],
                 "handle": {"messaging": {"dist": "exponential", "mean": "6min"}}}],
    "facts": {"identity": {"collect": "1min", "reauthenticate": True},
              "problem": {"collect": "2min"}},
    "channels": {"messaging": {"exchanges": 3, "reply_gap": "20min"}},
    "pools": [{"name": "p", "agents": 6, "channels": ["messaging"]}],
    "designs": {"forgetful": {"history_ttl": "5min"}},
}


def test_a_new_agent_asks_again_only_what_its_view_no_longer_shows() -> None:
    """Siloed: the thread keeps the transcript, no repetition. With a 5-minute history
    over 20-minute pauses the new agents ask again: repetitions and handle time rise
    (95% paired intervals above 0)."""
    sc = parse_scenario(copy.deepcopy(SLOW))
    runs = run_experiment(compile_world(sc), resolve_designs(sc), 5, sc.scenario.seed,
                          jobs=1)
    assert all(r["repetitions_per_issue"] == 0 for r in runs["siloed"])
    for outcome in ("repetitions_per_issue", "mean_handle_time"):
        diff = paired_difference([r[outcome] for r in runs["forgetful"]],
                                 [r[outcome] for r in runs["siloed"]])
        assert diff["ci_low"] > 0, (outcome, diff)
