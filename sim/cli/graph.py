"""``omnisim graph SCENARIO|DIR``: journey graphs as GraphML and DOT."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any) -> None:
    """The ``graph`` command's options."""
    graph = sub.add_parser(
        "graph",
        help="the journey graph of a scenario or a run, as GraphML and DOT",
        description="For a scenario file, write its designed journey graph (designed.graphml, "
        "designed.dot); for a results folder, the journeys observed per design "
        "(observed-DESIGN.graphml, .dot), for Gephi, yEd, Graphviz or networkx.",
    )
    graph.add_argument("path", metavar="SCENARIO|DIR", type=Path,
                       help="a scenario file, or a folder `omnisim run` wrote")
    graph.add_argument("--out", metavar="DIR", type=Path,
                       help="where to write (default: results/<scenario-name>-graph/ for a "
                       "scenario, DIR/graphs/ for a results folder)")


def execute(args: argparse.Namespace) -> int:
    """Write the graphs and print their paths."""
    from ..experiment.graph import write_graphs

    for path in write_graphs(args.path, args.out):
        print(path)
    return 0
