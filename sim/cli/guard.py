"""The guard around ``main``: SIGTERM as an interrupt, one line and an exit status for
anything that goes wrong, never a traceback."""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, ParamSpec

from ..errors import EXIT_ENVIRONMENT, EXIT_TERMINATED, EnvironmentFault, Terminated, one_line

__all__ = ["guarded"]

_P = ParamSpec("_P")


def guarded(entry: Callable[_P, int]) -> Callable[_P, int]:
    """*entry* with SIGTERM turned into an interrupt, and never a traceback to the user.

    SIGTERM raises :class:`~sim.errors.Terminated` (a ``KeyboardInterrupt``), so that a
    terminated run stops its workers and leaves its folder resumable, as Ctrl-C does. An
    error of the environment (a folder, a worker, a cluster) is one line and exit status
    3; anything unexpected is one line and exit status 70 (``OMNISIM_DEBUG=1`` shows it
    whole).
    """

    @functools.wraps(entry)
    def guarded_entry(*args: _P.args, **kwargs: _P.kwargs) -> int:
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return entry(*args, **kwargs)
        except Terminated:
            print("omnisim: terminated; the runs already finished are kept (use --resume)",
                  file=sys.stderr)
            return EXIT_TERMINATED
        except EnvironmentFault as e:
            print(f"omnisim: {one_line(str(e))}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        except (OSError, MemoryError, RecursionError) as e:
            print(f"omnisim: {one_line(_describe_error(e))}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        except Exception as e:
            if os.environ.get("OMNISIM_DEBUG"):
                raise
            print(f"omnisim: internal error, please report it: {type(e).__name__}: "
                  f"{one_line(str(e), 300)} (OMNISIM_DEBUG=1 shows where)", file=sys.stderr)
            return 70
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return guarded_entry


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def _describe_error(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror}"
    if isinstance(e, MemoryError):
        return "out of memory"
    return f"{type(e).__name__}: {e}"
