"""The seeds' central story, end to end: scenarios/app-to-phone.toml through the real command.

A mobile customer's self-service fails and they phone in. Siloed, the agent asks for
everything again; with a unified history (unified-history, mobile-first), the agent sees it
all.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS, run_omnisim


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Run ``omnisim run scenarios/app-to-phone.toml`` once with its own settings."""
    out = tmp_path_factory.mktemp("story")
    done = run_omnisim("run", str(SCENARIOS / "app-to-phone.toml"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "summary.json").read_text())


def _mean(summary: dict[str, Any], design: str, outcome: str) -> float:
    value = summary["designs"][design]["outcomes"][outcome]["mean"]
    assert value is not None
    return float(value)


def test_unified_never_repeats_siloed_does(story: tuple[Path, dict[str, Any]]) -> None:
    """A unified history has exactly 0 repetitions per issue; siloed has more than 0."""
    _, summary = story
    for design in ("unified-history", "mobile-first"):
        assert _mean(summary, design, "repetitions_per_issue") == 0.0
        assert summary["designs"][design]["outcomes"]["repetitions_per_issue"]["ci_high"] == 0.0
    assert _mean(summary, "siloed", "repetitions_per_issue") > 0.0
    assert summary["designs"]["siloed"]["outcomes"]["repetitions_per_issue"]["ci_low"] > 0.0


def test_same_issues_arrive_under_both_designs(story: tuple[Path, dict[str, Any]]) -> None:
    """Common random numbers: every replication has the same issues under both designs."""
    out, _ = story
    issues: dict[str, dict[str, str]] = {"siloed": {}, "unified-history": {},
                                         "mobile-first": {}}
    with (out / "replications.csv").open() as f:
        for row in csv.DictReader(f):
            if row["outcome"] == "issues":
                issues[row["design"]][row["replication"]] = row["value"]
    assert issues["siloed"] == issues["unified-history"] == issues["mobile-first"]
    assert len(issues["siloed"]) == 10
    assert all(float(v) > 1000 for v in issues["siloed"].values())


def test_unified_handles_faster(story: tuple[Path, dict[str, Any]]) -> None:
    """With the history, the mean handle time is lower, and the paired interval excludes 0."""
    _, summary = story
    assert _mean(summary, "unified-history", "mean_handle_time") < _mean(
        summary, "siloed", "mean_handle_time"
    )
    diff = summary["differences"]["unified-history"]["outcomes"]["mean_handle_time"]
    assert diff["ci_high"] < 0


def test_results_files_follow_the_contract(story: tuple[Path, dict[str, Any]]) -> None:
    """summary.json, replications.csv and manifest.json have the shape DESIGN.md fixes."""
    out, summary = story
    for design in ("siloed", "unified-history", "mobile-first"):
        outcomes = summary["designs"][design]["outcomes"]
        for name in ("abandonment_rate", "give_up_rate", "asa", "repetitions_per_issue",
                     "repeat_rate", "agent_utilization", "resolution_rate",
                     "contacts_per_issue", "channel_switches_per_issue", "mean_wait",
                     "mean_handle_time", "time_to_resolution", "cost_per_issue"):
            assert set(outcomes[name]) == {"mean", "ci_low", "ci_high"}, name
            assert outcomes[name]["ci_low"] <= outcomes[name]["mean"] <= outcomes[name]["ci_high"]
    assert summary["differences"]["unified-history"]["baseline"] == "siloed"
    header = (out / "breakdown.csv").read_text().splitlines()[0]
    assert header == "design,replication,dimension,key,outcome,value"
    voice = summary["breakdown"]["siloed"]["pool"]["voice"]["abandonment_rate"]
    assert voice == summary["designs"]["siloed"]["outcomes"]["abandonment_rate"]
    header = (out / "replications.csv").read_text().splitlines()[0]
    assert header == "design,replication,outcome,value"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2026
    assert len(manifest["scenario_sha256"]) == 64
    assert "simpy" in manifest["versions"]


def _run_at(columns: int, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIOS / "app-to-phone.toml"),
                           "--out", str(out), "--replications", "2", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_table_is_printed(story: tuple[Path, dict[str, Any]]) -> None:
    """On a wide terminal: one column per design and difference (re-run with 2 replications)."""
    done = _run_at(250, story[0].parent / "story-table", "--by", "segment")
    assert done.returncode == 0, done.stderr
    assert "repetitions_per_issue" in done.stdout
    assert "unified-history − siloed" in done.stdout
    assert "unified-history = siloed + history, retention, mesh" in done.stdout
    assert "by segment" in done.stdout and "desktop" in done.stdout
    assert "[" in done.stdout and "]" in done.stdout


def test_table_fits_80_columns(story: tuple[Path, dict[str, Any]]) -> None:
    """On an 80-column terminal every line fits and no number is cut."""
    done = _run_at(80, story[0].parent / "story-80")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in done.stdout
    block = lines[lines.index("repetitions_per_issue"):][:4]
    assert block[1].split()[0] == "siloed" and block[2].split()[0] == "unified-history"
    assert block[2].split()[1:3] == ["0", "[0,"]  # the history: no repetition at all
    assert block[2].endswith("*")  # the paired difference excludes 0
