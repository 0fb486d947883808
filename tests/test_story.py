"""The seeds' central story, end to end: scenarios/app-to-phone.toml through the real command.

A mobile customer's self-service fails and they phone in. Siloed, the agent asks for
everything again; unified, the agent sees it all.
"""

from __future__ import annotations

import csv
import json
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
    """Unified has exactly 0 repetitions per issue; siloed has more than 0."""
    _, summary = story
    assert _mean(summary, "unified", "repetitions_per_issue") == 0.0
    assert summary["designs"]["unified"]["outcomes"]["repetitions_per_issue"]["ci_high"] == 0.0
    assert _mean(summary, "siloed", "repetitions_per_issue") > 0.0
    assert summary["designs"]["siloed"]["outcomes"]["repetitions_per_issue"]["ci_low"] > 0.0


def test_same_issues_arrive_under_both_designs(story: tuple[Path, dict[str, Any]]) -> None:
    """Common random numbers: every replication has the same issues under both designs."""
    out, _ = story
    issues: dict[str, dict[str, str]] = {"siloed": {}, "unified": {}}
    with (out / "replications.csv").open() as f:
        for row in csv.DictReader(f):
            if row["outcome"] == "issues":
                issues[row["design"]][row["replication"]] = row["value"]
    assert issues["siloed"] == issues["unified"]
    assert len(issues["siloed"]) == 10
    assert all(float(v) > 1000 for v in issues["siloed"].values())


def test_unified_handles_faster(story: tuple[Path, dict[str, Any]]) -> None:
    """Unified's mean handle time is lower, and the paired interval excludes 0."""
    _, summary = story
    assert _mean(summary, "unified", "mean_handle_time") < _mean(
        summary, "siloed", "mean_handle_time"
    )
    diff = summary["differences"]["unified"]["outcomes"]["mean_handle_time"]
    assert diff["ci_high"] < 0


def test_results_files_follow_the_contract(story: tuple[Path, dict[str, Any]]) -> None:
    """summary.json, replications.csv and manifest.json have the shape DESIGN.md fixes."""
    out, summary = story
    for design in ("siloed", "unified"):
        outcomes = summary["designs"][design]["outcomes"]
        for name in ("abandonment_rate", "give_up_rate", "asa", "repetitions_per_issue",
                     "repeat_rate", "agent_utilization", "resolution_rate",
                     "contacts_per_issue", "channel_switches_per_issue", "mean_wait",
                     "mean_handle_time", "time_to_resolution", "cost_per_issue"):
            assert set(outcomes[name]) == {"mean", "ci_low", "ci_high"}, name
            assert outcomes[name]["ci_low"] <= outcomes[name]["mean"] <= outcomes[name]["ci_high"]
    assert summary["differences"]["unified"]["baseline"] == "siloed"
    header = (out / "replications.csv").read_text().splitlines()[0]
    assert header == "design,replication,outcome,value"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2026
    assert len(manifest["scenario_sha256"]) == 64
    assert "simpy" in manifest["versions"]


def test_table_is_printed(story: tuple[Path, dict[str, Any]]) -> None:
    """The command prints the comparison table with intervals (re-run with 2 replications)."""
    out = story[0].parent / "story-table"
    done = run_omnisim("run", str(SCENARIOS / "app-to-phone.toml"), "--out", str(out),
                       "--replications", "2")
    assert done.returncode == 0, done.stderr
    assert "repetitions_per_issue" in done.stdout
    assert "unified − siloed" in done.stdout
    assert "[" in done.stdout and "]" in done.stdout
