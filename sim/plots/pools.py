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


def on_shift(steps: Sequence[tuple[float, int]], day: np.ndarray) -> np.ndarray:
    """Agents on shift at each time of day in *day* (minutes), from a pool's daily *steps*
    (time of day, agents from then); before the first step, the last one's still holds."""
    ats = np.array([at for at, _ in steps], dtype=float)
    agents = np.array([n for _, n in steps], dtype=float)
    index = np.searchsorted(ats, np.mod(day, 1440.0), side="right") - 1
    return agents[index]  # index -1 (before the first step) is the last step: wraps


def _mark_events(ax: Any, events: Sequence[tuple[str, float]]) -> None:
    for name, at in events:
        x = float(np.mod(at, 1440.0))
        ax.axvline(x, color="#555555", linestyle="--", linewidth=0.9)
        ax.annotate(name, (x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    ha="right", va="top", fontsize=7, color="#555555",
                    xytext=(-2, -2), textcoords="offset points")


def pools_over_day_figure(series: Columns, pools: Mapping[str, int],
                          designs: Sequence[str] | None = None, title: str = "",
                          schedules: Mapping[str, Sequence[tuple[float, int]]] | None = None,
                          events: Sequence[tuple[str, float]] = ()) -> Figure:
    """Per pool, contacts waiting and agent utilization over the time of day, per design.

    Slots are placed at their time of day (the simulated clock from midnight, modulo 24 h);
    a horizon longer than a day is averaged over days within each replication first. The
    line is the mean over replications, the band its 95% interval. Utilization is busy
    agents over the agents on shift in the slot (*schedules*: each pool's daily steps;
    without, the headcount in *pools*); a slot with nobody on shift has none. *events*
    (name, simulated minute) are marked on both time axes.
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
            steps = (schedules or {}).get(pool) or [(0.0, int(agents))]
            wait_ax, util_ax = axes[row]
            for design in names:
                mask = (col["design"] == design) & (col["pool"] == pool)
                if not mask.any():
                    continue
                _draw_design(col, mask, steps, (wait_ax, util_ax), slot, colors[design],
                             design)
            wait_ax.set_ylabel("contacts waiting (mean over the slot)")
            wait_ax.set_title(f"Pool {pool}: contacts waiting for an agent")
            wait_ax.set_ylim(bottom=0)
            util_ax.set_ylabel("busy agents (% of the agents on shift)" if len(steps) > 1
                               else f"busy agents (% of the {int(agents)} agents)")
            util_ax.set_title(f"Pool {pool}: agent utilization")
            util_ax.set_ylim(0, 105)
            util_ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
            for ax in (wait_ax, util_ax):
                ax.xaxis.set_major_formatter(FuncFormatter(_clock))
                ax.xaxis.set_major_locator(MultipleLocator(60 if _span(col) <= 720 else 180))
                ax.tick_params(axis="x", labelbottom=True)
                _mark_events(ax, events)
                if row == len(pool_names) - 1:
                    ax.set_xlabel(f"time of day (simulated clock, {int(slot)}-min slots)")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        handles.append(Patch(color="0.5", alpha=0.3, linewidth=0))
        labels.append(CI + " over the replications")
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 2),
                   frameon=False)
        fig.suptitle(titled(title, "agent pools over the day"))
    return fig


def _draw_design(col: Mapping[str, np.ndarray], mask: np.ndarray,
                 steps: Sequence[tuple[float, int]], axes: tuple[Any, Any], slot: float,
                 color: str, design: str) -> None:
    """One design's lines and bands on a pool's two axes: waiting and utilization."""
    start = col["slot_start_min"][mask].astype(float)
    day = np.mod(start, 1440.0)
    reps = np.unique(col["replication"][mask])
    times = np.unique(day)
    for values, ax, factor, top in (
        (col["waiting"][mask].astype(float), axes[0], 1.0, np.inf),
        (col["busy_agents"][mask].astype(float), axes[1], _per_agent(on_shift(steps, day)),
         100.0),
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
        ax.fill_between(x, np.clip(lo, 0, top), np.clip(hi, 0, top), color=color, alpha=0.25,
                        linewidth=0)
        ax.plot(x, mean, color=color, linewidth=1.6,
                label=f"{design}, mean over {reps.size} replications")


def _per_agent(agents: np.ndarray) -> np.ndarray:
    """100 / agents, NaN where nobody is on shift."""
    with np.errstate(divide="ignore"):
        return np.where(agents > 0, 100.0 / np.maximum(agents, 1.0), np.nan)


def _span(col: Mapping[str, np.ndarray]) -> float:
    day = np.mod(col["slot_start_min"].astype(float), 1440.0)
    return float(day.max() - day.min()) if day.size else 0.0
