"""One replication of one design: build its state, run it, read its outcomes.

The processes live in their own modules (:mod:`.journey` the issue, :mod:`.contacts`
the contacts, :mod:`.routing` the queues; :mod:`.state` what they share); this module
puts them together and turns what the recorder and the pools counted into outcomes.
"""

from __future__ import annotations

import math
from typing import Any

import simpy

from ..collector import fewer_collections, freeze_once
from ..metrics.recorder import Recorder, pool_outcomes
from ..model.design import Design
from ..model.history import HistoryStore
from .arrivals import arrival_times
from .journey import IssueJourney
from .monitors import Monitor
from .pools import SLOT, Pool
from .state import succeed
from .streams import Streams
from .wakeups import Clock
from .world import World

__all__ = ["Replication", "arrival_times", "simulate"]

class Replication(IssueJourney):
    """The processes and state of one replication of one design."""

    def __init__(
        self,
        world: World,
        design: Design,
        streams: Streams,
        monitor: Monitor | None = None,
        trace: list[tuple[int, int, str, float, tuple[str, ...]]] | None = None,
    ) -> None:
        self.world = world
        self.monitor = monitor
        #: when a list, every conversation is appended as (identity, issue, channel,
        #: time, facts needed) — the input of :func:`sim.model.history.count_repetitions`
        self.trace = trace
        self.design = design
        self.streams = streams
        self.env = Clock()
        self.history = HistoryStore(design.topology)
        self.recorder = Recorder(world.warmup, world.end, world.thresholds)
        self.pools = [Pool(self.env, spec, world.warmup, world.end) for spec in world.pools]
        # with a finite population: per customer, the customer-scope facts given so far,
        # and under which identities
        self._customer_given: dict[int, tuple[str, ...]] = {}
        self._customer_keys: dict[int, set[tuple[int, str]]] = {}
        #: (touchpoint, intent index) -> the pools that can serve it, in routing order
        self._routes = {key: tuple(self.pools[p] for p in ps)
                        for key, ps in world.pools_for.items()}
        self._affinity = world.affinity if design.affinity else None
        #: under affinity and retention, each customer's last agent (pool, agent index)
        self._customer_agent: dict[int, tuple[int, int]] = {}
        self._in_flight = 0  # issues started and not ended
        #: under a drain, succeeds when the last issue ends after the horizon
        self._drained: simpy.Event | None = None
        self._plain_at: dict[tuple[int, int, str], bool] = {}

    def run(self) -> dict[str, float]:
        """Simulate to the horizon and return the outcomes."""
        self.env.process(self._arrivals())
        for e, event in enumerate(self.world.events):
            self.env.process(self._event(e, event))
        world = self.world
        self.env.run(until=world.end)
        if world.drain and self._in_flight:
            drained = self._drained = self.env.event()
            self.env.timeout(world.drain_limit).callbacks.append(lambda _: succeed(drained))
            self.env.run(until=drained)
        for pool in self.pools:
            pool.finish()
        rec = self.recorder
        if self.monitor is not None:
            self.monitor.ended(rec.issues, rec.resolved, rec.abandoned, len(rec.live),
                               self.env.now)
        self._open_at: dict[str, int] = {}
        for issue in rec.live:
            self._open_at[issue.touchpoint] = self._open_at.get(issue.touchpoint, 0) + 1
        rec.close()
        horizon = world.horizon
        busy = sum(p.busy_area for p in self.pools)
        staffed = sum(p.staffed(horizon) for p in self.pools)
        callback, affinity = world.callback is not None, self._affinity is not None
        out = rec.outcomes(busy, staffed, world.has_costs, callback, affinity)
        out.update(pool_outcomes(self.pools, horizon))
        out.update(rec.breakdown(self._names, world.has_costs, callback, affinity))
        out.update(self._hourly_utilization())
        self._let_go()
        return out

    def _let_go(self) -> None:
        """Drop what the issues still in flight hold once the outcomes are read: their
        walks and the replication refer to each other, and would otherwise be kept, with
        everything the replication holds, until a full collection (a serial study's
        memory then grew by about a MiB per unit)."""
        self.env.drop_pending()
        for pool in self.pools:
            pool.let_go()

    @property
    def _names(self) -> dict[str, list[str]]:
        return {"segment": [s.name for s in self.world.segments],
                "intent": [i.name for i in self.world.intents]}

    def _hourly_utilization(self) -> dict[str, float]:
        """``by.hour.HH.agent_utilization`` over every pool, from the 15-minute slots."""
        busy: dict[int, float] = {}
        staffed: dict[int, float] = {}
        start, end = self.world.warmup, self.world.end
        for pool in self.pools:
            for k, area in enumerate(pool.busy_slots):
                a = start + k * SLOT
                b = min(a + SLOT, end)
                hour = int(a % 1440.0 // 60.0)
                busy[hour] = busy.get(hour, 0.0) + area
                staffed[hour] = staffed.get(hour, 0.0) + pool.staffed_between(a, b)
        return {f"by.hour.{h:02d}.agent_utilization": (busy[h] / staffed[h] if staffed[h]
                                                        else math.nan)
                for h in sorted(busy)}

    def details(self) -> dict[str, Any]:
        """What the figures need beyond the outcomes (call after :meth:`run`).

        ``series``: per pool and slot of :data:`~sim.engine.pools.SLOT` minutes, the mean
        busy agents and mean contacts waiting; ``flows``: journey steps of the measured
        issues (open ones end in ``"open"``); ``ttr_quantiles``: the time to resolution at
        quantiles 0.01 … 0.99.
        """
        series = [
            (p.spec.name, self.world.warmup + k * SLOT,
             busy / min(SLOT, self.world.end - self.world.warmup - k * SLOT),
             queue / min(SLOT, self.world.end - self.world.warmup - k * SLOT))
            for p in self.pools
            for k, (busy, queue) in enumerate(zip(p.busy_slots, p.queue_slots, strict=True))
        ]
        flows = dict(self.recorder.flows)
        for tp, count in self._open_at.items():
            flows[tp, "open"] = flows.get((tp, "open"), 0) + count
        qs = [i / 100 for i in range(1, 100)]
        return {"series": series, "flows": flows,
                "ttr_quantiles": list(zip(qs, self.recorder.ttr_quantiles(qs), strict=True))}


def simulate(
    world: World, design: Design, seed: int, replication: int, monitor: Monitor | None = None
) -> dict[str, float]:
    """Run replication *replication* of *design* and return its outcomes.

    With a *monitor*, the continuity invariants are checked while it runs.
    """
    freeze_once()
    rep = Replication(world, design, Streams(seed, replication), monitor)
    with fewer_collections():
        return rep.run()
