"""Little's law, L = λW, for every pool of every design of every shipped scenario.

Each scenario in ``scenarios/*.toml`` runs on its own seed, :data:`REPLICATIONS`
replications, two processes. Per pool and replication r the simulator reports
``pool.NAME.mean_queue_length`` (L_r, the time-average number waiting), ``arrival_rate``
(λ_r, measured queue entries per minute) and ``mean_wait`` (W_r, their mean wait, served
or abandoned).

Which test is sound. Over a finite window [warm-up, end] Little's law holds only up to
two edge terms: the queue area counts the time, inside the window, of contacts that
entered the queue before the warm-up ended and of contacts still waiting at the end, whose
waits are not among the measured ones. So per replication

    D_r = L_r − λ_r·W_r = (edge area at the start + edge area at the end) / horizon ≥ 0,

exactly 0 when the queue is empty at both edges, else a little above 0: a bias of order
1/horizon. Its spread across replications is of the same order, so the t-interval of the
paired differences D_r is about as narrow as the bias is large: it excludes 0 for a correct
simulator as soon as the queue is seldom empty at the edges or there are a few more
replications (on scenarios/erlang-a.toml its lower end sits at −0.0002 with four
replications). That test's error rate is not 5%; it is not sound here.

The sound test compares the two estimates of the one steady-state quantity through their
own 95% intervals: each interval's half-width, of order 1/√(horizon·replications), dwarfs
the 1/horizon edge bias, and when the steady-state means are equal both intervals overlap.
Because L_r and λ_r·W_r move together (they are measured on the same sample path), the
intervals nearly coincide under the law, so a false alarm is rarer than 5%; the price is
that only a discrepancy about as large as the statistical precision of L itself is caught
(a queue area that counted contacts in service, waits in the wrong unit, lost or
double-counted entries, a window that does not match). The sign of the edge terms gives a
second, exact check: D_r must never be negative (beyond rounding).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import SCENARIOS

from sim import compile_world, load_scenario, resolve_designs, run_experiment
from sim.metrics.stats import estimate

#: Replications per design (the scenario's own horizon and seed are used).
REPLICATIONS = 4

SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))
#: The story stays in the default run; the Erlang A file's 10^5 arrivals a replication and
#: the other scenarios (tests/test_shipped_scenarios.py runs them briefly) go behind ``slow``.
_PARAMS = [p if p.stem == "app-to-phone" else pytest.param(p, marks=pytest.mark.slow)
           for p in SCENARIO_FILES]


def _pools(runs: list[dict[str, float]]) -> list[str]:
    names = {key.split(".")[1] for key in runs[0] if key.startswith("pool.")}
    return sorted(names)


@pytest.fixture(scope="module", params=_PARAMS, ids=lambda p: p.stem)
def scenario_runs(request: pytest.FixtureRequest) -> tuple[Path, dict[str, list[dict[str, float]]]]:
    """Every design of one scenario, run on the scenario's seed."""
    path: Path = request.param
    scenario = load_scenario(path)
    results = run_experiment(compile_world(scenario), resolve_designs(scenario), REPLICATIONS,
                             scenario.scenario.seed, jobs=2)
    return path, results


def test_there_are_scenarios_with_pools() -> None:
    """The shipped scenarios exist (otherwise the law below is checked on nothing)."""
    assert SCENARIO_FILES


def test_littles_law_intervals_overlap(
    scenario_runs: tuple[Path, dict[str, list[dict[str, float]]]],
) -> None:
    """For every design and pool, the 95% intervals of L and of λ·W overlap."""
    path, results = scenario_runs
    checked = 0
    for design, runs in results.items():
        for pool in _pools(runs):
            lengths = [r[f"pool.{pool}.mean_queue_length"] for r in runs]
            flows = [r[f"pool.{pool}.arrival_rate"] * r[f"pool.{pool}.mean_wait"] for r in runs]
            if all(math.isnan(f) for f in flows):  # nobody queued at this pool
                assert lengths == [0.0] * len(lengths), (path.name, design, pool, lengths)
                continue
            big_l, lam_w = estimate(lengths), estimate(flows)
            assert big_l["n"] == lam_w["n"] == len(runs), (path.name, design, pool)
            where = f"{path.name} {design} pool {pool}: L {big_l}, λW {lam_w}"
            assert big_l["ci_low"] <= lam_w["ci_high"], where
            assert lam_w["ci_low"] <= big_l["ci_high"], where
            checked += 1
    assert checked, f"{path.name}: no pool with queue entries"


def test_queue_area_never_below_measured_waits(
    scenario_runs: tuple[Path, dict[str, list[dict[str, float]]]],
) -> None:
    """Per replication L − λW ≥ 0: the window's queue area holds every measured wait."""
    path, results = scenario_runs
    for design, runs in results.items():
        for pool in _pools(runs):
            for rep, r in enumerate(runs):
                lam = r[f"pool.{pool}.arrival_rate"]
                if lam == 0 or math.isnan(lam):
                    continue
                big_l = r[f"pool.{pool}.mean_queue_length"]
                diff = big_l - lam * r[f"pool.{pool}.mean_wait"]
                assert diff >= -1e-9 * max(1.0, big_l), (path.name, design, pool, rep, diff)
