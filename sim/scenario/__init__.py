"""Scenario files: the attrs classes, the TOML loader and the cross-table rules."""

from .load import load_scenario, parse_scenario
from .schema import Scenario
from .validate import reachable_touchpoints, resolve_designs

__all__ = [
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "reachable_touchpoints",
    "resolve_designs",
]
