"""Durations and rates written with units, as scenario files spell them.

Internally every time is in **minutes** and every rate is **per minute**.
"""

from __future__ import annotations

import datetime
import re

__all__ = ["UNITS", "format_minutes", "parse_duration", "parse_rate"]

#: Minutes per unit, for every unit a duration or a rate may use.
UNITS: dict[str, float] = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "min": 1.0,
    "h": 60.0,
    "d": 1440.0,
}

_ALLOWED = "'90s', '2min', '1.5h', '3d'"
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?"
_DURATION = re.compile(rf"^\s*(-?(?:{_NUMBER}))\s*([a-z]+)\s*$")
_RATE = re.compile(rf"^\s*(-?(?:{_NUMBER}))\s*/\s*([a-z]+)\s*$")


def _show(value: object) -> str:
    """*value* as a message shows it (a TOML date as ``2026-11-30``)."""
    if isinstance(value, datetime.date | datetime.time):
        return f"the date or time {value.isoformat()}"
    return repr(value)


def parse_duration(text: object) -> float:
    """Return the duration *text* (``"90s"``, ``"2min"``, ``"1.5h"``) in minutes.

    Raises :exc:`ValueError` if *text* is not a string with a known unit; the message
    says what is allowed. Negative values parse (the caller decides whether they are
    allowed).
    """
    if not isinstance(text, str):
        raise ValueError(f"must be a duration with a unit like {_ALLOWED} (got {_show(text)})")
    match = _DURATION.match(text)
    if not match or match.group(2) not in UNITS:
        raise ValueError(f"must be a duration with a unit like {_ALLOWED} (got {_show(text)})")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_rate(text: object) -> float:
    """Return the rate *text* (``"48/min"``, ``"300/h"``) as a count per minute.

    Raises :exc:`ValueError` if *text* is not ``"COUNT/UNIT"`` with a known unit.
    """
    if not isinstance(text, str):
        raise ValueError(f"must be a rate like '48/min' or '300/h' (got {_show(text)})")
    match = _RATE.match(text)
    if not match or match.group(2) not in UNITS:
        raise ValueError(f"must be a rate like '48/min' or '300/h' (got {_show(text)})")
    return float(match.group(1)) / UNITS[match.group(2)]


def format_minutes(minutes: float) -> str:
    """Format a duration in minutes with the most readable unit (for messages)."""
    if minutes < 1:
        return f"{minutes * 60:g}s"
    if minutes < 120:
        return f"{minutes:g}min"
    return f"{minutes / 60:g}h"
