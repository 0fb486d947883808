"""Experiments: replications on common random numbers, executors, results files."""

from .results import build_summary, write_results
from .runner import Results, run_experiment

__all__ = ["Results", "build_summary", "run_experiment", "write_results"]
