"""Results files: summary.json, replications.csv, breakdown.csv and manifest.json (the
results contract of the README).

Files are written to a temporary name and renamed into place, so an interrupted run never
leaves a half-written file over an earlier complete one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..metrics.outcomes import unit_of
from ..metrics.recorder import BREAKDOWN_DIMENSIONS, OUTCOMES, UNITS
from ..metrics.stats import estimate, paired_difference
from .ablation import Ablation
from .runner import Results
from .staffing import Staffing, staffing_csv

__all__ = [
    "atomic_write",
    "breakdown_csv",
    "build_breakdown",
    "build_summary",
    "design_changes",
    "file_hash",
    "headcounts",
    "json_safe",
    "manifest_base",
    "outcome_unit",
    "replications_csv",
    "scenario_info",
    "write_ablation",
    "write_manifest",
    "write_results",
    "write_staffing",
]

_PACKAGES = ("omnisim", "simpy", "numpy", "scipy", "attrs", "cattrs", "networkx", "rich")


def _outcome_names(results: Results) -> list[str]:
    first = next(iter(results.values()))[0]
    return [*OUTCOMES, *sorted(k for k in first if k not in UNITS and not k.startswith(BY))]


#: The prefix of a breakdown value's name: ``by.DIMENSION.KEY.OUTCOME``.
BY = "by."


def split_breakdown_name(name: str) -> tuple[str, str, str]:
    """``by.DIMENSION.KEY.OUTCOME`` as (dimension, key, outcome); keys may hold dots."""
    dimension, rest = name[len(BY):].split(".", 1)
    key, outcome = rest.rsplit(".", 1)
    return dimension, key, outcome


def _breakdown_names(results: Results) -> list[str]:
    """Every breakdown value any replication has, by dimension, key and outcome order."""
    names = {k for reps in results.values() for out in reps for k in out if k.startswith(BY)}
    order = {name: i for i, name in enumerate(OUTCOMES)}
    dims = {d: i for i, d in enumerate(BREAKDOWN_DIMENSIONS)}

    def rank(name: str) -> tuple[int, str, int]:
        dim, key, outcome = split_breakdown_name(name)
        return dims.get(dim, len(dims)), key, order.get(outcome, len(order))

    return sorted(names, key=rank)


def build_breakdown(results: Results) -> dict[str, Any]:
    """Per design, dimension, key and outcome: the mean and 95% interval over replications.

    A replication in which a key saw nothing (no issue of that segment, say) counts as
    nothing to measure for it.
    """
    names = _breakdown_names(results)
    out: dict[str, Any] = {}
    for design, reps in results.items():
        tree: dict[str, Any] = {}
        for name in names:
            dim, key, outcome = split_breakdown_name(name)
            est = estimate([r.get(name, math.nan) for r in reps])
            tree.setdefault(dim, {}).setdefault(key, {})[outcome] = {
                k: v for k, v in est.items() if k != "n"}
        out[design] = tree
    return out


def breakdown_csv(results: Results) -> str:
    """breakdown.csv as text: ``design,replication,dimension,key,outcome,value``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["design", "replication", "dimension", "key", "outcome", "value"])
    names = _breakdown_names(results)
    for design, reps in results.items():
        for r, out in enumerate(reps):
            for name in names:
                value = out.get(name, math.nan)
                if not math.isnan(value):
                    writer.writerow([design, r, *split_breakdown_name(name), repr(value)])
    return buffer.getvalue()


def build_summary(results: Results, scenario_info: dict[str, Any]) -> dict[str, Any]:
    """The summary: per design and outcome, mean and 95% interval; paired differences.

    The first design is the baseline of the differences.
    """
    names = _outcome_names(results)
    designs: dict[str, Any] = {}
    for design, reps in results.items():
        designs[design] = {
            "outcomes": {
                o: {k: v for k, v in estimate([r[o] for r in reps]).items() if k != "n"}
                for o in names
            }
        }
    baseline_name, *others = list(results)
    baseline = results[baseline_name]
    differences: dict[str, Any] = {}
    for design in others:
        reps = results[design]
        differences[design] = {
            "baseline": baseline_name,
            "outcomes": {
                o: {
                    k: v
                    for k, v in paired_difference(
                        [r[o] for r in reps], [r[o] for r in baseline]
                    ).items()
                    if k != "n"
                }
                for o in names
            },
        }
    return {
        "scenario": scenario_info,
        "units": {o: outcome_unit(o) for o in names},
        "designs": designs,
        "differences": differences,
        "breakdown": build_breakdown(results),
    }


def outcome_unit(outcome: str) -> str:
    """The unit of *outcome*, per-pool outcomes (``pool.NAME.mean_wait``) included."""
    return unit_of(outcome)


def json_safe(value: Any) -> Any:
    """*value* with every NaN float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def atomic_write(path: Path, text: str) -> None:
    """Write *text* to *path* through a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def replications_csv(results: Results) -> str:
    """replications.csv as text: one row per (design, replication, outcome, value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["design", "replication", "outcome", "value"])
    names = _outcome_names(results)
    for design, reps in results.items():
        for r, out in enumerate(reps):
            for o in names:
                value = out[o]
                writer.writerow([design, r, o, "" if math.isnan(value) else repr(value)])
    return buffer.getvalue()


def _details_csvs(details: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """series.csv, journeys.csv and ttr_quantiles.csv, tidy, from the runs' details."""
    tables = {
        "series.csv": ["design", "replication", "pool", "slot_start_min", "busy_agents",
                       "waiting"],
        "journeys.csv": ["design", "replication", "source", "target", "count"],
        "ttr_quantiles.csv": ["design", "replication", "quantile", "minutes"],
    }
    buffers = {name: io.StringIO() for name in tables}
    writers = {name: csv.writer(buffers[name], lineterminator="\n") for name in tables}
    for name, header in tables.items():
        writers[name].writerow(header)
    for design, reps in details.items():
        for r, d in enumerate(reps):
            for pool, start, busy, waiting in d["series"]:
                writers["series.csv"].writerow([design, r, pool, repr(start), repr(busy),
                                                repr(waiting)])
            for (source, target), count in sorted(d["flows"].items()):
                writers["journeys.csv"].writerow([design, r, source, target, count])
            for q, minutes in d["ttr_quantiles"]:
                writers["ttr_quantiles.csv"].writerow(
                    [design, r, repr(q), "" if math.isnan(minutes) else repr(minutes)]
                )
    return {name: b.getvalue() for name, b in buffers.items()}


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file at *path*."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scenario_info(path: str | Path, scenario: Any, seed: int,
                  replications: int) -> dict[str, Any]:
    """What identifies a scenario's run in results files: name, file and hash, seed..."""
    sec = scenario.scenario
    return {
        "name": sec.name,
        "file": Path(path).name,  # the name only: summary.json is the same from any folder
        "sha256": file_hash(path),
        "seed": seed,
        "replications": replications,
        "horizon_min": sec.horizon,
        "warmup_min": sec.warmup,
    }


def manifest_base(info: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """The manifest entries every command writes, from :func:`scenario_info`'s dict and
    the scenario file at *path* (its path as given, and its whole text)."""
    return {"scenario_file": str(path), "scenario_sha256": info["sha256"],
            "scenario_text": Path(path).read_text(encoding="utf-8-sig"),
            "seed": info["seed"], "replications": info["replications"]}


def headcounts(scenario: Any) -> dict[str, int]:
    """Each pool's headcount; a scheduled pool is shown with its peak."""
    return {p.name: p.agents if p.agents is not None
            else max(s.agents for s in p.schedule or ()) for p in scenario.pools}


def design_changes(designs: Sequence[Any]) -> dict[str, list[str]]:
    """For each design after the first, the capabilities that differ from the first."""
    from .ablation import differing

    return {d.name: differing(designs[0], d) for d in designs[1:]}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def write_results(
    out_dir: Path,
    summary: dict[str, Any],
    results: Results,
    manifest_extra: dict[str, Any],
    argv: Sequence[str] | None = None,
    details: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """Write summary.json, replications.csv, breakdown.csv and manifest.json into *out_dir*.

    With *details*, also series.csv, journeys.csv and ttr_quantiles.csv (for the figures).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(
        out_dir / "summary.json", json.dumps(json_safe(summary), indent=2, allow_nan=False) + "\n"
    )
    atomic_write(out_dir / "replications.csv", replications_csv(results))
    atomic_write(out_dir / "breakdown.csv", breakdown_csv(results))
    if details:
        for name, text in _details_csvs(details).items():
            atomic_write(out_dir / name, text)
    write_manifest(out_dir, manifest_extra, argv)


def write_manifest(out_dir: Path, manifest_extra: dict[str, Any],
                   argv: Sequence[str] | None = None) -> None:
    """Write manifest.json into *out_dir*: *manifest_extra*, versions, command line, time."""
    manifest = {
        **manifest_extra,
        "versions": _versions(),
        "command": list(sys.argv if argv is None else argv),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    atomic_write(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")


def write_ablation(
    out_dir: Path,
    ablation: Ablation,
    scenario_info: dict[str, Any],
    manifest_extra: dict[str, Any],
    argv: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Write ablation.json, ablation.csv (tidy), replications.csv and manifest.json.

    Returns what ablation.json holds, which the tornado figure is drawn from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = json_safe({"scenario": scenario_info, **ablation.to_dict()})
    buffer = io.StringIO()
    columns = ["capability", "direction", "outcome", "effect", "ci_low", "ci_high"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()}
                     for row in json_safe(ablation.rows()))
    atomic_write(out_dir / "ablation.json", json.dumps(data, indent=2, allow_nan=False) + "\n")
    atomic_write(out_dir / "ablation.csv", buffer.getvalue())
    atomic_write(out_dir / "replications.csv", replications_csv(ablation.results))
    write_manifest(out_dir, manifest_extra, argv)
    return data


def write_staffing(
    out_dir: Path,
    staffing: Staffing,
    scenario_info: dict[str, Any],
    manifest_extra: dict[str, Any],
    argv: Sequence[str] | None = None,
) -> None:
    """Write staffing.json, staffing.csv and manifest.json of a staffing search."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"scenario": scenario_info, **staffing.to_dict()}
    atomic_write(out_dir / "staffing.json",
                  json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n")
    atomic_write(out_dir / "staffing.csv", staffing_csv(staffing))
    write_manifest(out_dir, manifest_extra, argv)
