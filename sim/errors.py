"""Errors raised by omnisim.

Every error a user can cause derives from :class:`SimError`; a mistake in a scenario
file is a :class:`ScenarioError` whose message names the file, the field and what is
allowed, so that the command line can print it as one line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_INTERRUPTED",
    "EXIT_INVARIANT",
    "EXIT_SCENARIO",
    "EXIT_TERMINATED",
    "EnvironmentFault",
    "InvariantViolation",
    "ScenarioError",
    "SimError",
    "Terminated",
    "did_you_mean",
    "one_line",
]

#: Exit status: a continuity invariant was violated (a bug in the model or engine).
EXIT_INVARIANT = 1
#: Exit status: a scenario file or a command-line value is not valid.
EXIT_SCENARIO = 2
#: Exit status: the environment failed the run (results folder, lock, worker, cluster).
EXIT_ENVIRONMENT = 3
#: Exit status after Ctrl-C (SIGINT), and after SIGTERM.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: The longest message shown whole; a longer one keeps its start and end.
MAX_MESSAGE = 600


def _visible(char: str) -> str:
    if char == " " or unicodedata.category(char)[0] not in "CZ":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else (
        f"\\U{code:08x}")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """*text* on one line: control and invisible characters escaped, the middle of a text
    longer than *limit* characters left out (saying how much)."""
    if len(text) > limit:
        head, tail = limit * 2 // 3, limit // 3
        text = f"{text[:head]} …[{len(text) - head - tail:,} characters left out]… " \
            f"{text[-tail:]}"
    if text.isprintable():
        return text
    return "".join(map(_visible, text))


class SimError(Exception):
    """Base class of every error omnisim raises on purpose."""


class ScenarioError(SimError, ValueError):
    """A scenario file (or a command-line value) is not valid.

    *path* is the dotted path of the field (``pools[0].agents``), *message* says what is
    wrong and what is allowed, *file* is the scenario file, when known.
    """

    def __init__(self, path: str, message: str, file: str | None = None) -> None:
        self.path = path
        self.message = message
        self.file = file
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line form ``FILE: path: message`` shown to users."""
        parts = [one_line(p, 200) for p in (self.file, self.path) if p]
        return ": ".join([*parts, one_line(self.message)])

    def in_file(self, file: str) -> ScenarioError:
        """Return the same error attributed to *file*."""
        return ScenarioError(self.path, self.message, file)


class InvariantViolation(SimError):
    """A continuity invariant failed while simulating (a bug in the model or engine)."""


class EnvironmentFault(SimError):
    """The environment failed a run: results folder not writable or locked by another
    run, a worker process died, a Dask scheduler did not answer. Exit status 3."""


class Terminated(KeyboardInterrupt):
    """Raised in the main process on SIGTERM, to stop a run as Ctrl-C does."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for a name close to *word* among *choices*, or for the one
    name *word* abbreviates; ``""`` when none or several fit. Every "unknown name"
    message ends with it."""
    import difflib

    names = list(choices)
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if not close and len(word) >= 3:
        close = [name for name in names if name.startswith(word)]
    return f"; did you mean {close[0]!r}?" if len(close) == 1 else ""
