"""A replication runs with the youngest generation collected less often, and puts it back."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.collector import YOUNG_THRESHOLD, fewer_collections
from sim.engine import replication, simulate
from sim.experiment import runner


def test_the_young_threshold_is_raised_inside_and_restored_after() -> None:
    """Inside, the threshold is YOUNG_THRESHOLD; after, and after an error, the caller's."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with fewer_collections():
            assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (700, 10, 10)
        with pytest.raises(ValueError), fewer_collections():
            raise ValueError("a unit failed")
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0, 10, 10)  # collection switched off by the caller: left off
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_a_library_caller_s_objects_are_never_frozen() -> None:
    """sim.simulate in a caller's process (not omnisim's own) freezes nothing."""
    world, design = _tiny()
    simulate(world, design, 1, 0)
    assert gc.get_freeze_count() == 0


_OWN = """
import gc, sys, weakref
sys.path[:0] = [{tests!r}]
from sim import collector
from test_unit_gc import _tiny
from sim.engine import simulate
world, design = _tiny()
collector.own_process()
simulate(world, design, 1, 0)
frozen = gc.get_freeze_count()
class Node: pass
a, b = Node(), Node()
a.other, b.other = b, a
gone = weakref.ref(a)
del a, b
simulate(world, design, 1, 1)
gc.collect()
print(frozen > 0, gc.get_freeze_count() == frozen, gone() is None)
"""


def test_omnisim_s_own_process_freezes_once_and_never_a_replication_s_garbage() -> None:
    """In omnisim's own process the first replication freezes what is there; a later
    one freezes nothing more, so a cycle dropped between them is still collected."""
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, "-c", _OWN.format(tests=tests)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True"]


def _tiny() -> tuple[Any, Any]:
    """The shipped Erlang A queue's world, 30 minutes long, and its first design."""
    import attrs

    import sim

    scenario = sim.load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                                 / "erlang-a.toml")
    world = attrs.evolve(sim.compile_world(scenario), horizon=30.0, warmup=0.0)
    return world, sim.resolve_designs(scenario)[0]


def test_run_experiment_leaves_the_threshold_as_it_found_it() -> None:
    """A real (tiny) experiment through the runner changes no collector setting."""
    import attrs
    from conftest import SCENARIOS

    import sim

    scenario = sim.load_scenario(SCENARIOS / "erlang-a.toml")
    world = sim.compile_world(scenario)
    world = attrs.evolve(world, horizon=30.0, warmup=0.0)
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    original = runner.Replication.run

    def run(self: runner.Replication) -> dict[str, float]:
        seen.append(gc.get_threshold())
        return original(self)

    runner.Replication.run = run  # type: ignore[method-assign]
    try:
        results = sim.run_experiment(world, sim.resolve_designs(scenario)[:1], 1, 1)
    finally:
        runner.Replication.run = original  # type: ignore[method-assign]
    assert len(next(iter(results.values()))) == 1
    raised = 0 < before[0] < YOUNG_THRESHOLD
    assert seen == [(YOUNG_THRESHOLD if raised else before[0], *before[1:])]
    assert gc.get_threshold() == before


def test_simulate_runs_with_the_raised_threshold() -> None:
    """sim.simulate runs its replication inside fewer_collections too."""
    import attrs
    from conftest import SCENARIOS

    import sim

    scenario = sim.load_scenario(SCENARIOS / "erlang-a.toml")
    world = attrs.evolve(sim.compile_world(scenario), horizon=30.0, warmup=0.0)
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    original = replication.Replication.run

    def run(self: replication.Replication) -> dict[str, float]:
        seen.append(gc.get_threshold())
        return original(self)

    replication.Replication.run = run  # type: ignore[method-assign]
    try:
        out = sim.simulate(world, sim.resolve_designs(scenario)[0], 1, 0)
    finally:
        replication.Replication.run = original  # type: ignore[method-assign]
    assert out["issues"] > 0
    raised = 0 < before[0] < YOUNG_THRESHOLD
    assert seen == [(YOUNG_THRESHOLD if raised else before[0], *before[1:])]
    assert gc.get_threshold() == before


_SHIPPED = Path(__file__).resolve().parents[1] / "scenarios"


def _crowded(path: Path) -> tuple[Any, Any]:
    """*path*'s world with one agent per pool (and no drain): contacts still
    queue and sessions still run when it ends."""
    import attrs

    import sim

    scenario = sim.load_scenario(path)
    world = sim.compile_world(scenario)
    world = attrs.evolve(world, drain=False,
                         pools=tuple(attrs.evolve(p, agents=1) for p in world.pools))
    return world, sim.resolve_designs(scenario)


@pytest.mark.parametrize("name", sorted(p.name for p in _SHIPPED.glob("*.toml")))
def test_a_finished_replication_is_freed_without_the_cycle_collector(name: str) -> None:
    """Once a replication has returned its outcomes, nothing of it is kept in a reference
    cycle: dropping it frees it at once, with the issues still in flight at its end."""
    import weakref

    from conftest import SCENARIOS

    from sim.engine import Replication
    from sim.engine.streams import Streams

    world, designs = _crowded(SCENARIOS / name)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for design in designs:
            rep = Replication(world, design, Streams(1, 0))
            rep.run()
            assert rep.recorder.live, "nothing in flight at the end: the test proves nothing"
            gone = weakref.ref(rep)
            del rep
            assert gone() is None, design.name
    finally:
        if enabled:
            gc.enable()


def test_a_study_keeps_one_copy_of_each_outcome_name() -> None:
    """Every unit of a study names the same outcomes: the results share the names."""
    import sim

    world, design = _tiny()
    results = sim.run_experiment(world, [design], 3, 1)
    first, *others = next(iter(results.values()))
    for other in others:
        assert list(other) == list(first)
        assert all(a is b for a, b in zip(other, first, strict=True))
