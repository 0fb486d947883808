"""Executors and resumption: parallel, Dask and resumed runs equal a serial run."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS, run_omnisim

from sim import compile_world, load_scenario, resolve_designs, run_experiment
from sim.experiment.runner import UnitStore

STORY = SCENARIOS / "app-to-phone.toml"


def _nan_safe(value: Any) -> Any:
    """*value* with every NaN replaced by None, so that equal results compare equal."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_safe(v) for v in value]
    return value


@pytest.fixture(scope="module")
def serial() -> tuple[Any, dict[str, Any], Any, Any]:
    """Three replications of each design of the story, run serially."""
    scenario = load_scenario(STORY)
    world, designs = compile_world(scenario), resolve_designs(scenario)
    details: dict[str, Any] = {}
    results = run_experiment(world, designs, 3, 11, jobs=1, details=details)
    return results, details, world, designs


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_results(serial: Any) -> None:
    """Units run on an in-process Dask cluster give exactly the serial results."""
    distributed = pytest.importorskip("distributed")
    results, details, world, designs = serial
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        got: dict[str, Any] = {}
        out = run_experiment(world, designs, 3, 11, details=got, executor="dask",
                             scheduler=cluster.scheduler_address)
    assert _nan_safe(out) == _nan_safe(results)
    assert _nan_safe(got) == _nan_safe(details)
    # and so the results files, byte for byte
    from sim.experiment.results import breakdown_csv, build_summary, replications_csv

    for write in (replications_csv, breakdown_csv):
        assert write(out) == write(results)
    assert json.dumps(build_summary(out, {}), sort_keys=True, default=str) == json.dumps(
        build_summary(results, {}), sort_keys=True, default=str)


def test_resumed_run_loads_saved_units_and_equals_serial(serial: Any, tmp_path: Path) -> None:
    """Units saved by a run are loaded, not recomputed, and give the same results."""
    results, details, world, designs = serial
    store = UnitStore(tmp_path)
    run_experiment(world, designs, 3, 11, jobs=2, details={}, store=store)
    saved = sorted(tmp_path.glob("*.json"))
    assert len(saved) == 3 * len(designs)
    for path in saved[:2]:  # as if the run had stopped before these two
        path.unlink()
    before = {p: p.stat().st_mtime_ns for p in saved[2:]}
    got: dict[str, Any] = {}
    again = run_experiment(world, designs, 3, 11, jobs=2, details=got, store=store)
    assert _nan_safe(again) == _nan_safe(results)
    assert _nan_safe(got) == _nan_safe(details)
    assert {p: p.stat().st_mtime_ns for p in saved[2:]} == before  # not rewritten


@pytest.mark.slow  # the default run resumes in process (test_resumed_run_loads_saved_units…)
def test_interrupted_command_resumes_to_the_uninterrupted_files(tmp_path: Path) -> None:
    """``omnisim run`` stopped by Ctrl-C, then run with --resume, writes the same files."""
    full = tmp_path / "full"
    done = run_omnisim("run", str(STORY), "--out", str(full), "-n", "6", "--quiet",
                       "--horizon", "4h")
    assert done.returncode == 0, done.stderr
    part = tmp_path / "part"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(STORY), "--out", str(part), "-n", "6",
         "--quiet", "--jobs", "1", "--horizon", "4h"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((part / ".units").glob("*.json"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    units = list((part / ".units").glob("*.json"))
    assert proc.returncode == 130, err
    assert 2 <= len(units) < 12
    assert not (part / "summary.json").exists()
    done = run_omnisim("run", str(STORY), "--out", str(part), "-n", "6", "--quiet",
                       "--resume", "--horizon", "4h")
    assert done.returncode == 0, done.stderr
    for name in ("summary.json", "replications.csv", "series.csv", "journeys.csv"):
        assert (part / name).read_bytes() == (full / name).read_bytes(), name
    manifest = json.loads((part / "manifest.json").read_text())
    assert manifest["seed"] == 2026


def test_dask_without_scheduler_is_a_one_line_error(tmp_path: Path) -> None:
    """``--executor dask`` without ``--scheduler`` exits 2 with one line."""
    done = run_omnisim("run", str(STORY), "--out", str(tmp_path / "x"), "--executor", "dask")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--scheduler" in done.stderr
