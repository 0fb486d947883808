"""Sensitivity of a design comparison to the scenario's assumptions (``omnisim sensitivity``).

The ``[uncertain]`` table of a scenario (:mod:`sim.scenario.uncertain`) gives each
assumption a distribution. This module draws parameter sets from them, runs two designs
A and B at every set on common random numbers (the same seed at every set, so the sets
differ only by their parameters), and describes, for each headline outcome, how the
paired difference B − A varies over the assumptions:

- its mean and 5%–95% range, and the probability that B is better than A;
- with ``method="sobol"``, each assumption's first-order and total Sobol index with
  bootstrap intervals: Saltelli's scheme on a scrambled Sobol sequence (N·(d + 2) sets for
  d assumptions), the Saltelli (2010) first-order and Jansen (1999) total estimators of
  :func:`scipy.stats.sobol_indices`;
- with ``method="lhs"``, standardized regression coefficients on a Latin hypercube of N
  sets, with bootstrap intervals and the regression's R².
"""

from __future__ import annotations

import contextlib
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

from ..engine import compile_world
from ..errors import ScenarioError, SimError
from ..metrics.outcomes import CATALOGUE, HEADLINE, OUTCOMES
from ..scenario import parse_scenario, resolve_designs
from ..scenario.uncertain import Uncertain, apply_sample
from .progress import progress_bar
from .runner import Unit, UnitOutput, UnitStore, _dask, _local

__all__ = [
    "DEFAULT_SAMPLES",
    "LEVEL",
    "METHODS",
    "RESAMPLES",
    "Draws",
    "analyse",
    "analyse_outcome",
    "check_samples",
    "draw",
    "headline",
    "lhs_indices",
    "minimum_samples",
    "print_sensitivity",
    "report",
    "run_sensitivity",
    "run_sets",
    "samples_csv",
    "set_outcomes",
    "set_units",
    "sobol_analysis",
    "sobol_estimates",
    "tidy_csv",
    "write_sensitivity",
]

#: The sampling and estimation methods.
METHODS = ("sobol", "lhs")
#: The default number of base samples N.
DEFAULT_SAMPLES = 32
#: Bootstrap resamples of the indices' intervals.
RESAMPLES = 1000
#: Level of the indices' bootstrap intervals.
LEVEL = 0.95


def minimum_samples(method: str, d: int) -> int:
    """The smallest N *method* accepts for *d* assumptions.

    Sobol: 16 (a power of two; fewer leaves the bootstrap nothing to resample). LHS:
    2·(d + 1), twice the coefficients of the regression, so that it keeps residual
    degrees of freedom.
    """
    return 16 if method == "sobol" else 2 * (d + 1)


def check_samples(method: str, n: int, d: int) -> None:
    """Raise :class:`ScenarioError` naming ``--samples`` if *n* is too small for *method*."""
    least = minimum_samples(method, d)
    if n < least:
        raise ScenarioError("--samples", f"{n} is too small for {method} with {d} "
                            f"assumptions (allowed: at least {least})")
    if method == "sobol" and n & (n - 1):
        raise ScenarioError("--samples", f"{n} is not a power of two (allowed for sobol: "
                            f"16, 32, 64, 128, ...)")


@attrs.frozen
class Draws:
    """The parameter sets: *values* (sets × assumptions), the *block* of each set
    (``A``, ``B``, ``AB.i`` for Sobol; ``LHS``), and *n* base samples."""

    method: str
    n: int
    values: np.ndarray
    blocks: tuple[str, ...]

    @property
    def base(self) -> np.ndarray:
        """Indices of the independent draws: the A and B sets (Sobol) or all (LHS)."""
        return np.arange(2 * self.n if self.method == "sobol" else self.n)


def draw(entries: Sequence[Uncertain], method: str, n: int, seed: int) -> Draws:
    """Draw the parameter sets of *method* with *n* base samples, seeded by *seed*.

    Sobol: a scrambled Sobol sequence in 2d dimensions gives the matrices A and B; set
    ``AB.i`` is A with column i taken from B. LHS: a Latin hypercube of *n* sets. Each
    column goes through its assumption's quantile function (ppf).
    """
    from scipy.stats import qmc  # imported here: scipy.stats takes most of a second

    d = len(entries)
    if method == "sobol":
        u = qmc.Sobol(2 * d, scramble=True, seed=seed).random_base2(int(math.log2(n)))
        a, b = u[:, :d], u[:, d:]
        mixed = []
        for i in range(d):
            ab = a.copy()
            ab[:, i] = b[:, i]
            mixed.append(ab)
        u = np.vstack([a, b, *mixed])
        blocks = ("A",) * n + ("B",) * n + tuple(f"AB.{i}" for i in range(d) for _ in range(n))
    else:
        u = qmc.LatinHypercube(d, seed=seed).random(n)
        blocks = ("LHS",) * n
    values = np.column_stack([e.ppf(u[:, j]) for j, e in enumerate(entries)])
    return Draws(method, n, values, blocks)


def set_units(data: dict[str, Any], entries: Sequence[Uncertain], draws: Draws,
              designs: Sequence[str], replications: int, seed: int) -> list[Unit]:
    """The units to run: every set × design × replication, all with the same *seed*."""
    units: list[Unit] = []
    for x in draws.values:
        scenario = parse_scenario(apply_sample(data, entries, list(x)))
        world = compile_world(scenario)
        for design in resolve_designs(scenario, designs):
            units.extend((world, design, seed, r, False, False) for r in range(replications))
    return units


def run_sets(units: Sequence[Unit], jobs: int = 1, store: UnitStore | None = None,
             executor: str = "local", scheduler: str | None = None,
             progress: bool | None = None, label: str = "sensitivity") -> list[dict[str, float]]:
    """Each unit's outcomes, in order: serially, on *jobs* processes or on Dask.

    Finished units are saved in *store* and loaded from it when present (``--resume``).
    """
    outputs: list[UnitOutput | None] = [store.load(u) if store else None for u in units]
    todo = [i for i, out in enumerate(outputs) if out is None]
    show = sys.stderr.isatty() if progress is None else progress
    with progress_bar(show, label, len(units), len(units) - len(todo)) as bar:
        pending = [units[i] for i in todo]
        stream = _dask(pending, scheduler) if executor == "dask" else _local(pending, jobs)
        with contextlib.closing(stream):  # an interrupt here stops the workers at once
            for k, output in stream:
                outputs[todo[k]] = output
                if store is not None:
                    store.save(units[todo[k]], output)
                bar.advance()
    return [out[0] for out in outputs if out is not None]


def set_outcomes(outputs: Sequence[dict[str, float]], sets: int, designs: int,
                 replications: int) -> dict[str, np.ndarray]:
    """Per outcome, an array sets × designs of the mean over replications (NaN if none)."""
    out: dict[str, np.ndarray] = {}
    for name in OUTCOMES:
        raw = np.array([o.get(name, math.nan) for o in outputs], dtype=float)
        cube = raw.reshape(sets, designs, replications)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN sets stay NaN
            out[name] = np.nanmean(cube, axis=2)
    return out


def sobol_estimates(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """First-order (Saltelli et al. 2010) and total (Jansen 1999) Sobol indices, shape
    (2, d), from the outputs at A and B (*n* each) and at each AB.i (d × n).

    These are the estimators :func:`scipy.stats.sobol_indices` uses by default; computed
    here so that their bootstrap can be seeded.
    """
    var = np.var(np.concatenate([f_a, f_b]))
    first = np.mean(f_b * (f_ab - f_a), axis=-1) / var
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var
    return np.stack([first, total])


def sobol_analysis(y: np.ndarray, n: int, d: int, seed: int) -> list[dict[str, float]] | None:
    """First-order and total Sobol indices of the outputs *y* of Saltelli's sets, with
    BCa bootstrap intervals (resampling the *n* rows); None if *y* is not finite or does
    not vary.

    *y* holds the outputs of the sets in :func:`draw`'s order: A, B, then AB.0 … AB.(d−1),
    *n* each.
    """
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)) or np.ptp(y[: 2 * n]) == 0:
        return None
    f_a, f_b, f_ab = y[:n], y[n:2 * n], y[2 * n:].reshape(d, n)
    point = sobol_estimates(f_a, f_b, f_ab)

    def statistic(rows: np.ndarray) -> np.ndarray:
        return sobol_estimates(f_a[rows], f_b[rows], f_ab[:, rows])

    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample with no variance
        boot = stats.bootstrap([np.arange(n)], statistic, vectorized=False, method="BCa",
                               n_resamples=RESAMPLES, confidence_level=LEVEL,
                               random_state=np.random.default_rng(seed))
    low, high = boot.confidence_interval.low, boot.confidence_interval.high
    # BCa gives NaN where every resample is the same (an assumption with no effect at
    # all); the percentile interval of the resamples is then that value
    tail = (1 - LEVEL) / 2 * 100
    fallback = np.nanpercentile(boot.bootstrap_distribution, [tail, 100 - tail], axis=-1)
    low = np.where(np.isnan(low), fallback[0], low)
    high = np.where(np.isnan(high), fallback[1], high)
    return [{"first": float(point[0, i]), "first_low": float(low[0, i]),
             "first_high": float(high[0, i]), "total": float(point[1, i]),
             "total_low": float(low[1, i]), "total_high": float(high[1, i])}
            for i in range(d)]


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardized regression coefficients of *y* on the columns of *x*, and R²."""
    sx, sy = x.std(axis=0), y.std()
    zx = (x - x.mean(axis=0)) / np.where(sx > 0, sx, 1.0)
    zy = (y - y.mean()) / sy
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(zy)), zx]), zy, rcond=None)
    fitted = coef[0] + zx @ coef[1:]
    r2 = 1.0 - float(np.sum((zy - fitted) ** 2) / np.sum(zy**2))
    return coef[1:], r2


def lhs_indices(x: np.ndarray, y: np.ndarray, seed: int
                ) -> tuple[list[dict[str, float]], float] | None:
    """Standardized regression coefficients of *y* on *x* with bootstrap intervals, and
    the regression's R²; None if *y* is not finite or does not vary.

    A coefficient is the change of *y*, in its standard deviations, per standard
    deviation of the assumption, the others held fixed; they describe the difference
    well when R² is close to 1 (a nearly linear response).
    """
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        return None
    coef, r2 = _src(x, y)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(RESAMPLES):
        pick = rng.integers(0, len(y), len(y))
        if np.ptp(y[pick]) > 0:
            boot.append(_src(x[pick], y[pick])[0])
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(np.array(boot), [tail, 100 - tail], axis=0)
    return [{"src": float(coef[i]), "src_low": float(low[i]), "src_high": float(high[i])}
            for i in range(x.shape[1])], r2


def _spread(diff: np.ndarray, better: str | None) -> dict[str, Any]:
    """Mean, 5%–95% range and P(B better) of the differences over the base draws."""
    finite = diff[np.isfinite(diff)]
    if finite.size == 0:
        return {"mean": None, "p5": None, "p95": None, "p_better": None, "n": 0}
    p5, p95 = np.percentile(finite, [5, 95])
    wins = {"lower": finite < 0, "higher": finite > 0}.get(better or "")
    return {"mean": float(finite.mean()), "p5": float(p5), "p95": float(p95),
            "p_better": None if wins is None else float(wins.mean()), "n": int(finite.size)}


def analyse_outcome(name: str, y: np.ndarray, draws: Draws, entries: Sequence[Uncertain],
                    seed: int) -> dict[str, Any]:
    """Everything reported for outcome *name*, from *y* (sets × 2: designs A and B)."""
    diff = y[:, 1] - y[:, 0]
    outcome = CATALOGUE[name]
    base = draws.base
    out: dict[str, Any] = {"unit": outcome.unit, "better": outcome.better,
                           **_spread(diff[base], outcome.better), "indices": None,
                           "strongest": None}
    paths = [e.path for e in entries]
    if draws.method == "sobol":
        found = sobol_analysis(diff, draws.n, len(entries), seed)
        key = "total"
    else:
        fit = lhs_indices(draws.values, diff, seed)
        found, key = (fit[0] if fit else None), "src"
        out["r2"] = fit[1] if fit else None
    if found is not None:
        out["indices"] = dict(zip(paths, found, strict=True))
        out["strongest"] = max(paths, key=lambda p: abs(out["indices"][p][key]))
    elif out["n"]:
        why = "does not vary" if np.all(np.isfinite(diff)) else "is missing in some sets"
        out["note"] = f"the difference {why}: no indices"
    return out


def analyse(y: dict[str, np.ndarray], draws: Draws, entries: Sequence[Uncertain], seed: int,
            outcomes: Sequence[str] = HEADLINE) -> dict[str, dict[str, Any]]:
    """:func:`analyse_outcome` for each of *outcomes*."""
    return {name: analyse_outcome(name, y[name], draws, entries, seed) for name in outcomes}


def report(info: dict[str, Any], draws: Draws, entries: Sequence[Uncertain],
           designs: Sequence[str], replications: int, seed: int,
           outcomes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What sensitivity.json holds."""
    return {
        "scenario": info,
        "method": draws.method,
        "samples": draws.n,
        "sets": len(draws.blocks),
        "replications": replications,
        "seed": seed,
        "designs": {"a": designs[0], "b": designs[1]},
        "difference": f"{designs[1]} − {designs[0]}",
        "interval_level": LEVEL,
        "bootstrap_resamples": RESAMPLES,
        "assumptions": [e.to_dict() for e in entries],
        "outcomes": outcomes,
    }


def tidy_csv(y: dict[str, np.ndarray], designs: Sequence[str]) -> str:
    """sensitivity.csv: one row per (sample, design, outcome) with the value."""
    lines = ["sample,design,outcome,value"]
    sets = len(next(iter(y.values())))
    for i in range(sets):
        for k, design in enumerate(designs):
            for name in OUTCOMES:
                value = float(y[name][i, k])  # a float: repr of np.float64 is not a number
                lines.append(f"{i},{design},{name},{'' if math.isnan(value) else repr(value)}")
    return "\n".join(lines) + "\n"


def samples_csv(draws: Draws, entries: Sequence[Uncertain]) -> str:
    """samples.csv: one row per parameter set: its block and each assumption's value."""
    head = ["sample", "block", *(f"{e.path} ({e.unit or 'value'})" for e in entries)]
    lines = [",".join(f'"{h}"' if "," in h else h for h in head)]
    for i, (block, x) in enumerate(zip(draws.blocks, draws.values, strict=True)):
        lines.append(",".join([str(i), block, *(repr(float(v)) for v in x)]))
    return "\n".join(lines) + "\n"


def run_sensitivity(data: dict[str, Any], entries: Sequence[Uncertain],
                    designs: Sequence[str], method: str, n: int, replications: int,
                    seed: int, run: Callable[[list[Unit]], list[dict[str, float]]]
                    ) -> tuple[Draws, dict[str, np.ndarray], dict[str, dict[str, Any]]]:
    """Draw, run (through *run*, e.g. a partial :func:`run_sets`) and analyse.

    Returns the draws, each outcome's values (sets × designs) and the analysis of the
    headline outcomes. Raises :class:`ScenarioError` if *n* is too small for *method*.
    """
    if method not in METHODS:
        raise SimError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    check_samples(method, n, len(entries))
    draws = draw(entries, method, n, seed)
    units = set_units(data, entries, draws, designs, replications, seed)
    y = set_outcomes(run(units), len(draws.blocks), len(designs), replications)
    return draws, y, analyse(y, draws, entries, seed)


def write_sensitivity(out_dir: Any, data: dict[str, Any], draws: Draws,
                      entries: Sequence[Uncertain], y: dict[str, np.ndarray],
                      designs: Sequence[str], manifest: dict[str, Any]) -> None:
    """Write sensitivity.json (*data*), sensitivity.csv, samples.csv and manifest.json."""
    import json

    from .results import atomic_write, json_safe, write_manifest

    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(out_dir / "sensitivity.json",
                 json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n")
    atomic_write(out_dir / "sensitivity.csv", tidy_csv(y, designs))
    atomic_write(out_dir / "samples.csv", samples_csv(draws, entries))
    write_manifest(out_dir, manifest)


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) >= 1e-3 else f"{value:.1e}"


def _index_text(entry: dict[str, Any], method: str) -> str:
    """``total 0.62 [0.51, 0.73]`` or ``SRC -0.8 [-0.9, -0.7]`` for one assumption."""
    key, label = ("total", "total") if method == "sobol" else ("src", "SRC")
    return (f"{label} {entry[key]:.2f} [{entry[key + '_low']:.2f}, "
            f"{entry[key + '_high']:.2f}]")


def headline(data: dict[str, Any], outcome: str) -> str:
    """One sentence: ``B lowers X by a to b over the assumptions, P(better) = p; it hinges
    mostly on Y (total index ...)``."""
    o = data["outcomes"][outcome]
    b = data["designs"]["b"]
    if o["mean"] is None:
        return f"{outcome}: no value in these runs"
    verb = "lowers" if o["mean"] < 0 else "raises"
    low, high = sorted((abs(o["p5"]), abs(o["p95"])))
    if o["p5"] < 0 < o["p95"]:
        text = f"{b} changes {outcome} by {_num(o['p5'])} to {_num(o['p95'])}"
    else:
        text = f"{b} {verb} {outcome} by {_num(low)} to {_num(high)}"
    text += " (5%–95% over the assumptions)"
    if o["p_better"] is not None:
        text += f", P(better) = {o['p_better']:.2f}"
    if o["strongest"]:
        entry = o["indices"][o["strongest"]]
        text += f"; it hinges mostly on {o['strongest']} ({_index_text(entry, data['method'])})"
    return text


def print_sensitivity(data: dict[str, Any], console: Any) -> None:
    """Print the assumptions, then per headline outcome the difference B − A over them and
    the assumption it hinges on most (by number)."""
    from rich import box
    from rich.table import Table

    a, b, method = data["designs"]["a"], data["designs"]["b"], data["method"]
    paths = [e["path"] for e in data["assumptions"]]
    legend = Table(box=box.SIMPLE_HEAD, title=f"{data['scenario']['name']}: the assumptions",
                   pad_edge=False)
    legend.add_column("#", justify="right")
    legend.add_column("assumption", no_wrap=True)
    legend.add_column("range")
    for i, e in enumerate(data["assumptions"], 1):
        legend.add_row(str(i), e["path"], e["describe"])
    console.print(legend)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                  title=f"{b} − {a} over the assumptions ({method}, N = {data['samples']}, "
                  f"{data['sets']} sets)")
    table.add_column("outcome", no_wrap=True)
    for column in ("mean", "5%", "95%", "P(better)"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("hinges on", no_wrap=True)
    key = "total" if method == "sobol" else "src"
    for name, o in data["outcomes"].items():
        p = "–" if o["p_better"] is None else f"{o['p_better']:.2f}"
        hinge = "–"
        if o["strongest"]:
            hinge = f"#{paths.index(o['strongest']) + 1} {o['indices'][o['strongest']][key]:.2f}"
        elif o["mean"] is not None:
            hinge = "no variation" if "vary" in o.get("note", "") else "sets missing"
        table.add_row(name, _num(o["mean"]), _num(o["p5"]), _num(o["p95"]), p, hinge)
    console.print(table)
    index = ("total Sobol index" if method == "sobol"
             else "standardized regression coefficient in absolute value")
    console.print(f"{b} − {a} paired at each parameter set (times in minutes); 5%, 95%: "
                  f"quantiles over the sets; P(better): share of the sets where {b} is "
                  f"better; hinges on: the assumption (#) with the largest {index}, "
                  f"intervals in sensitivity.json", markup=False)
    console.print(headline(data, next(iter(data["outcomes"]))), markup=False)
