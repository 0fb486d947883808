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
        help="draw the figures of any results folder again",
        description="Draw again the figures of the results folder DIR, whichever command "
        "wrote it (told by its manifest.json and result file): run (outcomes per design, "
        "paired differences, time to resolution, pools over the day, observed journeys), "
        "sweep (each headline outcome against the varied parameter), ablate (the tornado), "
        "staff (each headcount evaluated) or sensitivity (each outcome against the "
        "assumption it hinges on).",
    )
    plot.add_argument("results", metavar="DIR", type=Path,
                      help="a folder omnisim run, sweep, ablate, staff or sensitivity wrote")
    plot.add_argument("--out", metavar="FIGDIR", type=Path,
                      help="where to write the figures (default: where the command puts "
                      "them: DIR/figures/, or DIR/ for ablate and staff)")
    plot.add_argument("--format", dest="formats", metavar="FMT", nargs="+",
                      default=["png", "svg"], help="png, svg and/or pdf (default: png svg)")


def execute(args: argparse.Namespace) -> int:
    """Draw the figures and print their paths."""
    from ..plots.redraw import redraw

    for path in redraw(args.results, args.out, args.formats):
        print(path)
    return 0
