"""Results files: summary.json, replications.csv and manifest.json (DESIGN.md).

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

from ..metrics.recorder import OUTCOMES, UNITS
from ..metrics.stats import estimate, paired_difference
from .runner import Results

__all__ = ["build_summary", "write_results"]

_PACKAGES = ("omnisim", "simpy", "numpy", "scipy", "attrs", "cattrs", "networkx", "rich")


def _outcome_names(results: Results) -> list[str]:
    first = next(iter(results.values()))[0]
    return [*OUTCOMES, *sorted(k for k in first if k not in UNITS)]


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
                    if k not in ("n", "significant")
                }
                for o in names
            },
        }
    return {
        "scenario": scenario_info,
        "units": {o: UNITS.get(o, _pool_unit(o)) for o in names},
        "designs": designs,
        "differences": differences,
    }


def _pool_unit(outcome: str) -> str:
    return {
        "mean_queue_length": "contacts waiting",
        "arrival_rate": "queue entries per min",
        "mean_wait": "min",
    }.get(outcome.rsplit(".", 1)[-1], "share of staffed time")


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _replications_csv(results: Results) -> str:
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


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file at *path*."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
) -> None:
    """Write summary.json, replications.csv and manifest.json into *out_dir*."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(
        out_dir / "summary.json", json.dumps(_json_safe(summary), indent=2, allow_nan=False) + "\n"
    )
    _atomic_write(out_dir / "replications.csv", _replications_csv(results))
    manifest = {
        **manifest_extra,
        "versions": _versions(),
        "command": list(sys.argv if argv is None else argv),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _atomic_write(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
