"""The distribution of the time to resolution per design (an ECDF from quantile curves)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FuncFormatter,
    LogLocator,
    MultipleLocator,
    NullFormatter,
    PercentFormatter,
)

from ..errors import SimError
from .data import Columns, designs_of, interval
from .style import CI, design_colors, new_figure, style, titled

__all__ = ["ttr_ecdf_figure"]


def ttr_ecdf_figure(ttr_quantiles: Columns, designs: Sequence[str] | None = None,
                    title: str = "") -> Figure:
    """Distribution (ECDF) of the time to resolution per design.

    For each design, the quantile curves of the replications (quantiles 0.01 … 0.99) are
    averaged at each quantile; the band is the 95% interval of that quantile over the
    replications. Replications without a resolved issue are left out.
    """
    names = designs_of(ttr_quantiles, designs)
    colors = design_colors(names)
    column = {k: np.asarray(ttr_quantiles[k]) for k in ("design", "replication", "quantile",
                                                         "minutes")}
    with style():
        fig = new_figure(7.0, 4.6)
        ax = fig.subplots()
        lowest, highest = math.inf, 0.0
        for design in names:
            qs, grid = _quantile_grid(column, design)
            if not grid.size:
                continue
            mean, lo, hi = interval(grid, axis=0)
            ok = ~np.isnan(mean)
            median = float(np.interp(0.5, qs[ok], mean[ok]))
            p90 = float(np.interp(0.9, qs[ok], mean[ok]))
            ax.fill_betweenx(qs[ok], lo[ok], hi[ok], color=colors[design], alpha=0.25,
                             linewidth=0)
            ax.plot(mean[ok], qs[ok], color=colors[design], linewidth=1.8,
                    label=f"{design}: median {median:.1f} min, 90th pct. {p90:.1f} min "
                    f"({grid.shape[0]} repl.)")
            lowest = min(lowest, float(np.nanmin(lo[ok])))
            highest = max(highest, float(np.nanmax(hi[ok])))
        if highest <= 0:
            raise SimError("ttr_quantiles.csv: no design has a resolved issue")
        for q in (0.5, 0.9):
            ax.axhline(q, color="0.5", linestyle=":", linewidth=0.8, zorder=1)
        if lowest > 0 and highest / lowest > 20:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=20))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlim(_nice_below(lowest / 1.05), highest * 1.15)
        else:
            ax.set_xlim(0, highest * 1.05)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.yaxis.set_major_locator(MultipleLocator(0.1))
        ax.set_xlabel("time to resolution: from the issue's arrival to its resolution (min"
                      + (", log scale)" if ax.get_xscale() == "log" else ")"))
        ax.set_ylabel("cumulative share of the resolved issues (%)")
        ax.legend(loc="lower right", title=f"mean quantile curve, band: {CI}",
                  title_fontsize=8)
        ax.set_title(titled(title, "distribution of the time to resolution"))
    return fig


def _quantile_grid(column: dict[str, np.ndarray], design: str) -> tuple[np.ndarray, np.ndarray]:
    """*design*'s quantiles and its minutes at each, one row per replication that
    resolved an issue (an empty grid: none did)."""
    mask = column["design"] == design
    reps = np.unique(column["replication"][mask])
    qs = np.unique(column["quantile"][mask].astype(float))
    if not reps.size or not qs.size:
        return qs, np.empty((0, 0))
    grid = np.full((reps.size, qs.size), np.nan)
    r_index = np.searchsorted(reps, column["replication"][mask])
    q_index = np.searchsorted(qs, column["quantile"][mask].astype(float))
    grid[r_index, q_index] = column["minutes"][mask].astype(float)
    return qs, grid[~np.all(np.isnan(grid), axis=1)]


def _nice_below(x: float) -> float:
    """The largest of 1, 2, 5 × 10^k at most *x* (a log axis then starts on a tick)."""
    power = 10.0 ** math.floor(math.log10(x))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= x)
