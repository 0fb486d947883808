"""Compare designs at equal service: staff each to the same target, then compare.

A design that looks better only because the scenario's headcount sits on a knife-edge
for the baseline is no better; staffed so that every design meets the same target (say
``service_level>=0.8``), the comparison of every other outcome — agent utilization,
agent minutes, cost, give-up — is the comparison a contact center would make. Each
design gets the smallest headcount of one pool that meets the target with confidence
(:func:`~sim.experiment.staffing.find_staffing`, on common random numbers), and is then
run at that headcount with the same seed as the others, so the customers stay the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ..errors import ScenarioError
from ..model.design import Design
from ..scenario.schema import Scenario
from .runner import Results, run_experiment
from .staffing import Point, Staffing, Target, find_staffing, headcount_evaluator, with_agents

__all__ = ["Equalized", "equalize"]


@attrs.frozen
class Equalized:
    """Designs compared at equal service: the *staffing* search, each design's headcount
    (*agents*), and the *results* of every design at its own headcount."""

    staffing: Staffing
    agents: dict[str, int]
    results: Results

    def to_dict(self) -> dict[str, Any]:
        """What summary.json records of the equalization."""
        return {"target": str(self.staffing.target), "pool": self.staffing.pool,
                "confidence": self.staffing.confidence, "agents": dict(self.agents)}


def equalize(
    scenario: Scenario,
    pool: str,
    designs: Sequence[Design],
    target: Target,
    replications: int,
    seed: int,
    *,
    jobs: int = 1,
    cap: int | None = None,
    confidence: float = 0.95,
    details: dict[str, list[dict[str, Any]]] | None = None,
    on_simulated: Callable[[int, list[Point]], None] | None = None,
) -> Equalized:
    """Staff each of *designs* to *target* on *pool*, then run each at its headcount.

    Raises :class:`ScenarioError` (against ``--equalize``) when a design does not meet
    the target even at *cap* agents (default: ten times the scenario's headcount).
    """
    start = next(p.agents for p in scenario.pools if p.name == pool)
    assert start is not None  # a flat headcount: the caller checked
    cap = cap or 10 * start
    evaluate = headcount_evaluator(scenario, pool, designs, replications, seed, jobs)
    names = [d.name for d in designs]
    staffing = find_staffing(evaluate, names, target, start, cap, confidence, pool=pool,
                             on_simulated=on_simulated)
    unmet = [d.design for d in staffing.designs if d.agents is None]
    if unmet:
        raise ScenarioError("--equalize", f"{', '.join(unmet)} does not meet {target} even "
                            f"with {cap} agents in pool {pool!r} (give an easier target, or "
                            "more room with --max-agents)")
    agents = {d.design: d.agents for d in staffing.designs if d.agents is not None}
    results: Results = {}
    for design in designs:
        world = _world_with(scenario, pool, agents[design.name])
        results.update(run_experiment(world, [design], replications, seed, jobs=jobs,
                                      details=details))
    return Equalized(staffing, agents, results)


def _world_with(scenario: Scenario, pool: str, agents: int) -> Any:
    from ..engine import compile_world

    return compile_world(with_agents(scenario, pool, agents))
