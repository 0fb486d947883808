"""A light wake-up fires where a SimPy timeout made at the same moment would; a Clock runs
events as SimPy's environment does."""

from __future__ import annotations

from typing import Any

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from sim.engine.wakeups import Clock, Wakeable, wake_after


class _Alarm(Wakeable):
    __slots__ = ("log", "name")

    def __init__(self, name: int, log: list[tuple[float, int]]) -> None:
        self.name, self.log = name, log


def _ring(alarm: _Alarm) -> None:
    alarm.log.append((-1.0, alarm.name))


_RING = (_ring,)

#: (delay, made by a wake-up rather than a timeout, schedules a follow-up of this delay)
PLAN = st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.booleans(),
                          st.none() | st.sampled_from([0.0, 1.0])), min_size=1, max_size=30)


def _run(plan: list[tuple[float, bool, float | None]], light: bool,
         env: simpy.Environment | None = None, until: float | None = None,
         ) -> list[tuple[float, int]]:
    """Fire *plan*'s events (ties on purpose), as wake-ups where asked when *light*, in
    *env* (a new SimPy environment by default), until *until* then to the end."""
    env = simpy.Environment() if env is None else env
    log: list[tuple[float, int]] = []

    def fired(name: int, then: float | None) -> Any:
        def callback(_: Any) -> None:
            log.append((env.now, name))
            if then is not None:  # scheduled from inside a callback, at the same time too
                schedule(name + 1000, then, None, False)
        return callback

    def schedule(name: int, delay: float, then: float | None, use_light: bool) -> None:
        if use_light and light:
            alarm = _Alarm(name, [])
            wake_after(env, alarm, (fired(name, then),), delay)
        else:
            env.timeout(delay).callbacks.append(fired(name, then))

    for name, (delay, use_light, then) in enumerate(plan):
        schedule(name, delay, then, use_light)
    if until is not None:
        env.run(until=until)
        log.append((env.now, -1))
    env.run()
    return log


@given(PLAN)
def test_wake_ups_fire_in_the_order_of_timeouts(plan: list[tuple[float, bool, float | None]],
                                                ) -> None:
    assert _run(plan, light=True) == _run(plan, light=False)


def test_a_shared_callback_gets_the_object_and_the_slot_is_cleared() -> None:
    env = simpy.Environment()
    log: list[tuple[float, int]] = []
    alarm = _Alarm(7, log)
    wake_after(env, alarm, _RING, 2.5)
    env.run()
    assert log == [(-1.0, 7)] and env.now == 2.5
    assert alarm.callbacks is None  # SimPy took the callbacks: it may be scheduled again
    wake_after(env, alarm, _RING, 1.0)
    env.run()
    assert log == [(-1.0, 7), (-1.0, 7)] and env.now == 3.5


@given(PLAN, st.sampled_from([None, 0.5, 1.0, 2.5]))
def test_a_clock_runs_the_events_of_simpy_in_the_same_order(
        plan: list[tuple[float, bool, float | None]], until: float | None) -> None:
    """Timeouts and wake-ups with ties, run to the end or until a time and then to the
    end: a Clock fires them at the times and in the order SimPy's environment does."""
    assert (_run(plan, light=True, env=Clock(), until=until)
            == _run(plan, light=True, until=until))


def test_a_clock_keeps_now_through_steps_until_events_and_failures() -> None:
    """``now`` follows a step and a run until an event; a time already past, a failure
    nobody handles and an event never triggered raise as in SimPy."""
    env = Clock()
    seen: list[float] = []
    env.timeout(1.5).callbacks.append(lambda _: seen.append(env.now))
    env.step()
    assert seen == [1.5] and env.now == 1.5
    done = env.timeout(2.0, value="done")
    assert env.run(until=done) == "done" and env.now == 3.5
    assert env.run(until=done) == "done"  # processed already
    with pytest.raises(ValueError):
        env.run(until=3.0)
    env.event().fail(KeyError("no agent"))  # nobody handles the failure
    with pytest.raises(KeyError):
        env.run()
    with pytest.raises(RuntimeError):
        env.run(until=env.event())  # never triggered: the schedule runs out
