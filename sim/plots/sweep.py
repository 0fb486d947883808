"""Figures of a sweep: each headline outcome against a varied parameter, per design."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from ..metrics.recorder import UNITS

__all__ = ["HEADLINE", "plot_sweep"]

#: Outcomes a sweep plots by default.
HEADLINE = ("abandonment_rate", "give_up_rate", "repetitions_per_issue", "agent_utilization",
            "asa", "service_level", "cost_per_issue")


def plot_sweep(
    summary: Sequence[dict[str, Any]],
    params: Sequence[str],
    out_dir: Path,
    outcomes: Sequence[str] = HEADLINE,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """One figure per outcome: mean with its 95% band against the first parameter.

    Lines are designs (and, when several parameters vary, combinations of the others).
    """
    x_param, others = params[0], list(params[1:])
    written: list[Path] = []
    for outcome in outcomes:
        rows = [r for r in summary if r["outcome"] == outcome and r["mean"] is not None]
        if not rows:
            continue
        fig = Figure(figsize=(6.4, 4.2), layout="constrained")
        ax = fig.add_subplot()
        lines: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for r in rows:
            lines.setdefault((r["design"], *(r[o] for o in others)), []).append(r)
        for key, pts in sorted(lines.items(), key=lambda kv: str(kv[0])):
            pts.sort(key=lambda r: r[x_param])
            xs = [r[x_param] for r in pts]
            label = key[0] + "".join(f", {o}={v}" for o, v in zip(others, key[1:], strict=True))
            ax.plot(xs, [r["mean"] for r in pts], marker="o", label=label)
            if all(r["ci_low"] is not None for r in pts):
                ax.fill_between(xs, [r["ci_low"] for r in pts], [r["ci_high"] for r in pts],
                                alpha=0.2)
        unit = UNITS.get(outcome, "")
        ax.set_xlabel(x_param)
        ax.set_ylabel(f"{outcome} ({unit})" if unit else outcome)
        ax.set_title(f"{outcome} against {x_param} (mean, 95% interval)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        for fmt in formats:
            path = out_dir / f"sweep_{outcome}.{fmt}"
            fig.savefig(path, dpi=150)
            written.append(path)
    return written
