"""Tests of the exact Erlang C and Erlang A formulas in ``sim.theory``."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from pyworkforce.queuing import ErlangC as PwfErlangC
from scipy import stats
from scipy.linalg import expm
from scipy.special import betainc, gammainc

from sim.theory import ErlangA, ErlangC, erlang_a, erlang_c

# (λ, μ, θ, n): the cases of the brief plus a light and an overloaded one.
ERLANG_A_CASES = [
    (48.0, 1.0, 0.5, 50),
    (9.5, 1.0, 1.0, 10),
    (3.0, 0.5, 2.0, 4),
    (12.0, 1.0, 0.3, 10),
]
TRUNCATION = 300  # queue places kept by the brute-force chains below


def _exact_mmn(lam: Fraction, mu: Fraction, n: int) -> tuple[Fraction, Fraction, list[Fraction]]:
    """Exact P(wait), E[Lq] and π_0..π_{n-1} of M/M/n by summing its stationary law."""
    a, rho = lam / mu, lam / (n * mu)
    head = [a**k / math.factorial(k) for k in range(n)]
    top = a**n / math.factorial(n)  # unnormalised π_n; π_{n+m} = top·ρ^m
    total = sum(head, Fraction(0)) + top / (1 - rho)
    p_wait = top / (1 - rho) / total
    lq = top * rho / (1 - rho) ** 2 / total
    return p_wait, lq, [h / total for h in head]


def _brute_force_pi(lam: float, mu: float, theta: float, n: int) -> NDArray[np.float64]:
    """Stationary law of the M/M/n+M chain truncated at n + TRUNCATION, by linear algebra."""
    size = n + TRUNCATION + 1
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = lam
        if k > 0:
            q[k, k - 1] = min(k, n) * mu + max(k - n, 0) * theta
        q[k, k] = -q[k].sum()
    system = q.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.asarray(np.linalg.solve(system, rhs), dtype=np.float64)


def _position_generator(
    mu: float, theta: float, n: int, positions: int, patient: bool
) -> NDArray[np.float64]:
    """Generator of one waiting customer's queue position; 0 = served, last = abandoned."""
    size = positions + 2
    q = np.zeros((size, size))
    for i in range(1, positions + 1):
        q[i, i - 1] = n * mu + (i - 1) * theta  # a service or an abandonment ahead
        if not patient:
            q[i, -1] = theta  # the customer's own abandonment
        q[i, i] = -q[i].sum()
    return q


def test_erlang_c_matches_exact_textbook_values() -> None:
    """Erlang C equals exact rational sums of the M/M/n stationary law on two examples."""
    # (1) λ=2/h, μ=3/h, n=2: the emergency-room example of Hillier & Lieberman,
    #     *Introduction to Operations Research* (M/M/s section, s=2). By hand: P0=1/2,
    #     P(wait)=1/6, Lq=1/12, Wq=1/24 h, P(Wq≤t)=1−e^{−4t}/6. (Printed table not re-read.)
    # (2) 360 calls per 30 min, 4 min calls, 55 agents, 15 s target: the worked example of
    #     the Westbay Engineers page "The Erlang-C Formula". Its printed figures could not be
    #     retrieved, so the references are computed exactly with fractions instead.
    hospital = erlang_c(2.0, 3.0, 2)
    assert hospital.p_wait == pytest.approx(1 / 6, rel=1e-13)
    assert hospital.mean_queue_length == pytest.approx(1 / 12, rel=1e-13)
    assert hospital.mean_wait == pytest.approx(1 / 24, rel=1e-13)
    assert hospital.service_level(0.5) == pytest.approx(1 - math.exp(-2) / 6, rel=1e-13)

    lam, mu, n, t = Fraction(12), Fraction(1, 4), 55, 0.25
    p_wait, lq, pi_head = _exact_mmn(lam, mu, n)
    westbay = erlang_c(float(lam), float(mu), n)
    assert westbay.p_wait == pytest.approx(float(p_wait), rel=1e-12)
    assert westbay.mean_queue_length == pytest.approx(float(lq), rel=1e-12)
    assert westbay.mean_wait == pytest.approx(float(lq / lam), rel=1e-12)
    assert westbay.mean_wait_queued == pytest.approx(float(lq / lam / p_wait), rel=1e-12)
    assert westbay.occupancy == pytest.approx(48 / 55, rel=1e-15)
    # P(W ≤ t) by a direct sum: arriving to k ≥ n, the wait is Erlang(k−n+1, nμ).
    rho = float(lam / (n * mu))
    top = float(p_wait) * (1 - rho)  # π_n
    m = np.arange(2000)
    direct = float(sum(pi_head)) + float(np.sum(top * rho**m * gammainc(m + 1, float(n * mu) * t)))
    assert westbay.service_level(t) == pytest.approx(direct, rel=1e-12)
    assert westbay.p_wait == pytest.approx(0.2387009, abs=1e-7)  # pinned, 4 min calls


@pytest.mark.parametrize("lam", [3.0, 9.5, 40.0])
@pytest.mark.parametrize("aht", [1.0, 3.0])
def test_erlang_c_agrees_with_pyworkforce(lam: float, aht: float) -> None:
    """P(wait), service level and ASA agree with pyworkforce's Erlang C on a small grid."""
    load = lam * aht
    interval = 30.0
    for n in (math.floor(load) + 1, math.floor(load) + 2, math.ceil(load * 1.3) + 1):
        for t in (0.1, 0.5, 2.0):
            ours = erlang_c(lam, 1.0 / aht, n)
            theirs = PwfErlangC(transactions=lam * interval, aht=aht, asa=t, interval=interval)
            p_wait = theirs.waiting_probability(positions=n)
            assert ours.p_wait == pytest.approx(p_wait, rel=1e-9)
            assert ours.service_level(t) == pytest.approx(
                theirs.service_level(positions=n), rel=1e-9
            )
            # pyworkforce has no ASA method; its P(wait) times AHT/(n − A) is the ASA.
            assert ours.mean_wait == pytest.approx(p_wait * aht / (n - load), rel=1e-9)


def test_erlang_c_service_level_limits() -> None:
    """Erlang C service level is 1 − P(wait) at t=0, rises with t and reaches 1."""
    c = erlang_c(9.5, 1.0, 10)
    levels = [c.service_level(t) for t in (0.0, 0.1, 1.0, 10.0, math.inf)]
    assert levels[0] == pytest.approx(1 - c.p_wait, rel=1e-15)
    assert all(a < b for a, b in itertools.pairwise(levels))
    assert levels[-1] == 1.0


def test_erlang_c_field_outcomes() -> None:
    """Nobody abandons Erlang C: ASA = E[W] = C/(nμ − λ), and the three service levels agree."""
    c = erlang_c(9.5, 1.0, 10)
    assert c.abandonment_rate == 0.0
    assert c.asa == pytest.approx(c.p_wait / (10 - 9.5), rel=1e-14)
    assert c.mean_wait == pytest.approx(c.p_wait / (10 - 9.5), rel=1e-14)
    for t in (0.0, 0.3, 2.0, math.inf):
        level = 1 - c.p_wait * math.exp(-0.5 * t)
        assert c.service_level(t) == pytest.approx(level, rel=1e-14)
        assert c.service_level_answered(t) == pytest.approx(level, rel=1e-14)
        assert c.service_level_offered(t) == pytest.approx(level, rel=1e-14)


@st.composite
def erlang_c_queues(draw: st.DrawFn) -> ErlangC:
    """M/M/n queues: n ≤ 60, μ in [0.2, 5], load λ/(nμ) in [0.05, 0.99]."""
    n = draw(st.integers(1, 60))
    mu = draw(st.floats(0.2, 5.0))
    return erlang_c(draw(st.floats(0.05, 0.99)) * n * mu, mu, n)


@given(queue=erlang_c_queues(), times=st.lists(st.floats(0.0, 20.0), min_size=2, max_size=4))
def test_erlang_c_service_level_properties(queue: ErlangC, times: list[float]) -> None:
    """Erlang C service levels lie in [0, 1], agree, rise with t, from 1 − C at 0 to 1 at ∞."""
    times = sorted(t / queue.service_rate for t in times)
    levels = [queue.service_level(t) for t in times]
    assert all(0.0 <= s <= 1.0 for s in levels)
    assert all(x <= y for x, y in itertools.pairwise(levels))
    assert levels == [queue.service_level_offered(t) for t in times]
    assert levels == [queue.service_level_answered(t) for t in times]
    assert queue.service_level(0.0) == pytest.approx(1 - queue.p_wait, rel=1e-12)
    assert queue.service_level(math.inf) == 1.0
    assert queue.asa == queue.mean_wait


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES)
def test_erlang_a_matches_brute_force_generator(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """P(wait), P(abandon), E[Lq] and utilisation match a solved truncated generator."""
    pi = _brute_force_pi(lam, mu, theta, n)
    k = np.arange(pi.size)
    lq = float(np.dot(np.maximum(k - n, 0), pi))
    a = erlang_a(lam, mu, theta, n)
    assert a.p_wait == pytest.approx(float(pi[n:].sum()), rel=1e-9)
    assert a.mean_queue_length == pytest.approx(lq, rel=1e-9)
    assert a.abandonment_rate == pytest.approx(theta * lq / lam, rel=1e-9)
    busy = float(np.dot(np.minimum(k, n), pi)) / n
    assert a.utilization == pytest.approx(busy, rel=1e-9)


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES)
def test_erlang_a_abandonment_and_little_identities(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """The position chain's P(abandon) and E[W] obey flow balance and Little's law."""
    a = erlang_a(lam, mu, theta, n)
    # Flow balance θE[Lq] = λP(ab), and Little E[Lq] = λE[W], with E[Lq] from the
    # birth-death law and P(ab), E[W] from absorption in the queue-position chain.
    assert a.abandonment_rate == pytest.approx(theta * a.mean_queue_length / lam, rel=1e-9)
    assert a.mean_wait == pytest.approx(a.mean_queue_length / lam, rel=1e-9)
    assert a.abandonment_rate == pytest.approx(theta * a.mean_wait, rel=1e-12)
    assert a.p_abandon == a.abandonment_rate
    busy = float(np.dot(np.minimum(np.arange(a.distribution.size), n), a.distribution)) / n
    assert a.utilization == pytest.approx(busy, rel=1e-9)
    assert a.utilization == pytest.approx(lam * (1 - a.abandonment_rate) / (n * mu), rel=1e-14)
    assert a.distribution.sum() == pytest.approx(1.0, rel=1e-12)
    assert a.distribution[-1] < 1e-12


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES[:3])
def test_erlang_a_service_levels_match_dense_expm(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """The three service levels match expm of the dense absorbing queue-position chain."""
    pi = _brute_force_pi(lam, mu, theta, n)
    tail = pi[n:]
    tail = tail[: int(np.flatnonzero(tail > 1e-18)[-1]) + 1]  # keeps expm small and fast
    q = _position_generator(mu, theta, n, tail.size, patient=False)
    fundamental = np.linalg.inv(-q[1:-1, 1:-1])
    p_abandon = float(tail @ fundamental @ q[1:-1, -1])
    a = erlang_a(lam, mu, theta, n)
    for t in (0.05, 0.3, 1.0, 4.0):
        at_t = expm(q * t)[1:-1]
        answered_by_t = pi[:n].sum() + float(tail @ at_t[:, 0])
        abandoned_by_t = float(tail @ at_t[:, -1])
        assert a.service_level_offered(t) == pytest.approx(answered_by_t, rel=1e-8)
        assert a.service_level_answered(t) == pytest.approx(
            answered_by_t / (1 - p_abandon), rel=1e-8
        )
        assert a.service_level(t) == pytest.approx(answered_by_t / (1 - abandoned_by_t),
                                                   rel=1e-8)


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES)
def test_erlang_a_asa_matches_fundamental_matrix(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """ASA = E[W | answered] matches the dense fundamental matrix of the position chain."""
    pi = _brute_force_pi(lam, mu, theta, n)
    tail = pi[n:]
    q = _position_generator(mu, theta, n, tail.size, patient=False)
    fundamental = np.linalg.inv(-q[1:-1, 1:-1])  # expected time in each position
    p_answered = fundamental @ q[1:-1, 0]  # P(eventually answered | position)
    wait_and_answered = fundamental @ p_answered  # E[W·1{answered} | position]
    p_abandon = 1 - pi[:n].sum() - np.dot(tail, p_answered)
    a = erlang_a(lam, mu, theta, n)
    assert a.asa == pytest.approx(float(np.dot(tail, wait_and_answered)) / (1 - p_abandon),
                                  rel=1e-8)
    assert a.abandonment_rate == pytest.approx(p_abandon, rel=1e-8)


def _closed_forms(a: ErlangA, t: float) -> tuple[float, float]:
    """(P(answered, W ≤ t), E[W | answered]) from Mandelbaum & Zeltyn's (2007) closed forms.

    From position j, P(answered, W ≤ t | j) = nμ/(nμ + jθ)·P(H_j ≤ t), H_j a sum of
    Exp(nμ + iθ), i = 1..j, with exp(−θH_j) ~ Beta(nμ/θ + 1, j); and
    E[W·1{answered} | j] = nμ/(nμ + jθ)·Σ_{i≤j} 1/(nμ + iθ).
    """
    nmu, theta = a.agents * a.service_rate, a.patience_rate
    tail = a.distribution[a.agents :]
    j = np.arange(1, tail.size + 1, dtype=np.float64)
    answered = nmu / (nmu + j * theta)
    by_t = betainc(j, nmu / theta + 1.0, -math.expm1(-theta * t))
    within = 1 - tail.sum() + float(np.dot(answered * by_t, tail))
    wait = float(np.dot(answered * np.cumsum(1.0 / (nmu + j * theta)), tail))
    return within, wait / (1 - tail.sum() + float(np.dot(answered, tail)))


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), [*ERLANG_A_CASES, (510.0, 1.0, 0.1, 500)])
def test_erlang_a_matches_closed_forms(lam: float, mu: float, theta: float, n: int) -> None:
    """Offered service level and ASA agree with the Beta-law closed forms (two codes)."""
    a = erlang_a(lam, mu, theta, n)
    for t in (0.0, 0.02, 0.3, 1.0, 3.0):
        within, asa = _closed_forms(a, t)
        assert a.service_level_offered(t) == pytest.approx(within, rel=1e-10)
        assert a.asa == pytest.approx(asa, rel=1e-10)


def _ratio(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """Σx/Σy over i.i.d. pairs and its delta-method standard error."""
    r = x.sum() / y.sum()
    return r, float(np.std(x - r * y) / y.mean() / math.sqrt(x.size))


def test_erlang_a_outcomes_match_a_monte_carlo_of_the_chain() -> None:
    """A seeded Monte Carlo of 40,000 arrivals walking the queue-position chain gives all six
    outcomes within 5 standard errors (start drawn from the brute-force stationary law)."""
    lam, mu, theta, n, t = 9.5, 1.0, 1.0, 10, 0.3
    rng = np.random.default_rng(20261130)
    pi = np.clip(_brute_force_pi(lam, mu, theta, n), 0.0, None)
    size = 40_000
    position = np.maximum(rng.choice(pi.size, size=size, p=pi / pi.sum()) - n + 1, 0)
    wait, abandoned = np.zeros(size), np.zeros(size, dtype=bool)
    waiting = position > 0
    while waiting.any():
        j = position[waiting]
        wait[waiting] += rng.exponential(1.0 / (n * mu + j * theta))
        leaves = rng.random(j.size) < theta / (n * mu + j * theta)
        abandoned[np.flatnonzero(waiting)[leaves]] = True
        position[waiting] = np.where(leaves, 0, j - 1)
        waiting = position > 0
    answered = ~abandoned
    one = np.ones(size)
    within = (answered & (wait <= t)).astype(float)
    a = erlang_a(lam, mu, theta, n)
    estimates = {
        a.abandonment_rate: _ratio(abandoned.astype(float), one),
        a.mean_wait: _ratio(wait, one),
        a.asa: _ratio(wait * answered, answered.astype(float)),
        a.service_level_offered(t): _ratio(within, one),
        a.service_level_answered(t): _ratio(within, answered.astype(float)),
        a.service_level(t): _ratio(within, 1.0 - (abandoned & (wait <= t))),
    }
    for exact, (simulated, se) in estimates.items():
        assert abs(simulated - exact) <= 5 * se, (exact, simulated, se)


def test_erlang_a_with_theta_equal_mu_is_poisson() -> None:
    """With θ = μ everyone in the system leaves at rate μ, waiting or served: the death
    rate in state k is min(k, n)μ + max(k − n, 0)μ = kμ, as in M/M/∞, so the number in
    system is Poisson(λ/μ) and P(wait) is its tail beyond n − 1."""
    lam, mu, n = 7.0, 0.5, 12
    a = erlang_a(lam, mu, mu, n)
    k = np.arange(200)
    poisson = stats.poisson.pmf(k, lam / mu)
    lq = float(np.dot(np.maximum(k - n, 0), poisson))
    assert a.p_wait == pytest.approx(float(stats.poisson.sf(n - 1, lam / mu)), rel=1e-10)
    assert a.abandonment_rate == pytest.approx(mu * lq / lam, rel=1e-10)
    assert a.mean_wait == pytest.approx(lq / lam, rel=1e-10)
    assert a.utilization == pytest.approx(float(np.dot(np.minimum(k, n), poisson)) / n,
                                          rel=1e-10)
    assert a.service_level(0.0) == pytest.approx(float(stats.poisson.cdf(n - 1, lam / mu)),
                                                 rel=1e-10)


@st.composite
def erlang_a_queues(draw: st.DrawFn) -> ErlangA:
    """M/M/n+M queues: n ≤ 30, μ in [0.2, 5], load λ/(nμ) in [0.1, 1.5], θ/μ in [0.05, 5]."""
    n = draw(st.integers(1, 30))
    mu = draw(st.floats(0.2, 5.0))
    lam = draw(st.floats(0.1, 1.5)) * n * mu
    return erlang_a(lam, mu, draw(st.floats(0.05, 5.0)) * mu, n)


@settings(max_examples=30)
@given(queue=erlang_a_queues(), times=st.lists(st.floats(0.0, 5.0), min_size=2, max_size=3))
def test_erlang_a_service_level_properties(queue: ErlangA, times: list[float]) -> None:
    """0 ≤ offered ≤ service level ≤ answered ≤ 1, each rising with t; at t = 0 all are the
    share answered at once (over P(answered) for answered); at ∞ offered is 1 − P(abandon)
    and the other two are 1 (every abandoner has left within t)."""
    eps = 1e-12
    times = sorted(t / queue.service_rate for t in times)
    rows = [(queue.service_level_offered(t), queue.service_level(t),
             queue.service_level_answered(t)) for t in times]
    for offered, level, answered in rows:
        assert -eps <= offered <= level + eps <= answered + 2 * eps <= 1 + 3 * eps
    for before, after in itertools.pairwise(rows):
        assert all(x <= y + eps for x, y in zip(before, after, strict=True))
    at_once, answered_share = 1 - queue.p_wait, 1 - queue.abandonment_rate
    assert queue.service_level_offered(0.0) == pytest.approx(at_once, rel=1e-12)
    assert queue.service_level(0.0) == pytest.approx(at_once, rel=1e-12)
    assert queue.service_level_answered(0.0) == pytest.approx(at_once / answered_share,
                                                              rel=1e-12)
    assert queue.service_level_offered(math.inf) == pytest.approx(answered_share, rel=1e-12)
    assert queue.service_level(math.inf) == pytest.approx(1.0, rel=1e-12)
    assert queue.service_level_answered(math.inf) == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=30)
@given(queue=erlang_a_queues())
def test_erlang_a_wait_properties(queue: ErlangA) -> None:
    """0 ≤ P(abandon) = θE[W] < 1; E[W] ≤ 1/θ (nobody waits past their patience on
    average); E[W·1{answered}] = ASA·P(answered) ≤ E[W]."""
    theta = queue.patience_rate
    assert 0.0 <= queue.abandonment_rate < 1.0
    assert queue.abandonment_rate == pytest.approx(theta * queue.mean_wait, rel=1e-12)
    assert queue.mean_wait <= 1.0 / theta
    assert 0.0 <= queue.asa * (1 - queue.abandonment_rate) <= queue.mean_wait * (1 + 1e-12)


def test_erlang_a_service_level_shape() -> None:
    """Offered service level rises strictly with t, towards 1 − P(abandon)."""
    for lam, mu, theta, n in ERLANG_A_CASES:
        a = erlang_a(lam, mu, theta, n)
        times = [0.0, 0.01, 0.1, 0.5, 1.0, 3.0, 10.0, 50.0]
        levels = [a.service_level_offered(t) for t in times]
        assert all(x < y for x, y in itertools.pairwise(levels[:6]))
        assert levels[-1] == pytest.approx(1 - a.abandonment_rate, rel=1e-9)


def test_erlang_a_with_tiny_theta_approaches_erlang_c() -> None:
    """As θ → 0 with λ < nμ, Erlang A measures approach their Erlang C values."""
    for lam, mu, n in [(9.5, 1.0, 10), (48.0, 1.0, 50), (3.0, 0.5, 7)]:
        c = erlang_c(lam, mu, n)
        a = erlang_a(lam, mu, 1e-7, n)
        assert a.p_wait == pytest.approx(c.p_wait, rel=1e-3)
        assert a.mean_wait == pytest.approx(c.mean_wait, rel=1e-3)
        assert a.asa == pytest.approx(c.asa, rel=1e-3)
        assert a.mean_queue_length == pytest.approx(c.mean_queue_length, rel=1e-3)
        assert a.utilization == pytest.approx(c.occupancy, rel=1e-3)
        assert a.abandonment_rate < 1e-4
        for t in (0.1, 1.0):
            assert a.service_level(t) == pytest.approx(c.service_level(t), rel=1e-3)
            assert a.service_level_answered(t) == pytest.approx(c.service_level(t), rel=1e-3)
            assert a.service_level_offered(t) == pytest.approx(c.service_level(t), rel=1e-3)


def test_erlang_a_overload_is_finite() -> None:
    """An overloaded Erlang A system (λ > nμ) still has a finite, normalised steady state."""
    a = erlang_a(510.0, 1.0, 0.1, 500)
    assert a.distribution.sum() == pytest.approx(1.0, rel=1e-12)
    assert 0.0 < a.abandonment_rate < 1.0
    assert a.abandonment_rate >= 1 - 500 * 1.0 / 510.0  # at most nμ served per unit time
    assert a.p_wait > 0.5
    assert a.utilization <= 1.0
    assert math.isfinite(a.asa)


def test_results_are_frozen() -> None:
    """Results are immutable attrs classes."""
    c = erlang_c(2.0, 3.0, 2)
    a = erlang_a(2.0, 3.0, 1.0, 2)
    assert isinstance(c, ErlangC)
    assert isinstance(a, ErlangA)
    with pytest.raises(AttributeError):
        c.agents = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        a.distribution[0] = 0.0


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0.0, 1.0, 2), "arrival_rate"),
        ((-1.0, 1.0, 2), "arrival_rate"),
        ((math.nan, 1.0, 2), "arrival_rate"),
        ((1.0, 0.0, 2), "service_rate"),
        ((1.0, math.inf, 2), "service_rate"),
        ((1.0, 1.0, 0), "agents"),
        ((1.0, 1.0, 2.0), "agents"),
        ((2.0, 1.0, 2), "arrival_rate=2.0"),  # λ = nμ: unstable
        ((3.0, 1.0, 2), "arrival_rate=3.0"),  # λ > nμ: unstable
    ],
)
def test_erlang_c_rejects_bad_arguments(args: tuple[float, float, int], name: str) -> None:
    """Erlang C raises ValueError naming the bad parameter, including instability."""
    with pytest.raises(ValueError, match=name):
        erlang_c(*args)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0.0, 1.0, 1.0, 2), "arrival_rate"),
        ((1.0, -1.0, 1.0, 2), "service_rate"),
        ((1.0, 1.0, 0.0, 2), "patience_rate"),
        ((1.0, 1.0, -0.5, 2), "patience_rate"),
        ((1.0, 1.0, 1.0, 0), "agents"),
        ((1.0, 1.0, 1.0, -3), "agents"),
    ],
)
def test_erlang_a_rejects_bad_arguments(args: tuple[float, float, float, int], name: str) -> None:
    """Erlang A raises ValueError naming the bad parameter."""
    with pytest.raises(ValueError, match=name):
        erlang_a(*args)


def test_service_level_rejects_negative_time() -> None:
    """Every service level raises ValueError naming t for a negative or NaN t."""
    with pytest.raises(ValueError, match="t must be"):
        erlang_c(2.0, 3.0, 2).service_level(-1.0)
    with pytest.raises(ValueError, match="t must be"):
        erlang_a(2.0, 3.0, 1.0, 2).service_level(-1.0)
    for name in ("service_level", "service_level_answered", "service_level_offered"):
        with pytest.raises(ValueError, match="t must be"):
            getattr(erlang_c(2.0, 3.0, 2), name)(math.nan)
        with pytest.raises(ValueError, match="t must be"):
            getattr(erlang_a(2.0, 3.0, 1.0, 2), name)(-0.5)
