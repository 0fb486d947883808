"""Shared look of the figures: colours, outcome labels, units, and making a figure.

Figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``: nothing is registered globally, so no figure outlives its function or leaks
into a caller's session, and the caller's backend is left alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..metrics.outcomes import CATALOGUE
from ..metrics.outcomes import HEADLINE as _HEADLINE

__all__ = [
    "CI",
    "HEADLINE",
    "LABELS",
    "design_colors",
    "new_figure",
    "outcome_label",
    "style",
    "titled",
    "unit_scale",
]

#: How the figures name their intervals (Student t over replications).
CI = "95% confidence interval"

#: The headline outcomes of the figures, in the order they are shown.
HEADLINE: tuple[str, ...] = _HEADLINE

#: Readable names of the outcomes (from the outcome catalogue).
LABELS: dict[str, str] = {name: o.label for name, o in CATALOGUE.items()}

# Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies.
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
            "#000000")

_RC: Any = {  # Any: matplotlib's stubs want literal keys
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "svg.fonttype": "path",
    "svg.hashsalt": "omnisim",  # the same figure gives the same SVG, run after run
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The figures' matplotlib settings, for the duration of a ``with`` block only."""
    with rc_context(_RC):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure of *width* × *height* inches, constrained layout, on an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def design_colors(designs: Sequence[str]) -> dict[str, str]:
    """One colour per design, in order (the baseline is first, blue)."""
    return {d: _PALETTE[i % len(_PALETTE)] for i, d in enumerate(designs)}


def outcome_label(outcome: str) -> str:
    """A readable name of *outcome* (pool outcomes as ``pool NAME: ...``)."""
    if outcome.startswith("pool."):
        _, pool, rest = outcome.split(".", 2)
        return f"Pool {pool}: {LABELS.get(rest, rest.replace('_', ' ')).lower()}"
    return LABELS.get(outcome, outcome.replace("_", " ").capitalize())


def unit_scale(unit: str) -> tuple[float, str]:
    """Factor and axis label of a unit: shares are shown as percentages."""
    if unit.startswith("share of "):
        return 100.0, "% of " + unit.removeprefix("share of ")
    return 1.0, unit


def titled(title: str, what: str) -> str:
    """``TITLE: what``, or ``What`` without a title."""
    return f"{title}: {what}" if title else what[:1].upper() + what[1:]
