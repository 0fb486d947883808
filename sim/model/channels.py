"""Channels and touchpoints: the fixed vocabulary of where a customer can be.

A *channel* is a medium (voice, chat, app...). A *touchpoint* is a channel in a mode:
self-service (``app``, ``web``, ``ivr``, ``chatbot``, ``sms_bot``, ``messaging_bot``)
or assisted by an agent (``voice``, ``chat``, ``sms``...).
"""

from __future__ import annotations

import attrs

__all__ = [
    "ASSISTED",
    "CHANNELS",
    "SELF_SERVICE",
    "SYNCHRONOUS",
    "TOUCHPOINTS",
    "Touchpoint",
]

#: Every channel, in the order docs/model.md lists them.
CHANNELS: tuple[str, ...] = (
    "app",
    "web",
    "ivr",
    "sms",
    "chat",
    "messaging",
    "social",
    "email",
    "voice",
    "video",
    "callback",
)

#: Channels whose sessions are live by default (a long interruption drops them).
SYNCHRONOUS: frozenset[str] = frozenset({"app", "web", "ivr", "chat", "voice", "video", "callback"})


@attrs.frozen
class Touchpoint:
    """A channel in a mode: *name* as scenarios write it, its *channel*, self-service or not."""

    name: str
    channel: str
    self_service: bool


#: Self-service touchpoints, by name.
SELF_SERVICE: dict[str, Touchpoint] = {
    t.name: t
    for t in (
        Touchpoint("app", "app", True),
        Touchpoint("web", "web", True),
        Touchpoint("ivr", "ivr", True),
        Touchpoint("chatbot", "chat", True),
        Touchpoint("sms_bot", "sms", True),
        Touchpoint("messaging_bot", "messaging", True),
    )
}

#: Assisted touchpoints (an agent on the channel), by name.
ASSISTED: dict[str, Touchpoint] = {
    name: Touchpoint(name, name, False)
    for name in ("voice", "video", "chat", "sms", "messaging", "social", "email")
}

#: Every touchpoint a scenario can name.
TOUCHPOINTS: dict[str, Touchpoint] = {**SELF_SERVICE, **ASSISTED}
