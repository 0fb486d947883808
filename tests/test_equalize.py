"""``omnisim run --equalize``: every design staffed to the same target, then compared.

A voice queue whose agents must collect two facts unless the history has them: the
unified history needs fewer agents for the same service level, and at equal service the
comparison reports those headcounts and each design meets the target there.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_omnisim

SCENARIO = """
[scenario]
name = "equal service"
horizon = "4h"
warmup = "30min"
replications = 4
seed = 3
designs = ["siloed", "unified-history"]

[arrivals]
rate = "1.5/min"

[population]
customers = 300

[[segments]]
name = "callers"
share = 1.0
start = { voice = 1.0 }
patience = { dist = "exponential", mean = "3min" }

[[intents]]
name = "q"
share = 1.0
facts = ["identity", "problem"]
handle = { voice = { dist = "exponential", mean = "2min" } }

[facts.identity]
collect = "1min"
scope = "customer"
[facts.problem]
collect = "1min"

[[pools]]
name = "voice"
agents = 5
channels = ["voice"]
"""


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "equal.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_designs_are_compared_at_the_headcount_each_needs(tmp_path: Path) -> None:
    """Each design gets the smallest headcount meeting the target, and meets it there."""
    out = tmp_path / "out"
    done = run_omnisim("run", str(_write(tmp_path)), "--out", str(out), "--equalize",
                       "service_level>=0.8", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    eq = summary["scenario"]["equalized"]
    assert eq["target"] == "service_level>=0.8" and eq["pool"] == "voice"
    agents = eq["agents"]
    assert agents["unified-history"] < agents["siloed"]
    for design in ("siloed", "unified-history"):
        sl = summary["designs"][design]["outcomes"]["service_level"]
        assert sl["ci_low"] >= 0.8
    assert "at equal service" in done.stdout
    assert f"siloed {agents['siloed']} agents" in done.stdout


def test_an_unknown_outcome_or_unreachable_target_is_one_line(tmp_path: Path) -> None:
    """Bad --equalize: one line naming the option, exit 2, nothing written."""
    path = _write(tmp_path)
    out = tmp_path / "bad"
    done = run_omnisim("run", str(path), "--out", str(out), "--equalize", "servce_level>=0.8")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "--equalize: unknown outcome 'servce_level'; did you mean 'service_level'" \
        in done.stderr
    done = run_omnisim("run", str(path), "--out", str(out), "--equalize",
                       "abandonment_rate<=0", "--max-agents", "6", "-n", "2")
    assert done.returncode == 2, done.stderr
    assert "does not meet abandonment_rate<=0 even with 6 agents" in done.stderr.splitlines()[-1]
    assert not (out / "summary.json").exists()
