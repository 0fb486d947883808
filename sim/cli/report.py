"""``omnisim report DIR``: one self-contained HTML report of a results folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any) -> None:
    """The ``report`` command's options."""
    report = sub.add_parser(
        "report",
        help="one self-contained HTML report of a results folder",
        description="Write DIR/report.html: the scenario file, the manifest, the comparison "
        "table, the breakdowns, every figure (inlined SVG) and the ablation, staffing and "
        "sensitivity results the folder has. It opens without network access.",
    )
    report.add_argument("results", metavar="DIR", type=Path,
                        help="a folder omnisim run, ablate, staff or sensitivity wrote")
    report.add_argument("--out", metavar="FILE", type=Path,
                        help="where to write the report (default: DIR/report.html)")


def execute(args: argparse.Namespace) -> int:
    """Write the report and print its path."""
    from ..report import write_report

    print(write_report(args.results, args.out))
    return 0
