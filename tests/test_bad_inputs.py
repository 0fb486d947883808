"""Bad input, everywhere: every malformed scenario ends in exit 2 and one line
``FILE: path.to.field: what is wrong (what is allowed)`` naming the field, never a
traceback, never a hang.

The corpus is tests/bad_scenarios/generate.py (several hundred files: every key of a
scenario using every table, given wrong types, bad numbers, left out, joined by unknown
keys; bad references, shares, names; runaway work; broken files). It runs in process
through :func:`sim.cli.main`; a few run through the real ``omnisim`` command; a hypothesis
strategy mutates valid drawn scenarios.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import io
import math
import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.experiment
from sim.cli import main
from sim.experiment.budget import check_work, estimate_work
from sim.scenario import parse_scenario, resolve_designs
from sim.testing import scenario_dicts

sys.path.insert(0, str(Path(__file__).parent / "bad_scenarios"))
import generate

#: Seconds a single bad file may take before it counts as a hang.
HANG = 20


class Ran(BaseException):
    """Raised instead of simulating: the file was taken as valid."""


class Hang(BaseException):
    """Raised by the alarm: one file took longer than :data:`HANG` seconds."""


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that gets as far as simulating raises :class:`Ran` instead."""
    def ran(*args: Any, **kwargs: Any) -> Any:
        raise Ran()

    monkeypatch.setattr(sim.experiment, "run_experiment", ran)


def run_in_process(path: Path, out: Path, *extra: str) -> tuple[int | str, str, str]:
    """(exit status, or 'ran', 'hang' or the exception's name; stdout; stderr)."""
    err, std = io.StringIO(), io.StringIO()
    status: int | str
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        try:
            with _alarm(HANG):
                status = main(["run", str(path), "--out", str(out), "--quiet", *extra])
        except Ran:
            status = "ran"
        except Hang:
            status = "hang"
        except BaseException as e:
            status = type(e).__name__
    return status, std.getvalue(), err.getvalue()


def verdict(path: Path, field: str, status: int | str, stdout: str, stderr: str) -> str | None:
    """What is wrong with omnisim's answer to a bad file, or None when it is right."""
    if status != 2:
        return f"status {status}: {stderr.strip()[:300]}"
    if "Traceback" in stdout + stderr:
        return "traceback"
    lines = stderr.splitlines()
    if len(lines) != 1:
        return f"{len(lines)} lines: {stderr[:300]!r}"
    line = lines[0]
    prefix = f"{path}: {field}: " if field else f"{path}: "
    if not line.startswith(prefix):
        return f"expected {prefix!r}: {line[:300]}"
    if len(line) > 1000:
        return f"a line of {len(line)} characters"
    if field and not line[len(prefix):].strip():
        return "no message"
    return None


def test_the_base_of_the_corpus_is_valid() -> None:
    """generate.FULL (every table and key) is a valid scenario within the work bounds, so
    each case breaks exactly one thing."""
    scenario = parse_scenario(tomllib.loads(generate.to_toml(generate.FULL)))
    check_work(estimate_work(scenario, len(resolve_designs(scenario)), 2))
    assert tomllib.loads(generate.to_toml(generate.FULL)) == generate.FULL


#: The default run tries every STRIDE-th case of the corpus; ``-m slow`` tries them all.
STRIDE = 4


@pytest.mark.parametrize("stride", [STRIDE, pytest.param(1, marks=pytest.mark.slow)],
                         ids=["sample", "all"])
def test_every_bad_file_is_one_line_naming_its_field(
    tmp_path: Path, no_simulation: None, stride: int
) -> None:
    """Every case of the corpus (a fixed sample by default): exit 2, one line,
    FILE: field: message. Counts are printed (-s): distinct bad inputs, tracebacks, hangs."""
    cases = generate.all_cases()[::stride]
    wrong: dict[str, str] = {}
    tracebacks = hangs = 0
    for stem, _, field, why in cases:
        path = tmp_path / f"{stem}.toml"
        path.write_bytes(generate.content((stem, _, field, why)))
        status, stdout, stderr = run_in_process(path, tmp_path / "out")
        tracebacks += status not in (2, "ran", "hang", 0, 1, 3) or "Traceback" in stderr
        hangs += status == "hang"
        problem = verdict(path, field, status, stdout, stderr)
        if problem:
            wrong[stem] = f"{why}: {problem}"
    distinct = len({generate.content(c) for c in cases})
    print(f"\nbad inputs: {len(cases)} files, {distinct} distinct; tracebacks {tracebacks};"
          f" hangs {hangs}")
    assert not (tmp_path / "out").exists()
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))
    assert len(cases) * stride >= 800


@pytest.mark.parametrize("size", [2_000_000, pytest.param(50_000_000, marks=pytest.mark.slow)])
def test_huge_value_is_shortened_in_the_message(
    tmp_path: Path, no_simulation: None, size: int
) -> None:
    """A value of megabytes is named in a line of a few hundred characters."""
    data = copy.deepcopy(generate.FULL)
    data["pools"][0]["name"] = "x" * size
    path = tmp_path / "huge.toml"
    path.write_text(generate.to_toml(data), encoding="utf-8")
    status, stdout, stderr = run_in_process(path, tmp_path / "out")
    assert verdict(path, "pools[0].name", status, stdout, stderr) is None, stderr[:500]
    assert "characters left out" in stderr


def test_a_bom_is_accepted(tmp_path: Path, no_simulation: None) -> None:
    """A UTF-8 byte-order mark before a valid file is no mistake: the file runs."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + generate.to_toml(generate.FULL).encode())
    status, _, stderr = run_in_process(path, tmp_path / "out")
    assert status == "ran", stderr


def test_runaway_work_runs_with_force(tmp_path: Path, no_simulation: None) -> None:
    """--force insists: a file refused for its work estimate gets to the simulation."""
    data = copy.deepcopy(generate.FULL)
    data["arrivals"]["rate"] = "1e12/min"
    path = tmp_path / "big.toml"
    path.write_text(generate.to_toml(data), encoding="utf-8")
    assert run_in_process(path, tmp_path / "out")[0] == 2
    assert run_in_process(path, tmp_path / "out", "--force")[0] == "ran"


def test_fifo_as_the_scenario_is_refused_without_blocking(
    tmp_path: Path, no_simulation: None
) -> None:
    """A FIFO (nobody writing) as the scenario path: one line at once, not a hang."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    status, stdout, stderr = run_in_process(fifo, tmp_path / "out")
    assert verdict(fifo, "", status, stdout, stderr) is None, stderr
    assert "not a regular file" in stderr


@pytest.mark.parametrize("stem", ["runaway-arrivals", *(
    pytest.param(stem, marks=pytest.mark.slow)
    for stem in ("syntax-deep-arrays", "not-utf8", "designs-list-unknown"))])
def test_bad_file_through_the_real_command(tmp_path: Path, stem: str) -> None:
    """The installed command prints the same single line, exit 2."""
    case = next(c for c in generate.all_cases() if c[0] == stem)
    path = tmp_path / f"{stem}.toml"
    path.write_bytes(generate.content(case))
    script = Path(sys.executable).with_name("omnisim")
    done = subprocess.run([str(script), "run", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert verdict(path, case[2], done.returncode, done.stdout, done.stderr) is None, done.stderr
    assert not (tmp_path / "out").exists()


# ---- mutations of valid drawn scenarios ----------------------------------------------

JUNK = st.sampled_from(["", "x", "-1min", "0/min", "1e999min", -1, 0, 1.5, 2**62, math.nan,
                        math.inf, -math.inf, True, [], [1, "a"], {}, {"dist": "gamma"},
                        datetime.date(2026, 1, 1), "../x", "a\u200bb"])


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[Any, ...], str]:
    """A valid drawn scenario with one thing replaced, removed or added."""
    data = draw(scenario_dicts())
    path = draw(st.sampled_from(list(_paths(data))))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    how = draw(st.sampled_from(["replace", "remove", "add"]))
    if how == "replace":
        parent[path[-1]] = draw(JUNK)
    elif how == "remove":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["zz_unknown"] = draw(JUNK)
    else:
        parent.append(draw(JUNK))
    return data, path, how


def _mutated_never_crash(folder_factory: pytest.TempPathFactory,
                         case: tuple[dict[str, Any], tuple[Any, ...], str]) -> None:
    """A mutated scenario is either still valid (it gets to simulating) or one line, exit
    2, starting with the file name."""
    tmp_path_factory = folder_factory
    data, _, _ = case
    folder = tmp_path_factory.mktemp("mut")
    path = folder / "m.toml"
    path.write_text(generate.to_toml(data), encoding="utf-8")
    original = sim.experiment.run_experiment

    def ran(*args: Any, **kwargs: Any) -> Any:
        raise Ran()

    sim.experiment.run_experiment = ran  # type: ignore[assignment]
    try:
        status, stdout, stderr = run_in_process(path, folder / "out")
    finally:
        sim.experiment.run_experiment = original  # type: ignore[assignment]
    if status == "ran":
        return
    assert verdict(path, "", status, stdout, stderr) is None, stderr


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutated_scenarios_never_crash(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[dict[str, Any], tuple[Any, ...], str]
) -> None:
    """40 mutated scenarios: still valid, or one line and exit 2 (never a traceback)."""
    _mutated_never_crash(tmp_path_factory, case)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_many_mutated_scenarios_never_crash(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[dict[str, Any], tuple[Any, ...], str]
) -> None:
    """1,000 mutated scenarios: still valid, or one line and exit 2."""
    _mutated_never_crash(tmp_path_factory, case)


@pytest.mark.parametrize(("extra", "field"), [
    (["--jobs", "100000"], "--jobs"),
    (["--replications", str(10**12)], "scenario.replications"),
    (["--horizon", "1e999min"], "--horizon"),
    (["--horizon=-1h"], "--horizon"),
    (["--horizon", f"{1e9 * 525960:g}min"], "scenario.horizon"),
    (["--design", "../x"], "--design"),
])
def test_bad_command_line_values_are_one_line(
    tmp_path: Path, no_simulation: None, extra: list[str], field: str
) -> None:
    """Absurd --jobs, --replications, --horizon, --design: one line, exit 2, no run."""
    path = tmp_path / "full.toml"
    path.write_text(generate.to_toml(generate.FULL), encoding="utf-8")
    status, stdout, stderr = run_in_process(path, tmp_path / "out", *extra)
    assert status == 2, stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr + stdout, stderr
    assert stderr.startswith((f"{field}: ", f"{path}: {field}: ")), stderr
    assert not (tmp_path / "out").exists()


def test_overload_without_abandonment_is_warned_not_refused(
    tmp_path: Path, no_simulation: None
) -> None:
    """10 calls a minute of 1 minute on 3 agents, no patience: a warning, then the run; the
    same with a patience, or with 12 agents: no warning."""
    from test_cli_errors import mutate

    text = mutate(('patience = { dist = "exponential", mean = "2min" }\n', ""),
                  ('rate = "2/min"', 'rate = "10/min"'))
    path = tmp_path / "over.toml"
    path.write_text(text, encoding="utf-8")
    status, _, stderr = run_in_process(path, tmp_path / "out")
    assert status == "ran"
    assert "warning" in stderr and "channel 'voice'" in stderr and "10 erlangs" in stderr
    for quiet in (mutate(('rate = "2/min"', 'rate = "10/min"')),
                  text.replace("agents = 3", "agents = 12")):
        path.write_text(quiet, encoding="utf-8")
        status, _, stderr = run_in_process(path, tmp_path / "out")
        assert status == "ran" and "warning" not in stderr, stderr
