"""Distributions of durations (``sim.model.dists``): samples match the declared moments.

Each distribution draws N = 20,000 values from ``random.Random(seed)``; the sample mean
must lie within 5 standard errors of the declared ``mean`` and the sample variance within
5 standard errors of the declared ``variance``. The standard errors come from the sample
itself: s/√N for the mean and √((m₄ − s⁴)/N) for the variance (m₄ the fourth central
moment). With fixed seeds the tests are deterministic; 5 standard errors leaves room to
change a seed without a false failure (two-sided p ≈ 6·10⁻⁷).
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from sim.model.dists import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Uniform,
)

N = 20_000
Z = 5.0  # tolerance, in standard errors


def _moments(draws: list[float]) -> tuple[float, float, float, float]:
    """Sample mean, variance, and the standard errors of both."""
    mean = statistics.fmean(draws)
    var = statistics.variance(draws, mean)
    m4 = statistics.fmean((x - mean) ** 4 for x in draws)
    return mean, var, math.sqrt(var / len(draws)), math.sqrt(max(m4 - var**2, 0.0) / len(draws))


CASES = [
    pytest.param(Exponential(2.0), 1, id="exponential"),
    pytest.param(Exponential(0.25), 2, id="exponential-short"),
    pytest.param(LogNormal(3.0, 0.5), 3, id="lognormal-cv0.5"),
    pytest.param(LogNormal(190 / 60, 1.2), 4, id="lognormal-cv1.2"),
    pytest.param(Gamma(2.0, 0.5), 5, id="gamma-cv0.5"),
    pytest.param(Gamma(1.0, 1.0), 6, id="gamma-cv1-is-exponential"),
    pytest.param(Gamma(0.75, 2.0), 7, id="gamma-cv2"),
    pytest.param(Uniform(1.0, 4.0), 8, id="uniform"),
    pytest.param(Empirical((1.0, 2.0, 5.0)), 9, id="empirical-equal"),
    pytest.param(Empirical((1.0, 2.0, 5.0), (0.5, 0.3, 0.2)), 10, id="empirical-weighted"),
]


@pytest.mark.parametrize(("dist", "seed"), CASES)
def test_sample_moments_match_declared(dist: Distribution, seed: int) -> None:
    """Sample mean and variance of 20,000 draws lie within 5 standard errors of the declared."""
    rng = random.Random(seed)
    draws = [dist.sample(rng) for _ in range(N)]
    assert min(draws) >= 0, "durations are never negative"
    mean, var, se_mean, se_var = _moments(draws)
    assert abs(mean - dist.mean) <= Z * se_mean, (mean, dist.mean, se_mean)
    assert abs(var - dist.variance) <= Z * se_var, (var, dist.variance, se_var)


@pytest.mark.parametrize("cls", [LogNormal, Gamma])
@pytest.mark.parametrize(("mean", "cv"), [(3.0, 0.5), (190 / 60, 1.2), (0.5, 2.0)])
def test_mean_and_cv_parameterisation(cls: type, mean: float, cv: float) -> None:
    """LogNormal and Gamma declare the mean they are given and variance (cv·mean)²."""
    dist = cls(mean, cv)
    assert dist.mean == mean
    assert dist.variance == pytest.approx((cv * mean) ** 2, rel=1e-12)
    assert math.sqrt(dist.variance) / dist.mean == pytest.approx(cv, rel=1e-12)


def test_lognormal_log_parameters() -> None:
    """LogNormal(mean, cv) has log-scale σ² = ln(1 + cv²), μ = ln(mean) − σ²/2, as sampled."""
    dist = LogNormal(3.0, 0.8)
    assert dist.sigma == pytest.approx(math.sqrt(math.log(1 + 0.8**2)), rel=1e-12)
    assert dist.mu == pytest.approx(math.log(3.0) - math.log(1 + 0.8**2) / 2, rel=1e-12)
    rng = random.Random(11)
    logs = [math.log(dist.sample(rng)) for _ in range(N)]
    log_mean, log_var, se_mean, se_var = _moments(logs)
    assert abs(log_mean - dist.mu) <= Z * se_mean
    assert abs(log_var - dist.sigma**2) <= Z * se_var


def test_gamma_cv_one_is_exponential_in_law() -> None:
    """Gamma with cv 1 has shape 1: its median is mean·ln 2, like the exponential's."""
    rng = random.Random(12)
    draws = sorted(Gamma(2.0, 1.0).sample(rng) for _ in range(N))
    median = draws[N // 2]
    # the sample median of an exponential has standard error 1/(2 f(m) √N) = mean/√N here
    assert abs(median - 2.0 * math.log(2)) <= Z * 2.0 / math.sqrt(N)


def test_fixed_is_constant_and_draws_nothing() -> None:
    """Fixed always returns its value, declares variance 0 and leaves the generator alone."""
    dist = Fixed(1.5)
    rng = random.Random(13)
    state = rng.getstate()
    assert [dist.sample(rng) for _ in range(100)] == [1.5] * 100
    assert rng.getstate() == state
    assert dist.mean == 1.5
    assert dist.variance == 0.0


def test_declared_moments_of_uniform_and_empirical() -> None:
    """Uniform and Empirical declare the textbook mean and variance."""
    assert Uniform(1.0, 4.0).mean == 2.5
    assert Uniform(1.0, 4.0).variance == pytest.approx(9 / 12)
    equal = Empirical((1.0, 2.0, 6.0))
    assert equal.mean == pytest.approx(3.0)
    assert equal.variance == pytest.approx((4 + 1 + 9) / 3)
    weighted = Empirical((1.0, 3.0), (3.0, 1.0))  # weights need not add up to 1
    assert weighted.mean == pytest.approx(1.5)
    assert weighted.variance == pytest.approx(0.75 * 0.25 + 0.25 * 2.25)


def test_empirical_only_draws_its_values() -> None:
    """Empirical draws only its values, with frequencies near their weights."""
    dist = Empirical((1.0, 2.0, 5.0), (0.5, 0.3, 0.2))
    rng = random.Random(14)
    draws = [dist.sample(rng) for _ in range(N)]
    assert set(draws) == {1.0, 2.0, 5.0}
    for value, p in zip(dist.values, (0.5, 0.3, 0.2), strict=True):
        share = draws.count(value) / N
        assert abs(share - p) <= Z * math.sqrt(p * (1 - p) / N)


@pytest.mark.parametrize(("dist", "seed"), CASES)
def test_same_seed_same_draws(dist: Distribution, seed: int) -> None:
    """The same seed gives the same draws (common random numbers rely on it)."""
    a, b = random.Random(seed), random.Random(seed)
    assert [dist.sample(a) for _ in range(50)] == [dist.sample(b) for _ in range(50)]
