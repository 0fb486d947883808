"""Last-agent affinity: the hit rate, affinity across issues under retention, and a
contact that waited for its agent keeping its place in the queue.

Each effect is measured on the same customers (common random numbers) with a 95%
paired interval.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import simpy

from sim import compile_world, parse_scenario, resolve_designs
from sim.engine.pools import Pool, QueueEntry
from sim.engine.world import PoolSpec
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

#: Voice calls that half the time need a follow-up call a few minutes later.
FOLLOW_UPS: dict[str, Any] = {
    "scenario": {"name": "affinity", "horizon": "6h", "warmup": "30min", "replications": 6,
                 "seed": 21, "designs": ["siloed", "short", "long"]},
    "arrivals": {"rate": "1.2/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "6min"}, "max_contacts": 3}],
    "intents": [{"name": "q", "share": 1.0, "resolve": {"voice": 0.5},
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}}}],
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
    "journeys": [{"from": "voice", "after": "unresolved", "to": {"retry": 1.0},
                  "delay": {"dist": "exponential", "mean": "3min"}}],
    "affinity": {"wait": "0s", "bonus": 0.2},
    "designs": {"short": {"affinity": True}, "long": {"affinity": True}},
}


def _res(data: dict[str, Any]) -> dict[str, list[dict[str, float]]]:
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc),
                          sc.scenario.replications, sc.scenario.seed, jobs=1)


def _diff(res: Any, a: str, b: str, outcome: str) -> Any:
    return paired_difference([r[outcome] for r in res[a]], [r[outcome] for r in res[b]])


def test_affinity_hit_rate_rises_with_the_wait_for_the_last_agent() -> None:
    """Waiting up to 2 min for the last agent, more follow-ups reach them than with no
    wait; the hit rate is a share, and NaN without affinity."""
    short = _res(FOLLOW_UPS)
    long_wait = copy.deepcopy(FOLLOW_UPS)
    long_wait["affinity"]["wait"] = "2min"
    long = _res(long_wait)
    diff = paired_difference([r["affinity_hit_rate"] for r in long["long"]],
                             [r["affinity_hit_rate"] for r in short["short"]])
    assert diff["ci_low"] > 0, diff
    assert all(math.isnan(r["affinity_hit_rate"]) for r in short["siloed"])
    assert all(0 < r["affinity_hit_rate"] <= 1 for r in long["long"])


#: Every issue is one call (no follow-up within the issue), but 40 customers come back
#: with new issues: only affinity across issues can route them to their last agent.
RETURNING: dict[str, Any] = {
    **copy.deepcopy(FOLLOW_UPS),
    "scenario": {**FOLLOW_UPS["scenario"], "designs": ["siloed", "issue", "customer"]},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0}, "max_contacts": 1}],
    "population": {"customers": 40},
    "affinity": {"wait": "1min", "bonus": 0.3},
    "designs": {"issue": {"affinity": True},
                "customer": {"affinity": True, "retention": True}},
}


def test_affinity_follows_a_returning_customer_under_retention() -> None:
    """Under retention a returning customer's new issue goes back to their last agent
    (follow-ups exist and resolution rises); without it affinity has nothing to act on."""
    res = _res(RETURNING)
    assert all(math.isnan(r["affinity_hit_rate"]) for r in res["issue"])  # no follow-up
    assert all(r["affinity_hit_rate"] > 0 for r in res["customer"])
    diff = _diff(res, "customer", "issue", "resolution_rate")
    assert diff["ci_low"] > 0, diff
    same = _diff(res, "issue", "siloed", "resolution_rate")
    assert same["mean"] == 0


def test_a_contact_back_from_waiting_for_its_agent_keeps_its_place() -> None:
    """Joining the queue after waiting for its last agent, a contact goes behind those who
    arrived before it, not behind those who came while it waited."""
    env = simpy.Environment()
    pool = Pool(env, PoolSpec("p", 1, {"voice": 1}, 0.0), 0.0, 100.0)
    first, later = (QueueEntry(env.event(), "voice", t) for t in (1.0, 5.0))
    back = QueueEntry(env.event(), "voice", 3.0)
    for entry in (first, later, back):
        pool.enqueue(entry)
    assert list(pool.queue) == [first, back, later]
    assert pool.waiting == 3
