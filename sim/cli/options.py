"""The options commands share, each defined once and added by the commands that take it.

This module imports nothing heavy: building the parser (``omnisim --help``,
``omnisim --version``) must not load the simulator, numpy, matplotlib or rich.
The few choices that live in heavier modules are repeated here; a test checks they agree.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = [
    "BREAKDOWN_DIMENSIONS",
    "EXECUTORS",
    "FORMATS",
    "add_common",
    "add_design",
    "add_executor",
    "add_format",
    "add_out",
    "add_replications",
    "add_scenario",
    "confidence",
    "positive_int",
    "replications",
    "seconds",
    "seed",
]

#: Where replications run (``sim.experiment.runner.EXECUTORS``).
EXECUTORS = ("local", "dask")
#: What ``run --by`` breaks outcomes down by (``sim.metrics.recorder.BREAKDOWN_DIMENSIONS``).
BREAKDOWN_DIMENSIONS = ("pool", "channel", "segment", "intent", "hour")
#: How a command prints its tables (``--format``).
FORMATS = ("table", "markdown", "csv", "json", "latex")


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum} (got {value})")
    return value


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    return _whole(text, 1)


def replications(text: str) -> int:
    """A whole number >= 2: an interval needs two replications."""
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be >= 2 to form an interval (got {value})")
    return value


def confidence(text: str) -> float:
    """A level strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be strictly between 0 and 1 (got {value})")
    return value


def seed(text: str) -> int:
    """A whole number >= 0."""
    return _whole(text, 0)


def seconds(text: str) -> float:
    """A number of seconds, above 0 and at most an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds (got {text!r})") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be > 0 and at most 3600 (got {text})")
    return value


def add_scenario(parser: argparse.ArgumentParser) -> None:
    """The positional SCENARIO file."""
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")


def add_out(parser: argparse.ArgumentParser, default: str) -> None:
    """``--out DIR``, the results folder; *default* describes the folder without it."""
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help=f"results folder (default: {default})")


def add_replications(parser: argparse.ArgumentParser, per: str = "design", *,
                     at_least_two: bool = False, default: int | None = None) -> None:
    """``--replications/-n N``, replications *per* design (or point, or headcount)."""
    text = f"{default}" if default is not None else "the scenario's"
    parser.add_argument("--replications", "-n", metavar="N", default=default,
                        type=replications if at_least_two else positive_int,
                        help=f"replications per {per} (default: {text})")


def add_common(parser: argparse.ArgumentParser, *, out: str | None, per: str = "design",
               at_least_two: bool = False, seed_default: int | None = None) -> None:
    """The options every experiment takes: ``--out`` (when *out* describes its default),
    ``--replications``, ``--seed`` and ``--jobs``."""
    if out is not None:
        add_out(parser, out)
    add_replications(parser, per, at_least_two=at_least_two)
    text = "the scenario's" if seed_default is None else str(seed_default)
    parser.add_argument("--seed", metavar="S", type=seed, default=seed_default,
                        help=f"seed (default: {text})")
    parser.add_argument("--jobs", "-j", metavar="N", type=positive_int, default=None,
                        help="processes to run replications in (default: the local cores)")


def add_design(parser: argparse.ArgumentParser, text: str = "designs to compare, the first "
               "is the baseline (default: the scenario's list)") -> None:
    """``--design NAME...``, repeatable."""
    parser.add_argument("--design", metavar="NAME", nargs="+", action="extend", help=text)


def add_executor(parser: argparse.ArgumentParser, *, timeout: bool = False) -> None:
    """``--executor``, ``--scheduler`` (and ``--scheduler-timeout``) and ``--resume``."""
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="where to run: local processes (default) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="the Dask scheduler's address, with --executor dask")
    if timeout:
        parser.add_argument("--scheduler-timeout", metavar="SECONDS", type=seconds,
                            default=10.0, help="how long to wait for the Dask scheduler to "
                            "answer (default: 10)")
    parser.add_argument("--resume", action="store_true",
                        help="reuse the runs an interrupted run already saved in DIR/.units/")


def add_format(parser: argparse.ArgumentParser, quiet: bool = True) -> None:
    """``--format`` of the printed tables, and ``--quiet/-q`` to print none."""
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="how to print the tables: table (for the terminal, the "
                        "default), or plain and complete markdown, csv, json or latex, for "
                        "piping (other messages then go to stderr)")
    if quiet:
        parser.add_argument("--quiet", "-q", action="store_true", help="print no table")
