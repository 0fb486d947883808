"""The progress bar of long runs: rich's, on standard error, or nothing at all.

rich.progress is imported only when a bar is shown: it costs about 0.07 s to import,
paid by every ``--quiet`` run and every worker process otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["Bar", "progress_bar"]


class Bar:
    """A bar's handle: :meth:`advance` counts finished runs (nothing when hidden)."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress, self._task = progress, task

    def advance(self, runs: int = 1) -> None:
        """*runs* more runs are done."""
        if self._progress is not None:
            self._progress.advance(self._task, runs)


@contextlib.contextmanager
def progress_bar(show: bool, description: str, total: int, completed: int = 0) -> Iterator[Bar]:
    """A transient bar of *total* runs (*completed* already done) while the block runs,
    when *show*; else a :class:`Bar` that counts nothing."""
    if not show:
        yield Bar()
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} runs"), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        yield Bar(progress, progress.add_task(description, total=total, completed=completed))
