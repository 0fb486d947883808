"""Ablation: what each capability of a design is worth, alone and inside the whole.

Between a *base* design (``siloed``) and a *full* one (``unified``) every capability that
differs is switched in two ways: **on alone** (the base with only that capability as in
the full design) and **off alone** (the full design with only that capability as in the
base). All of these designs, the base and the full one run in one experiment on common
random numbers, so every difference is paired, replication by replication, and is the
designs' doing rather than the customers'.

The two directions answer different questions and differ when capabilities interact: a
callback offer may do much on its own and little once the queue is short for other
reasons (on alone > off alone), and a capability that only helps in the company of
another shows up off alone but not on alone. Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..engine import World
from ..errors import SimError
from ..metrics.recorder import UNITS
from ..metrics.stats import EstimateDict, paired_difference
from ..model.design import CAPABILITY_FIELDS, Design, switch
from ..model.history import Topology
from .runner import Results, run_experiment

__all__ = [
    "DIRECTIONS",
    "OUTCOMES",
    "Ablation",
    "ablation_designs",
    "differing",
    "run_ablation",
    "summarize_ablation",
]

#: The headline outcomes an ablation reports, in the order tables and figures show them.
OUTCOMES: tuple[str, ...] = (
    "abandonment_rate",
    "give_up_rate",
    "repetitions_per_issue",
    "agent_utilization",
    "asa",
    "agent_minutes_per_issue",
    "cost_per_issue",
)

#: The two directions of an ablation, and what each effect is a difference of.
DIRECTIONS: dict[str, str] = {
    "on": "on alone: (base + capability) − base",
    "off": "off alone: full − (full − capability)",
}


def differing(base: Design, full: Design) -> list[str]:
    """The capabilities (names of :data:`~sim.model.design.CAPABILITY_FIELDS`) that differ.

    They come in the order of ``CAPABILITY_FIELDS``.
    """
    return [cap for cap, field in CAPABILITY_FIELDS.items()
            if getattr(base, field) != getattr(full, field)]


def ablation_designs(base: Design, full: Design) -> dict[str, tuple[Design, Design]]:
    """For each capability that differs, its *on alone* and *off alone* designs.

    The on-alone design is *base* with the capability as in *full*, named
    ``BASE+CAPABILITY``; the off-alone design is *full* with the capability as in *base*,
    named ``FULL-no-CAPABILITY``. Raises :class:`~sim.errors.SimError` if the two designs
    have the same name or differ in no capability.
    """
    if base.name == full.name:
        raise SimError(f"the base and the full design are both named {base.name!r} "
                       "(name two different designs)")
    caps = differing(base, full)
    if not caps:
        raise SimError(f"designs {base.name!r} and {full.name!r} differ in no capability "
                       f"(nothing to ablate; capabilities: {', '.join(CAPABILITY_FIELDS)})")
    return {cap: (switch(base, cap, full, f"{base.name}+{cap}"),
                  switch(full, cap, base, f"{full.name}-no-{cap}"))
            for cap in caps}


@attrs.frozen
class Ablation:
    """The effects of each capability between a base and a full design.

    *effects* maps (capability, direction, outcome) to a paired mean difference with its
    95% interval (an :data:`~sim.metrics.stats.EstimateDict`; ``mean`` is ``None`` when the
    outcome has no value in the runs, e.g. ``cost_per_issue`` without costs). *total* maps
    each outcome to full − base. *same* lists the capabilities both designs share, which
    have no effect to report. *results* holds every run, by design name.
    """

    base: Design
    full: Design
    replications: int
    capabilities: tuple[str, ...]
    same: tuple[str, ...]
    outcomes: tuple[str, ...]
    effects: dict[tuple[str, str, str], EstimateDict]
    total: dict[str, EstimateDict]
    results: Results

    @property
    def designs(self) -> list[str]:
        """The names of the designs run, in the order they were run."""
        return list(self.results)

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: capability, direction, outcome, effect, ci_low, ci_high.

        The total comes last, as capability ``all`` and direction ``total``; values are
        ``None`` where unavailable.
        """
        out = [
            {"capability": cap, "direction": direction, "outcome": outcome,
             "effect": est["mean"], "ci_low": est["ci_low"], "ci_high": est["ci_high"]}
            for (cap, direction, outcome), est in self.effects.items()
        ]
        out += [{"capability": "all", "direction": "total", "outcome": outcome,
                 "effect": est["mean"], "ci_low": est["ci_low"], "ci_high": est["ci_high"]}
                for outcome, est in self.total.items()]
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the designs, units, each capability's effects and the total."""
        capabilities: dict[str, Any] = {}
        for cap, field in CAPABILITY_FIELDS.items():
            entry: dict[str, Any] = {
                "differs": cap in self.capabilities,
                "from": _value(getattr(self.base, field)),
                "to": _value(getattr(self.full, field)),
            }
            if cap in self.capabilities:
                for direction in DIRECTIONS:
                    entry[direction] = {o: self.effects[cap, direction, o]
                                        for o in self.outcomes}
            capabilities[cap] = entry
        return {
            "from": self.base.name,
            "to": self.full.name,
            "replications": self.replications,
            "directions": DIRECTIONS,
            "designs": self.designs,
            "units": {o: UNITS[o] for o in self.outcomes},
            "capabilities": capabilities,
            "total": self.total,
        }


def _value(value: Any) -> Any:
    """A capability's value as JSON: a switch as true/false, a topology in words."""
    if not isinstance(value, Topology):
        return value
    if value.is_unified:
        return "unified"
    groups = "; ".join("+".join(sorted(g)) for g in value.groups) or "siloed"
    return groups if value.ttl is None else f"{groups} (ttl {value.ttl:g} min)"


def _difference(results: Results, design: str, baseline: str, outcome: str) -> EstimateDict:
    return paired_difference([r[outcome] for r in results[design]],
                             [r[outcome] for r in results[baseline]])


def summarize_ablation(results: Results, base: Design, full: Design,
                       outcomes: Sequence[str] = OUTCOMES) -> Ablation:
    """The :class:`Ablation` of *results*, which must hold the designs of an ablation.

    *results* has, by name, *base*, *full* and every design :func:`ablation_designs`
    builds, replication by replication on common random numbers.
    """
    pairs = ablation_designs(base, full)
    effects: dict[tuple[str, str, str], EstimateDict] = {}
    for cap, (on, off) in pairs.items():
        for outcome in outcomes:
            effects[cap, "on", outcome] = _difference(results, on.name, base.name, outcome)
            effects[cap, "off", outcome] = _difference(results, full.name, off.name, outcome)
    total = {o: _difference(results, full.name, base.name, o) for o in outcomes}
    return Ablation(
        base=base,
        full=full,
        replications=len(results[base.name]),
        capabilities=tuple(pairs),
        same=tuple(cap for cap in CAPABILITY_FIELDS if cap not in pairs),
        outcomes=tuple(outcomes),
        effects=effects,
        total=total,
        results=results,
    )


def run_ablation(
    world: World,
    base: Design,
    full: Design,
    replications: int,
    seed: int,
    jobs: int = 1,
    progress: bool | None = None,
    outcomes: Sequence[str] = OUTCOMES,
) -> Ablation:
    """Run the ablation of every capability between *base* and *full* on *world*.

    The base, the full design and each capability's on-alone and off-alone designs run
    *replications* times in one experiment (seeded by *seed*, over *jobs* processes,
    with a progress bar as :func:`~sim.experiment.runner.run_experiment` shows it), so
    they all see the same customers. Raises :class:`~sim.errors.SimError` if the designs
    differ in nothing.
    """
    pairs = ablation_designs(base, full)
    designs = [base, full, *(d for pair in pairs.values() for d in pair)]
    results = run_experiment(world, designs, replications, seed, jobs=jobs, progress=progress)
    return summarize_ablation(results, base, full, outcomes)
