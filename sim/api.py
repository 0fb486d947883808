"""The Python API for notebooks: run a scenario, or load a results folder, into a :class:`Study`.

A study's tables are pandas DataFrames (``pip install 'omnisim[pandas]'``); its figures are
the ones ``omnisim plot`` draws. pandas is imported only when a table is asked for, so
``import sim`` stays light.

>>> import pathlib, tempfile
>>> import sim
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "tiny.toml"
>>> _ = path.write_text(sim.api.EXAMPLE_SCENARIO)
>>> study = sim.run(path, replications=2, designs=["siloed", "unified-history"], jobs=1,
...                 out=folder / "results")
>>> study
Study('Tiny', designs=['siloed', 'unified-history'], replications=2)
>>> study.summary.columns.tolist()
['design', 'outcome', 'mean', 'ci_low', 'ci_high', 'unit']
>>> row = study.summary.set_index(["design", "outcome"]).loc[("siloed", "repetitions_per_issue")]
>>> bool(row["ci_low"] <= row["mean"] <= row["ci_high"]), row["unit"]
(True, 'facts asked again per issue')
>>> study.differences.columns.tolist()
['design', 'baseline', 'outcome', 'mean', 'ci_low', 'ci_high', 'relative']
>>> again = sim.load(folder / "results")
>>> again.summary.equals(study.summary)
True
>>> est = study.estimate("siloed", "repetitions_per_issue")  # typed, without pandas
>>> est.unit, est.low <= est.mean <= est.high
('facts asked again per issue', True)
"""

from __future__ import annotations

import math
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ScenarioError, SimError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .metrics.stats import Estimate
    from .model.design import Design
    from .plots.data import ResultsData
    from .scenario.schema import Scenario

__all__ = ["EXAMPLE_SCENARIO", "Study", "load", "run"]

#: A tiny scenario (two hours of one voice queue, two replications) for examples and tests.
EXAMPLE_SCENARIO = """\
[scenario]
name = "Tiny"
horizon = "2h"
replications = 2
seed = 1
designs = ["siloed", "unified-history"]

[arrivals]
rate = "1/min"

[[segments]]
name = "mobile"
share = 1.0
start = { app = 1.0 }
patience = { dist = "exponential", mean = "5min" }

[[intents]]
name = "rebook"
share = 1.0
facts = ["identity", "booking"]
handle = { voice = { dist = "exponential", mean = "3min" } }
self_service = { app = { success = 0.4, time = "2min" } }

[facts.identity]
collect = "40s"
[facts.booking]
collect = "30s"

[[journeys]]
from = "app"
after = "failed"
to = { voice = 0.8, give_up = 0.2 }

[[pools]]
name = "voice"
agents = 4
channels = ["voice"]
"""


def _pandas() -> Any:
    """pandas, or an ImportError saying how to install it (one line)."""
    try:
        import pandas
    except ImportError:
        raise ImportError("omnisim's tables are pandas DataFrames: pip install "
                          "'omnisim[pandas]'") from None
    return pandas


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


class Study:
    """The results of one run: tables as DataFrames and the figures of ``omnisim plot``.

    Made by :func:`run` or :func:`load`; *folder* is where its files are (``None`` when
    :func:`run` kept nothing on disk).
    """

    def __init__(self, data: ResultsData, breakdown: dict[str, np.ndarray] | None,
                 folder: Path | None) -> None:
        self._data = data
        self._breakdown = breakdown
        self.folder = folder
        self._records: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        info = self.raw["scenario"]
        return (f"Study({info.get('name', '')!r}, designs={self.designs!r}, "
                f"replications={info.get('replications')})")

    @property
    def raw(self) -> dict[str, Any]:
        """summary.json as a dict (``None`` where there was nothing to measure)."""
        return self._data.summary

    @property
    def designs(self) -> list[str]:
        """The designs compared, the baseline first."""
        return self._data.designs

    @property
    def summary(self) -> pd.DataFrame:
        """Per design and outcome: mean, 95% interval (``ci_low``, ``ci_high``) and unit."""
        units = self.raw["units"]
        rows = [(design, outcome, _nan(est["mean"]), _nan(est["ci_low"]),
                 _nan(est["ci_high"]), units.get(outcome, ""))
                for design, d in self.raw["designs"].items()
                for outcome, est in d["outcomes"].items()]
        return _pandas().DataFrame(rows, columns=["design", "outcome", "mean", "ci_low",
                                                  "ci_high", "unit"])

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences *design* − *baseline*: mean, 95% interval, relative change."""
        rows = [(design, d["baseline"], outcome, _nan(est["mean"]), _nan(est["ci_low"]),
                 _nan(est["ci_high"]), _nan(est.get("relative")))
                for design, d in self.raw["differences"].items()
                for outcome, est in d["outcomes"].items()]
        return _pandas().DataFrame(rows, columns=["design", "baseline", "outcome", "mean",
                                                  "ci_low", "ci_high", "relative"])

    @property
    def replications(self) -> pd.DataFrame:
        """Every replication's value of every outcome: design, replication, outcome, value."""
        return _pandas().DataFrame(dict(self._data.replications))

    @property
    def breakdown(self) -> pd.DataFrame:
        """Outcomes per pool, channel, segment, intent and hour: mean and 95% interval.

        Columns: design, dimension, key, outcome, mean, ci_low, ci_high, unit.
        """
        units = self.raw["units"]
        rows = [(design, dim, key, outcome, _nan(est["mean"]), _nan(est["ci_low"]),
                 _nan(est["ci_high"]), units.get(outcome, ""))
                for design, tree in self.raw.get("breakdown", {}).items()
                for dim, keys in tree.items()
                for key, outcomes in keys.items()
                for outcome, est in outcomes.items()]
        return _pandas().DataFrame(rows, columns=["design", "dimension", "key", "outcome",
                                                  "mean", "ci_low", "ci_high", "unit"])

    @property
    def breakdown_replications(self) -> pd.DataFrame:
        """breakdown.csv: design, replication, dimension, key, outcome, value."""
        columns = ["design", "replication", "dimension", "key", "outcome", "value"]
        if self._breakdown is None:
            return _pandas().DataFrame({c: [] for c in columns})
        return _pandas().DataFrame({c: self._breakdown[c] for c in columns})

    @property
    def issues(self) -> pd.DataFrame:
        """One row per measured issue of every design and replication (docs/records.md).

        Only a run with ``records=True`` (``omnisim run --records``) has them; otherwise
        :class:`~sim.errors.SimError` says so. They add up to the outcomes:

        >>> import pathlib, tempfile
        >>> import sim
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.toml"
        >>> _ = path.write_text(sim.api.EXAMPLE_SCENARIO)
        >>> study = sim.run(path, replications=2, designs=["siloed"], jobs=1, records=True)
        >>> issues = study.replications.query("outcome == 'issues'")["value"].sum()
        >>> len(study.issues) == int(issues)
        True
        >>> int(study.issues["contacts"].sum()) == len(study.contacts)
        True
        >>> sorted(set(study.contacts["touchpoint"]))
        ['app', 'voice']
        """
        return self._record_table("issues")

    @property
    def contacts(self) -> pd.DataFrame:
        """One row per contact of the measured issues (docs/records.md); see :attr:`issues`."""
        return self._record_table("contacts")

    def _record_table(self, table: str) -> pd.DataFrame:
        if table not in self._records:
            if self.folder is None:
                raise SimError("this study kept no records (give records=True to sim.run)")
            from .experiment.records import read_records

            self._records[table] = read_records(self.folder, table)
        return self._records[table]

    def plot(self, kind: str = "outcomes") -> Figure:
        """The figure *kind* of ``omnisim plot`` (see :data:`sim.plots.FIGURES`).

        Raises :class:`~sim.errors.SimError` for an unknown *kind*.
        """
        from .plots import FIGURES

        if kind not in FIGURES:
            raise SimError(f"unknown figure {kind!r}{did_you_mean(kind, FIGURES)} (allowed: "
                           f"{', '.join(FIGURES)})")
        return FIGURES[kind](self._data)

    def estimate(self, design: str, outcome: str, difference: bool = False) -> Estimate:
        """*outcome*'s mean and 95% interval under *design*, as an
        :class:`~sim.metrics.stats.Estimate` with its unit; with *difference*, the paired
        difference *design* − baseline. Raises :class:`~sim.errors.SimError` for an
        unknown design or outcome."""
        from .metrics.stats import Estimate

        table = self.raw["differences" if difference else "designs"]
        if design not in table:
            raise SimError(f"unknown design {design!r}{did_you_mean(design, table)} "
                           f"(allowed: {', '.join(table)})")
        outcomes = table[design]["outcomes"]
        if outcome not in outcomes:
            raise SimError(f"unknown outcome {outcome!r}{did_you_mean(outcome, outcomes)}")
        return Estimate.of(outcomes[outcome], self.raw["units"].get(outcome, ""))


def _count(name: str, value: int | None, minimum: int) -> None:
    """Raise ScenarioError unless *value* is None or a whole number >= *minimum*."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ScenarioError(name, f"must be a whole number (got {value!r})")
    if value < minimum:
        raise ScenarioError(name, f"must be >= {minimum} (got {value})")


def _planned(scenario: str | Path, replications: int | None,
             designs: Sequence[str] | None, jobs: int | None, seed: int | None,
             horizon: str | None) -> tuple[Scenario, list[Design], int, int, int]:
    """:func:`run`'s arguments checked and completed from the scenario: the loaded
    scenario, the designs chosen, the replications, the seed and the jobs."""
    from .experiment.runner import default_jobs
    from .scenario import load_scenario, resolve_designs

    _count("replications", replications, 1)
    _count("jobs", jobs, 1)
    _count("seed", seed, 0)
    loaded = load_scenario(scenario) if horizon is None else _with_horizon(scenario, horizon)
    try:
        chosen = resolve_designs(loaded, [designs] if isinstance(designs, str) else designs)
    except ScenarioError as e:
        raise e.in_file(str(scenario)) from None
    sec = loaded.scenario
    n = replications or sec.replications
    if n < 2:
        warnings.warn(f"{n} replication: no confidence interval can be computed (give "
                      "replications >= 2)", stacklevel=3)
    return loaded, chosen, n, sec.seed if seed is None else seed, jobs or default_jobs()


def run(scenario: str | Path, *, replications: int | None = None,
        designs: Sequence[str] | None = None, jobs: int | None = None,
        seed: int | None = None, out: str | Path | None = None,
        progress: bool | None = None, records: bool = False,
        horizon: str | None = None) -> Study:
    """Run *scenario* as ``omnisim run`` does and return its :class:`Study`.

    *replications*, *designs* (the first is the baseline), *seed* default to the
    scenario's; *jobs* to the local cores. With *out*, the results folder is written
    there (as ``omnisim run --out``); without, nothing stays on disk. *progress* shows a
    progress bar on standard error (default: when it is a terminal). *records* writes
    one row per issue and per contact (:attr:`Study.issues`, :attr:`Study.contacts`).
    *horizon* (e.g. ``"3h"``) replaces the scenario's, as ``omnisim run --horizon`` does.

    Raises :class:`~sim.errors.ScenarioError` with the one-line message the command line
    prints, e.g. for a design the scenario does not know:

    >>> import sim
    >>> sim.run("scenarios/app-to-phone.toml", designs=["silo"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: scenarios/app-to-phone.toml: --design: unknown design 'silo'; ...
    """
    from .engine import compile_world
    from .experiment import build_summary, run_experiment, write_results
    from .experiment.outdir import ResultsFolder
    from .experiment.records import RecordParts

    loaded, chosen, n, seed, jobs = _planned(scenario, replications, designs, jobs, seed,
                                             horizon)
    def simulate_into(target: Path) -> None:
        """Run the units, then publish the results set into *target* (locked meanwhile)."""
        with ResultsFolder(target) as folder:
            parts = RecordParts(folder.units / "records") if records else None
            details: dict[str, list[dict[str, Any]]] = {}
            started = time.perf_counter()
            results = run_experiment(compile_world(loaded), chosen, n, seed, jobs=jobs,
                                     progress=progress, details=details, records=parts)
            info, manifest = _run_info(scenario, loaded, chosen, n, seed, jobs)
            manifest["elapsed_seconds"] = round(time.perf_counter() - started, 3)
            argv = [f"sim.run({str(scenario)!r}, replications={n}, "
                    f"designs={info['designs']!r}, seed={seed}, records={records})"]
            summary = build_summary(results, info)
            with folder.publish() as stage:
                if parts is not None:
                    manifest["records"] = parts.write(stage)
                write_results(stage, summary, results, manifest, argv, details)
            if parts is not None:  # the API resumes nothing: no parts kept
                parts.discard()

    if out is not None:
        simulate_into(Path(out))
        return load(out)
    with tempfile.TemporaryDirectory(prefix="omnisim-") as tmp:
        simulate_into(Path(tmp) / "results")
        study = load(Path(tmp) / "results")
        if records:  # read now: the folder goes
            study.issues, study.contacts  # noqa: B018
    study.folder = None
    return study


def _with_horizon(path: str | Path, horizon: str) -> Any:
    """The scenario at *path* with the horizon *horizon*, validated again."""
    from .scenario.load import parse_scenario, read_document

    data = read_document(path)
    data.setdefault("scenario", {})["horizon"] = horizon
    try:
        return parse_scenario(data)
    except ScenarioError as e:
        where = "horizon" if e.path == "scenario.horizon" else e.path
        raise ScenarioError(where, e.message, str(path)) from None


def _run_info(path: str | Path, scenario: Any, designs: Sequence[Any], replications: int,
              seed: int, jobs: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The summary's scenario entry and the manifest, as ``omnisim run`` writes them."""
    from .experiment.results import design_changes, headcounts, manifest_base, scenario_info

    info = {**scenario_info(Path(path), scenario, seed, replications),
            "designs": [d.name for d in designs],
            "pools": headcounts(scenario), "changes": design_changes(designs)}
    manifest = {**manifest_base(info, path), "designs": info["designs"], "jobs": jobs}
    return info, manifest


def _read_breakdown(path: Path) -> dict[str, np.ndarray] | None:
    """breakdown.csv as columns, or None when the folder has none (an older run)."""
    import csv

    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    kinds = {"design": object, "replication": int, "dimension": object, "key": object,
             "outcome": object, "value": float}
    try:
        return {c: np.asarray([r[c] for r in rows], dtype=kind) for c, kind in kinds.items()}
    except (KeyError, ValueError, TypeError):
        raise SimError(f"{path}: not a breakdown table (expected columns "
                       f"{', '.join(kinds)})") from None


def load(folder: str | Path) -> Study:
    """Read the results folder *folder* (``omnisim run --out``) back into a :class:`Study`.

    Raises :class:`~sim.errors.SimError` naming the first missing or bad file:

    >>> import sim
    >>> sim.load("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.SimError: no/such/folder: no such results folder (run `omnisim run ...
    """
    from .plots.data import load_results

    data = load_results(folder)
    return Study(data, _read_breakdown(Path(folder) / "breakdown.csv"), Path(folder))
