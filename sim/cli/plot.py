"""``omnisim plot DIR``: draw the figures of a results folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any) -> None:
    """The ``plot`` command's options."""
    plot = sub.add_parser(
        "plot",
        help="draw the figures of a results folder",
        description="Draw the figures of the results of `omnisim run` in DIR: outcomes per "
        "design, paired differences, the distribution of time to resolution, pools over the "
        "day, and the observed journeys.",
    )
    plot.add_argument("results", metavar="DIR", type=Path, help="a folder `omnisim run` wrote")
    plot.add_argument("--out", metavar="FIGDIR", type=Path,
                      help="where to write the figures (default: DIR/figures/)")
    plot.add_argument("--format", dest="formats", metavar="FMT", nargs="+",
                      default=["png", "svg"], help="png, svg and/or pdf (default: png svg)")


def execute(args: argparse.Namespace) -> int:
    """Draw the figures and print their paths."""
    from ..plots import plot_results

    for path in plot_results(args.results, args.out, args.formats):
        print(path)
    return 0
