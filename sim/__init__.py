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

from .api import Study, load, run
from .engine import compile_world, simulate
from .errors import InvariantViolation, ScenarioError, SimError
from .experiment import build_summary, run_experiment, write_results
from .model import BUILTIN_DESIGNS, Design, HistoryEvent, HistoryStore, Topology
from .scenario import load_scenario, parse_scenario, resolve_designs

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
