"""Planted faults: broken components that the monitors and properties must catch."""

from __future__ import annotations

from typing import Any

from sim.engine.pools import Pool
from sim.model import UNIFIED, HistoryStore


class LossyStore(HistoryStore):
    """A unified store that silently drops every second event."""

    def __init__(self) -> None:
        super().__init__(UNIFIED)
        self._n = 0

    def write(self, key: int, issue: int, fact: str, channel: str, at: float,
              scope: str = "issue") -> None:
        """Keep only every second event (:meth:`append` writes through here too)."""
        self._n += 1
        if self._n % 2 == 0:
            super().write(key, issue, fact, channel, at, scope)


class GreedyPool(Pool):
    """A pool whose full agents may take one session more than their concurrency."""

    def _find(self, channel: str) -> Any:
        found = super()._find(channel)
        if found is None:
            return next((a for a in self.agents if a.sessions == 1), None)
        return found


class OffShiftPool(Pool):
    """A pool that, with no one on shift free, puts an off-shift agent to work."""

    def _find(self, channel: str) -> Any:
        found = super()._find(channel)
        if found is None and self.off:
            found = self.off.pop()
            self.idle.append(found)  # still off shift, yet about to be given work
        return found
