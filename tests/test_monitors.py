"""Run-time monitors and ``omnisim check``: they hold on sound runs and catch planted faults."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import APP_TO_VOICE, SCENARIOS, run_omnisim
from faults import GreedyPool, LossyStore
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import compile_world, parse_scenario, resolve_designs
from sim.engine import Replication
from sim.engine.monitors import Monitor
from sim.engine.pools import Agent
from sim.engine.streams import Streams
from sim.engine.world import PoolSpec
from sim.errors import InvariantViolation
from sim.model import UNIFIED, Design

STORY: dict[str, Any] = {
    "scenario": {"name": "m", "horizon": "3h", "warmup": "0h", "replications": 2, "seed": 5,
                 "designs": ["siloed", "unified"]},
    "arrivals": {"rate": "2/min"},
    **APP_TO_VOICE,
    # infinite patience: every contact reaches an agent
    "segments": [{k: v for k, v in APP_TO_VOICE["segments"][0].items() if k != "patience"}],
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
}


def _world() -> Any:
    return compile_world(parse_scenario(copy.deepcopy(STORY)))


def _run(design: Design, monitor: Monitor, **patch: Any) -> Replication:
    rep = Replication(_world(), design, Streams(5, 0), monitor)
    for name, value in patch.items():
        setattr(rep, name, value)
    rep.run()
    return rep


def test_monitors_hold_on_sound_runs() -> None:
    """Under both built-in designs every monitor runs and none fires."""
    for design in resolve_designs(parse_scenario(copy.deepcopy(STORY))):
        monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable)
        _run(design, monitor)
        assert monitor.violations == {}
        assert {"conservation", "append-only", "unified-continuity", "capacity",
                "causality", "resumability"} <= monitor.checked


def test_a_store_that_drops_events_is_caught() -> None:
    """A history that loses events breaks append-only and unified continuity."""
    design = Design("unified-lossy", UNIFIED, resumable=True)
    monitor = Monitor(unified=True, resumable=True)
    _run(design, monitor, history=LossyStore())
    assert "append-only" in monitor.violations
    assert "unified-continuity" in monitor.violations
    assert "not visible" in monitor.violations["append-only"].seen


def test_an_agent_with_one_session_too_many_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """An agent holding two voice calls breaks the capacity invariant."""
    monkeypatch.setattr("sim.engine.replication.Pool", GreedyPool)
    design = resolve_designs(parse_scenario(copy.deepcopy(STORY)))[0]
    monitor = Monitor(unified=False, resumable=False)
    _run(design, monitor)
    assert "capacity" in monitor.violations
    assert "holds 2 sessions (limit 1)" in monitor.violations["capacity"].seen


def test_a_design_that_forgets_after_an_interruption_is_caught() -> None:
    """A design claimed resumable whose sessions still drop breaks resumability."""
    forgetful = Design("forgetful", UNIFIED, resumable=False)
    monitor = Monitor(unified=True, resumable=True)
    _run(forgetful, monitor)
    assert "resumability" in monitor.violations


def test_strict_monitor_raises_at_the_first_violation() -> None:
    """With strict=True the first violation raises InvariantViolation naming it."""
    forgetful = Design("forgetful", UNIFIED, resumable=False)
    with pytest.raises(InvariantViolation, match=r"resumability violated at t="):
        _run(forgetful, Monitor(unified=True, resumable=True, strict=True))


#: One plain queue: no facts, no interruptions, two agents for 3 callers a minute.
PLAIN: dict[str, Any] = {
    "scenario": {"name": "plain", "horizon": "2h", "warmup": "0h", "replications": 1,
                 "seed": 3, "designs": ["siloed"]},
    "arrivals": {"rate": "3/min"},
    "segments": [{"name": "callers", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "5min"}}],
    "intents": [{"name": "q", "share": 1.0, "facts": [],
                 "handle": {"voice": {"dist": "exponential", "mean": "1min"}}}],
    "pools": [{"name": "p", "agents": 2, "channels": ["voice"]}],
}


def _plain(monitor: Monitor) -> None:
    scenario = parse_scenario(copy.deepcopy(PLAIN))
    design = resolve_designs(scenario)[0]
    Replication(compile_world(scenario), design, Streams(3, 0), monitor).run()


def test_monitors_run_on_a_plain_queue() -> None:
    """A queue without facts or interruptions (the engine's fastest path) is still checked
    for capacity, causality and conservation, and holds."""
    monitor = Monitor(unified=False, resumable=False)
    _plain(monitor)
    assert monitor.violations == {}
    assert {"conservation", "capacity", "causality"} <= monitor.checked


def test_a_greedy_pool_is_caught_on_a_plain_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the plain queue too, an agent taking a session beyond its concurrency is caught."""
    monkeypatch.setattr("sim.engine.replication.Pool", GreedyPool)
    monitor = Monitor(unified=False, resumable=False)
    _plain(monitor)
    assert "holds 2 sessions (limit 1)" in monitor.violations["capacity"].seen


@given(
    concurrency=st.dictionaries(st.sampled_from(["voice", "chat", "email"]),
                                st.integers(1, 3), min_size=1),
    intents=st.none() | st.frozensets(st.sampled_from(["a", "b"])).map(tuple),
    sessions=st.integers(0, 4), on_shift=st.booleans(),
    tp=st.sampled_from(["voice", "chat", "email"]), intent=st.sampled_from(["a", "b"]),
    entered=st.floats(0, 10), now=st.floats(0, 10), clock=st.floats(0, 10),
)
@example(concurrency={"voice": 1}, intents=None, sessions=2, on_shift=True, tp="voice",
         intent="a", entered=0.0, now=1.0, clock=0.0)  # one session too many
@example(concurrency={"voice": 1}, intents=("b",), sessions=1, on_shift=True, tp="voice",
         intent="a", entered=0.0, now=1.0, clock=0.0)  # outside the skills
@example(concurrency={"voice": 1}, intents=None, sessions=1, on_shift=False, tp="voice",
         intent="a", entered=0.0, now=1.0, clock=0.0)  # off shift
@example(concurrency={"voice": 1}, intents=None, sessions=1, on_shift=True, tp="voice",
         intent="a", entered=2.0, now=1.0, clock=0.0)  # a negative wait
@example(concurrency={"voice": 1}, intents=None, sessions=1, on_shift=True, tp="voice",
         intent="a", entered=0.0, now=1.0, clock=2.0)  # the clock went back
@settings(max_examples=200)
def test_took_checks_what_waited_and_assigned_check(
    concurrency: dict[str, int], intents: tuple[str, ...] | None, sessions: int,
    on_shift: bool, tp: str, intent: str, entered: float, now: float, clock: float,
) -> None:
    """The hot path's one call finds the same violations, with the same words, as the
    two hooks it stands for (and PoolSpec.serves for the skills)."""
    pool = PoolSpec("p", 4, concurrency, 0.0, intents)
    agent = Agent(0)
    agent.sessions, agent.on_shift = sessions, on_shift
    one, two = Monitor(unified=False, resumable=False), Monitor(unified=False, resumable=False)
    for m in (one, two):
        m.clock(clock)
    one.took(7, entered, pool, agent, tp, intent, now)
    two.waited(7, entered, now)
    two.assigned(7, "p", sessions, concurrency.get(tp, 1), pool.serves(tp, intent), now,
                 on_shift=on_shift)
    assert one.violations == two.violations
    assert one.checked == two.checked == {"causality", "capacity"}
    assert (one.violations == {}) == (
        now >= max(entered, clock) and on_shift and pool.serves(tp, intent)
        and sessions <= concurrency.get(tp, 1))


@pytest.mark.slow  # .ci/run runs `omnisim check scenarios/*.toml` itself, after the tests
def test_check_command_holds_on_shipped_scenarios() -> None:
    """``omnisim check scenarios/*.toml`` exits 0 with every invariant held."""
    files = sorted(str(p) for p in SCENARIOS.glob("*.toml"))
    done = run_omnisim("check", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VIOLATED" not in done.stdout
    assert done.stdout.count("held ") == 8 * len(files)


def test_check_command_exits_2_on_a_bad_file(tmp_path: Any) -> None:
    """A bad scenario file makes ``omnisim check`` print the error line and exit 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text((SCENARIOS / "erlang-a.toml").read_text().replace("agents = 50", "agents = 0"))
    done = run_omnisim("check", str(bad))
    assert done.returncode == 2
    assert done.stderr.strip() == f"{bad}: pools[0].agents: must be >= 1 (got 0)"
