"""Tests of the exact Erlang C and Erlang A formulas in ``sim.theory``."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from numpy.typing import NDArray
from pyworkforce.queuing import ErlangC as PwfErlangC
from scipy.linalg import expm
from scipy.special import gammainc

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
    assert a.p_abandon == pytest.approx(theta * lq / lam, rel=1e-9)
    busy = float(np.dot(np.minimum(k, n), pi)) / n
    assert a.utilization == pytest.approx(busy, rel=1e-9)


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES)
def test_erlang_a_abandonment_and_little_identities(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """P(Ab) = θ·E[W], and per-customer sums give the same E[W], P(served) and busy agents."""
    a = erlang_a(lam, mu, theta, n)
    assert a.p_abandon == pytest.approx(theta * a.mean_wait, rel=1e-14)
    # From the arriving customer's view (PASTA): at position j, E[min(V_j, τ)] = j/(nμ+jθ)
    # and P(served) = nμ/(nμ+jθ); these must reproduce the time-average quantities.
    tail = a.distribution[n:]
    j = np.arange(1, tail.size + 1)
    assert float(np.dot(j / (n * mu + j * theta), tail)) == pytest.approx(a.mean_wait, rel=1e-9)
    served = 1 - tail.sum() + float(np.dot(n * mu / (n * mu + j * theta), tail))
    assert served == pytest.approx(1 - a.p_abandon, rel=1e-9)
    busy = float(np.dot(np.minimum(np.arange(a.distribution.size), n), a.distribution)) / n
    assert a.utilization == pytest.approx(busy, rel=1e-9)
    assert a.utilization == pytest.approx(lam * (1 - a.p_abandon) / (n * mu), rel=1e-14)
    assert a.distribution.sum() == pytest.approx(1.0, rel=1e-12)
    assert a.distribution[-1] < 1e-12


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES[:3])
def test_erlang_a_service_level_matches_position_chain(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """Service level and P(V ≤ t) match expm of the absorbing queue-position chain."""
    pi = _brute_force_pi(lam, mu, theta, n)
    tail = pi[n:]
    tail = tail[: int(np.flatnonzero(tail > 1e-18)[-1]) + 1]  # keeps expm small and fast
    a = erlang_a(lam, mu, theta, n)
    impatient = _position_generator(mu, theta, n, tail.size, patient=False)
    patient = _position_generator(mu, theta, n, tail.size, patient=True)
    for t in (0.05, 0.3, 1.0, 4.0):
        served_by_t = expm(impatient * t)[1:-1, 0]
        reached_by_t = expm(patient * t)[1:-1, 0]
        assert a.service_level(t) == pytest.approx(
            pi[:n].sum() + np.dot(tail, served_by_t), rel=1e-8
        )
        assert a.p_wait_at_most(t) == pytest.approx(
            pi[:n].sum() + np.dot(tail, reached_by_t), rel=1e-8
        )


@pytest.mark.parametrize(("lam", "mu", "theta", "n"), ERLANG_A_CASES)
def test_erlang_a_mean_wait_served_matches_fundamental_matrix(
    lam: float, mu: float, theta: float, n: int
) -> None:
    """E[W | served] matches the fundamental matrix of the absorbing position chain."""
    pi = _brute_force_pi(lam, mu, theta, n)
    tail = pi[n:]
    q = _position_generator(mu, theta, n, tail.size, patient=False)
    transient = q[1:-1, 1:-1]
    fundamental = np.linalg.inv(-transient)  # expected time in each position
    p_served = fundamental @ q[1:-1, 0]  # P(eventually served | position)
    wait_and_served = fundamental @ p_served  # E[W·1{served} | position]
    p_abandon = 1 - pi[:n].sum() - np.dot(tail, p_served)
    expected = float(np.dot(tail, wait_and_served)) / (1 - p_abandon)
    a = erlang_a(lam, mu, theta, n)
    assert a.mean_wait_served == pytest.approx(expected, rel=1e-8)
    assert a.p_abandon == pytest.approx(p_abandon, rel=1e-8)


def test_erlang_a_service_level_shape() -> None:
    """Service level lies in [0, 1], increases with t and tends to 1 − P(abandon)."""
    for lam, mu, theta, n in ERLANG_A_CASES:
        a = erlang_a(lam, mu, theta, n)
        times = [0.0, 0.01, 0.1, 0.5, 1.0, 3.0, 10.0, 50.0]
        levels = [a.service_level(t) for t in times]
        assert all(0.0 <= s <= 1.0 for s in levels)
        assert all(x <= y for x, y in itertools.pairwise(levels))
        assert all(x < y for x, y in itertools.pairwise(levels[:6]))
        assert levels[0] == pytest.approx(1 - a.p_wait, rel=1e-12)
        assert levels[-1] == pytest.approx(1 - a.p_abandon, rel=1e-9)
        assert a.service_level(math.inf) == pytest.approx(1 - a.p_abandon, rel=1e-9)
        assert a.p_wait_at_most(math.inf) == pytest.approx(1.0, rel=1e-12)
        assert all(a.p_wait_at_most(t) >= s for t, s in zip(times, levels, strict=True))


def test_erlang_a_with_tiny_theta_approaches_erlang_c() -> None:
    """As θ → 0 with λ < nμ, Erlang A measures approach their Erlang C values."""
    for lam, mu, n in [(9.5, 1.0, 10), (48.0, 1.0, 50), (3.0, 0.5, 7)]:
        c = erlang_c(lam, mu, n)
        a = erlang_a(lam, mu, 1e-7, n)
        assert a.p_wait == pytest.approx(c.p_wait, rel=1e-3)
        assert a.mean_wait == pytest.approx(c.mean_wait, rel=1e-3)
        assert a.mean_wait_served == pytest.approx(c.mean_wait, rel=1e-3)
        assert a.mean_queue_length == pytest.approx(c.mean_queue_length, rel=1e-3)
        assert a.utilization == pytest.approx(c.occupancy, rel=1e-3)
        assert a.p_abandon < 1e-4
        for t in (0.1, 1.0):
            assert a.service_level(t) == pytest.approx(c.service_level(t), rel=1e-3)
            assert a.p_wait_at_most(t) == pytest.approx(c.service_level(t), rel=1e-3)


def test_erlang_a_overload_is_finite() -> None:
    """An overloaded Erlang A system (λ > nμ) still has a finite, normalised steady state."""
    a = erlang_a(510.0, 1.0, 0.1, 500)
    assert a.distribution.sum() == pytest.approx(1.0, rel=1e-12)
    assert 0.0 < a.p_abandon < 1.0
    assert a.p_abandon >= 1 - 500 * 1.0 / 510.0  # at most nμ customers served per unit time
    assert a.p_wait > 0.5
    assert a.utilization <= 1.0
    assert math.isfinite(a.mean_wait_served)


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
        ((1.0, 1.0, 0.0, 2), "abandonment_rate"),
        ((1.0, 1.0, -0.5, 2), "abandonment_rate"),
        ((1.0, 1.0, 1.0, 0), "agents"),
        ((1.0, 1.0, 1.0, -3), "agents"),
    ],
)
def test_erlang_a_rejects_bad_arguments(args: tuple[float, float, float, int], name: str) -> None:
    """Erlang A raises ValueError naming the bad parameter."""
    with pytest.raises(ValueError, match=name):
        erlang_a(*args)


def test_service_level_rejects_negative_time() -> None:
    """service_level and p_wait_at_most raise ValueError naming t for a negative t."""
    with pytest.raises(ValueError, match="t must be"):
        erlang_c(2.0, 3.0, 2).service_level(-1.0)
    with pytest.raises(ValueError, match="t must be"):
        erlang_a(2.0, 3.0, 1.0, 2).service_level(-1.0)
    with pytest.raises(ValueError, match="t must be"):
        erlang_a(2.0, 3.0, 1.0, 2).p_wait_at_most(math.nan)
