"""A replication runs with the youngest generation collected less often, and puts it back."""

from __future__ import annotations

import gc

import pytest

from sim.engine import replication
from sim.engine.replication import YOUNG_THRESHOLD, fewer_collections
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


def test_what_was_there_before_is_frozen_inside_and_thawed_after() -> None:
    """Objects made before are left out of collections inside (frozen), and collected
    again after; a caller's own freeze is left as it was."""
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with fewer_collections():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_garbage_frozen_with_a_run_is_collected_when_it_ends() -> None:
    """A cycle dropped just before a run (a previous replication's) is frozen with what
    was there, and freed when the run ends: a serial study's memory stays flat."""
    import weakref

    class Node:
        other: object

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    with fewer_collections():
        pass
    assert gone() is None


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
