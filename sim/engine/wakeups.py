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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["Wakeable", "wake_after"]


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
    env.schedule(obj, NORMAL, delay)  # type: ignore[arg-type]  # duck-typed event
