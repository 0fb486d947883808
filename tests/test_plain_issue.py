"""The callback-driven plain issue (sim.engine.plain) is the process-per-issue engine,
faster: on any world whose journeys are all plain, both give the same outcomes to the
last bit, and a world with anything more keeps the processes."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.engine import journey
from sim.engine.arrivals import fixed_arrival, who_arrives
from sim.engine.monitors import Monitor
from sim.engine.plain import plain_journeys
from sim.engine.replication import Replication
from sim.engine.streams import Streams
from sim.experiment.records import PartTarget, Records

AGENT_TOUCHPOINTS = ("voice", "chat", "email")


def _exponential(low: float, high: float) -> st.SearchStrategy[dict[str, Any]]:
    return st.floats(low, high).map(lambda m: {"dist": "exponential", "mean": f"{m:.3f}min"})


@st.composite
def plain_worlds(draw: st.DrawFn) -> dict[str, Any]:
    """A small scenario whose every contact is a queue then an agent's work: 1–2
    segments and intents, 1–2 pools, patience or none, retries and moves between agent
    touchpoints after unresolved or abandoned contacts, with delays; sometimes a
    schedule, a finite population or an event's burst of issues."""
    touchpoints = draw(st.lists(st.sampled_from(AGENT_TOUCHPOINTS), min_size=1, max_size=3,
                                unique=True))
    segments = []
    for i in range(draw(st.integers(1, 2))):
        segment: dict[str, Any] = {
            "name": f"seg{i}", "share": 1.0 if i == 0 else 0.5,
            "start": {draw(st.sampled_from(touchpoints)): 1.0},
            "max_contacts": draw(st.integers(1, 4)),
        }
        if draw(st.booleans()):
            segment["patience"] = draw(_exponential(0.5, 5.0))
            segment["frustration"] = draw(st.sampled_from([0.0, 0.3]))
        segments.append(segment)
    if len(segments) == 2:
        segments[0]["share"] = 0.5
    intents = [{"name": f"intent{i}", "share": 1.0 / n, "facts": [],
                "handle": {tp: draw(_exponential(0.5, 4.0)) for tp in touchpoints},
                "resolve": {tp: draw(st.sampled_from([0.5, 0.8, 1.0])) for tp in touchpoints}}
               for n in [draw(st.integers(1, 2))] for i in range(n)]
    journeys = [{"from": tp, "after": after,
                 "to": {draw(st.sampled_from([*touchpoints, "retry"])): 0.6, "give_up": 0.4},
                 "delay": draw(st.sampled_from([{"dist": "fixed", "value": "0min"},
                                                {"dist": "exponential", "mean": "2min"}]))}
                for tp in touchpoints for after in ("unresolved", "abandoned")
                if draw(st.booleans())]
    one_pool = draw(st.booleans())
    pools = ([{"name": "all", "agents": draw(st.integers(1, 4)), "channels": touchpoints}]
             if one_pool else
             [{"name": f"p{tp}", "agents": draw(st.integers(1, 3)), "channels": [tp]}
              for tp in touchpoints])
    if draw(st.booleans()):
        pools[0]["schedule"] = [{"at": "0min", "agents": pools[0].pop("agents")},
                                {"at": "30min", "agents": draw(st.integers(0, 4))}]
    data: dict[str, Any] = {
        "scenario": {"name": "plain", "horizon": "90min", "warmup": "10min",
                     "replications": 1, "seed": draw(st.integers(0, 2**16)),
                     "designs": ["siloed", "unified"]},
        "arrivals": {"rate": f"{draw(st.floats(0.3, 3.0)):.3f}/min"},
        "segments": segments, "intents": intents, "pools": pools,
    }
    if journeys:
        data["journeys"] = journeys
    if draw(st.booleans()):
        data["population"] = {"customers": draw(st.integers(1, 30))}
    if draw(st.booleans()):
        data["events"] = [{"name": "burst", "at": "40min", "customers": 10,
                           "intent": "intent0", "discover": {"dist": "fixed", "value": "1min"}}]
    return data


class _Log:
    """Logs every call, by issue index, and passes it on to *target* (if any)."""

    def __init__(self, target: Any = None) -> None:
        self.target = target
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        def log(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, *(getattr(a, "index", a) for a in args),
                               *sorted(kwargs.items())))
            if self.target is not None:
                return getattr(self.target, name)(*args, **kwargs)
            return None
        return log


def _run(world: Any, design: Any, seed: int) -> tuple[dict[str, float], list[Any], Any]:
    """A replication with records and the continuity monitor on: the monitor's calls
    logged, and the rows of the records (as CSV) after them."""
    monitor = Monitor(unified=True, resumable=False)
    checks = _Log(monitor)
    rep = Replication(world, design, Streams(seed, 0), checks)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        target = PartTarget(Path(tmp), "unit", "csv")
        records = rep.recorder.records = Records(
            design.name, 0, [s.name for s in world.segments], [i.name for i in world.intents],
            target)
        outcomes = rep.run()
        records.finish(rep.recorder.live)
        rows = [target.path(t).read_text() for t in ("issues", "contacts")]
    return outcomes, [*checks.calls, *rows], monitor.violations


def _both(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Per design, the (outcomes, monitor calls and record rows, violations) by callbacks and
    by processes."""
    scenario = sim.parse_scenario(data)
    world = sim.compile_world(scenario)
    seed = data["scenario"]["seed"]
    pairs = []
    for design in sim.resolve_designs(scenario):
        assert plain_journeys(Replication(world, design, Streams(1, 0)))
        fast = _run(world, design, seed)
        with monkeypatch.context() as m:
            m.setattr(journey, "plain_journeys", lambda _: False)
            slow = _run(world, design, seed)
        pairs.append((fast, slow))
    return pairs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=plain_worlds())
def test_plain_issues_give_the_processes_outcomes(data: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Outcomes to the last bit, the same monitor calls in the same order, the same
    records byte for byte, no violation."""
    for (fast, fast_calls, fast_violations), (slow, slow_calls, _) in _both(data, monkeypatch):
        assert fast.keys() == slow.keys()
        differ = {k: (fast[k], slow[k]) for k in fast
                  if fast[k] != slow[k] and fast[k] == fast[k]}  # NaN == NaN is no difference
        assert not differ
        assert fast_calls == slow_calls
        assert not fast_violations


def test_the_erlang_a_scenario_runs_plain() -> None:
    scenario = sim.load_scenario("scenarios/erlang-a.toml")
    world = sim.compile_world(scenario)
    design = sim.resolve_designs(scenario)[0]
    assert plain_journeys(Replication(world, design, Streams(1, 0)))


def test_a_fixed_arrival_is_what_who_arrives_draws() -> None:
    """Where who_arrives draws nothing, every issue is the fixed segment, intent and first
    touchpoint; a world with a choice to draw has no fixed arrival."""
    world = sim.compile_world(sim.load_scenario("scenarios/erlang-a.toml"))
    fixed = fixed_arrival(world)
    assert fixed is not None
    streams = Streams(1, 0)
    for index in range(50):
        assert who_arrives(world, streams, index, streams.key(index)) == (
            index, *fixed, False, None)
    story = sim.compile_world(sim.load_scenario("scenarios/app-to-phone.toml"))
    assert fixed_arrival(story) is None


def test_an_issue_that_queued_is_freed_without_the_cycle_collector() -> None:
    """A queued issue and its queue entry must not hold each other once answered:
    otherwise every such issue waits for the cycle collector, which then ran 12 times
    as often and took 6 % of an Erlang A run. Only issues in flight at the horizon (the
    environment dropped with them) may be left to it: at this horizon about 600
    objects, against 22,000 (four per issue) with the cycle."""
    scenario = sim.load_scenario("scenarios/erlang-a.toml")
    data = attrs.evolve(scenario, scenario=attrs.evolve(scenario.scenario, horizon=120.0))
    world = sim.compile_world(data)
    design = sim.resolve_designs(data)[0]
    gc.collect()
    gc.disable()
    try:
        out = sim.simulate(world, design, 1, 0)
        cyclic = gc.collect()
    finally:
        gc.enable()
    assert out["issues"] > 5000
    assert cyclic < 0.5 * out["issues"], (cyclic, out["issues"])


@pytest.mark.parametrize("name", ["app-to-phone", "messaging-centre"])
def test_a_world_with_more_keeps_the_processes(name: str) -> None:
    """Self-service, facts or conversations: not plain."""
    scenario = sim.load_scenario(f"scenarios/{name}.toml")
    world = sim.compile_world(scenario)
    for design in sim.resolve_designs(scenario):
        assert not plain_journeys(Replication(world, design, Streams(1, 0)))
