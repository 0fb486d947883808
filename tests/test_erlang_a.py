"""The simulator against exact Erlang A values on scenarios/erlang-a.toml.

The exact values are computed here, independently of sim.theory, from the birth–death
chain of M/M/n+M: states 0..K, birth rate λ, death rate min(k,n)μ + max(k−n,0)θ;
P(abandon) = θ·E[queue length]/λ and utilization = λ(1 − P(abandon))/(nμ).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import compile_world, load_scenario, resolve_designs, run_experiment
from sim.metrics.stats import estimate


def erlang_a_exact(lam: float, mu: float, theta: float, n: int, k_max: int = 400) -> tuple[
    float, float
]:
    """(P(abandon), utilization) of M/M/n+M from the truncated birth–death chain."""
    log_p = np.zeros(k_max + 1)
    for k in range(1, k_max + 1):
        death = min(k, n) * mu + max(k - n, 0) * theta
        log_p[k] = log_p[k - 1] + np.log(lam) - np.log(death)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(np.arange(k_max + 1) - n, 0)
    p_abandon = theta * float((queue * p).sum()) / lam
    return p_abandon, lam * (1 - p_abandon) / (n * mu)


SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def erlang_a_results() -> list[dict[str, float]]:
    """The shipped Erlang A file run as it stands (its replications and seed)."""
    scenario = load_scenario(SCENARIOS / "erlang-a.toml")
    sec = scenario.scenario
    results = run_experiment(
        compile_world(scenario), resolve_designs(scenario), sec.replications, sec.seed, jobs=2
    )
    return next(iter(results.values()))


def test_queue_abandonment_interval_covers_exact_erlang_a(
    erlang_a_results: list[dict[str, float]],
) -> None:
    """The 95% interval of abandonment_rate covers the exact P(abandon)."""
    exact, _ = erlang_a_exact(48.0, 1.0, 0.5, 50)
    est = estimate([r["abandonment_rate"] for r in erlang_a_results])
    assert est["ci_low"] <= exact <= est["ci_high"], (exact, est)


def test_utilization_interval_covers_exact_erlang_a(
    erlang_a_results: list[dict[str, float]],
) -> None:
    """agent_utilization's 95% interval covers λ(1 − P(abandon))/(nμ)."""
    _, exact = erlang_a_exact(48.0, 1.0, 0.5, 50)
    est = estimate([r["agent_utilization"] for r in erlang_a_results])
    assert est["ci_low"] <= exact <= est["ci_high"], (exact, est)


def test_exact_values_match_sim_theory() -> None:
    """The chain above and sim.theory.erlang_a agree (two independent codes)."""
    from sim.theory import erlang_a

    p_ab, util = erlang_a_exact(48.0, 1.0, 0.5, 50)
    theory = erlang_a(48.0, 1.0, 0.5, 50)
    assert theory.p_abandon == pytest.approx(p_ab, rel=1e-9)
    assert theory.utilization == pytest.approx(util, rel=1e-9)
