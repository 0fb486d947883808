"""Same scenario, same seed: byte-identical results, however the run is made.

For every shipped scenario (short horizon, few replications, through the real command):
a serial run, a run with ``--jobs 2``, and a run interrupted by Ctrl-C then finished with
``--resume`` write byte-identical summary.json, replications.csv, series.csv and
journeys.csv and every other results file (breakdown.csv, ttr_quantiles.csv...).
manifest.json differs only in the fields that describe the invocation:
``command``, ``created``, ``elapsed_seconds`` and ``jobs``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCENARIOS, run_omnisim

pytestmark = pytest.mark.slow

#: Per shipped scenario: a horizon short enough to keep the test quick.
HORIZONS = {"app-to-phone.toml": "4h", "erlang-a.toml": "2h", "mobile-app-care.toml": "2h",
            "flight-delay.toml": "2h", "power-outage.toml": "150min",
            "retail-escalation.toml": "2h", "digital-mesh.toml": "2h",
            "messaging-centre.toml": "2h"}
#: Files the results set must hold; these and every other results file (all but
#: manifest.json) must be identical byte for byte.
IDENTICAL = ("summary.json", "replications.csv", "series.csv", "journeys.csv")
#: manifest.json fields that describe the invocation, not the results.
INVOCATION = {"command", "created", "elapsed_seconds", "jobs"}


def test_every_shipped_scenario_has_a_horizon_here() -> None:
    """A new shipped scenario must be added to HORIZONS (so to the byte-identity test)."""
    assert sorted(p.name for p in SCENARIOS.glob("*.toml")) == sorted(HORIZONS)


def _interrupted_then_resumed(scenario: Path, out: Path, args: list[str]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", str(scenario), "--out",
                             str(out), *args, "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / ".units").glob("*.json")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err  # stopped, with units saved and no results yet
    assert not (out / "summary.json").exists()
    assert not list(out.rglob("*.tmp"))
    done = run_omnisim("run", str(scenario), "--out", str(out), *args, "--resume")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", sorted(HORIZONS))
def test_serial_parallel_and_resumed_runs_are_byte_identical(tmp_path: Path, name: str) -> None:
    """Serial, --jobs 2, and interrupted + --resume: the same bytes."""
    scenario = SCENARIOS / name
    args = ["--horizon", HORIZONS[name], "--replications", "3", "--quiet"]
    outs = {way: tmp_path / way for way in ("serial", "parallel", "resumed")}
    for way, jobs in (("serial", "1"), ("parallel", "2")):
        done = run_omnisim("run", str(scenario), "--out", str(outs[way]), *args, "--jobs", jobs)
        assert done.returncode == 0, done.stderr
    _interrupted_then_resumed(scenario, outs["resumed"], args)
    files = sorted(p.name for p in outs["serial"].iterdir()
                   if p.is_file() and p.name != "manifest.json")
    assert set(IDENTICAL) <= set(files)
    for way in ("parallel", "resumed"):
        assert sorted(p.name for p in outs[way].iterdir()
                      if p.is_file() and p.name != "manifest.json") == files
        for file in files:
            assert (outs[way] / file).read_bytes() == (outs["serial"] / file).read_bytes(), \
                (way, file)
        manifests = [json.loads((outs[w] / "manifest.json").read_text())
                     for w in ("serial", way)]
        differ = {k for k in manifests[0].keys() | manifests[1].keys()
                  if manifests[0].get(k) != manifests[1].get(k)}
        assert differ <= INVOCATION, differ
