"""Statistics over replications: means with Student-t intervals, paired differences."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["Estimate", "estimate", "paired_difference"]

Estimate = dict[str, float | None]


def _clean(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
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
    from scipy import stats  # imported here: scipy.stats costs ~1 s and 100 MiB to import

    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_difference(
    design: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> Estimate:
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
