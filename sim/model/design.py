"""Service designs: named sets of capabilities.

A design says how the service is built, never what the world is like: the same
customers meet every design of a scenario. Every capability is a field of
:class:`Design`; :data:`CAPABILITIES` names them in the order reports list them, and
:func:`switch` turns one capability of a design to its value in another (the step of
an ablation).
"""

from __future__ import annotations

from typing import Any

import attrs

from .history import SILOED, UNIFIED, Topology

__all__ = ["ALIASES", "BUILTIN_DESIGNS", "CAPABILITIES", "CAPABILITY_FIELDS", "Design", "switch"]


@attrs.frozen
class Design:
    """A named set of capabilities (every one off by default: the siloed design).

    *topology* is the history topology (siloed, unified, channel groups, a time-to-live).
    *retention* keeps a customer's history from one issue to the next, so a returning
    customer is recognised (needs a finite ``[population]``).
    *handover* passes what the customer did in self-service to the agent who takes over
    within the same contact (an escalation or a transfer).
    *escalation* lets a failed self-service session reach an agent without leaving the
    channel (the scenario's ``[escalation]`` table says where).
    *resumable* keeps an interrupted session in its place instead of dropping it.
    *callback* offers a call back instead of holding (the ``[callback]`` table).
    *affinity* routes a returning issue back to the agent who last handled it (the
    ``[affinity]`` table).
    *proactive* notifies the customers a scenario event touches before they find out
    (the ``[[events]]`` tables), and with *mesh* lets a connected device open the issue
    it reports as a dialog (an intent's ``device_dialog``).
    *mesh* links a customer's devices, and what connected devices report, into one
    identity.
    """

    name: str
    topology: Topology = SILOED
    resumable: bool = False
    callback: bool = False
    retention: bool = False
    handover: bool = False
    escalation: bool = False
    affinity: bool = False
    proactive: bool = False
    mesh: bool = False

    @property
    def follows_customer(self) -> bool:
        """True when one unbounded history follows the customer everywhere.

        That is a unified topology without time-to-live, kept across issues and linked
        across devices: the case in which no fact may ever be asked twice.
        """
        return self.topology.is_unified and self.retention and self.mesh


#: The capabilities a ``[designs.NAME]`` table may set, with what each means.
CAPABILITIES: dict[str, str] = {
    "history": "history topology: 'siloed', 'unified', or a list of channel groups",
    "history_ttl": "how long the history stays visible, a duration (none = for ever)",
    "retention": "the history outlives the issue: returning customers are recognised "
    "(true/false)",
    "handover": "self-service context passes to the agent within the same contact "
    "(true/false)",
    "escalation": "a failed self-service session reaches an agent on the same channel "
    "(true/false)",
    "resumable": "interrupted sessions keep their place and facts (true/false)",
    "callback": "offer a call back instead of hold when the expected wait is long (true/false)",
    "affinity": "a returning issue goes back to the agent who handled it (true/false)",
    "proactive": "customers touched by a scenario event are notified first, and with mesh"
                 " a device opens the issues it reports (true/false)",
    "mesh": "a customer's devices and connected-device reports share one identity "
    "(true/false)",
}

#: For each capability an ablation switches, the :class:`Design` field that holds it
#: (``history`` and ``history_ttl`` are one field, the topology).
CAPABILITY_FIELDS: dict[str, str] = {
    "history": "topology",
    "retention": "retention",
    "handover": "handover",
    "escalation": "escalation",
    "resumable": "resumable",
    "callback": "callback",
    "affinity": "affinity",
    "proactive": "proactive",
    "mesh": "mesh",
}


def switch(design: Design, capability: str, to: Design, name: str | None = None) -> Design:
    """*design* with *capability* set as in *to* (and renamed *name*, if given)."""
    field = CAPABILITY_FIELDS[capability]
    changes: dict[str, Any] = {field: getattr(to, field)}
    if name is not None:
        changes["name"] = name
    return attrs.evolve(design, **changes)


_ALL_ON = {field: True for field in CAPABILITY_FIELDS.values() if field != "topology"}

#: Designs every scenario may name without defining them. Each isolates what it adds:
#: ``unified-history`` is the history alone; ``mobile-first`` adds to it the other two
#: tenets of the mobile-first argument; ``all`` switches everything on.
BUILTIN_DESIGNS: dict[str, Design] = {
    # multichannel: every capability off, one history per channel
    "siloed": Design("siloed", SILOED),
    # one history that follows the customer across channels, devices and issues — and
    # nothing else
    "unified-history": Design("unified-history", UNIFIED, retention=True, mesh=True),
    # unified persistent history, conversations that survive interruptions, and in-app
    # escalation that hands the self-service context to the agent
    "mobile-first": Design("mobile-first", UNIFIED, retention=True, mesh=True,
                           resumable=True, escalation=True, handover=True),
    # every capability on
    "all": Design("all", UNIFIED, **_ALL_ON),
}

#: Built-in names that are another design under an older name: ``unified`` was the name of
#: ``all`` and stays, so that existing scenario files keep working.
ALIASES: dict[str, str] = {"unified": "all"}
BUILTIN_DESIGNS.update({old: attrs.evolve(BUILTIN_DESIGNS[new], name=old)
                        for old, new in ALIASES.items()})
