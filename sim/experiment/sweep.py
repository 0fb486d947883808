"""Parameter sweeps: a grid of scenario field values × designs × replications.

A varied parameter is named by the scenario's own field path; an element of an array of
tables (``[[pools]]``, ``[[segments]]``...) is picked by its ``name`` or its index:
``pools.voice.agents``, ``segments.mobile.interruptions.rate``, ``pools[0].agents``.
Values are a list ``0,0.1,0.2`` or an inclusive range ``20:60:5``; a bare number given
for a field written with a unit (``"0.08/min"``, ``"6min"``) takes that unit.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import ScenarioError
from ..scenario import parse_scenario

__all__ = ["Vary", "apply_value", "grid", "parse_vary"]

_INDEX = re.compile(r"^(\w+)\[(\d+)\]$")
_UNIT = re.compile(r"^\s*-?[0-9.eE+-]+\s*(/?\s*[a-z]+)\s*$")


@attrs.frozen
class Vary:
    """One varied parameter: its field *path* and the *values* it takes."""

    path: str
    values: tuple[Any, ...]


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_vary(text: str) -> Vary:
    """Parse ``PATH=VALUES`` (``a,b,c`` or ``start:stop:step``, inclusive).

    Raises :class:`ScenarioError` naming ``--vary`` if the text is malformed.
    """
    if "=" not in text:
        raise ScenarioError("--vary", f"must be PATH=VALUES, like pools.voice.agents=10:20:2 "
                            f"(got {text!r})")
    path, raw = (part.strip() for part in text.split("=", 1))
    if not path or not raw:
        raise ScenarioError("--vary", f"must be PATH=VALUES (got {text!r})")
    try:
        if ":" in raw:
            parts = [_number(p) for p in raw.split(":")]
            if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
                raise ValueError
            start, stop, step = parts
            count = round((stop - start) / step) + 1
            values: list[Any] = [start + i * step for i in range(count)
                                 if start + i * step <= stop + 1e-9 * abs(step)]
            if all(isinstance(p, int) for p in parts):
                values = [int(v) for v in values]
        else:
            values = [_number(v) if re.fullmatch(r"[-+0-9.eE]+", v.strip()) else v.strip()
                      for v in raw.split(",")]
    except ValueError:
        raise ScenarioError(f"--vary {path}", f"values must be a,b,c or start:stop:step with "
                            f"step > 0 (got {raw!r})") from None
    return Vary(path, tuple(values))


def _step(node: Any, part: str, path: str) -> tuple[Any, Any]:
    """The container and key that *part* of *path* addresses in *node*."""
    match = _INDEX.match(part)
    if match:
        name, index = match.group(1), int(match.group(2))
        items = node.get(name) if isinstance(node, dict) else None
        if not isinstance(items, list) or index >= len(items):
            raise ScenarioError(f"--vary {path}", f"no {part} in the scenario")
        return items, index
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("name") == part:
                return node, i
        names = [str(item.get("name")) for item in node if isinstance(item, dict)]
        raise ScenarioError(f"--vary {path}",
                            f"no element named {part!r} (names: {', '.join(names)})")
    if not isinstance(node, dict):
        raise ScenarioError(f"--vary {path}", f"{part!r} is inside a value, not a table")
    return node, part


def apply_value(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the scenario *data* with the field at *path* set to *value*.

    Raises :class:`ScenarioError` naming the path if it does not lead to a field.
    """
    out = copy.deepcopy(data)
    parts = path.split(".")
    node: Any = out
    for part in parts[:-1]:
        container, key = _step(node, part, path)
        if isinstance(container, dict) and key not in container:
            container[key] = {}
        node = container[key]
    container, key = _step(node, parts[-1], path)
    old = container[key] if isinstance(container, list) or key in container else None
    if isinstance(value, int | float) and isinstance(old, str):
        unit = _UNIT.match(old)
        if unit:
            value = f"{value:g}{unit.group(1).replace(' ', '')}"
    container[key] = value
    return out


def grid(data: dict[str, Any], varies: Sequence[Vary]) -> list[tuple[dict[str, Any], Any]]:
    """Every point of the grid: (the parameter values, the validated scenario).

    Raises :class:`ScenarioError` naming the ``--vary`` path and value of the first point
    that is not a valid scenario.
    """
    points = []
    for combo in itertools.product(*(v.values for v in varies)):
        current = data
        for vary, value in zip(varies, combo, strict=True):
            current = apply_value(current, vary.path, value)
        try:
            scenario = parse_scenario(current)
        except ScenarioError as e:
            where = ", ".join(f"{v.path}={c}" for v, c in zip(varies, combo, strict=True))
            raise ScenarioError(f"--vary {where}", f"{e.path}: {e.message}") from None
        points.append(({v.path: c for v, c in zip(varies, combo, strict=True)}, scenario))
    return points


def run_sweep(
    points: Sequence[tuple[dict[str, Any], Any]],
    design_names: Sequence[str] | None,
    replications: int,
    seed: int,
    jobs: int = 1,
    progress: bool | None = None,
    label: str = "sweep",
) -> list[dict[str, Any]]:
    """Run every point × design × replication; tidy rows, one per outcome value.

    Every point sees the same seed, so points differ only by their parameters (common
    random numbers across the grid, too). One progress bar on standard error counts the
    runs of the whole grid (*progress*: default only when it is a terminal).
    """
    import sys

    from ..engine import compile_world
    from ..scenario import resolve_designs
    from .progress import progress_bar
    from .runner import run_experiment

    rows: list[dict[str, Any]] = []
    per_point = [resolve_designs(scenario, design_names) for _, scenario in points]
    show = sys.stderr.isatty() if progress is None else progress
    with progress_bar(show, label, sum(len(d) for d in per_point) * replications) as bar:
        for (params, scenario), designs in zip(points, per_point, strict=True):
            results = run_experiment(compile_world(scenario), designs, replications, seed,
                                     jobs=jobs, progress=False)
            bar.advance(len(designs) * replications)
            for design, reps in results.items():
                for r, outcomes in enumerate(reps):
                    for outcome, value in outcomes.items():
                        rows.append({**params, "design": design, "replication": r,
                                     "outcome": outcome, "value": value})
    return rows


def write_sweep(folder: Path, rows: Sequence[dict[str, Any]],
                summary: Sequence[dict[str, Any]], params: Sequence[str],
                manifest: dict[str, Any]) -> None:
    """Write sweep.csv (every value), sweep_summary.csv (mean and interval per point,
    design and outcome) and manifest.json (what ran, as ``omnisim run`` writes it)."""
    import csv

    from .results import write_manifest

    for name, table, columns in (
        ("sweep.csv", rows, [*params, "design", "replication", "outcome", "value"]),
        ("sweep_summary.csv", summary, [*params, "design", "outcome", "mean", "ci_low",
                                        "ci_high"]),
    ):
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
    write_manifest(folder, manifest)


def summarize_sweep(rows: Sequence[dict[str, Any]], params: Sequence[str]) -> list[dict[str, Any]]:
    """Mean and 95% interval per (parameters, design, outcome)."""
    from ..metrics.stats import estimate

    groups: dict[tuple[Any, ...], list[float]] = {}
    for row in rows:
        key = (*(row[p] for p in params), row["design"], row["outcome"])
        groups.setdefault(key, []).append(row["value"])
    out = []
    for key, values in groups.items():
        est = estimate(values)
        out.append({**dict(zip(params, key[:-2], strict=True)), "design": key[-2],
                    "outcome": key[-1], "mean": est["mean"], "ci_low": est["ci_low"],
                    "ci_high": est["ci_high"]})
    return out
