"""Hypothesis strategies for omnisim: random small scenarios and history topologies.

Teams can use these to test their own properties on whole simulations::

    from hypothesis import given
    from sim.testing import scenarios

    @given(scenarios())
    def test_my_rule(scenario):
        ...

Public API:

- :func:`scenario_dicts` — small, *valid* scenario dicts, shaped like a parsed TOML file
  (every one passes :func:`sim.parse_scenario`);
- :func:`scenarios` — the same, parsed: :class:`sim.scenario.schema.Scenario` objects;
- :func:`schedules` — daily agent schedules, as the ``schedule`` list of a ``[[pools]]``
  table; :func:`scheduled_scenario_dicts` — :func:`scenario_dicts` whose pools are staffed
  by drawn schedules;
- :func:`topologies` — history topologies: siloed, unified, or a random partition of the
  channels into groups, with or without a time-to-live;
- :func:`channel_partitions` — random partitions of :data:`~sim.model.channels.CHANNELS`.

The scenarios are small on purpose (short horizons, few agents) so that a property can
run a whole simulation per example. Requires ``hypothesis`` (a test dependency).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .model.channels import ASSISTED, CHANNELS, SELF_SERVICE
from .model.history import SILOED, UNIFIED, Topology
from .scenario import parse_scenario
from .scenario.schema import Scenario

__all__ = [
    "ASSISTED_TARGETS",
    "FACT_POOL",
    "START_TOUCHPOINTS",
    "channel_partitions",
    "scenario_dicts",
    "scenarios",
    "scheduled_scenario_dicts",
    "schedules",
    "topologies",
]

#: Touchpoints a drawn segment may start at (self-service and assisted).
START_TOUCHPOINTS: tuple[str, ...] = ("app", "web", "chatbot", "voice", "chat", "email")
#: Where a failed self-service session may lead (besides giving up).
ASSISTED_TARGETS: tuple[str, ...] = ("voice", "chat", "email")
#: The facts a drawn intent may need.
FACT_POOL: tuple[str, ...] = ("identity", "booking", "problem", "tried")

# shares that add up to exactly 1 in floating point
_SHARES: dict[int, tuple[tuple[float, ...], ...]] = {
    1: ((1.0,),),
    2: ((0.5, 0.5), (0.3, 0.7), (0.25, 0.75)),
    3: ((0.5, 0.25, 0.25), (0.6, 0.3, 0.1)),
}


def _num(low: float, high: float, places: int = 3) -> st.SearchStrategy[float]:
    """A number in [low, high], rounded so it prints (and parses) cleanly."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(
        lambda x: round(x, places)
    ).filter(lambda x: low <= x <= high)


def _minutes(low: float, high: float) -> st.SearchStrategy[str]:
    """A duration string in minutes, e.g. ``"2.5min"``."""
    return _num(low, high).map(lambda x: f"{x:g}min")


def _exponential(low: float, high: float) -> st.SearchStrategy[dict[str, Any]]:
    """An exponential distribution table with mean in [low, high] minutes."""
    return _minutes(low, high).map(lambda m: {"dist": "exponential", "mean": m})


@st.composite
def _split(draw: st.DrawFn, n: int) -> tuple[float, ...]:
    """*n* shares adding up to exactly 1."""
    return draw(st.sampled_from(_SHARES[n]))


@st.composite
def channel_partitions(draw: st.DrawFn, max_groups: int = 4) -> list[list[str]]:
    """A random partition of every channel into at most *max_groups* non-empty groups."""
    labels = draw(st.lists(st.integers(0, max_groups - 1), min_size=len(CHANNELS),
                           max_size=len(CHANNELS)))
    groups: dict[int, list[str]] = {}
    for channel, label in zip(CHANNELS, labels, strict=True):
        groups.setdefault(label, []).append(channel)
    return [groups[k] for k in sorted(groups)]


def topologies(ttl: bool = True) -> st.SearchStrategy[Topology]:
    """Siloed, unified, or a random partition of the channels, with or without a ttl.

    With ``ttl=False`` no drawn topology bounds retention.
    """
    ttls: st.SearchStrategy[float | None] = (
        st.one_of(st.none(), _num(0.5, 60.0)) if ttl else st.none()
    )
    return st.one_of(
        st.just(SILOED),
        st.just(UNIFIED),
        st.builds(lambda g, t: Topology(groups=g, ttl=t), channel_partitions(), ttls),
    )


@st.composite
def _segment(draw: st.DrawFn, index: int, share: float) -> dict[str, Any]:
    n = draw(st.integers(1, 2))
    starts = draw(st.lists(st.sampled_from(START_TOUCHPOINTS), min_size=n, max_size=n,
                           unique=True))
    weights = draw(_split(n))
    seg: dict[str, Any] = {"name": f"seg{index}", "share": share,
                           "start": dict(zip(starts, weights, strict=True))}
    if draw(st.booleans()):
        seg["patience"] = draw(_exponential(1.0, 10.0))
    if draw(st.booleans()):
        seg["interruptions"] = {
            "rate": draw(_num(0.0, 0.5).map(lambda r: f"{r:g}/min")),
            "duration": draw(_exponential(0.5, 5.0)),
            "drop_after": draw(st.integers(10, 60).map(lambda s: f"{s}s")),
        }
    if draw(st.booleans()):
        n_dev = draw(st.integers(1, 3))
        seg["devices"] = dict(zip(["phone", "laptop", "watch"][:n_dev], draw(_split(n_dev)),
                                  strict=True))
    return seg


@st.composite
def scenario_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid scenario, as the dict a TOML scenario file parses to.

    1–2 segments starting at touchpoints of :data:`START_TOUCHPOINTS` (optional patience
    and interruptions), 1–2 intents needing 0–4 facts of :data:`FACT_POOL`, handle times
    and pools for every assisted touchpoint customers can reach, self-service success for
    every self-service start, journeys from failed self-service to an assisted channel or
    ``give_up``, a 30–120 min horizon, and the designs ``siloed`` and ``unified`` plus,
    sometimes, ``grouped`` (a random partition of the channels, maybe a ttl).
    """
    n_seg = draw(st.integers(1, 2))
    segments = [draw(_segment(i, share)) for i, share in enumerate(draw(_split(n_seg)))]
    starts = {tp for seg in segments for tp in seg["start"]}
    self_starts = sorted(starts & set(SELF_SERVICE))
    journeys, escalation, reached = _journeys(draw, starts, self_starts)
    assisted = sorted(reached)
    intents, facts_table = _intents(draw, assisted, self_starts)
    pools = _pools(draw, assisted)
    horizon = draw(st.integers(30, 120))
    events = _events(draw, horizon, intents, starts)
    designs, tables = _designs(draw)
    data: dict[str, Any] = {
        "scenario": {
            "name": "drawn",
            "horizon": f"{horizon}min",
            "warmup": f"{draw(st.integers(0, 10))}min",
            "replications": 1,
            "seed": draw(st.integers(0, 2**16)),
            "designs": designs,
        },
        "arrivals": {"rate": draw(_num(0.2, 2.0).map(lambda r: f"{r:g}/min"))},
        "segments": segments,
        "intents": intents,
        "pools": pools,
    }
    optional = {"facts": facts_table, "journeys": journeys, "escalation": escalation,
                "events": events}
    data.update((key, value) for key, value in optional.items() if value)
    if draw(st.booleans()):
        data["population"] = {"customers": draw(st.integers(1, 40))}
    if draw(st.booleans()):
        data["channels"] = {"sms": {"timeout": draw(_minutes(0.5, 10.0))}}
    if tables:
        _drop_switches_without_tables(tables["grouped"], data)
        data["designs"] = tables
    return data


def _journeys(draw: st.DrawFn, starts: set[str], self_starts: list[str],
              ) -> tuple[list[dict[str, Any]], dict[str, Any], set[str]]:
    """Journeys from each failed self-service start (to an assisted channel or
    ``give_up``), escalations, and the assisted touchpoints customers can reach."""
    journeys = []
    reached = starts & set(ASSISTED)
    escalation: dict[str, Any] = {}
    for tp in self_starts:
        target = draw(st.sampled_from((*ASSISTED_TARGETS, "give_up")))
        journey: dict[str, Any] = {"from": tp, "after": "failed", "to": {target: 1.0}}
        if target != "give_up":
            reached.add(target)
            if draw(st.booleans()):
                journey["transfer"] = True
        journeys.append(journey)
        if draw(st.booleans()):
            to = draw(st.sampled_from(ASSISTED_TARGETS))
            escalation[tp] = {"to": to, "accept": draw(_num(0.0, 1.0))}
            reached.add(to)
    return journeys, escalation, reached


def _intents(draw: st.DrawFn, assisted: list[str], self_starts: list[str],
             ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """1–2 intents needing 0–4 facts, and the table of the facts they use."""
    intents = []
    used_facts: set[str] = set()
    for i, share in enumerate(draw(_split(draw(st.integers(1, 2))))):
        facts = draw(st.lists(st.sampled_from(FACT_POOL), max_size=4, unique=True))
        used_facts |= set(facts)
        intent: dict[str, Any] = {"name": f"intent{i}", "share": share, "facts": facts}
        if assisted:
            intent["handle"] = {c: draw(_exponential(0.5, 5.0)) for c in assisted}
            resolve = {c: draw(_num(0.0, 1.0)) for c in assisted if draw(st.booleans())}
            if resolve:
                intent["resolve"] = resolve
        if self_starts:
            intent["self_service"] = {
                tp: {"success": draw(_num(0.0, 1.0)), "time": draw(_exponential(0.5, 5.0))}
                for tp in self_starts
            }
        if draw(st.booleans()) and facts:
            intent["reported"] = draw(_num(0.0, 1.0))
        intents.append(intent)
    facts_table: dict[str, Any] = {}
    for fact in sorted(used_facts):
        spec: dict[str, Any] = {"collect": draw(st.integers(5, 90).map(lambda s: f"{s}s"))}
        if fact == "identity" and draw(st.booleans()):
            spec["scope"] = "customer"
        facts_table[fact] = spec
    return intents, facts_table


def _pools(draw: st.DrawFn, assisted: list[str]) -> list[dict[str, Any]]:
    """Pools serving every assisted touchpoint: one for all, or one per touchpoint."""
    pools = []
    if assisted:
        groups = [assisted] if draw(st.booleans()) else [[c] for c in assisted]
        for i, channels in enumerate(groups):
            pool: dict[str, Any] = {"name": f"pool{i}", "agents": draw(st.integers(1, 6)),
                                    "channels": channels}
            if "chat" in channels:
                pool["concurrency"] = {"chat": draw(st.integers(1, 3))}
            pools.append(pool)
    return pools


def _events(draw: st.DrawFn, horizon: int, intents: list[dict[str, Any]],
            starts: set[str]) -> list[dict[str, Any]]:
    """No event, or one inside the horizon (maybe notifying customers)."""
    if not draw(st.booleans()):
        return []
    event: dict[str, Any] = {
        "name": "event", "at": f"{draw(st.integers(0, horizon - 1))}min",
        "customers": draw(st.integers(1, 30)),
        "intent": draw(st.sampled_from([i["name"] for i in intents])),
        "discover": draw(_exponential(0.5, 20.0)),
    }
    if draw(st.booleans()):
        event["notify"] = draw(st.sampled_from(sorted(starts)))
        event["deflect"] = draw(_num(0.0, 1.0))
        event["respond"] = draw(_exponential(0.5, 10.0))
    return [event]


def _designs(draw: st.DrawFn) -> tuple[list[str], dict[str, Any]]:
    """``siloed`` and ``unified``, maybe ``mobile-first``, maybe a drawn ``grouped``
    table (a random partition of the channels, maybe a ttl, some switches)."""
    designs = ["siloed", "unified"]
    if draw(st.booleans()):
        designs.append("mobile-first")
    tables: dict[str, Any] = {}
    if draw(st.booleans()):
        grouped: dict[str, Any] = {"history": draw(channel_partitions())}
        if draw(st.booleans()):
            grouped["history_ttl"] = draw(_minutes(1.0, 60.0))
        for switch in ("resumable", "retention", "handover", "escalation", "proactive", "mesh"):
            if draw(st.booleans()):
                grouped[switch] = draw(st.booleans())
        tables["grouped"] = grouped
        designs.append("grouped")
    return designs, tables


def _drop_switches_without_tables(design: dict[str, Any], data: dict[str, Any]) -> None:
    """Leave out the switches a drawn scenario gives nothing to act on (an error)."""
    has = {
        "retention": "population" in data,
        "handover": "escalation" in data or any(j.get("transfer") for j in data.get(
            "journeys", [])),
        "escalation": "escalation" in data,
        "proactive": any("notify" in e for e in data.get("events", [])),
        "mesh": any("devices" in s for s in data["segments"])
        or any(i.get("reported") for i in data["intents"]),
    }
    for switch, present in has.items():
        if design.get(switch) and not present:
            del design[switch]


def scenarios() -> st.SearchStrategy[Scenario]:
    """Small valid scenarios: :func:`scenario_dicts` parsed by :func:`sim.parse_scenario`."""
    return scenario_dicts().map(parse_scenario)


@st.composite
def schedules(draw: st.DrawFn, max_agents: int = 4) -> list[dict[str, Any]]:
    """A daily schedule: 1–4 steps, the first at ``"0h"``, 0–*max_agents* agents each
    (at least one step staffed), at whole minutes in increasing order."""
    n = draw(st.integers(1, 4))
    times = sorted(draw(st.lists(st.integers(1, 1439), min_size=n - 1, max_size=n - 1,
                                 unique=True)))
    agents = draw(st.lists(st.integers(0, max_agents), min_size=n, max_size=n)
                  .filter(lambda a: any(a)))
    return [{"at": f"{t}min", "agents": a} for t, a in zip([0, *times], agents, strict=True)]


@st.composite
def scheduled_scenario_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """:func:`scenario_dicts` whose every pool has a drawn schedule instead of ``agents``,
    over a horizon long enough (1–30 h) to cross several changes of headcount."""
    data = draw(scenario_dicts())
    for pool in data["pools"]:
        del pool["agents"]
        pool["schedule"] = draw(schedules())
    # the horizon must stay after every event scenario_dicts placed in the old one
    last_event = max((int(e["at"].removesuffix("min")) for e in data.get("events", [])),
                     default=-1)
    data["scenario"]["horizon"] = f"{draw(st.integers(max(60, last_event + 1), 1800))}min"
    return data
