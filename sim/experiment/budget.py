"""The work a run asks for, estimated before it starts, and refused beyond sane bounds.

A scenario can be valid and still ask for years of computing or more memory than any
machine has: 10^12 arrivals a minute, a horizon of 10^9 years (the per-pool series keep
one slot per quarter hour), 10^8 agents, an event touching 10^9 customers at once, or
customers who may retry 10^9 times without the clock moving. :func:`estimate_work`
computes upper bounds of the contacts and of the memory of one run (a design ×
replication unit) from the scenario alone; :func:`check_work` refuses a run beyond
:data:`LIMITS` with one :class:`~sim.errors.ScenarioError` giving the numbers, unless the
user insists (``--force``).
"""

from __future__ import annotations

import math

import attrs

from ..errors import ScenarioError
from ..scenario import schema

__all__ = ["LIMITS", "Work", "check_work", "estimate_work", "overload_warnings"]

#: Sane bounds: contacts over all the runs, bytes of memory of one run, runs.
LIMITS = {"contacts": 1e8, "memory": 4e9, "units": 1e6}

_SLOT = 15.0  # minutes per slot of the per-pool series (sim.engine.pools.SLOT)
_BYTES_PER_SLOT = 2 * 32  # two float lists per pool
_BYTES_PER_AGENT = 400
_BYTES_PER_CUSTOMER = 600  # a member of a finite population
_BYTES_PER_EVENT_CUSTOMER = 2000  # a process started at once by an event


@attrs.frozen
class Work:
    """Upper bounds of the work of an experiment, and which fields drive each."""

    #: runs: designs × replications
    units: int
    #: contacts in one run: (arrivals + event customers) × the most contacts each
    contacts_per_unit: float
    #: bytes of memory one run holds at most (slots, agents, customers)
    memory_per_unit: float
    #: a plain account of each estimate, for messages
    contacts_why: str
    memory_why: str
    #: the fields to blame when an estimate is too large
    contacts_field: str
    memory_field: str

    @property
    def contacts(self) -> float:
        """Contacts over every run."""
        return self.contacts_per_unit * self.units


def _arrivals(scenario: schema.Scenario) -> float:
    arrivals = scenario.arrivals
    rate: float = arrivals.rate if arrivals.rate is not None else max(
        (s.rate for s in arrivals.profile or ()), default=0.0)
    return rate * (scenario.scenario.horizon + scenario.scenario.warmup)


def _agents(scenario: schema.Scenario) -> int:
    return sum(p.agents if p.agents is not None else max((s.agents for s in p.schedule or ()),
                                                         default=0)
               for p in scenario.pools)


def estimate_work(scenario: schema.Scenario, designs: int, replications: int) -> Work:
    """Upper bounds of the contacts and memory of *designs* × *replications* runs."""
    sec = scenario.scenario
    arrivals = _arrivals(scenario)
    event_customers = sum(e.customers for e in scenario.events)
    contacts_each = max(s.max_contacts for s in scenario.segments)
    contacts = (arrivals + event_customers) * contacts_each
    slots = math.ceil((sec.horizon + sec.warmup) / _SLOT) * max(1, len(scenario.pools))
    agents = _agents(scenario)
    population = scenario.population.customers if scenario.population else 0
    memory = (slots * _BYTES_PER_SLOT + agents * _BYTES_PER_AGENT
              + population * _BYTES_PER_CUSTOMER + event_customers * _BYTES_PER_EVENT_CUSTOMER)
    parts = {"scenario.horizon": slots * _BYTES_PER_SLOT, "pools": agents * _BYTES_PER_AGENT,
             "population.customers": population * _BYTES_PER_CUSTOMER,
             "events": event_customers * _BYTES_PER_EVENT_CUSTOMER}
    blame = "arrivals" if arrivals >= event_customers else "events"
    if contacts_each > 50 and contacts_each * 10 > max(arrivals, event_customers):
        blame = "segments"
    return Work(
        units=designs * replications,
        contacts_per_unit=contacts,
        memory_per_unit=memory,
        contacts_why=(f"({_n(arrivals)} arrivals + {_n(event_customers)} event customers) × up"
                      f" to {_n(contacts_each)} contacts each"),
        memory_why=(f"{_n(slots)} series slots, {_n(agents)} agents, {_n(population)}"
                    f" population customers, {_n(event_customers)} event customers"),
        contacts_field=blame,
        memory_field=max(parts, key=lambda k: parts[k]),
    )


def _n(x: float) -> str:
    """A count for people: 1,920 or 6.3e+13."""
    return f"{x:,.0f}" if x < 1e9 else f"{x:.2g}"


def _gb(n_bytes: float) -> str:
    gb = n_bytes / 1e9
    return f"{gb:.3g}" if gb < 1000 else _n(gb)


def check_work(work: Work) -> None:
    """Raise :class:`ScenarioError` if *work* exceeds a bound of :data:`LIMITS`."""
    force = "; give --force to run anyway"
    if work.units > LIMITS["units"]:
        raise ScenarioError("scenario.replications",
                            f"{_n(work.units)} runs (designs × replications) is beyond the sane"
                            f" bound (allowed: at most {_n(LIMITS['units'])}{force})")
    if work.memory_per_unit > LIMITS["memory"]:
        raise ScenarioError(work.memory_field,
                            f"one run would hold about {_gb(work.memory_per_unit)} GB"
                            f" ({work.memory_why}) (allowed: at most"
                            f" {LIMITS['memory'] / 1e9:g} GB{force})")
    if work.contacts > LIMITS["contacts"]:
        raise ScenarioError(work.contacts_field,
                            f"up to {_n(work.contacts)} contacts in {_n(work.units)} runs,"
                            f" {work.contacts_why} per run (allowed: at most"
                            f" {_n(LIMITS['contacts'])}{force})")


def overload_warnings(scenario: schema.Scenario) -> list[str]:
    """One line per agent channel whose offered load surely exceeds its capacity while no
    customer ever abandons: its queue then grows for the whole horizon.

    The load is a lower bound (only customers who start on the channel, their handle
    time, no repeat contacts); the capacity an upper bound (every agent of every pool
    serving the channel, at its concurrency, on it alone, at the peak of any schedule).
    """
    if any(seg.patience for seg in scenario.segments) or scenario.arrivals.rate is None:
        return []
    rate = scenario.arrivals.rate
    lines = []
    for channel in sorted({c for p in scenario.pools for c in p.channels}):
        arriving = rate * sum(seg.share * seg.start.get(channel, 0.0)
                              for seg in scenario.segments)
        work = sum(i.share * i.handle[channel].mean for i in scenario.intents
                   if channel in i.handle)
        capacity = sum(_peak(p) * p.concurrency.get(channel, 1) for p in scenario.pools
                       if channel in p.channels)
        if arriving * work > capacity:
            lines.append(f"channel {channel!r}: customers who start there alone offer"
                         f" {arriving * work:.3g} erlangs of work to at most {capacity:g}"
                         " agent sessions, and no segment has a patience: its queue grows"
                         " for the whole horizon (give a patience, or more agents)")
    return lines


def _peak(pool: schema.Pool) -> int:
    if pool.agents is not None:
        return pool.agents
    return max((s.agents for s in pool.schedule or ()), default=0)
