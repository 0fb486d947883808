"""Staffing: the smallest headcount of a pool at which each design meets a target.

A target is ``OUTCOME>=X`` or ``OUTCOME<=X`` on an outcome name of the results
(``service_level>=0.8``, ``mean_wait<=0.5``, ``pool.voice.mean_wait<=0.5``). A design
*meets it with confidence* at a headcount when the whole confidence interval of the
outcome's mean over replications lies on the right side of *X*: its lower bound is
``>= X`` (for ``>=``) or its upper bound is ``<= X`` (for ``<=``).

The search assumes that meeting the target is monotone in the headcount (once met, met
with every extra agent). It gallops from a starting headcount — down by 1, 2, 4, ... while
the target is met, up by 1, 2, 4, ... while it is not — to bracket the answer between a
failing and a meeting headcount, then bisects. Every headcount evaluated runs all the
designs on the same seeds (common random numbers), and the designs' searches share one
cache of evaluated headcounts, so the designs' answers cost few simulations together.

Nothing here reads or writes files; :func:`sim.experiment.results.write_staffing` does.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from ..errors import ScenarioError, did_you_mean
from ..metrics.recorder import OUTCOMES
from ..metrics.stats import estimate
from ..model.design import Design
from ..scenario import Scenario
from .runner import Results

__all__ = [
    "POOL_OUTCOMES",
    "DesignStaffing",
    "Evaluator",
    "Point",
    "Staffing",
    "Target",
    "find_staffing",
    "headcount_evaluator",
    "parse_target",
    "smallest_meeting",
    "staffing_csv",
    "with_agents",
]

#: The per-pool outcomes, ``pool.NAME.<one of these>`` (see
#: :func:`sim.metrics.recorder.pool_outcomes`).
POOL_OUTCOMES: tuple[str, ...] = ("agent_utilization", "slot_utilization",
                                  "mean_queue_length", "arrival_rate", "mean_wait")

_TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=)\s*(\S+)\s*$")

#: Evaluates every design at one headcount: outcomes per design and replication.
Evaluator = Callable[[int], Results]


@attrs.frozen
class Target:
    """A target on an *outcome*: its mean must be *op* (``>=`` or ``<=``) *value*."""

    outcome: str
    op: Literal[">=", "<="]
    value: float

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.value:g}"

    def met(self, ci_low: float | None, ci_high: float | None) -> bool:
        """Whether an interval [*ci_low*, *ci_high*] lies wholly on the target's side.

        No interval (fewer than two replications measured anything) never meets it.
        """
        if ci_low is None or ci_high is None:
            return False
        return ci_low >= self.value if self.op == ">=" else ci_high <= self.value


def parse_target(text: str, pools: Sequence[str] = ()) -> Target:
    """Parse ``OUTCOME>=X`` or ``OUTCOME<=X``; *pools* are the pools ``pool.NAME.*`` may name.

    Raises :class:`ScenarioError` naming ``--target`` if the text is malformed, the
    outcome is unknown (with a did-you-mean hint) or the number is not finite.
    """
    match = _TARGET.match(text)
    if not match:
        raise ScenarioError("--target", f"must be OUTCOME>=X or OUTCOME<=X, like "
                            f"service_level>=0.8 (got {text!r})")
    outcome, op, raw = match.groups()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ScenarioError("--target", f"{raw!r} is not a finite number (in {text!r})")
    pool_names = [f"pool.{p}.{o}" for p in pools for o in POOL_OUTCOMES]
    if outcome not in OUTCOMES and outcome not in pool_names:
        per_pool = (f", or pool.POOL.X with POOL one of {', '.join(pools)} and X one of "
                    f"{', '.join(POOL_OUTCOMES)}" if pools else "")
        raise ScenarioError("--target", f"unknown outcome {outcome!r}"
                            f"{did_you_mean(outcome, [*OUTCOMES, *pool_names])} "
                            f"(allowed: {', '.join(OUTCOMES)}{per_pool})")
    return Target(outcome, ">=" if op == ">=" else "<=", value)


def with_agents(scenario: Scenario, pool: str, agents: int) -> Scenario:
    """A copy of *scenario* with *agents* in the pool named *pool*.

    This is the one place where staffing changes a headcount (the flat ``agents`` of a
    ``[[pools]]`` table). Raises :class:`ScenarioError` if *agents* < 1.
    """
    pools = [attrs.evolve(p, agents=agents) if p.name == pool else p for p in scenario.pools]
    return attrs.evolve(scenario, pools=pools)


def smallest_meeting(meets: Callable[[int], bool], start: int, cap: int) -> int | None:
    """The smallest headcount in 1..*cap* for which *meets* holds, or None if *cap* fails.

    Assumes *meets* is monotone (false up to the answer, true from it on). Gallops from
    *start* — down while it meets, up while it does not, by steps 1, 2, 4, ... — until a
    failing and a meeting headcount bracket the answer, then bisects. *meets* is called
    on O(log distance) headcounts; the caller caches it if it is costly.

    Raises :class:`ValueError` unless 1 <= *start* <= *cap*.
    """
    if not 1 <= start <= cap:
        raise ValueError(f"start must lie in 1..cap={cap} (got {start})")
    lo = 0  # the largest headcount known to fail (0: none, and 0 agents fail by definition)
    step = 1
    if meets(start):
        hi = start  # the smallest headcount known to meet
        while hi > 1:
            h = max(hi - step, 1)
            if not meets(h):
                lo = h
                break
            hi, step = h, step * 2
    else:
        lo = start
        while True:
            if lo == cap:
                return None
            h = min(lo + step, cap)
            if meets(h):
                hi = h
                break
            lo, step = h, step * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


@attrs.frozen
class Point:
    """One design at one headcount: the outcome's mean, its interval, and whether it meets."""

    design: str
    agents: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    meets: bool


@attrs.frozen
class DesignStaffing:
    """What the search found for one *design*.

    *agents* is the smallest headcount that meets the target (None: not met even at the
    cap); *at* is the design at that headcount (at the cap when not met), *below* at one
    agent fewer (None when *agents* is 1 or not met); *looked_at* lists, in order, the
    headcounts this design's search asked about (most answered from the shared cache);
    *delta* is *agents* minus the baseline's (None when either was not met).
    """

    design: str
    agents: int | None
    at: Point
    below: Point | None
    looked_at: tuple[int, ...]
    delta: int | None


@attrs.frozen
class Staffing:
    """The result of a staffing search over every design (the first is the baseline).

    *simulated* lists the headcounts actually simulated, in order, each with all the
    designs; *points* has every (design, headcount) evaluated, sorted.
    """

    target: Target
    pool: str
    start: int
    cap: int
    confidence: float
    designs: tuple[DesignStaffing, ...]
    points: tuple[Point, ...]
    simulated: tuple[int, ...]

    @property
    def baseline(self) -> str:
        """The name of the baseline design."""
        return self.designs[0].design

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data, for ``staffing.json``."""
        def point(p: Point | None) -> dict[str, Any] | None:
            if p is None:
                return None
            return {"agents": p.agents, "mean": p.mean, "ci_low": p.ci_low,
                    "ci_high": p.ci_high, "meets": p.meets}

        return {
            "target": {"outcome": self.target.outcome, "op": self.target.op,
                       "value": self.target.value, "text": str(self.target)},
            "pool": self.pool,
            "confidence": self.confidence,
            "start_agents": self.start,
            "max_agents": self.cap,
            "baseline": self.baseline,
            "designs": {
                d.design: {
                    "agents": d.agents,
                    "met": d.agents is not None,
                    "at": point(d.at),
                    "one_fewer": point(d.below),
                    "delta_agents": d.delta,
                    "headcounts_looked_at": list(d.looked_at),
                }
                for d in self.designs
            },
            "simulated_headcounts": list(self.simulated),
        }


def _points(results: Results, designs: Sequence[str],
            target: Target, agents: int, confidence: float) -> dict[str, Point]:
    """Each design's estimate of the target's outcome at *agents*, from *results*
    (outcomes per design and replication), and whether it meets the target."""
    points = {}
    for name in designs:
        est = estimate([r[target.outcome] for r in results[name]], confidence)
        points[name] = Point(name, agents, est["mean"], est["ci_low"], est["ci_high"],
                             target.met(est["ci_low"], est["ci_high"]))
    return points


def find_staffing(
    evaluate: Evaluator,
    designs: Sequence[str],
    target: Target,
    start: int,
    cap: int,
    confidence: float = 0.95,
    pool: str = "",
    on_simulate: Callable[[int], None] | None = None,
    on_simulated: Callable[[int, list[Point]], None] | None = None,
) -> Staffing:
    """For each of *designs*, the smallest headcount in 1..*cap* that meets *target*.

    *evaluate* (headcount → outcomes per design and replication) is called at most once
    per headcount, for all designs at once; each design's search (see
    :func:`smallest_meeting`, starting from *start*, clamped into 1..*cap*) reads the
    shared cache. *pool* names the pool searched, for the record. *on_simulate* is told
    the headcount about to be simulated, *on_simulated* the headcount and its points once
    done (for progress).

    Raises :class:`ValueError` if *cap* < 1, and :class:`KeyError` if the evaluator
    returns no value of the target's outcome or of a design.
    """
    if cap < 1:
        raise ValueError(f"cap must be >= 1 (got {cap})")
    start = min(max(start, 1), cap)
    cache: dict[int, dict[str, Point]] = {}
    order: list[int] = []

    def at(agents: int) -> dict[str, Point]:
        if agents not in cache:
            if on_simulate:
                on_simulate(agents)
            points = _points(evaluate(agents), designs, target, agents, confidence)
            cache[agents] = points
            order.append(agents)
            if on_simulated:
                on_simulated(agents, list(points.values()))
        return cache[agents]

    found: list[tuple[str, int | None, tuple[int, ...]]] = []
    for name in designs:
        asked: list[int] = []

        def meets(agents: int, name: str = name, asked: list[int] = asked) -> bool:
            asked.append(agents)
            return at(agents)[name].meets

        found.append((name, smallest_meeting(meets, start, cap), tuple(asked)))
    base = found[0][1]
    out = []
    for name, agents, looked in found:
        delta = agents - base if agents is not None and base is not None else None
        here = cache[agents if agents is not None else cap][name]
        below = cache[agents - 1][name] if agents is not None and agents > 1 else None
        out.append(DesignStaffing(name, agents, here, below, looked, delta))
    points = tuple(p for h in sorted(cache) for p in cache[h].values())
    return Staffing(target, pool, start, cap, confidence, tuple(out), points, tuple(order))


def headcount_evaluator(
    scenario: Scenario,
    pool: str,
    designs: Sequence[Design],
    replications: int,
    seed: int,
    jobs: int = 1,
) -> Evaluator:
    """An evaluator running every design of *designs* at a headcount of *pool*.

    Each call compiles the scenario with that headcount (:func:`with_agents`) and runs
    :func:`~sim.experiment.run_experiment` with the same *seed*, so headcounts and
    designs all see the same customers (common random numbers).
    """
    from ..engine import compile_world
    from .runner import run_experiment

    def evaluate(agents: int) -> Results:
        world = compile_world(with_agents(scenario, pool, agents))
        return run_experiment(world, designs, replications, seed, jobs=jobs)

    return evaluate


def staffing_csv(staffing: Staffing) -> str:
    """``staffing.csv``: one tidy row per (design, headcount) evaluated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["design", "agents", "outcome", "mean", "ci_low", "ci_high", "meets"])
    rank = {d.design: i for i, d in enumerate(staffing.designs)}
    for p in sorted(staffing.points, key=lambda p: (rank[p.design], p.agents)):
        writer.writerow([p.design, p.agents, staffing.target.outcome,
                         *("" if v is None else repr(v) for v in (p.mean, p.ci_low, p.ci_high)),
                         str(p.meets).lower()])
    return buffer.getvalue()
