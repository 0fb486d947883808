"""Run-time monitors and ``omnisim check``: they hold on sound runs and catch planted faults."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import APP_TO_VOICE, SCENARIOS, run_omnisim
from faults import GreedyPool, LossyStore

from sim import compile_world, parse_scenario, resolve_designs
from sim.engine import Replication
from sim.engine.monitors import Monitor
from sim.engine.streams import Streams
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
