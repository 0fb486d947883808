"""Reading a results folder for the figures, and the small statistics they share.

A results folder is what ``omnisim run --out DIR`` writes (see sim/experiment/results.py).
Tables are read into columns (``dict`` of numpy arrays), so a figure function accepts the
same columns from :func:`read_table` or a ``pandas.DataFrame`` read from the same file.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np

from ..errors import SimError
from ..metrics.stats import t_quantile

__all__ = [
    "TABLES",
    "Columns",
    "ResultsData",
    "designs_of",
    "interval",
    "load_results",
    "read_table",
    "select",
]


class Columns(Protocol):
    """Column access by name: a ``dict`` of arrays, or a ``pandas.DataFrame``."""

    def __getitem__(self, key: str, /) -> Any: ...


#: The tables of a results folder the figures read, with their columns (numeric ones
#: are parsed as floats, an empty cell is NaN).
TABLES: dict[str, dict[str, type]] = {
    "replications.csv": {"design": str, "replication": int, "outcome": str, "value": float},
    "series.csv": {"design": str, "replication": int, "pool": str, "slot_start_min": float,
                   "busy_agents": float, "waiting": float},
    "journeys.csv": {"design": str, "replication": int, "source": str, "target": str,
                     "count": float},
    "ttr_quantiles.csv": {"design": str, "replication": int, "quantile": float,
                          "minutes": float},
}

_SUMMARY_KEYS = ("scenario", "units", "designs", "differences")


@attrs.frozen
class ResultsData:
    """Everything the figures read from one results folder."""

    folder: Path
    summary: dict[str, Any]
    replications: dict[str, np.ndarray]
    series: dict[str, np.ndarray]
    journeys: dict[str, np.ndarray]
    ttr_quantiles: dict[str, np.ndarray]

    @property
    def designs(self) -> list[str]:
        """The designs in the order of the run (the first is the baseline)."""
        return list(self.summary["designs"])

    @property
    def pools(self) -> dict[str, int]:
        """Agents per pool, as the scenario staffs them (a scheduled pool: its peak)."""
        return dict(self.summary["scenario"]["pools"])

    def scenario(self) -> Any | None:
        """The scenario the run simulated, parsed from the text manifest.json keeps
        (``None`` when the folder has no readable manifest or scenario)."""
        try:
            manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
            import tomllib

            from ..scenario import parse_scenario

            return parse_scenario(tomllib.loads(manifest["scenario_text"]))
        except (OSError, ValueError, KeyError, TypeError, SimError):
            return None

    def schedules(self) -> dict[str, list[tuple[float, int]]]:
        """Per pool, its daily steps (time of day in minutes, agents on shift from then);
        a flat pool is one step at 0. From the scenario, else the headcounts."""
        scenario = self.scenario()
        if scenario is None:
            return {name: [(0.0, agents)] for name, agents in self.pools.items()}
        return {p.name: [(0.0, p.agents)] if p.agents is not None
                else sorted((float(s.at), s.agents) for s in p.schedule or ())
                for p in scenario.pools}

    def events(self) -> list[tuple[str, float]]:
        """The scenario's ``[[events]]``: name and time on the simulated clock (minutes)."""
        scenario = self.scenario()
        if scenario is None:
            return []
        warmup = float(scenario.scenario.warmup)
        return [(e.name, warmup + float(e.at)) for e in getattr(scenario, "events", [])]


def _cell(text: str, kind: type, where: str) -> Any:
    if kind is str:
        return text
    if text == "" and kind is float:
        return math.nan
    try:
        return kind(text)
    except ValueError:
        raise SimError(f"{where}: {text!r} is not a number") from None


def read_table(path: Path) -> dict[str, np.ndarray]:
    """Read one of :data:`TABLES` into columns; :class:`SimError` if missing or incomplete."""
    columns = TABLES[path.name]
    if not path.is_file():
        raise SimError(f"{path}: missing (run `omnisim run SCENARIO --out {path.parent}` first)")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise SimError(f"{path}: empty file (expected columns {', '.join(columns)})")
        missing = [c for c in columns if c not in header]
        if missing:
            raise SimError(f"{path}: missing column {', '.join(repr(c) for c in missing)}")
        index = [header.index(c) for c in columns]
        rows: list[list[Any]] = []
        for n, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise SimError(f"{path}:{n}: {len(row)} cells, expected {len(header)} "
                               "(incomplete file?)")
            rows.append([_cell(row[i], kind, f"{path}:{n}")
                         for i, kind in zip(index, columns.values(), strict=True)])
    if not rows:
        raise SimError(f"{path}: no rows (incomplete results)")
    out: dict[str, np.ndarray] = {}
    for j, (name, kind) in enumerate(columns.items()):
        values = [r[j] for r in rows]
        out[name] = np.asarray(values, dtype=object if kind is str else kind)
    return out


def _read_summary(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SimError(f"{path}: missing (run `omnisim run SCENARIO --out {path.parent}` first)")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SimError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(summary, dict):
        raise SimError(f"{path}: expected a JSON object")
    for key in _SUMMARY_KEYS:
        if key not in summary:
            raise SimError(f"{path}: no {key!r} (incomplete results)")
    if not summary["designs"]:
        raise SimError(f"{path}: no designs (incomplete results)")
    if "pools" not in summary["scenario"]:
        raise SimError(f"{path}: no 'scenario.pools' (written by an older omnisim? run again)")
    return summary


def load_results(results_dir: Path | str) -> ResultsData:
    """Read a results folder; :class:`SimError` naming the first missing or bad file."""
    folder = Path(results_dir)
    if not folder.is_dir():
        raise SimError(f"{folder}: no such results folder (run `omnisim run SCENARIO "
                       f"--out {folder}` first)")
    summary = _read_summary(folder / "summary.json")
    tables = {name: read_table(folder / name) for name in TABLES}
    data = ResultsData(
        folder=folder,
        summary=summary,
        replications=tables["replications.csv"],
        series=tables["series.csv"],
        journeys=tables["journeys.csv"],
        ttr_quantiles=tables["ttr_quantiles.csv"],
    )
    designs = set(data.designs)
    for name, table in tables.items():
        unknown = sorted(set(table["design"]) - designs)
        if unknown:
            raise SimError(f"{folder / name}: design {unknown[0]!r} is not in summary.json "
                           "(files from different runs?)")
    return data


def interval(values: np.ndarray, axis: int = 0, confidence: float = 0.95) -> tuple[
    np.ndarray, np.ndarray, np.ndarray
]:
    """Mean and Student-t *confidence* interval along *axis*, NaN values left out.

    Where fewer than two values count, the interval collapses to the mean.
    """
    x = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, quietly
        mean = np.nanmean(x, axis=axis)
        sd = np.nanstd(x, axis=axis, ddof=1)
    t = t_quantile(confidence, np.maximum(n - 1, 1))
    half = np.where(n >= 2, t * np.nan_to_num(sd) / np.sqrt(np.maximum(n, 1)), 0.0)
    return mean, mean - half, mean + half


def select(table: Columns, **equal: Any) -> np.ndarray:
    """Boolean mask of the rows of *table* whose columns equal the given values."""
    mask: np.ndarray | None = None
    for column, value in equal.items():
        m = np.asarray(table[column]) == value
        mask = m if mask is None else mask & m
    assert mask is not None
    return mask


def designs_of(table: Columns, designs: Sequence[str] | None) -> list[str]:
    """*designs*, or the designs of *table* in the order they first appear."""
    if designs is not None:
        return list(designs)
    seen: dict[str, None] = {}
    for d in np.asarray(table["design"]):
        seen.setdefault(str(d), None)
    return list(seen)
