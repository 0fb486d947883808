"""The strategies of sim.testing draw valid scenarios in any order hypothesis tries them.

``scheduled_scenario_dicts`` once drew a new, shorter horizon after ``scenario_dicts`` had
placed an event in the old one; with hypothesis' fixed (derandomized) order the bad
combination never came up, in its default random mode it did.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from sim.scenario import parse_scenario
from sim.testing import scheduled_scenario_dicts


@settings(max_examples=25, derandomize=False, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scheduled_scenario_dicts())
def test_scheduled_scenarios_are_valid(data: dict) -> None:  # type: ignore[type-arg]
    """Every drawn scheduled scenario parses: each event lies within the horizon."""
    scenario = parse_scenario(data)
    assert all(e.at < scenario.scenario.horizon for e in scenario.events)



@pytest.mark.slow
@settings(max_examples=300, derandomize=False, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scheduled_scenario_dicts())
def test_many_scheduled_scenarios_are_valid(data: dict) -> None:  # type: ignore[type-arg]
    """300 draws (the old strategy failed within 60 in random mode)."""
    test_scheduled_scenarios_are_valid.hypothesis.inner_test(data)  # type: ignore[attr-defined]
