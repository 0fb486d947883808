"""Service designs: named sets of capabilities.

A design says how the service is built, never what the world is like: the same
customers meet every design of a scenario.
"""

from __future__ import annotations

import attrs

from .history import SILOED, UNIFIED, Topology

__all__ = ["BUILTIN_DESIGNS", "CAPABILITIES", "Design"]


@attrs.frozen
class Design:
    """A named set of capabilities.

    *topology* is the history topology (siloed, unified, channel groups, a time-to-live).
    *resumable* keeps an interrupted session in its place instead of dropping it.
    *callback* offers a call back instead of holding, when the scenario's ``[callback]``
    table says when and how customers take it.
    """

    name: str
    topology: Topology = SILOED
    resumable: bool = False
    callback: bool = False


#: The capabilities a ``[designs.NAME]`` table may set, with what each means.
CAPABILITIES: dict[str, str] = {
    "history": "history topology: 'siloed', 'unified', or a list of channel groups",
    "history_ttl": "how long the history stays visible, a duration (none = for ever)",
    "resumable": "interrupted sessions keep their place and facts (true/false)",
    "callback": "offer a call back instead of hold when the expected wait is long (true/false)",
}

#: Designs every scenario may name without defining them.
BUILTIN_DESIGNS: dict[str, Design] = {
    "siloed": Design("siloed", SILOED, resumable=False),
    "unified": Design("unified", UNIFIED, resumable=True, callback=True),
}
