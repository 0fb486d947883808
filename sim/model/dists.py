"""Probability distributions of durations (in minutes).

Each distribution is a frozen attrs class with ``sample(rng)`` (any source of uniform
draws with a ``random()`` method, such as :class:`random.Random`), and its analytical
``mean`` and ``variance``.

``sample`` draws exactly what the matching :class:`random.Random` method would
(``expovariate``, ``lognormvariate``, ``gammavariate``, ``choices``), from the same
uniform draws with the same floating-point operations, but with the parameters those
methods derive on every call (a rate, the log-normal's μ and σ, the gamma's constants,
cumulative weights) computed once, when the distribution is made. They are kept out of
the attrs fields, so equality, ``repr`` and the fields a fingerprint reads are unchanged.
"""

from __future__ import annotations

import math
from bisect import bisect
from itertools import accumulate
from typing import Protocol

import attrs

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Source",
    "Uniform",
]

# The constants of CPython's random module (Lib/random.py), for the same draws.
_NV_MAGICCONST = 4 * math.exp(-0.5) / math.sqrt(2.0)
_LOG4 = math.log(4.0)
_SG_MAGICCONST = 1.0 + math.log(4.5)
#: math's functions as globals: one lookup each per use, not two (the same functions)
_log, _exp = math.log, math.exp


class Source(Protocol):
    """A source of uniform draws: :class:`random.Random` or a counter stream."""

    def random(self) -> float:
        """A float uniform in [0, 1)."""


def _keep(obj: object, **values: object) -> None:
    """Set precomputed values on a frozen instance (they are not attrs fields)."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


class Distribution(Protocol):
    """What every distribution offers."""

    @property
    def mean(self) -> float:
        """The analytical mean."""

    @property
    def variance(self) -> float:
        """The analytical variance."""

    def sample(self, rng: Source) -> float:
        """Draw one value with *rng*."""


@attrs.frozen
class Fixed:
    """Always *value*."""

    value: float

    @property
    def mean(self) -> float:
        """The value itself."""
        return self.value

    @property
    def variance(self) -> float:
        """Zero."""
        return 0.0

    def sample(self, rng: Source) -> float:
        """Return the value (draws nothing, so it leaves *rng* untouched)."""
        return self.value


@attrs.frozen(slots=False)
class Exponential:
    """Exponential with the given *mean*."""

    mean: float

    def __attrs_post_init__(self) -> None:
        _keep(self, _rate=1.0 / self.mean if self.mean else 0.0)  # 0: raises as it did

    @property
    def variance(self) -> float:
        """mean²."""
        return self.mean**2

    def sample(self, rng: Source) -> float:
        """Draw one value (as ``rng.expovariate(1 / mean)``)."""
        return -_log(1.0 - rng.random()) / self._rate  # type: ignore[attr-defined]


@attrs.frozen(slots=False)
class LogNormal:
    """Log-normal with the given *mean* and coefficient of variation *cv*."""

    mean: float
    cv: float

    def __attrs_post_init__(self) -> None:
        if self.mean > 0:
            _keep(self, _mu=self.mu, _sigma=self.sigma)

    @property
    def sigma(self) -> float:
        """Standard deviation of the logarithm."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        """Mean of the logarithm."""
        return math.log(self.mean) - self.sigma**2 / 2

    @property
    def variance(self) -> float:
        """(cv · mean)²."""
        return (self.cv * self.mean) ** 2

    def sample(self, rng: Source) -> float:
        """Draw one value (as ``rng.lognormvariate(mu, sigma)``)."""
        random = rng.random
        while True:  # Kinderman and Monahan, as random.Random.normalvariate
            u1 = random()
            u2 = 1.0 - random()
            z = _NV_MAGICCONST * (u1 - 0.5) / u2
            zz = z * z / 4.0
            if zz <= -_log(u2):
                break
        try:
            mu, sigma = self._mu, self._sigma  # type: ignore[attr-defined]
        except AttributeError:  # a mean <= 0: raises here, as it did
            mu, sigma = self.mu, self.sigma
        return _exp(mu + z * sigma)


@attrs.frozen(slots=False)
class Gamma:
    """Gamma with the given *mean* and coefficient of variation *cv* (shape 1/cv²)."""

    mean: float
    cv: float

    def __attrs_post_init__(self) -> None:
        cheng = None
        if self.cv != 0:
            shape = 1.0 / self.cv**2
            beta = self.mean / shape
            ainv = math.sqrt(2.0 * shape - 1.0) if shape > 1.0 else 0.0
            _keep(self, _alpha=shape, _beta=beta)
            if not (shape <= 1.0 or beta <= 0.0):  # Cheng's algorithm applies
                cheng = (shape, beta, ainv, shape - _LOG4, shape + ainv)
        _keep(self, _cheng=cheng)

    @property
    def variance(self) -> float:
        """(cv · mean)²."""
        return (self.cv * self.mean) ** 2

    def sample(self, rng: Source) -> float:
        """Draw one value (as ``rng.gammavariate(shape, mean / shape)``)."""
        cheng = self._cheng  # type: ignore[attr-defined]
        if cheng is None:
            return self._sample_small(rng)
        alpha, beta, ainv, bbb, ccc = cheng
        random = rng.random
        while True:  # Cheng's algorithm, as random.Random.gammavariate for shape > 1
            u1 = random()
            if not 1e-7 < u1 < 0.9999999:
                continue
            u2 = 1.0 - random()
            v = _log(u1 / (1.0 - u1)) / ainv
            x = alpha * _exp(v)
            z = u1 * u1 * u2
            r = bbb + ccc * v - x
            if r + _SG_MAGICCONST - 4.5 * z >= 0.0 or r >= _log(z):
                return x * beta

    def _sample_small(self, rng: Source) -> float:
        """A draw of shape ≤ 1 (or a bad scale, which raises as gammavariate does)."""
        try:
            alpha, beta = self._alpha, self._beta  # type: ignore[attr-defined]
        except AttributeError:  # a cv of 0: raises here, as it did
            alpha = 1.0 / self.cv**2
            alpha, beta = alpha, self.mean / alpha
        return _gamma_small(alpha, beta, rng)


def _gamma_small(alpha: float, beta: float, rng: Source) -> float:
    """A gamma draw of shape *alpha* ≤ 1, as random.Random.gammavariate makes it."""
    if alpha <= 0.0 or beta <= 0.0:
        raise ValueError("gammavariate: alpha and beta must be > 0.0")
    random = rng.random
    if alpha == 1.0:
        return -math.log(1.0 - random()) * beta
    while True:  # Ahrens and Dieter's algorithm GS
        u = random()
        b = (math.e + alpha) / math.e
        p = b * u
        x = p ** (1.0 / alpha) if p <= 1.0 else -math.log((b - p) / alpha)
        u1 = random()
        if p > 1.0:
            if u1 <= x ** (alpha - 1.0):
                return x * beta
        elif u1 <= math.exp(-x):
            return x * beta


@attrs.frozen
class Uniform:
    """Uniform on [*low*, *high*]."""

    low: float
    high: float

    @property
    def mean(self) -> float:
        """(low + high) / 2."""
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        """(high − low)² / 12."""
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: Source) -> float:
        """Draw one value."""
        return self.low + (self.high - self.low) * rng.random()


@attrs.frozen(slots=False)
class Empirical:
    """One of *values*, with probabilities proportional to *weights* (equal if empty)."""

    values: tuple[float, ...]
    weights: tuple[float, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.weights:
            cum = list(accumulate(self.weights))
            _keep(self, _cum=cum, _total=cum[-1] + 0.0)

    def _probabilities(self) -> list[float]:
        if not self.weights:
            return [1.0 / len(self.values)] * len(self.values)
        total = sum(self.weights)
        return [w / total for w in self.weights]

    @property
    def mean(self) -> float:
        """Weighted mean of the values."""
        return sum(v * p for v, p in zip(self.values, self._probabilities(), strict=True))

    @property
    def variance(self) -> float:
        """Weighted variance of the values."""
        m = self.mean
        return sum(
            (v - m) ** 2 * p for v, p in zip(self.values, self._probabilities(), strict=True)
        )

    def sample(self, rng: Source) -> float:
        """Draw one value (with weights, as ``rng.choices(values, weights)[0]``)."""
        if not self.weights:
            return self.values[int(rng.random() * len(self.values))]
        cum, total = self._cum, self._total  # type: ignore[attr-defined]
        return self.values[bisect(cum, rng.random() * total, 0, len(cum) - 1)]
