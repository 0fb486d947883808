"""Errors raised by omnisim.

Every error a user can cause derives from :class:`SimError`; a mistake in a scenario
file is a :class:`ScenarioError` whose message names the file, the field and what is
allowed, so that the command line can print it as one line.
"""

from __future__ import annotations

__all__ = ["InvariantViolation", "ScenarioError", "SimError"]


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
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join([*parts, self.message])

    def in_file(self, file: str) -> ScenarioError:
        """Return the same error attributed to *file*."""
        return ScenarioError(self.path, self.message, file)


class InvariantViolation(SimError):
    """A continuity invariant failed while simulating (a bug in the model or engine)."""
