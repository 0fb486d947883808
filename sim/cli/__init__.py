"""The ``omnisim`` command line: one module per command, options defined once.

``omnisim run SCENARIO`` compares the designs of a scenario and writes its results;
``omnisim validate`` compares the simulator with exact Erlang C and Erlang A values;
``omnisim ablate SCENARIO`` measures what each capability between two designs is worth;
``omnisim staff SCENARIO --target EXPR`` finds each design's smallest headcount.
A bad scenario prints one line ``FILE: field: what is wrong (what is allowed)`` and exits
2; nothing is written in that case.

Each command is a module of this package with ``add_parser(subparsers)`` and
``execute(args) -> int``; :data:`COMMANDS` dispatches to them. Importing the package
loads neither the simulator nor numpy, matplotlib, networkx, scipy, pandas or rich:
those are imported when a command runs, so ``--help`` and ``--version`` start at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from ..errors import EnvironmentFault, InvariantViolation, ScenarioError, SimError, Terminated
from . import (
    ablate,
    check,
    graph,
    plot,
    report,
    run,
    sensitivity,
    staff,
    sweep,
    validate,
)
from .common import version
from .guard import guarded

__all__ = ["COMMANDS", "build_parser", "main"]

#: The commands, in the order ``omnisim --help`` lists them.
COMMANDS: dict[str, ModuleType] = {
    "run": run, "plot": plot, "sweep": sweep, "staff": staff, "ablate": ablate,
    "sensitivity": sensitivity, "check": check, "validate": validate, "graph": graph,
    "report": report,
}


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (it costs an
    import of importlib.metadata)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"omnisim {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The whole ``omnisim`` parser: the global options and every command's."""
    parser = argparse.ArgumentParser(
        prog="omnisim",
        description="Simulate omnichannel customer service and compare service designs.",
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show omnisim's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def _settle_own_process() -> None:
    """Settle what the ``omnisim`` process may decide for itself, before a command runs.

    Its replications may freeze what it holds (:func:`sim.collector.own_process`). It does
    no linear algebra, so OpenBLAS (loaded with numpy and scipy) gets one thread: its
    idle worker threads cost CPU time in every process (``benchmarks/startup.py``: a
    one-minute run 0.55 CPU-s with two, 0.33 with one), and every worker of ``--jobs``
    inherits the setting. A value the user set is kept.
    """
    from ..collector import own_process

    own_process()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@guarded
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``omnisim``; returns the exit status."""
    args = build_parser().parse_args(argv)
    command = COMMANDS[args.command]
    if argv is None:  # the omnisim process itself, not a caller's
        _settle_own_process()
    try:
        return int(command.execute(args))
    except ScenarioError as e:
        print(e.line(), file=sys.stderr)
        return 2
    except InvariantViolation as e:
        print(f"{args.scenario}: {e}", file=sys.stderr)
        return 1
    except EnvironmentFault:
        raise
    except SimError as e:
        print(f"omnisim: {e}", file=sys.stderr)
        return 2
    except Terminated:
        raise
    except KeyboardInterrupt:
        if getattr(command, "RESUMABLE", False):
            print("omnisim: interrupted; the runs already finished are kept (use --resume)",
                  file=sys.stderr)
        else:
            print("omnisim: interrupted", file=sys.stderr)
        return 130


