"""Figures of a sensitivity analysis: per outcome, a tornado of the indices beside the
scatter of the difference against the assumption it hinges on most.

:func:`sensitivity_figure` draws one outcome from the report
(:func:`sim.experiment.sensitivity.report`) and the per-set values;
:func:`plot_sensitivity` saves one figure per headline outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import design_colors, new_figure, outcome_label, style, titled, unit_scale

__all__ = ["plot_sensitivity", "sensitivity_figure"]


def _change_unit(unit: str) -> tuple[float, str]:
    """Factor and label of a difference in *unit* (shares as percentage points)."""
    scale, label = unit_scale(unit)
    if scale == 100.0:
        return scale, "percentage points" + label.removeprefix("%")
    return scale, label


def _tornado(ax: Axes, o: Mapping[str, Any], method: str, colors: list[str]) -> None:
    indices = o["indices"]
    key = "total" if method == "sobol" else "src"
    order = sorted(indices, key=lambda p: abs(indices[p][key]), reverse=True)
    ys = np.arange(len(order))[::-1]
    bars: list[tuple[str, float, str]] = [("total", 0.2, colors[0]), ("first", -0.2, colors[1])]
    if method != "sobol":
        bars = [("src", 0.0, colors[0])]
    for name, offset, color in bars:
        mid = np.array([indices[p][name] for p in order])
        low = np.array([indices[p][f"{name}_low"] for p in order])
        high = np.array([indices[p][f"{name}_high"] for p in order])
        ax.barh(ys + offset, mid, height=0.38 if offset else 0.6, color=color)
        ax.errorbar(mid, ys + offset, xerr=[mid - low, high - mid], fmt="none", ecolor="0.2",
                    elinewidth=1, capsize=2.5)
    ax.axvline(0, color="0.2", linewidth=1)
    ax.set_title("what drives the difference" if method == "sobol" else
                 "what drives the difference, linearly")
    ax.set_yticks(ys, order)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Sobol index (share of the variance)" if method == "sobol"
                  else "SD of the difference per SD of the assumption")
    if method == "sobol":
        ax.set_xlim(min(-0.05, ax.get_xlim()[0]), max(1.05, ax.get_xlim()[1]))
    else:
        ax.text(0.99, 0.02, f"R² of the linear fit {o['r2']:.2f}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="0.35")


def _binned(x: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Means of *y* in *bins* quantile bins of *x* (a trend line that assumes no shape)."""
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    keep = [k for k in range(len(edges) - 1) if np.any(which == k)]
    return (np.array([x[which == k].mean() for k in keep]),
            np.array([y[which == k].mean() for k in keep]))


def _scatter(ax: Axes, x: np.ndarray, diff: np.ndarray, assumption: Mapping[str, Any],
             o: Mapping[str, Any], data: Mapping[str, Any], color: str) -> None:
    scale, unit = _change_unit(o["unit"])
    a, b = data["designs"]["a"], data["designs"]["b"]
    ok = np.isfinite(diff)
    ax.scatter(x[ok], scale * diff[ok], s=9, alpha=0.55, color=color, linewidths=0,
               label="one parameter set")
    if ok.sum() >= 10:
        bx, by = _binned(x[ok], diff[ok])
        ax.plot(bx, scale * by, color="0.15", linewidth=1.5,
                label="mean of each tenth of the sets, by x")
    ax.axhline(0, color="0.2", linewidth=1)
    if o["better"]:
        ax.text(0.99, 0.02 if o["better"] == "lower" else 0.98, f"{b} better this side",
                transform=ax.transAxes, ha="right", fontsize=8, color="0.35",
                va="bottom" if o["better"] == "lower" else "top")
    ax.set_title("the difference against the strongest assumption")
    ax.set_xlabel(f"{assumption['path']} ({assumption['unit'] or 'value'})")
    ax.set_ylabel(f"{b} − {a}\n({unit})")
    ax.legend(loc="best", frameon=True, framealpha=0.85, edgecolor="none")


def sensitivity_figure(data: Mapping[str, Any], outcome: str, x: np.ndarray,
                       diff: np.ndarray, title: str = "") -> Figure:
    """The tornado of *outcome*'s indices beside the scatter of the difference *diff*
    against *x*, the values of the assumption it hinges on most (one per base set)."""
    o = data["outcomes"][outcome]
    method = data["method"]
    colors = list(design_colors(["a", "b", "c"]).values())
    assumption = next(e for e in data["assumptions"] if e["path"] == o["strongest"])
    n = len(data["assumptions"])
    with style():
        fig = new_figure(11.5, 1.6 + 0.42 * max(n, 5))
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
        _tornado(left, o, method, colors)
        _scatter(right, x, diff, assumption, o, data, colors[0])
        p = "" if o["p_better"] is None else f", P({data['designs']['b']} better) = " \
            f"{o['p_better']:.2f}"
        fig.suptitle(titled(title, f"{outcome_label(outcome).lower()}, "
                            f"{data['difference']} over the assumptions{p}"))
        if method == "sobol":
            left.legend(handles=[Patch(color=colors[0], label="total index"),
                                 Patch(color=colors[1], label="first-order index")],
                        loc="lower right", frameon=False,
                        title=f"{data['interval_level']:.0%} bootstrap intervals",
                        title_fontsize=8)
    return fig


def plot_sensitivity(data: Mapping[str, Any], draws: Any, y: Mapping[str, np.ndarray],
                     out_dir: Path, title: str = "",
                     formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save one figure per outcome of *data* that has indices; return the files written.

    *draws* are the parameter sets and *y* each outcome's values (sets × designs), as
    :func:`sim.experiment.sensitivity.run_sensitivity` returns them.
    """
    from . import save_figure

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [e["path"] for e in data["assumptions"]]
    base = draws.base
    written: list[Path] = []
    for outcome, o in data["outcomes"].items():
        if not o["strongest"]:
            continue
        x = draws.values[base, paths.index(o["strongest"])]
        diff = y[outcome][base, 1] - y[outcome][base, 0]
        fig = sensitivity_figure(data, outcome, x, diff, title)
        written += save_figure(fig, out_dir / f"sensitivity_{outcome}", formats)
    return written
