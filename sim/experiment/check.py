"""``omnisim check``: a short run of every design with the monitors on, plus the
properties that compare runs (reproducibility, monotonicity on the same trace).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from ..engine import World
from ..engine.monitors import INVARIANTS, Monitor, Violation
from ..engine.replication import Replication
from ..engine.streams import Streams
from ..model.design import Design
from ..model.history import UNIFIED, Topology, count_repetitions

__all__ = ["CHECKS", "CheckResult", "check_world"]

#: Every line ``omnisim check`` prints, with what it means.
CHECKS: dict[str, str] = {
    **INVARIANTS,
    "monotonicity": "merging silos or keeping history longer never adds repetitions "
    "(same trace of contacts)",
    "reproducibility": "the same scenario, seed and design give identical results",
}


@attrs.frozen
class CheckResult:
    """The verdict on one invariant: held, or the first counterexample."""

    invariant: str
    held: bool
    detail: str


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def check_world(
    world: World,
    designs: Sequence[Design],
    seed: int,
    replications: int = 2,
    horizon: float = 240.0,
) -> list[CheckResult]:
    """Check every invariant of :data:`CHECKS` on short runs of every design.

    The horizon is cut to *horizon* minutes and the warm-up to at most 30 minutes, so a
    check takes seconds.
    """
    short = attrs.evolve(world, horizon=min(world.horizon, horizon),
                         warmup=min(world.warmup, 30.0))
    found: dict[str, Violation] = {}
    for design in designs:
        topology = design.topology
        for r in range(replications):
            monitor = Monitor(unified=topology.is_unified, resumable=design.resumable)
            trace: list[tuple[int, int, str, float, tuple[str, ...]]] = []
            first = Replication(short, design, Streams(seed, r), monitor, trace).run()
            for name, v in monitor.violations.items():
                found.setdefault(name, attrs.evolve(v, seen=f"{v.seen} [design {design.name}, "
                                                    f"replication {r}]"))
            util = first["agent_utilization"]
            if not math.isnan(util) and not -1e-9 <= util <= 1.0 + 1e-9:  # float round-off
                found.setdefault("capacity", Violation(
                    "capacity", None, short.end, f"agent_utilization {util} outside [0, 1]"))
            again = Replication(short, design, Streams(seed, r)).run()
            if not _same(first, again):
                diff = sorted(k for k in first if not _same({k: first[k]}, {k: again[k]}))
                found.setdefault("reproducibility", Violation(
                    "reproducibility", None, short.end,
                    f"design {design.name}, replication {r}: {', '.join(diff)} differ"))
            # each step changes one thing: merge the silos (same ttl), then drop the ttl
            siloed = Topology(ttl=topology.ttl)
            retained = Topology(groups=topology.groups, ttl=None)
            counts = [count_repetitions(trace, t) for t in (siloed, topology, retained, UNIFIED)]
            if not counts[0] >= counts[1] >= counts[2] >= counts[3]:
                found.setdefault("monotonicity", Violation(
                    "monotonicity", None, short.end,
                    f"design {design.name}, replication {r}: repetitions siloed (same ttl)/"
                    f"design/design without ttl/unified = {counts}"))
    return [
        CheckResult(name, name not in found,
                    found[name].line() if name in found else meaning)
        for name, meaning in CHECKS.items()
    ]
