"""Figures of a sweep: each headline outcome against a varied parameter, per design.

In the house style of the other figures (:mod:`sim.plots.style`): labels and units
from the outcome catalogue, shares as percentages, one colour per design, the 95%
interval as a band. When two or more parameters vary, the first is the x axis and each
combination of the others is a facet (one panel each, sharing the y axis).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.ticker import MaxNLocator

from ..metrics.outcomes import HEADLINE, unit_of
from .style import CI, design_colors, new_figure, outcome_label, style, titled, unit_scale

__all__ = ["HEADLINE", "plot_sweep", "read_sweep_summary"]

#: At most this many facets in a row.
_FACETS_PER_ROW = 4


def _facets(rows: Sequence[dict[str, Any]], others: Sequence[str]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[Any, ...], None] = {}
    for r in rows:
        seen.setdefault(tuple(r[o] for o in others), None)
    return sorted(seen, key=lambda k: tuple(_sortable(v) for v in k))


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def _panel(ax: Any, rows: Sequence[dict[str, Any]], x_param: str, designs: Sequence[str],
           colors: dict[str, str], scale: float) -> None:
    for design in designs:
        pts = sorted((r for r in rows if r["design"] == design and r["mean"] is not None),
                     key=lambda r: _sortable(r[x_param]))
        if not pts:
            continue
        xs = [r[x_param] for r in pts]
        ax.plot(xs, [scale * r["mean"] for r in pts], marker="o", color=colors[design],
                label=design)
        if all(r["ci_low"] is not None for r in pts):
            ax.fill_between(xs, [scale * r["ci_low"] for r in pts],
                            [scale * r["ci_high"] for r in pts], color=colors[design],
                            alpha=0.2, linewidth=0)


def sweep_figure(summary: Sequence[dict[str, Any]], params: Sequence[str], outcome: str,
                 title: str = "") -> Any:
    """The figure of *outcome* against the first parameter, faceted by the others."""
    x_param, others = params[0], list(params[1:])
    rows = [r for r in summary if r["outcome"] == outcome]
    designs = list(dict.fromkeys(r["design"] for r in rows))
    colors = design_colors(designs)
    scale, unit = unit_scale(unit_of(outcome))
    facets = _facets(rows, others)
    ncols = min(len(facets), _FACETS_PER_ROW)
    nrows = -(-len(facets) // ncols)
    with style():
        fig = new_figure(max(6.4, 3.4 * ncols + 0.6), (4.2 if nrows == 1 else 3.0 * nrows + 0.6))
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        for ax, key in zip(axes.flat, facets, strict=False):
            _panel(ax, [r for r in rows if tuple(r[o] for o in others) == key], x_param,
                   designs, colors, scale)
            ax.set_xlabel(x_param)
            if others:
                ax.set_title(", ".join(f"{o} = {v}" for o, v in zip(others, key, strict=True)),
                             fontsize=8, fontweight="normal")
        for ax in axes.flat[len(facets):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel(f"{outcome_label(outcome)} ({unit})" if unit else
                          outcome_label(outcome))
        xs = sorted({r[x_param] for r in rows}, key=_sortable)
        if all(isinstance(x, int | float) for x in xs) and len(xs) <= 12:
            for ax in axes.flat:
                ax.set_xticks(xs)  # a tick at each point of the grid
        elif all(isinstance(x, int) for x in xs):
            for ax in axes.flat:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.flat[0].legend(title=f"mean over replications;\nband: {CI}", title_fontsize=7,
                            alignment="left")
        fig.suptitle(titled(title, f"{outcome_label(outcome).lower()} against {x_param}"))
    return fig


def plot_sweep(
    summary: Sequence[dict[str, Any]],
    params: Sequence[str],
    out_dir: Path,
    outcomes: Sequence[str] = HEADLINE,
    formats: Sequence[str] = ("png", "svg"),
    title: str = "",
) -> list[Path]:
    """One figure per outcome with a value, ``sweep_OUTCOME.FORMAT`` in *out_dir*."""
    from . import save_figure

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for outcome in outcomes:
        if not any(r["outcome"] == outcome and r["mean"] is not None for r in summary):
            continue
        fig = sweep_figure(summary, params, outcome, title)
        written += save_figure(fig, Path(out_dir) / f"sweep_{outcome}", formats)
    return written


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_sweep_summary(path: Path, params: Sequence[str]) -> list[dict[str, Any]]:
    """sweep_summary.csv as :func:`sim.experiment.sweep.summarize_sweep` returns it."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        out.append({**{p: _value(r[p]) for p in params}, "design": r["design"],
                    "outcome": r["outcome"],
                    **{k: float(r[k]) if r[k] not in ("", "None") else None
                       for k in ("mean", "ci_low", "ci_high")}})
    return out
