"""Figure of a staffing search: the target's outcome against headcount, per design."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..experiment.results import outcome_unit
from ..experiment.staffing import Staffing
from .style import design_colors, new_figure, outcome_label, style, unit_scale

__all__ = ["plot_staffing", "staffing_figure"]


def staffing_figure(staffing: Staffing, title: str = "") -> Figure:
    """Each headcount evaluated, per design: mean and interval; the target; each answer.

    Filled markers meet the target with confidence, hollow ones do not; a dotted vertical
    line marks each design's smallest headcount that meets it.
    """
    target = staffing.target
    scale, unit = unit_scale(outcome_unit(target.outcome))
    names = [d.design for d in staffing.designs]
    colors = design_colors(names)
    with style():
        fig = new_figure(6.4, 4.0)
        ax = fig.add_subplot()
        offsets = {n: (i - (len(names) - 1) / 2) * 0.08 for i, n in enumerate(names)}
        for found in staffing.designs:
            name, color = found.design, colors[found.design]
            pts = [(p.agents + offsets[name], p.mean,
                    p.mean if p.ci_low is None else p.ci_low,
                    p.mean if p.ci_high is None else p.ci_high, p.meets)
                   for p in staffing.points if p.design == name and p.mean is not None]
            ax.plot([x for x, *_ in pts], [scale * m for _, m, *_ in pts], color=color,
                    linewidth=1, alpha=0.6)
            for x, mean, lo, hi, meets in pts:
                ax.errorbar([x], [scale * mean],
                            yerr=[[scale * (mean - lo)], [scale * (hi - mean)]], fmt="o",
                            color=color, markersize=5, capsize=3,
                            markerfacecolor=color if meets else "white")
            label = (f"{name}: {found.agents} agents" if found.agents is not None
                     else f"{name}: not met at {staffing.cap}")
            ax.plot([], [], "o-", color=color, label=label)
            if found.agents is not None:
                ax.axvline(found.agents, color=color, linestyle=":", linewidth=1.2)
        sign = "≥" if target.op == ">=" else "≤"
        shown = f"{scale * target.value:g}%" if scale == 100 else f"{target.value:g} {unit}"
        ax.axhline(scale * target.value, color="#333333", linestyle="--", linewidth=1,
                   label=f"target {sign} {shown}")
        ax.set_xlabel(f"agents in pool {staffing.pool}" if staffing.pool else "agents")
        ax.set_ylabel(f"{outcome_label(target.outcome)} ({unit})")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        head = f"smallest headcount with {outcome_label(target.outcome).lower()} {sign} {shown}"
        ax.set_title(f"{title}: {head}" if title else head[:1].upper() + head[1:])
        ax.legend(loc="best", title_fontsize=7, alignment="left",
                  title=f"mean, {staffing.confidence:.0%} confidence interval;\n"
                  "filled: met with confidence")
    return fig


def plot_staffing(staffing: Staffing, path: Path, title: str = "") -> Path:
    """Save :func:`staffing_figure` to *path* (its suffix picks the format); return *path*."""
    with style():
        staffing_figure(staffing, title).savefig(path, dpi=150)
    return path
