"""omnisim: a discrete-event simulator of omnichannel customer service.

Load a scenario, compile it, and simulate it under the designs you want to compare::

    from sim import load_scenario, resolve_designs, compile_world, run_experiment
    scenario = load_scenario("scenarios/erlang-a.toml")
    results = run_experiment(compile_world(scenario), resolve_designs(scenario), 10, seed=7)

or, in a notebook, get the tables as pandas DataFrames (``pip install 'omnisim[pandas]'``)::

    import sim
    study = sim.run("scenarios/app-to-phone.toml", replications=5)
    study.summary, study.differences, study.plot("outcomes")
    again = sim.load("results/app-to-phone")
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Study, load, run
    from .engine import compile_world, simulate
    from .errors import InvariantViolation, ScenarioError, SimError
    from .experiment import build_summary, run_experiment, write_results
    from .model import BUILTIN_DESIGNS, Design, HistoryEvent, HistoryStore, Topology
    from .scenario import load_scenario, parse_scenario, resolve_designs

#: Where each public name lives; imported on first use, so that ``import sim`` (and the
#: command line's ``--help``) stays light.
_HOMES = {
    "Study": "api", "load": "api", "run": "api",
    "compile_world": "engine", "simulate": "engine",
    "InvariantViolation": "errors", "ScenarioError": "errors", "SimError": "errors",
    "build_summary": "experiment", "run_experiment": "experiment",
    "write_results": "experiment",
    "BUILTIN_DESIGNS": "model", "Design": "model", "HistoryEvent": "model",
    "HistoryStore": "model", "Topology": "model",
    "load_scenario": "scenario", "parse_scenario": "scenario", "resolve_designs": "scenario",
}


#: The subpackages ``sim.NAME`` reaches without an import of its own, as before.
_SUBMODULES = ("api", "engine", "errors", "experiment", "metrics", "model", "plots",
               "report", "scenario", "testing", "theory")


def __getattr__(name: str) -> Any:
    """The public name *name*, imported from its module on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "BUILTIN_DESIGNS",
    "Design",
    "HistoryEvent",
    "HistoryStore",
    "InvariantViolation",
    "ScenarioError",
    "SimError",
    "Study",
    "Topology",
    "build_summary",
    "compile_world",
    "load",
    "load_scenario",
    "parse_scenario",
    "resolve_designs",
    "run",
    "run_experiment",
    "simulate",
    "write_results",
]
