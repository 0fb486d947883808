"""Experiments: replications on common random numbers, executors, results files, ablation."""

from .ablation import Ablation, run_ablation
from .results import build_summary, write_results
from .runner import Results, run_experiment

__all__ = [
    "Ablation",
    "Results",
    "build_summary",
    "run_ablation",
    "run_experiment",
    "write_results",
]
