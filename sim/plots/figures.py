"""Figures of the outcomes: per design (small multiples) and paired differences (forest).

Each function takes data already loaded (the summary dict, or columns of a results table
as :func:`sim.plots.data.read_table` or ``pandas.read_csv`` gives them) and returns a
:class:`matplotlib.figure.Figure`; :func:`sim.plots.plot_results` saves them. The other
figures live in :mod:`sim.plots.ttr`, :mod:`sim.plots.pools` and :mod:`sim.plots.journeys`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ..errors import SimError
from ..metrics.stats import format_number
from .data import Columns, select
from .style import CI, HEADLINE, design_colors, new_figure, outcome_label, style, unit_scale

__all__ = ["differences_figure", "outcomes_figure"]



def _fmt(x: float) -> str:
    return format_number(x, 3)


def _headline(summary: Mapping[str, Any]) -> list[str]:
    """Headline outcomes with a value for at least one design."""
    designs = summary["designs"]
    return [
        o for o in HEADLINE
        if any(designs[d]["outcomes"].get(o, {}).get("mean") is not None for d in designs)
    ]


def _replications_title(summary: Mapping[str, Any]) -> str:
    n = summary["scenario"].get("replications", "?")
    return f"{n} replication{'s' if n != 1 else ''}"


def _grid(n: int, ncols: int) -> tuple[int, int]:
    cols = min(n, ncols)
    return math.ceil(n / cols), cols


def outcomes_figure(summary: Mapping[str, Any], replications: Columns | None = None) -> Figure:
    """Small multiples: each headline outcome per design, mean with its 95% interval.

    With *replications* (columns of replications.csv), each replication is a faint dot.
    """
    outcomes = _headline(summary)
    if not outcomes:
        raise SimError("summary.json: no headline outcome has a value")
    designs = list(summary["designs"])
    colors = design_colors(designs)
    rows, cols = _grid(len(outcomes), 4)
    width = 3.0 * cols
    with style():
        fig = new_figure(max(width, 6.0), 2.6 * rows + 1.0)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax in axes[len(outcomes):]:
            ax.set_visible(False)
        for ax, outcome in zip(axes, outcomes, strict=False):
            _outcome_panel(ax, summary, outcome, designs, colors, replications)
        handles: list[Any] = [
            Line2D([], [], color="0.3", marker="o", linestyle="-", markersize=5,
                   label=f"mean and {CI}")
        ]
        if replications is not None:
            handles.append(Line2D([], [], color="0.3", marker=".", linestyle="",
                                  alpha=0.4, label="one replication"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                   frameon=False)
        fig.suptitle(f"{summary['scenario'].get('name', 'Results')}: outcomes per design "
                     f"({_replications_title(summary)})")
    return fig


def _outcome_panel(ax: Axes, summary: Mapping[str, Any], outcome: str, designs: list[str],
                   colors: dict[str, str], replications: Columns | None) -> None:
    scale, unit = unit_scale(summary["units"].get(outcome, ""))
    lows: list[float] = [0.0]
    highs: list[float] = [0.0]
    means: list[float] = []
    for i, design in enumerate(designs):
        est = summary["designs"][design]["outcomes"].get(outcome, {})
        if replications is not None:
            mask = select(replications, design=design, outcome=outcome)
            values = np.asarray(replications["value"], dtype=float)[mask] * scale
            values = values[~np.isnan(values)]
            if values.size:
                offsets = np.linspace(-0.18, 0.18, values.size) if values.size > 1 else [0.0]
                ax.plot(i + 0.22 + np.asarray(offsets) * 0.5, values, ".", color=colors[design],
                        alpha=0.4, markersize=4, zorder=2)
                lows.append(float(values.min()))
                highs.append(float(values.max()))
        if est.get("mean") is None:
            ax.text(i, 0, "n/a", ha="center", va="bottom", color="0.4", fontsize=8)
            continue
        mean = est["mean"] * scale
        lo = est["ci_low"] * scale if est.get("ci_low") is not None else mean
        hi = est["ci_high"] * scale if est.get("ci_high") is not None else mean
        ax.errorbar([i], [mean], yerr=[[mean - lo], [hi - mean]], fmt="o", color=colors[design],
                    markersize=6, capsize=4, elinewidth=1.5, zorder=3)
        ax.annotate(_fmt(mean), (i, mean), xytext=(-9, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=8, color=colors[design])
        lows.append(lo)
        highs.append(hi)
        means.append(mean)
    low, high = min(lows), max(highs)
    span = high - low or max(abs(high), 1.0)
    # start at 0, unless a value sits on 0 (then a little below, so that it shows)
    near_zero = any(abs(m) < 0.03 * span for m in means)
    ax.set_ylim(low - 0.05 * span if low < 0 or near_zero else 0.0,
                high + 0.12 * span if high > 0 else 1.0)
    ax.set_xlim(-0.6, len(designs) - 0.4)
    crowded = len(designs) > 3 or sum(len(d) for d in designs) > 30
    ax.set_xticks(range(len(designs)), designs, rotation=20 if crowded else 0,
                  ha="right" if crowded else "center", rotation_mode="anchor")
    ax.grid(axis="x", visible=False)
    ax.set_title(outcome_label(outcome))
    ax.set_ylabel("minutes" if unit == "min" else unit)


#: A row of the forest plot: outcome, design, mean, interval low and high, has an interval.
_Row = tuple[str, str, float, float, float, bool]


def _baseline_mean(summary: Mapping[str, Any], baseline: str, outcome: str,
                   est: Mapping[str, Any]) -> float | None:
    """The baseline mean the relative change divides by (the paired one where known)."""
    mean, relative = est.get("mean"), est.get("relative")
    if mean is not None and relative:
        return float(mean) / float(relative)
    base = summary["designs"][baseline]["outcomes"].get(outcome, {}).get("mean")
    return None if base is None else float(base)


def differences_figure(summary: Mapping[str, Any]) -> Figure:
    """Forest plot of the paired differences against the baseline, as relative change.

    Each row is one outcome and design: the mean paired difference over the baseline mean
    (%), with its 95% interval scaled the same way; a filled marker where the interval
    excludes 0. Outcomes whose baseline mean is 0 are shown as absolute differences in a
    panel of their own.
    """
    diffs = summary["differences"]
    if not diffs:
        raise SimError("summary.json: one design only, no differences to plot")
    designs = list(diffs)
    colors = design_colors(list(summary["designs"]))
    baselines = {d["baseline"] for d in diffs.values()}
    relative, absolute = _difference_rows(summary, designs)
    rows = len(relative) + len(absolute)
    if not rows:
        raise SimError("summary.json: no paired difference has a value")
    with style():
        fig = new_figure(8.5, 1.6 + 0.32 * rows + (0.9 if absolute else 0.0))
        panels = [p for p in (relative, absolute) if p]
        grid = fig.add_gridspec(len(panels), 1, height_ratios=[len(p) + 1.2 for p in panels])
        for k, panel in enumerate(panels):
            ax = fig.add_subplot(grid[k, 0])
            _forest(ax, panel, colors, summary, relative=panel is relative)
            if panel is relative:
                ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
                ax.set_xlabel(f"paired difference as % of the baseline mean, with {CI}")
            else:
                ax.set_xlabel("absolute paired difference (the baseline mean is 0: no relative "
                              "change)")
        handles = [Line2D([], [], color=colors[d], marker="o", linestyle="-", label=d)
                   for d in designs]
        handles += [
            Line2D([], [], color="0.3", marker="o", linestyle="",
                   label="interval excludes 0 (*)"),
            Line2D([], [], color="0.3", marker="o", markerfacecolor="white", linestyle="",
                   label="interval includes 0"),
        ]
        fig.legend(handles=handles, loc="outside lower center",
                   ncols=min(len(handles), 3), frameon=False)
        versus = ", ".join(sorted(baselines))
        fig.suptitle(f"{summary['scenario'].get('name', 'Results')}: paired differences "
                     f"against {versus} ({_replications_title(summary)})")
    return fig


def _difference_rows(summary: Mapping[str, Any],
                     designs: list[str]) -> tuple[list[_Row], list[_Row]]:
    """The forest plot's rows, outcome by outcome: relative to the baseline mean (%),
    and absolute where the baseline mean is 0. Differences without a value are left out."""
    diffs = summary["differences"]
    relative: list[_Row] = []
    absolute: list[_Row] = []
    for outcome in _headline(summary):
        for design in designs:
            est = diffs[design]["outcomes"].get(outcome, {})
            if est.get("mean") is None:
                continue
            mean = float(est["mean"])
            has_ci = est.get("ci_low") is not None and est.get("ci_high") is not None
            lo = float(est["ci_low"]) if has_ci else mean
            hi = float(est["ci_high"]) if has_ci else mean
            base = _baseline_mean(summary, diffs[design]["baseline"], outcome, est)
            if base:
                lo, hi = sorted((100 * lo / base, 100 * hi / base))
                relative.append((outcome, design, 100 * mean / base, lo, hi, has_ci))
            else:
                absolute.append((outcome, design, mean, lo, hi, has_ci))
    return relative, absolute


def _forest(ax: Axes, rows: list[_Row],
            colors: dict[str, str], summary: Mapping[str, Any], relative: bool) -> None:
    n = len(rows)
    labels: list[str] = []
    values: list[tuple[str, str]] = []  # right-hand labels: the numbers, and their colour
    previous = None
    for i, (outcome, design, mean, lo, hi, has_ci) in enumerate(rows):
        y = n - 1 - i
        excludes = has_ci and (lo > 0 or hi < 0)
        color = colors[design]
        if has_ci:
            ax.plot([lo, hi], [y, y], color=color, linewidth=2, solid_capstyle="butt")
            ax.plot([lo, hi], [y, y], linestyle="", marker="|", color=color, markersize=10)
        ax.plot([mean], [y], "o", color=color, markersize=6,
                markerfacecolor=color if excludes else "white", zorder=3)
        unit = "%" if relative else " " + summary["units"].get(outcome, "")
        if relative:
            text = f"{mean:+.1f}{unit}" + (f" [{lo:+.1f}, {hi:+.1f}]" if has_ci else "")
        else:
            text = f"{mean:+.3g}" + (f" [{lo:+.3g}, {hi:+.3g}]" if has_ci else "")
        if not has_ci:
            text += " (no interval)"
        text = text.replace("-", "\N{MINUS SIGN}")
        values.append((text + (" *" if excludes else "  "), color))
        label = outcome_label(outcome)
        if not relative:
            label += f" ({summary['units'].get(outcome, '')})"
        labels.append(label if outcome != previous else "")
        if outcome != previous and i:
            ax.axhline(y + 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
        previous = outcome
    ax.axvline(0, color="0.2", linewidth=1, zorder=1)
    ax.set_yticks(range(n - 1, -1, -1), labels)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    low = min(r[3] for r in rows)
    high = max(r[4] for r in rows)
    span = max(high, 0) - min(low, 0) or 1.0
    ax.set_xlim(min(low, 0) - 0.06 * span, max(high, 0) + 0.06 * span)
    # the numbers as tick labels of a right-hand axis, so that the layout makes room for them
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(range(n - 1, -1, -1), [v for v, _ in values])
    for tick, (_, color) in zip(right.get_yticklabels(), values, strict=True):
        tick.set_color(color)
    right.tick_params(axis="y", length=0)
    right.grid(False)
    right.spines[["top", "right", "left", "bottom"]].set_visible(False)
