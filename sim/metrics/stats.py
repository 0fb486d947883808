"""Statistics over replications: means with Student-t intervals, paired differences.

The one Student-t interval (:func:`t_half_width`), the one typed estimate
(:class:`Estimate`) and the one number formatter (:func:`format_number`) of omnisim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

__all__ = ["Estimate", "EstimateDict", "estimate", "format_number", "paired_difference",
           "t_quantile"]

#: An estimate as summary.json stores it: mean, ci_low, ci_high, n (and relative).
EstimateDict = dict[str, float | None]


def format_number(value: float | None, digits: int = 4, signed: bool = False) -> str:
    """*value* with *digits* significant digits, for people: – for none, thousands
    separators from 10^digits (at most 10,000), scientific notation below 0.001; with
    *signed*, a + before a positive number (a difference)."""
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return "0"
    sign = "+" if signed else ""
    if abs(value) >= min(1e4, 10**digits):
        return f"{value:{sign},.0f}"
    if abs(value) >= 1e-3:
        return f"{value:{sign}.{digits}g}"
    return f"{value:{sign}.{digits - 2}e}"


def t_quantile(confidence: float, df: Any) -> Any:
    """The two-sided Student-t quantile of level *confidence* with *df* degrees of
    freedom (a number or an array), the one every interval in omnisim uses.

    ``scipy.special.stdtrit`` is what ``scipy.stats.t.ppf`` computes, to the bit (NaN
    where *df* is not positive, as there); importing scipy.stats would cost about a
    second more in every run.
    """
    from scipy.special import stdtrit  # imported here: only runs that estimate need it

    return stdtrit(df, 0.5 + confidence / 2)


@attrs.frozen
class Estimate:
    """A mean over replications with its interval: what every table and figure shows.

    Attributes:
        mean: The mean, ``None`` when nothing was measured.
        low: Lower end of the interval, ``None`` with fewer than two values.
        high: Upper end of the interval.
        n: How many values counted (``None`` when unknown: summary.json does not keep it).
        unit: The outcome's unit (``min``, ``share``...), or ``""``.
    """

    mean: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    unit: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any] | None, unit: str = "") -> Estimate:
        """The estimate summary.json stores as ``{"mean", "ci_low", "ci_high", "n"}``."""
        data = data or {}
        n = data.get("n")
        return cls(data.get("mean"), data.get("ci_low"), data.get("ci_high"),
                   None if n is None else int(n), unit)

    def to_dict(self) -> EstimateDict:
        """The estimate as :func:`estimate` gives it (summary.json leaves ``n`` out)."""
        out: EstimateDict = {"mean": self.mean, "ci_low": self.low, "ci_high": self.high}
        if self.n is not None:
            out["n"] = self.n
        return out

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly above or below 0 (a difference that shows)."""
        return self.low is not None and self.high is not None and (self.low > 0
                                                                   or self.high < 0)

    def text(self, digits: int = 4) -> str:
        """``mean [low, high]``, or the mean alone without an interval, or –."""
        if self.mean is None:
            return "–"
        if self.low is None or self.high is None:
            return format_number(self.mean, digits)
        return (f"{format_number(self.mean, digits)} [{format_number(self.low, digits)}, "
                f"{format_number(self.high, digits)}]")


def _clean(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def estimate(values: Sequence[float], confidence: float = 0.95) -> EstimateDict:
    """Mean of *values* with its Student-t *confidence* interval.

    NaN values (a replication with nothing to measure) are left out; ``n`` says how many
    counted. The interval is ``None`` with fewer than two values, and collapses to the
    mean when every value is the same.
    """
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": 1}
    half = float(t_quantile(confidence, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_difference(
    design: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> EstimateDict:
    """Mean of design − baseline over paired replications, its interval, relative change.

    Pairs where either side is NaN are left out. ``relative`` is the mean difference over
    the baseline mean (``None`` when the baseline mean is 0).
    """
    pairs = [(d, b) for d, b in zip(design, baseline, strict=True)
             if not (math.isnan(d) or math.isnan(b))]
    out = estimate([d - b for d, b in pairs], confidence)
    base = float(np.mean([b for _, b in pairs])) if pairs else math.nan
    mean = out["mean"]
    out["relative"] = _clean(mean / base) if mean is not None and base else None
    return out
