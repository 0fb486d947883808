"""Light SimPy events: engine objects that schedule themselves, with a fixed callback.

SimPy's :meth:`~simpy.core.Environment.step` pops ``(time, priority, id, event)`` off its
heap, calls each of ``event.callbacks`` with the event, then reads ``event._ok``. Any
object with those two attributes can therefore be put on the heap with
:meth:`~simpy.core.Environment.schedule`: the same heap entry, in the same order, as a
:class:`~simpy.events.Timeout` of that delay made at that moment, without the event
object, its list of callbacks and a bound method per wake-up. The engine uses it for
what fires once per issue or contact (an arrival, the end of a patience, the end of the
work, an answer from the queue), where those objects were most of the memory an issue
in flight holds.

The object must not be on the heap twice at once: it has one ``callbacks`` slot.

A replication runs on a :class:`Clock`: SimPy's environment with its time a plain
attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, SimTime, StopSimulation
from simpy.events import NORMAL, URGENT

__all__ = ["Clock", "Wakeable", "wake_after"]


class Clock(simpy.Environment):
    """A SimPy environment whose time :attr:`now` is a plain attribute.

    SimPy's ``now`` is a property, a Python call at every read, and the engine reads the
    time a dozen times per issue. Here it is kept beside SimPy's ``_now`` by the loop
    of :meth:`run` and :meth:`step` (:meth:`_steps`), the only place the time moves: the
    same events in the same order.
    """

    #: the current time (a class attribute hides SimPy's property: each instance sets its own)
    now: float = 0.0

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.now = initial_time

    def step(self) -> None:
        """Process the next event (as :meth:`simpy.Environment.step`, setting :attr:`now`).

        Raises :exc:`~simpy.core.EmptySchedule` if no event is left.
        """
        self._steps(once=True)

    def run(self, until: SimTime | simpy.Event | None = None) -> Any:
        """As :meth:`simpy.Environment.run`, its loop of steps in one frame (:meth:`_steps`)."""
        if until is not None:
            if not isinstance(until, simpy.Event):  # a time: an event due then, before all
                at = until if isinstance(until, int) else float(until)
                if at <= self.now:
                    raise ValueError(
                        f"until ({at}) must be greater than the current simulation time")
                until = simpy.Event(self)
                until._ok, until._value = True, None
                self.schedule(until, URGENT, at - self.now)
            elif until.callbacks is None:  # processed already
                return until.value
            until.callbacks.append(StopSimulation.callback)
        try:
            self._steps()
        except StopSimulation as exc:
            return exc.args[0]  # the until event's value
        except EmptySchedule:
            if until is not None:
                assert not until.triggered
                raise RuntimeError(f'No scheduled events left but "until" event was not '
                                   f"triggered: {until}") from None
        return None

    def _steps(self, once: bool = False) -> None:
        """Process events until none is left (:exc:`~simpy.core.EmptySchedule`) or one
        stops the run (:exc:`~simpy.core.StopSimulation`); *once*: only the next."""
        queue = self._queue
        while True:
            try:
                self.now, _, _, event = heappop(queue)
            except IndexError:
                raise EmptySchedule from None
            self._now = self.now
            callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
            try:
                for callback in callbacks:
                    callback(event)
            except StopSimulation:  # as SimPy: the callbacks left run when the run resumes
                event.callbacks = callbacks[callbacks.index(callback) + 1:]
                self.schedule(event, -1)  # type: ignore[arg-type]
                raise
            if not event._ok and not hasattr(event, "_defused"):  # a failure nobody handled
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
            if once:
                return

    def drop_pending(self) -> None:
        """Forget every event still scheduled (the run is over; it will not resume).

        What waits on them (the walks of issues in flight, and through them the whole
        replication) is then freed at once, not kept in a reference cycle until a full
        collection of the cycle collector.
        """
        self._queue.clear()


class Wakeable:
    """A base for objects :func:`wake_after` schedules: SimPy reads these two attributes."""

    __slots__ = ("callbacks",)

    #: a wake-up never fails (SimPy would raise a failed event's exception)
    _ok = True

    callbacks: tuple[Callable[[Any], None], ...] | None


def wake_after(env: simpy.Environment, obj: Wakeable,
               callbacks: tuple[Callable[[Any], None], ...], delay: float = 0.0) -> None:
    """Call each of *callbacks* with *obj* after *delay* minutes.

    *callbacks* is a tuple shared by every object of a kind (functions taking the object),
    so that a wake-up allocates nothing but SimPy's heap entry.
    """
    obj.callbacks = callbacks
    # env.schedule(obj, NORMAL, delay) without its call: the same heap entry
    heappush(env._queue, (env.now + delay, NORMAL, next(env._eid), obj))  # type: ignore[misc]
