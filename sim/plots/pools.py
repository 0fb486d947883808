"""Agent pools over the time of day: contacts waiting and agent utilization, per design."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter

from ..errors import SimError
from .data import Columns, designs_of, interval
from .style import CI, design_colors, new_figure, style, titled

__all__ = ["pools_over_day_figure"]


def _clock(minutes: float, _: Any = None) -> str:
    m = round(minutes) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def pools_over_day_figure(series: Columns, pools: Mapping[str, int],
                          designs: Sequence[str] | None = None, title: str = "") -> Figure:
    """Per pool, contacts waiting and agent utilization over the time of day, per design.

    Slots are placed at their time of day (the simulated clock from midnight, modulo 24 h);
    a horizon longer than a day is averaged over days within each replication first. The
    line is the mean over replications, the band its 95% interval. Utilization is busy
    agents over the pool's agents.
    """
    names = designs_of(series, designs)
    colors = design_colors(names)
    col = {k: np.asarray(series[k]) for k in ("design", "replication", "pool",
                                               "slot_start_min", "busy_agents", "waiting")}
    pool_names = [str(p) for p in dict.fromkeys(col["pool"])]
    for p in pool_names:
        if p not in pools or not pools[p]:
            raise SimError(f"summary.json: scenario.pools has no agents for pool {p!r}")
    slot = float(np.min(np.diff(np.unique(col["slot_start_min"].astype(float))), initial=15.0))
    with style():
        fig = new_figure(10.0, 0.8 + 3.0 * len(pool_names))
        axes = fig.subplots(len(pool_names), 2, squeeze=False, sharex=True)
        for row, pool in enumerate(pool_names):
            agents = float(pools[pool])
            wait_ax, util_ax = axes[row]
            for design in names:
                mask = (col["design"] == design) & (col["pool"] == pool)
                if not mask.any():
                    continue
                start = col["slot_start_min"][mask].astype(float)
                day = np.mod(start, 1440.0)
                reps = np.unique(col["replication"][mask])
                times = np.unique(day)
                for values, ax, factor, top in (
                    (col["waiting"][mask].astype(float), wait_ax, 1.0, np.inf),
                    (col["busy_agents"][mask].astype(float), util_ax, 100.0 / agents, 100.0),
                ):
                    grid = np.full((reps.size, times.size), np.nan)
                    r_index = np.searchsorted(reps, col["replication"][mask])
                    t_index = np.searchsorted(times, day)
                    sums = np.zeros_like(grid)
                    counts = np.zeros_like(grid)
                    np.add.at(sums, (r_index, t_index), values * factor)
                    np.add.at(counts, (r_index, t_index), 1.0)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        grid = sums / counts
                    mean, lo, hi = interval(grid, axis=0)
                    x = times + slot / 2
                    # a t-interval may leave the possible range: the band is clipped to it
                    ax.fill_between(x, np.clip(lo, 0, top), np.clip(hi, 0, top),
                                    color=colors[design], alpha=0.25, linewidth=0)
                    ax.plot(x, mean, color=colors[design], linewidth=1.6,
                            label=f"{design}, mean over {reps.size} replications")
            wait_ax.set_ylabel("contacts waiting (mean over the slot)")
            wait_ax.set_title(f"Pool {pool}: contacts waiting for an agent")
            wait_ax.set_ylim(bottom=0)
            util_ax.set_ylabel(f"busy agents (% of the {int(agents)} agents)")
            util_ax.set_title(f"Pool {pool}: agent utilization")
            util_ax.set_ylim(0, 105)
            util_ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
            for ax in (wait_ax, util_ax):
                ax.xaxis.set_major_formatter(FuncFormatter(_clock))
                ax.xaxis.set_major_locator(MultipleLocator(60 if _span(col) <= 720 else 180))
                ax.tick_params(axis="x", labelbottom=True)
                if row == len(pool_names) - 1:
                    ax.set_xlabel(f"time of day (simulated clock, {int(slot)}-min slots)")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        handles.append(Patch(color="0.5", alpha=0.3, linewidth=0))
        labels.append(CI + " over the replications")
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles),
                   frameon=False)
        fig.suptitle(titled(title, "agent pools over the day"))
    return fig


def _span(col: Mapping[str, np.ndarray]) -> float:
    day = np.mod(col["slot_start_min"].astype(float), 1440.0)
    return float(day.max() - day.min()) if day.size else 0.0
