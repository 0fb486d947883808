"""How omnisim's replications use Python's cycle collector.

A replication allocates and frees millions of short-lived objects that almost never form
cycles: it collects the youngest generation less often (:func:`fewer_collections`). In a
process of omnisim's own, what the process holds before its first replication is frozen
out of the collections (:func:`freeze_once`). A light module: the command line imports it
before it knows whether it will simulate.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["YOUNG_THRESHOLD", "fewer_collections", "freeze_once", "own_process"]

#: The youngest generation's collection threshold while a replication runs (Python's
#: default is 700): a replication allocates and frees millions of short-lived objects
#: that almost never form cycles, and collecting every 700 of them cost about 4 % of the
#: typical study's CPU time (gc callbacks), in collections that found next to nothing.
YOUNG_THRESHOLD = 50_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the youngest generation less often inside; restore the threshold after
    (a collector switched off stays off)."""
    before = gc.get_threshold()
    if 0 < before[0] < YOUNG_THRESHOLD:
        gc.set_threshold(YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


#: whether this process is omnisim's own (the command line, a pool worker), and whether
#: what it holds has been frozen out of the collections (:func:`freeze_once`)
_OWN_PROCESS = False
_FROZEN = False


def own_process() -> None:
    """Declare this process omnisim's own (the ``omnisim`` command, a pool worker): its
    first replication may then freeze what the process holds (:func:`freeze_once`)."""
    global _OWN_PROCESS
    _OWN_PROCESS = True


def freeze_once() -> None:
    """In omnisim's own process, before its first replication is built, leave every
    object made so far (the modules, the world) out of the collections for good.

    Those objects are most of the ones the collector tracks, and every full collection
    walked them all: 4–6 % of the Erlang A queue's instructions per arrival. Once, and
    only in a process of omnisim's own: a library caller's objects are never frozen, and
    no replication's garbage is ever frozen with them.
    """
    global _FROZEN
    if _OWN_PROCESS and not _FROZEN:
        gc.freeze()
        _FROZEN = True
