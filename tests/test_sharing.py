"""Processor-sharing concurrency: an agent's sessions share its work rate.

While an agent holds n sessions, each session's work drains at
1 / (1 + penalty × (n − 1)) minutes per minute, recomputed whenever n changes; without a
penalty a pool of c agents with concurrency k is c·k independent servers.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import simpy

from sim import compile_world, parse_scenario, resolve_designs
from sim.engine.pools import Pool
from sim.engine.world import PoolSpec
from sim.experiment.runner import run_experiment
from sim.metrics.stats import estimate, paired_difference
from sim.theory import erlang_c


def _one_agent(penalty: float) -> tuple[simpy.Environment, Pool]:
    env = simpy.Environment()
    spec = PoolSpec("p", 1, {"chat": 3}, penalty)
    return env, Pool(env, spec, 0.0, 100.0)


def _session(env: simpy.Environment, pool: Pool, start: float, work: float,
             ends: dict[float, float]) -> Any:
    """A chat session that starts at *start* and needs *work* minutes of work."""
    yield env.timeout(start)
    agent = pool.try_assign("chat")
    assert agent is not None
    left = yield pool.work(agent, work)
    assert left == 0.0
    pool.release(agent, "chat")
    ends[start] = env.now


def test_a_session_that_began_alone_slows_when_another_joins() -> None:
    """Penalty 0.5: a 10-minute session alone from 0 shares the agent from 2 on.

    The first does 2 minutes of work alone, then 8 at rate 1/1.5 (12 minutes): it ends
    at 14. The second does 8 of its 10 minutes by then, and the last 2 alone: it ends
    at 16. (A rate fixed at a session's start would end them at 10 and 17.)
    """
    env, pool = _one_agent(0.5)
    ends: dict[float, float] = {}
    env.process(_session(env, pool, 0.0, 10.0, ends))
    env.process(_session(env, pool, 2.0, 10.0, ends))
    env.run()
    assert abs(ends[0.0] - 14.0) < 1e-9, ends
    assert abs(ends[2.0] - 16.0) < 1e-9, ends


def test_without_a_penalty_sessions_do_not_slow_each_other() -> None:
    """Penalty 0: three overlapping sessions each take exactly their own work."""
    env, pool = _one_agent(0.0)
    ends: dict[float, float] = {}
    for start in (0.0, 1.0, 2.0):
        env.process(_session(env, pool, start, 10.0, ends))
    env.run()
    assert ends == {0.0: 10.0, 1.0: 11.0, 2.0: 12.0}


def test_work_stops_at_its_limit_with_the_work_left() -> None:
    """A piece of work cut off by a wall-time limit returns what is left of it."""
    env, pool = _one_agent(1.0)
    out: list[float] = []

    def two() -> Any:
        a = pool.try_assign("chat")
        b = pool.try_assign("chat")
        assert a is b is not None
        out.append((yield pool.work(a, 10.0, 4.0)))  # rate 1/2: 2 minutes of work done

    env.process(two())
    env.run()
    assert abs(out[0] - 8.0) < 1e-9 and env.now == 4.0


CHAT: dict[str, Any] = {
    "scenario": {"name": "chat", "horizon": "6h", "warmup": "30min", "replications": 8,
                 "seed": 21, "designs": ["siloed"]},
    "arrivals": {"rate": "1/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"chat": 1.0}}],
    "intents": [{"name": "q", "share": 1.0,
                 "handle": {"chat": {"dist": "exponential", "mean": "5min"}}}],
    "pools": [{"name": "p", "agents": 3, "channels": ["chat"], "concurrency": {"chat": 3}}],
}


def _chat(penalty: float, **scenario: Any) -> list[dict[str, float]]:
    data = copy.deepcopy(CHAT)
    data["pools"][0]["concurrency_penalty"] = penalty
    data["scenario"].update(scenario)
    sc = parse_scenario(data)
    return run_experiment(compile_world(sc), resolve_designs(sc),
                          sc.scenario.replications, sc.scenario.seed, jobs=1)["siloed"]


@pytest.mark.slow
def test_without_a_penalty_a_pool_is_c_times_k_servers() -> None:
    """Penalty 0: 3 agents with concurrency 3 wait as M/M/9 does (Erlang C).

    A simulation, so statistically indistinguishable, not identical: the 95% interval
    of the mean wait over replications covers the Erlang C value for 9 servers.
    """
    data = copy.deepcopy(CHAT)
    data["arrivals"] = {"rate": "1.6/min"}
    data["scenario"].update(horizon="30h", replications=10)
    sc = parse_scenario(data)
    reps = run_experiment(compile_world(sc), resolve_designs(sc), 10, sc.scenario.seed,
                          jobs=1)["siloed"]
    exact = erlang_c(1.6, 1 / 5.0, 9).mean_wait
    est = estimate([r["mean_wait"] for r in reps])
    assert est["ci_low"] <= exact <= est["ci_high"], (exact, est)
    assert exact > 0.1  # a queue that waits, so that the check can fail


def test_a_penalty_lengthens_handle_time_and_agent_minutes() -> None:
    """Concurrency 3 with penalty 0.3 against none, on the same customers: mean handle
    time and agent minutes per issue rise (95% paired intervals above 0)."""
    without, with_penalty = _chat(0.0), _chat(0.3)
    for outcome in ("mean_handle_time", "agent_minutes_per_issue"):
        diff = paired_difference([r[outcome] for r in with_penalty],
                                 [r[outcome] for r in without])
        assert diff["ci_low"] > 0, (outcome, diff)
