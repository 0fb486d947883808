"""Durations and rates written with units (``sim.scenario.units``): minutes inside."""

from __future__ import annotations

import pytest

from sim.scenario.units import UNITS, format_minutes, parse_duration, parse_rate


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        pytest.param("90s", 1.5, id="seconds"),
        pytest.param("30sec", 0.5, id="sec"),
        pytest.param("2min", 2.0, id="minutes"),
        pytest.param("1.5h", 90.0, id="hours-decimal"),
        pytest.param("3d", 4320.0, id="days"),
        pytest.param(".5h", 30.0, id="leading-dot"),
        pytest.param("2.h", 120.0, id="trailing-dot"),
        pytest.param("1e1s", 10 / 60, id="exponent"),
        pytest.param(" 2 min ", 2.0, id="spaces"),
        pytest.param("0h", 0.0, id="zero"),
        pytest.param("-2min", -2.0, id="negative-parses"),
    ],
)
def test_parse_duration_good(text: str, minutes: float) -> None:
    """A number with a known unit is that many minutes."""
    assert parse_duration(text) == pytest.approx(minutes, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("5 parsecs", id="unknown-unit"),
        pytest.param("2m", id="m-is-not-a-unit"),
        pytest.param("2hours", id="long-unit"),
        pytest.param("2MIN", id="upper-case"),
        pytest.param("20", id="no-unit"),
        pytest.param("1.5", id="no-unit-decimal"),
        pytest.param("min", id="no-number"),
        pytest.param("", id="empty"),
        pytest.param("2min 30s", id="two-parts"),
        pytest.param("2/min", id="a-rate"),
        pytest.param("infh", id="inf"),
    ],
)
def test_parse_duration_bad_text(text: str) -> None:
    """A duration without a known unit is refused, saying what is allowed."""
    with pytest.raises(ValueError, match=r"must be a duration with a unit like '90s', '2min'"):
        parse_duration(text)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(20, id="int"),
        pytest.param(1.5, id="float"),
        pytest.param(None, id="none"),
        pytest.param(True, id="bool"),
        pytest.param(["2min"], id="list"),
        pytest.param({"value": "2min"}, id="dict"),
    ],
)
def test_parse_duration_not_a_string(value: object) -> None:
    """A duration that is not a string is refused, and the message shows the value."""
    with pytest.raises(ValueError, match="must be a duration with a unit") as info:
        parse_duration(value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("text", "per_minute"),
    [
        pytest.param("48/min", 48.0, id="per-minute"),
        pytest.param("300/h", 5.0, id="per-hour"),
        pytest.param("1/s", 60.0, id="per-second"),
        pytest.param("2/sec", 120.0, id="per-sec"),
        pytest.param("1440/d", 1.0, id="per-day"),
        pytest.param("0.5/min", 0.5, id="decimal"),
        pytest.param(" 3 / min ", 3.0, id="spaces"),
        pytest.param("0/min", 0.0, id="zero"),
        pytest.param("-3/min", -3.0, id="negative-parses"),
    ],
)
def test_parse_rate_good(text: str, per_minute: float) -> None:
    """COUNT/UNIT is that many per minute."""
    assert parse_rate(text) == pytest.approx(per_minute, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("48", id="no-unit"),
        pytest.param("48/minute", id="long-unit"),
        pytest.param("48/fortnight", id="unknown-unit"),
        pytest.param("48 per min", id="per-word"),
        pytest.param("/min", id="no-count"),
        pytest.param("48min", id="a-duration"),
        pytest.param("", id="empty"),
    ],
)
def test_parse_rate_bad_text(text: str) -> None:
    """A rate that is not COUNT/UNIT with a known unit is refused, saying what is allowed."""
    with pytest.raises(ValueError, match=r"must be a rate like '48/min' or '300/h'"):
        parse_rate(text)


@pytest.mark.parametrize("value", [48, 0.8, None, ["48/min"]], ids=["int", "float", "none", "list"])
def test_parse_rate_not_a_string(value: object) -> None:
    """A rate that is not a string is refused, and the message shows the value."""
    with pytest.raises(ValueError, match="must be a rate like") as info:
        parse_rate(value)
    assert repr(value) in str(info.value)


def test_units_are_minutes() -> None:
    """Every unit converts to minutes, and a duration and a rate use the same table."""
    units = dict(UNITS)
    assert units == pytest.approx({"s": 1 / 60, "sec": 1 / 60, "min": 1, "h": 60, "d": 1440})
    for unit, minutes in units.items():
        assert parse_duration(f"1{unit}") == pytest.approx(minutes)
        assert parse_rate(f"1/{unit}") == pytest.approx(1 / minutes)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0.5, "30s"), (2.0, "2min"), (90.0, "90min"), (180.0, "3h")],
)
def test_format_minutes_round_trips(minutes: float, text: str) -> None:
    """format_minutes picks a readable unit that parses back to the same duration."""
    assert format_minutes(minutes) == text
    assert parse_duration(text) == pytest.approx(minutes)
