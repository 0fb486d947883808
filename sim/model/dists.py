"""Probability distributions of durations (in minutes).

Each distribution is a frozen attrs class with ``sample(rng)`` (any
:class:`random.Random`-like generator), and its analytical ``mean`` and ``variance``.
"""

from __future__ import annotations

import math
import random
from typing import Protocol

import attrs

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Uniform",
]


class Distribution(Protocol):
    """What every distribution offers."""

    @property
    def mean(self) -> float:
        """The analytical mean."""

    @property
    def variance(self) -> float:
        """The analytical variance."""

    def sample(self, rng: random.Random) -> float:
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

    def sample(self, rng: random.Random) -> float:
        """Return the value (draws nothing, so it leaves *rng* untouched)."""
        return self.value


@attrs.frozen
class Exponential:
    """Exponential with the given *mean*."""

    mean: float

    @property
    def variance(self) -> float:
        """mean²."""
        return self.mean**2

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        return rng.expovariate(1.0 / self.mean)


@attrs.frozen
class LogNormal:
    """Log-normal with the given *mean* and coefficient of variation *cv*."""

    mean: float
    cv: float

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

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        return rng.lognormvariate(self.mu, self.sigma)


@attrs.frozen
class Gamma:
    """Gamma with the given *mean* and coefficient of variation *cv* (shape 1/cv²)."""

    mean: float
    cv: float

    @property
    def variance(self) -> float:
        """(cv · mean)²."""
        return (self.cv * self.mean) ** 2

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        shape = 1.0 / self.cv**2
        return rng.gammavariate(shape, self.mean / shape)


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

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        return self.low + (self.high - self.low) * rng.random()


@attrs.frozen
class Empirical:
    """One of *values*, with probabilities proportional to *weights* (equal if empty)."""

    values: tuple[float, ...]
    weights: tuple[float, ...] = ()

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

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        if not self.weights:
            return self.values[int(rng.random() * len(self.values))]
        return rng.choices(self.values, weights=self.weights)[0]
