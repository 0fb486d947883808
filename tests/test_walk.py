"""state.Walk runs an issue generator in the order SimPy runs a process, one event less."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

from sim.engine.state import Proc, Walk, WalkAnswer

Log = list[tuple[float, str, str]]


def _story(start: Callable[[simpy.Environment, Proc], Any]) -> tuple[Log, int]:
    """Three generators with equal-time events, the first and last started by *start*:
    what they did in which order, and how many events the run processed."""
    env = simpy.Environment()
    log: Log = []

    def body(name: str, delays: list[float]) -> Proc:
        for d in delays:
            yield env.timeout(d)
            log.append((env.now, name, "woke"))
        done = env.event()
        done.succeed()
        yield done  # already triggered: resumed without waiting
        failed = env.event()
        failed.fail(ValueError(name))
        try:
            yield failed
        except ValueError as e:
            log.append((env.now, name, f"caught {e}"))

    start(env, body("a", [1.0, 0.0, 2.0]))
    env.process(body("b", [1.0, 1.0, 1.0]))
    start(env, body("c", [0.0, 3.0]))
    steps = 0
    while env.peek() < float("inf"):
        env.step()
        steps += 1
    return log, steps


def test_a_walk_runs_in_the_order_of_a_process_with_one_event_less() -> None:
    """The same resumptions in the same order; each walk skips only the end event."""
    walked, walk_steps = _story(Walk)
    processed, process_steps = _story(lambda env, g: env.process(g))
    assert walked == processed
    assert [name for _, name, what in walked if what.startswith("caught")] == ["c", "a", "b"]
    assert process_steps - walk_steps == 2  # the end events of "a" and "c"


def _arrivals(start: Callable[[simpy.Environment, Proc], Any]) -> Log:
    """Two generators started by *start* from a timeout's callback at 0.5, when nothing
    else is due, among a process with equal-time events: what they did, in order."""
    env = simpy.Environment()
    log: Log = []

    def body(name: str, delays: list[float]) -> Proc:
        log.append((env.now, name, "started"))
        for d in delays:
            yield env.timeout(d)
            log.append((env.now, name, "woke"))

    def arrive(_: simpy.Event) -> None:
        start(env, body("a", [1.0, 0.0, 1.0]))
        start(env, body("c", [0.0, 1.0, 1.0]))

    env.process(body("b", [1.5, 0.0, 1.0]))
    env.timeout(0.5).callbacks.append(arrive)
    env.run()
    return log


def test_a_walk_at_once_runs_as_a_process_started_when_nothing_else_is_due() -> None:
    """Its first step runs in the caller, the rest in the order of a process, ties too."""
    walked = _arrivals(lambda env, g: Walk(env, g, at_once=True))
    assert walked == _arrivals(lambda env, g: env.process(g))
    assert [(t, n) for t, n, _ in walked if t == 1.5] == [(1.5, "b"), (1.5, "a"), (1.5, "c"),
                                                          (1.5, "b"), (1.5, "a")]


def _sleepers(sleep: bool) -> tuple[Log, int]:
    """Two walks and a process with equal-time wake-ups; the walks wait by sleeps
    ``(delay, value)`` when *sleep*, else by the timeouts those stand for."""
    env = simpy.Environment()
    log: Log = []

    def wait(delay: float, value: str) -> Any:
        return (delay, value) if sleep else env.timeout(delay, value)

    def walker(name: str, delays: list[float]) -> Proc:
        for k, d in enumerate(delays):
            got = yield wait(d, f"{name}{k}")
            log.append((env.now, name, got))
            if k == 1:  # a real event between two sleeps
                got = yield env.timeout(0.0, "t")
                log.append((env.now, name, got))

    def process(name: str, delays: list[float]) -> Proc:
        for d in delays:
            yield env.timeout(d)
            log.append((env.now, name, "woke"))

    Walk(env, walker("a", [1.0, 0.0, 2.0, 0.5]))
    env.process(process("b", [1.0, 1.0, 1.0, 0.5]))
    Walk(env, walker("c", [0.0, 1.0, 1.0, 1.5]))
    steps = 0
    while env.peek() < float("inf"):
        env.step()
        steps += 1
    return log, steps


def test_a_walk_sleeps_as_it_would_wait_for_a_timeout() -> None:
    """A sleep resumes the walk with its value in the order of the timeout it stands
    for, equal times included, and is one step of the run as the timeout is."""
    slept, sleep_steps = _sleepers(True)
    timed, timeout_steps = _sleepers(False)
    assert slept == timed
    assert sleep_steps == timeout_steps
    assert [got for _, name, got in slept if name == "a"] == ["a0", "a1", "t", "a2", "a3"]
    assert [n for t, n, _ in slept if t == 3.5] == ["c", "a", "b"]  # ties, in creation order


def _answered(light: bool) -> tuple[Log, int]:
    """Walks waiting for answers (a WalkAnswer if *light*, else a SimPy event) that
    callbacks give at equal times, among timeouts due then: what each got, in order."""
    env = simpy.Environment()
    log: Log = []
    answers: dict[str, Any] = {}

    def body(name: str) -> Proc:
        answer = answers[name] = WalkAnswer() if light else env.event()
        got = yield answer
        log.append((env.now, name, f"got {got} ({answer.value})"))
        yield env.timeout(0.0)
        log.append((env.now, name, "after"))

    for name in ("a", "b", "c"):
        Walk(env, body(name))

    def give(names: str) -> Callable[[simpy.Event], None]:
        def answer(_: simpy.Event) -> None:
            for n in names:
                answers[n].succeed(n.upper())
        return answer

    env.timeout(1.0).callbacks.append(give("ca"))
    env.timeout(1.0).callbacks.append(lambda _: log.append((env.now, "t", "timeout")))
    env.timeout(2.0).callbacks.append(give("b"))
    steps = 0
    while env.peek() < float("inf"):
        env.step()
        steps += 1
    return log, steps


def test_a_walk_answer_resumes_the_walk_as_a_simpy_event_would() -> None:
    """A queue's WalkAnswer wakes its walk with the answer, in the order (equal times
    included) and in as many steps as the SimPy event it stands for."""
    light, light_steps = _answered(True)
    event, event_steps = _answered(False)
    assert light == event
    assert light_steps == event_steps
    assert [name for t, name, _ in light if t == 1.0] == ["t", "c", "a", "c", "a"]
    assert light[1] == (1.0, "c", "got C (C)")
