"""Figures of a results folder, ready for a paper (matplotlib, PNG and SVG).

``plot_results(DIR)`` reads what ``omnisim run --out DIR`` wrote and saves, under
``DIR/figures/``:

- ``outcomes``: the headline outcomes per design, mean and 95% interval, small multiples;
- ``differences``: forest plot of the paired differences against the baseline (relative);
- ``time_to_resolution_ecdf``: the distribution of the time to resolution per design;
- ``pools_over_day``: contacts waiting and agent utilization per pool over the day;
- ``journeys``: the observed journeys as a flow graph, one panel per design.

``omnisim ablate`` draws its tornado figure with :func:`sim.plots.ablation.tornado_figure`.

Each figure also has its own function taking data already loaded (see
:mod:`sim.plots.figures`, :mod:`sim.plots.ttr`, :mod:`sim.plots.pools` and
:mod:`sim.plots.journeys`), returning a
:class:`matplotlib.figure.Figure`. Nothing here uses ``pyplot``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from ..errors import SimError, did_you_mean
from .ablation import tornado_figure
from .data import ResultsData, load_results, read_table
from .figures import differences_figure, outcomes_figure
from .journeys import journey_graph, journey_layout, journeys_figure
from .pools import pools_over_day_figure
from .style import style
from .ttr import ttr_ecdf_figure

__all__ = [
    "DPI",
    "FIGURES",
    "ResultsData",
    "differences_figure",
    "journey_graph",
    "journey_layout",
    "journeys_figure",
    "load_results",
    "outcomes_figure",
    "plot_results",
    "pools_over_day_figure",
    "read_table",
    "save_figure",
    "tornado_figure",
    "ttr_ecdf_figure",
]

#: Resolution of the PNG files.
DPI = 150

#: The figures :func:`plot_results` makes, by file name (without extension).
FIGURES: dict[str, Callable[[ResultsData], Figure]] = {
    "outcomes": lambda r: outcomes_figure(r.summary, r.replications),
    "differences": lambda r: differences_figure(r.summary),
    "time_to_resolution_ecdf": lambda r: ttr_ecdf_figure(
        r.ttr_quantiles, r.designs, title=r.summary["scenario"].get("name", "")),
    "pools_over_day": lambda r: pools_over_day_figure(
        r.series, r.pools, r.designs, title=r.summary["scenario"].get("name", ""),
        schedules=r.schedules(), events=r.events()),
    "journeys": lambda r: journeys_figure(
        r.journeys, r.designs, title=r.summary["scenario"].get("name", "")),
}

_FORMATS = ("png", "svg", "pdf")
# no creation date, so that the same results give the same files
_METADATA: dict[str, dict[str, str | None]] = {
    "png": {"Software": "omnisim (matplotlib)"},
    "svg": {"Creator": "omnisim (matplotlib)", "Date": None},
    "pdf": {"Creator": "omnisim (matplotlib)", "CreationDate": None},
}


def save_figure(fig: Figure, path_stem: Path, formats: Sequence[str] = ("png", "svg")
                ) -> list[Path]:
    """Save *fig* as ``PATH_STEM.FORMAT`` for each format (PNG at :data:`DPI`), then clear it.

    The files carry no creation date, so the same results give the same files.
    """
    paths = []
    for fmt in formats:
        path = path_stem.with_suffix(f".{fmt}")
        metadata = _METADATA[fmt]
        tmp = path.with_name(f".{path.name}.tmp")
        with style():  # the SVG settings apply when saving
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata)
        tmp.replace(path)
        paths.append(path)
    fig.clear()
    return paths


def plot_results(results_dir: Path, out_dir: Path | None = None,
                 formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Make every figure of the results in *results_dir*; return the files written.

    Files go to *out_dir* (default ``results_dir/figures``) as ``NAME.FORMAT`` for each of
    *formats* (png, svg, pdf). With one design there are no differences, and that figure
    is left out. A missing or incomplete results folder raises :class:`SimError` naming
    the file.
    """
    unknown = [f for f in formats if f not in _FORMATS]
    if unknown:
        raise SimError(f"unknown figure format {unknown[0]!r}"
                       f"{did_you_mean(unknown[0], _FORMATS)} (allowed: {', '.join(_FORMATS)})")
    results = load_results(results_dir)
    target = Path(results_dir) / "figures" if out_dir is None else Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, make in FIGURES.items():
        if name == "differences" and not results.summary["differences"]:
            continue
        written += save_figure(make(results), target / name, formats)
    return written
