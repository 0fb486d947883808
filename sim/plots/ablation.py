"""The tornado figure of an ablation: each capability's effect on each headline outcome.

:func:`tornado_figure` takes the ablation as :meth:`sim.experiment.ablation.Ablation.to_dict`
gives it (or as ``ablation.json`` holds it) and returns a
:class:`matplotlib.figure.Figure`; :func:`sim.plots.save_figure` saves it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..errors import SimError
from .style import CI, design_colors, new_figure, outcome_label, style, unit_scale

__all__ = ["tornado_figure"]

_BAR = 0.36  # height of one bar; a capability's two bars take 2 × _BAR of its row


def _change_unit(unit: str) -> tuple[float, str]:
    """Factor and axis label of a *difference* in *unit* (shares as percentage points)."""
    scale, label = unit_scale(unit)
    if scale == 100.0:
        return scale, "percentage points" + label.removeprefix("%")
    return scale, label


def _value(est: Mapping[str, Any] | None, key: str) -> float | None:
    value = None if est is None else est.get(key)
    return None if value is None else float(value)


def tornado_figure(ablation: Mapping[str, Any], title: str = "") -> Figure:
    """One panel per outcome: each capability's on-alone and off-alone effect, 95% interval.

    Capabilities are sorted within each panel by their largest absolute effect, largest
    on top; those with no effect in either direction have a faint label. A filled bar's
    interval excludes 0, a hollow one's includes it. The dashed line is the total effect
    (full − base). An outcome with no value in the runs gets a
    panel that says so. Raises :class:`SimError` if no capability differs.
    """
    caps = [c for c, entry in ablation["capabilities"].items() if entry["differs"]]
    if not caps:
        raise SimError("ablation: no capability differs, nothing to plot")
    outcomes = list(ablation["units"])
    base, full = ablation["from"], ablation["to"]
    colors = dict(zip(("on", "off"), design_colors(["on", "off"]).values(), strict=True))
    ncols = min(3, len(outcomes))
    nrows = math.ceil((len(outcomes) + 1) / ncols)  # one more cell for the legend
    with style():
        fig = new_figure(4.2 * ncols, 0.5 + nrows * (1.1 + 0.3 * len(caps)))
        grid = fig.add_gridspec(nrows, ncols)
        for k, outcome in enumerate(outcomes):
            ax = fig.add_subplot(grid[k // ncols, k % ncols])
            _panel(ax, ablation, outcome, caps, colors)
        legend_ax = fig.add_subplot(grid[len(outcomes) // ncols, len(outcomes) % ncols])
        legend_ax.axis("off")
        handles = [
            Patch(facecolor=colors["on"], edgecolor=colors["on"],
                  label=f"on alone: ({base} + capability) − {base}"),
            Patch(facecolor=colors["off"], edgecolor=colors["off"],
                  label=f"off alone: {full} − ({full} − capability)"),
            Patch(facecolor="white", edgecolor="0.3", label="hollow: the interval includes 0"),
            Line2D([], [], color="0.2", marker="|", markersize=8, linestyle="-",
                   label=CI),
            Line2D([], [], color="0.45", linestyle="--", label=f"all together: {full} − {base}"),
        ]
        same = [c for c, entry in ablation["capabilities"].items() if not entry["differs"]]
        legend_ax.legend(handles=handles, loc="upper left", frameon=False)
        if same:
            legend_ax.text(0.02, 0.05, f"same in both designs, not shown:\n{', '.join(same)}",
                           transform=legend_ax.transAxes, fontsize=8, color="0.35",
                           va="bottom")
        n = ablation.get("replications", "?")
        fig.suptitle(f"{title + ': ' if title else ''}capabilities from {base} to {full}, "
                     f"paired effects over {n} replications")
    return fig


def _panel(ax: Axes, ablation: Mapping[str, Any], outcome: str, caps: list[str],
           colors: dict[str, str]) -> None:
    scale, unit = _change_unit(ablation["units"][outcome])
    entries = ablation["capabilities"]
    ax.set_title(outcome_label(outcome))
    means = {(c, d): _value(entries[c][d].get(outcome), "mean") for c in caps
             for d in ("on", "off")}
    if all(m is None for m in means.values()):
        ax.text(0.5, 0.5, "no value in these runs\n(unavailable)", ha="center",
                va="center", transform=ax.transAxes, color="0.4")
        ax.set_xticks([])
        ax.set_yticks([])
        return

    def size(cap: str) -> float:
        values = [abs(m) for d in ("on", "off") if (m := means[cap, d]) is not None]
        return max(values, default=0.0)

    order = sorted(caps, key=size, reverse=True)
    ax.axvline(0, color="0.2", linewidth=1, zorder=1)
    for i, cap in enumerate(order):
        y = len(order) - 1 - i
        for direction, offset in (("on", _BAR / 2), ("off", -_BAR / 2)):
            est = entries[cap][direction].get(outcome)
            mean = _value(est, "mean")
            if mean is None:
                continue
            low, high = _value(est, "ci_low"), _value(est, "ci_high")
            excludes = low is not None and high is not None and (low > 0 or high < 0)
            color = colors[direction]
            ax.barh(y + offset, scale * mean, height=_BAR, color=color if excludes else "white",
                    edgecolor=color, linewidth=1.2, zorder=2)
            if low is not None and high is not None:
                ax.errorbar(scale * mean, y + offset,
                            xerr=[[scale * (mean - low)], [scale * (high - mean)]],
                            fmt="none", ecolor="0.2", elinewidth=1, capsize=2.5, zorder=3)
    total = _value(ablation["total"].get(outcome), "mean")
    if total is not None:
        ax.axvline(scale * total, color="0.45", linestyle="--", linewidth=1, zorder=1)
    ax.set_yticks(range(len(order) - 1, -1, -1), order)
    for tick, cap in zip(ax.get_yticklabels(), order, strict=True):
        if size(cap) == 0:  # no effect either way: a faint label, so the eye skips it
            tick.set_color("0.6")
    ax.use_sticky_edges = False  # bars start at 0: leave room beyond it
    ax.margins(x=0.06)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(f"effect ({unit})")
