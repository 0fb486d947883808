"""Redraw the figures of any results folder from its files: ``omnisim plot DIR``.

The kind of folder (run, sweep, ablate, staff, sensitivity) is told by its manifest.json
and the result file next to it; each kind is redrawn from what that command wrote, so a
folder copied elsewhere, or written by an older omnisim, draws the same figures.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import SimError, did_you_mean

__all__ = ["KINDS", "redraw", "results_kind"]

#: Each kind of results folder: the file that marks it and the command that writes it.
KINDS: dict[str, tuple[str, str]] = {
    "run": ("summary.json", "omnisim run"),
    "sweep": ("sweep_summary.csv", "omnisim sweep"),
    "ablate": ("ablation.json", "omnisim ablate"),
    "staff": ("staffing.json", "omnisim staff"),
    "sensitivity": ("sensitivity.json", "omnisim sensitivity"),
}


def _expected() -> str:
    return ("a results folder: manifest.json with one of "
            + ", ".join(f"{f} ({c})" for f, c in KINDS.values()))


def results_kind(folder: Path) -> str:
    """The kind of results folder *folder* is; :class:`SimError` (one line saying what
    was expected) when it is none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SimError(f"{folder}: no such folder (expected {_expected()})")
    found = [k for k, (name, _) in KINDS.items() if (folder / name).is_file()]
    if not found or not (folder / "manifest.json").is_file():
        raise SimError(f"{folder}: not a results folder (expected {_expected()})")
    return found[0]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SimError(f"{path}: not readable JSON ({e})") from None


def _title(data: Any) -> str:
    return str(data.get("scenario", {}).get("name", "")) if isinstance(data, dict) else ""


def redraw(folder: Path, out: Path | None = None,
           formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Draw every figure of the results folder *folder* into *out* (default: where the
    command that wrote it puts them); return the files written."""
    allowed = ("png", "svg", "pdf")
    unknown = [f for f in formats if f not in allowed]
    if unknown:
        raise SimError(f"unknown figure format {unknown[0]!r}"
                       f"{did_you_mean(unknown[0], allowed)} (allowed: {', '.join(allowed)})")
    folder = Path(folder)
    kind = results_kind(folder)
    drawers: dict[str, Callable[[Path, Path | None, Sequence[str]], list[Path]]] = {
        "run": _run, "sweep": _sweep, "ablate": _ablate, "staff": _staff,
        "sensitivity": _sensitivity}
    return drawers[kind](folder, out, formats)


def _run(folder: Path, out: Path | None, formats: Sequence[str]) -> list[Path]:
    from . import plot_results

    return plot_results(folder, out, formats)


def _target(folder: Path, out: Path | None) -> Path:
    target = folder if out is None else Path(out)
    target.mkdir(parents=True, exist_ok=True)
    return target


def _sweep(folder: Path, out: Path | None, formats: Sequence[str]) -> list[Path]:
    from .sweep import plot_sweep, read_sweep_summary

    manifest = _read_json(folder / "manifest.json")
    params = manifest.get("parameters")
    if not params:
        with (folder / "sweep_summary.csv").open(encoding="utf-8") as f:
            header = next(csv.reader(f), [])
        params = header[:header.index("design")] if "design" in header else []
    if not params:
        raise SimError(f"{folder / 'sweep_summary.csv'}: no parameter columns before design")
    summary = read_sweep_summary(folder / "sweep_summary.csv", params)
    name = str(Path(str(manifest.get("scenario_file", ""))).stem)
    title = _scenario_name(manifest) or name
    return plot_sweep(summary, params, out or folder / "figures", formats=formats,
                      title=title)


def _scenario_name(manifest: dict[str, Any]) -> str:
    """The scenario's name, from the scenario text the manifest keeps."""
    import tomllib

    try:
        return str(tomllib.loads(manifest.get("scenario_text", ""))["scenario"]["name"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        return ""


def _ablate(folder: Path, out: Path | None, formats: Sequence[str]) -> list[Path]:
    from . import save_figure
    from .ablation import tornado_figure

    data = _read_json(folder / "ablation.json")
    return save_figure(tornado_figure(data, title=_title(data)),
                       _target(folder, out) / "ablation", formats)


def _staff(folder: Path, out: Path | None, formats: Sequence[str]) -> list[Path]:
    from . import save_figure
    from .staffing import staffing_figure

    data = _read_json(folder / "staffing.json")
    result = _staffing(data, folder / "staffing.csv")
    return save_figure(staffing_figure(result, _title(data)),
                       _target(folder, out) / "staffing", formats)


def _number(text: str) -> float | None:
    if text.startswith("np.float64("):  # sensitivity.csv of omnisim 0.1.0 under numpy 2
        text = text.removeprefix("np.float64(").removesuffix(")")
    return None if text in ("", "None") else float(text)


def _staffing(data: dict[str, Any], points_csv: Path) -> Any:
    """The :class:`~sim.experiment.staffing.Staffing` staffing.json and staffing.csv hold."""
    from ..experiment.staffing import DesignStaffing, Point, Staffing, Target

    with points_csv.open(newline="", encoding="utf-8") as f:
        rows = [Point(r["design"], int(r["agents"]), _number(r["mean"]), _number(r["ci_low"]),
                      _number(r["ci_high"]), r["meets"] == "true") for r in csv.DictReader(f)]
    rank = {name: i for i, name in enumerate(data["designs"])}
    # the search's order: by headcount, then design (staffing.csv is by design first)
    points = tuple(sorted(rows, key=lambda p: (p.agents, rank[p.design])))

    def point(p: dict[str, Any] | None, design: str) -> Point | None:
        return None if p is None else Point(design, p["agents"], p["mean"], p["ci_low"],
                                            p["ci_high"], p["meets"])

    t = data["target"]
    designs = tuple(DesignStaffing(name, d["agents"], point(d["at"], name),  # type: ignore[arg-type]
                                   point(d["one_fewer"], name),
                                   tuple(d["headcounts_looked_at"]), d["delta_agents"])
                    for name, d in data["designs"].items())
    return Staffing(Target(t["outcome"], t["op"], t["value"]), data["pool"],
                    data["start_agents"], data["max_agents"], data["confidence"], designs,
                    points, tuple(data["simulated_headcounts"]))


def _sensitivity(folder: Path, out: Path | None, formats: Sequence[str]) -> list[Path]:
    import numpy as np

    from ..experiment.sensitivity import Draws
    from .sensitivity import plot_sensitivity

    data = _read_json(folder / "sensitivity.json")
    with (folder / "samples.csv").open(newline="", encoding="utf-8") as f:
        samples = list(csv.reader(f))[1:]
    values = np.array([[float(v) for v in row[2:]] for row in samples], dtype=float)
    draws = Draws(data["method"], int(data["samples"]), values,
                  tuple(row[1] for row in samples))
    designs = [data["designs"]["a"], data["designs"]["b"]]
    y: dict[str, Any] = {}
    with (folder / "sensitivity.csv").open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cube = y.setdefault(r["outcome"], np.full((len(samples), 2), np.nan))
            value = _number(r["value"])
            cube[int(r["sample"]), designs.index(r["design"])] = (np.nan if value is None
                                                                   else value)
    return plot_sensitivity(data, draws, y, out or folder / "figures", title=_title(data),
                            formats=formats)
