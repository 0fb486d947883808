"""Faults around a run: nothing crashes, nothing is lost, nothing is left running.

A saved unit that is truncated, damaged or foreign is recomputed with a warning; a second
run into a locked folder, an ``--out`` that is a file or cannot be created, and a Dask
scheduler that does not answer are each one line and exit status 3 before any simulating;
a crash between two result files leaves the earlier results whole; a worker killed mid-unit
is named with its unit, and ``--resume`` finishes the run; SIGTERM and SIGKILL of the main
process take the workers down with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import SCENARIOS
from test_cli_errors import BASE

import sim.experiment
from sim.cli import main
from sim.errors import EXIT_ENVIRONMENT, EXIT_TERMINATED
from sim.experiment.outdir import ResultsFolder
from sim.experiment.runner import UnitStore, run_experiment
from sim.scenario import load_scenario, resolve_designs

STORY = SCENARIOS / "app-to-phone.toml"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny valid scenario of test_cli_errors, as a file."""
    path = tmp_path / "tiny.toml"
    path.write_text(BASE, encoding="utf-8")
    return path


def _one_line(err: str, *words: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def test_damaged_saved_units_are_recomputed_with_a_warning(tiny: Path, tmp_path: Path) -> None:
    """Truncated, corrupted, foreign and empty unit files: warned about, run again, and the
    results are those of a clean run."""
    from sim.engine import compile_world

    scenario = load_scenario(tiny)
    world, designs = compile_world(scenario), resolve_designs(scenario, ["siloed", "unified"])
    warnings: list[str] = []
    store = UnitStore(tmp_path / "units", warn=warnings.append)
    clean = run_experiment(world, designs, 3, 5, store=store)
    files = sorted((tmp_path / "units").glob("*.json"))
    assert len(files) == 6
    files[0].write_bytes(files[0].read_bytes()[:40])  # a power cut mid-write
    doc = json.loads(files[1].read_text())
    doc["payload"]["outcomes"]["mean_wait"] = 123.0  # a flipped value
    files[1].write_text(json.dumps(doc))
    files[2].write_bytes(files[3].read_bytes())  # another unit's file
    files[4].write_bytes(b"")
    again = run_experiment(world, designs, 3, 5, store=store)
    assert json.dumps(again, sort_keys=True) == json.dumps(clean, sort_keys=True)
    assert len(warnings) == 4, warnings
    assert all("running it again" in w for w in warnings)
    warnings.clear()
    run_experiment(world, designs, 3, 5, store=store)  # all whole again now
    assert warnings == []


def test_fingerprint_is_the_same_in_another_process() -> None:
    from sim.engine import compile_world

    """The saved-run key does not depend on the process (string hashing is randomized)."""
    code = ("from sim import compile_world, load_scenario, resolve_designs\n"
            "from sim.experiment.runner import UnitStore\n"
            f"sc = load_scenario({str(STORY)!r})\n"
            "w = compile_world(sc)\n"
            "print(UnitStore.fingerprint((w, resolve_designs(sc)[1], 7, 3, False, True)))\n")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, check=True).stdout
    scenario = load_scenario(STORY)
    unit = (compile_world(scenario), resolve_designs(scenario)[1], 7, 3, False, True)
    assert other.strip() == UnitStore.fingerprint(unit)
    assert len(other.strip()) == 64


def test_second_run_into_a_locked_folder_refuses(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While one run holds the folder, another exits 3 with one line, writing nothing."""
    out = tmp_path / "out"
    with ResultsFolder(out):
        assert main(["run", str(tiny), "--out", str(out), "--quiet"]) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, "another omnisim run", str(out))
    assert list(out.iterdir()) == []
    assert main(["run", str(tiny), "--out", str(out), "--quiet", "-j", "1"]) == 0  # released


@pytest.mark.parametrize("command", [
    ["staff", "--target", "service_level>=0.5"],
    ["ablate", "--from", "siloed", "--to", "unified-history"],
    ["sweep", "--vary", "pools.agents.agents=1,2"],
])
def test_other_commands_refuse_a_locked_folder(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """staff, ablate and sweep lock their folder as run does: one line, exit 3."""
    out = tmp_path / "out"
    with ResultsFolder(out):
        status = main([command[0], str(tiny), *command[1:], "--out", str(out), "-q"]
                      if command[0] != "sweep" else
                      [command[0], str(tiny), *command[1:], "--out", str(out)])
        assert status == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, "another omnisim run", str(out))
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("kind", ["file", "uncreatable", "read-only"])
def test_unusable_out_is_refused_before_simulating(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, kind: str,
) -> None:
    """--out that is a file, cannot be created, or is not writable: one line, exit 3, and
    the simulation never starts."""
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("keep me")
    elif kind == "uncreatable":
        blocker = tmp_path / "blocker"
        blocker.write_text("a file where a folder should be")
        out = blocker / "out"
    else:
        (tmp_path / "ro").mkdir()
        out = tmp_path / "ro" / "out"
        os.chmod(tmp_path / "ro", 0o500)
        if os.access(tmp_path / "ro", os.W_OK):  # root ignores permissions: pretend
            real = os.access
            monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == tmp_path / "ro"
                                else real(p, m))

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("simulated although --out is unusable")

    monkeypatch.setattr(sim.experiment, "run_experiment", never)
    assert main(["run", str(tiny), "--out", str(out), "--quiet"]) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, f"--out {out}")
    if kind == "file":
        assert out.read_text() == "keep me"
    os.chmod(tmp_path / "ro", 0o700) if kind == "read-only" else None


def test_crash_between_result_files_keeps_the_earlier_results(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run that dies after writing summary.json but before the rest leaves the previous
    results set whole (no file of the new run among them); a later run keeps the figures
    already drawn."""
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out), "--quiet", "-j", "1", "--seed", "1"]) == 0
    (out / "figures").mkdir()
    (out / "figures" / "drawn.svg").write_text("<svg/>")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    real = sim.experiment.write_results

    def dies_midway(folder: Path, summary: Any, *args: Any, **kwargs: Any) -> None:
        (folder / "summary.json").write_text(json.dumps(summary))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim.experiment, "write_results", dies_midway)
    assert main(["run", str(tiny), "--out", str(out), "--quiet", "-j", "1",
                 "--seed", "2"]) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, "No space left on device")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(tmp_path.glob(".out.new-*"))
    monkeypatch.setattr(sim.experiment, "write_results", real)
    assert main(["run", str(tiny), "--out", str(out), "--quiet", "-j", "1", "--seed", "2"]) == 0
    assert (out / "summary.json").read_bytes() != before["summary.json"]
    assert (out / "figures" / "drawn.svg").read_text() == "<svg/>"


def test_scheduler_without_dask_executor_is_an_error(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--scheduler without --executor dask: one line naming --scheduler, exit 2."""
    status = main(["run", str(tiny), "--out", str(tmp_path / "o"), "--scheduler", "tcp://h:1"])
    assert status == 2
    _one_line(capsys.readouterr().err, "--scheduler", "--executor dask")
    assert not (tmp_path / "o").exists()


def test_unreachable_dask_scheduler_fails_in_one_line_quickly(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scheduler that does not answer: one line within the timeout (plus set-up), exit 3."""
    pytest.importorskip("distributed")
    started = time.monotonic()
    status = main(["run", str(tiny), "--out", str(tmp_path / "o"), "--executor", "dask",
                   "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0.5"])
    assert status == EXIT_ENVIRONMENT
    assert time.monotonic() - started < 10
    _one_line(capsys.readouterr().err, "cannot reach a Dask scheduler", "tcp://127.0.0.1:9")


# -- the real command, with processes killed -------------------------------------------

# long enough that each worker is still simulating when _workers sees it has used 0.3 s of
# CPU (a unit of 200 h took less than that once the engine got faster); the tests stop the
# run long before its end
SLOW = ["--horizon", "2000h", "-n", "2", "-j", "2", "--quiet"]


def _start(tiny: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sim", "run", str(tiny), "--out", str(out),
                             *SLOW, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _workers(proc: subprocess.Popen[str], n: int = 2) -> list[psutil.Process]:
    """The pool's worker processes of *proc* (not multiprocessing's resource tracker), once
    each has simulated for a while (used 0.3 s of CPU): each is running a unit."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            kids = [k for k in psutil.Process(proc.pid).children()
                    if "resource_tracker" not in " ".join(k.cmdline())]
            if len(kids) >= n and all(k.cpu_times().user >= 0.3 for k in kids):
                return kids
        time.sleep(0.05)
    raise AssertionError("the workers never started")


def _gone(processes: list[psutil.Process], within: float) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return all(p.status() == psutil.STATUS_ZOMBIE for p in alive)


@pytest.mark.slow
def test_killed_worker_is_named_and_resume_finishes(tiny: Path, tmp_path: Path) -> None:
    """SIGKILL of a worker: one line naming the unit it ran, exit 3; --resume completes."""
    out = tmp_path / "out"
    proc = _start(tiny, out)
    victim = _workers(proc)[0]
    victim.kill()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_ENVIRONMENT, err
    _one_line(err, f"(pid {victim.pid}) died (killed by signal 9) while running design "
              "'siloed', replication")
    assert not (out / "summary.json").exists()
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(tiny), "--out", str(out),
                           *SLOW, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize("sig", [
    signal.SIGTERM, pytest.param(signal.SIGKILL, marks=pytest.mark.slow)], ids=["TERM", "KILL"])
def test_main_process_signal_takes_the_workers_down(
    tiny: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    """SIGTERM: one line, exit 143, no worker left, no half-written file; SIGKILL: the
    workers notice their parent is gone and exit within a few seconds."""
    out = tmp_path / "out"
    proc = _start(tiny, out)
    workers = _workers(proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert _gone(workers, within=5), [w.pid for w in workers if w.is_running()]
    if sig == signal.SIGTERM:
        assert proc.returncode == EXIT_TERMINATED
        _one_line(err, "terminated", "--resume")
    assert not list(out.rglob("*.tmp"))
    for unit in (out / ".units").glob("*.json"):
        assert json.loads(unit.read_text())["format"].startswith("omnisim-unit/")


@pytest.mark.parametrize("command", [
    ["ablate"], ["staff", "--target", "service_level>=0.8"],
    ["sweep", "--vary", "pools.agents.agents=2,3"]])
def test_other_commands_check_out_before_simulating(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, command: list[str],
) -> None:
    """ablate, staff and sweep refuse an --out under a file before any simulating."""
    import sim.experiment.ablation
    import sim.experiment.staffing
    import sim.experiment.sweep

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("simulated although --out is unusable")

    for module, name in ((sim.experiment.ablation, "run_ablation"),
                         (sim.experiment.staffing, "find_staffing"),
                         (sim.experiment.sweep, "run_sweep")):
        monkeypatch.setattr(module, name, never)
    out = tiny / "out"  # under a file
    argv = [command[0], str(tiny), *command[1:], "--out", str(out), "--quiet"]
    if command[0] == "sweep":
        argv.remove("--quiet")
    assert main(argv) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, f"--out {out}", f"{tiny} is a file")


def test_canonical_form_orders_sets_and_keeps_floats_exact() -> None:
    """Sets in any order give one form; dict order and exact floats are kept; a value
    whose repr shows a memory address contributes its type only."""
    import numpy as np

    from sim.experiment.runner import canonical

    a = canonical({"s": frozenset(["b", "a", "c"]), "x": 0.1})
    b = canonical({"s": frozenset(["c", "b", "a"]), "x": 0.1})
    assert a == b
    assert canonical(0.1) != canonical(0.30000000000000004 - 0.2)
    assert canonical({"a": 1, "b": 2}) != canonical({"b": 2, "a": 1})
    assert canonical(np.int64(3)) == canonical(3)
    assert canonical(object()) == canonical(object())
    json.dumps(canonical({"t": (1, "a", None, True)}))  # plain JSON


def test_folders_that_cannot_be_replaced_whole_are_refused_before_simulating(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--out that is the current folder, or holds a FIFO: one line, exit 3, no run."""
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("simulated")

    monkeypatch.setattr(sim.experiment, "run_experiment", never)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(tiny), "--out", ".", "--quiet"]) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, "is the current folder")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "pipe")
    assert main(["run", str(tiny), "--out", str(out), "--quiet"]) == EXIT_ENVIRONMENT
    _one_line(capsys.readouterr().err, "not a plain file")
