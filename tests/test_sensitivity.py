"""Sensitivity analysis: the estimators against known indices, a scenario whose answer is
known by construction, the [uncertain] table's checks, and the command's files."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import SCENARIOS

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiment import sensitivity as sa
from sim.scenario import load_scenario, parse_scenario
from sim.scenario.uncertain import Uncertain, apply_sample, resolve_uncertain

#: App customers fail self-service with an uncertain probability and phone in; agents are
#: plenty and nobody is interrupted, so a siloed agent asks again for the three facts of
#: every failed issue and a unified one for none: the difference in repetitions per issue
#: is −3 × (1 − success), whatever the handle time (the dummy assumption).
TINY = """
[scenario]
name = "tiny"
horizon = "40min"
warmup = "10min"
seed = 5
designs = ["siloed", "unified"]

[arrivals]
rate = "1/min"

[[segments]]
name = "mobile"
share = 1.0
start = { app = 1.0 }

[[intents]]
name = "q"
share = 1.0
facts = ["identity", "booking", "problem"]
handle = { voice = { dist = "exponential", mean = "2min" } }
self_service = { app = { success = 0.3, time = "2min" } }

[facts.identity]
collect = "40s"
[facts.booking]
collect = "30s"
[facts.problem]
collect = "90s"

[[journeys]]
from = "app"
after = "failed"
to = { voice = 1.0 }

[[pools]]
name = "voice"
agents = 40
channels = ["voice"]

[uncertain]
"intents.q.self_service.app.success" = { low = 0.1, high = 0.9, source = "test" }
"intents.q.handle.voice.mean" = { low = "1min", high = "3min", source = "test: a dummy" }
"""


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Analytic first-order and total indices of the Ishigami function (Ishigami &
    Homma 1990; Sobol' & Levitan 1999)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return [v1 / var, v2 / var, 0.0], [(v1 + v13) / var, v2 / var, v13 / var]


def _uniform(path: str, low: float, high: float) -> Uncertain:
    return Uncertain(path, "uniform", (low, high), "", "test")


def test_sobol_indices_of_the_ishigami_function_lie_in_their_intervals() -> None:
    """Saltelli sets through the uniform ppf, and the estimators, recover Ishigami's
    analytic first-order and total indices within their 95% bootstrap intervals."""
    entries = [_uniform(f"x{i}", -math.pi, math.pi) for i in range(1, 4)]
    n = 1024
    draws = sa.draw(entries, "sobol", n, seed=3)
    assert draws.values.shape == (n * 5, 3)
    found = sa.sobol_analysis(_ishigami(draws.values), n, 3, seed=3)
    assert found is not None
    first, total = _ishigami_indices()
    for i, entry in enumerate(found):
        assert entry["first_low"] <= first[i] <= entry["first_high"], (i, entry, first[i])
        assert entry["total_low"] <= total[i] <= entry["total_high"], (i, entry, total[i])
        assert entry["total_high"] - entry["total_low"] < 0.2  # and they are informative


def test_standardized_regression_coefficients_of_a_linear_function() -> None:
    """On a Latin hypercube, y = 3 x1 + x2 gives SRCs 3/√10, 1/√10 and 0 for a dummy x3,
    each inside its bootstrap interval, with R² = 1."""
    entries = [_uniform(f"x{i}", 0.0, 1.0) for i in range(1, 4)]
    draws = sa.draw(entries, "lhs", 200, seed=4)
    y = 3 * draws.values[:, 0] + draws.values[:, 1]
    fit = sa.lhs_indices(draws.values, y, seed=4)
    assert fit is not None
    coefficients, r2 = fit
    assert r2 == pytest.approx(1.0)
    for entry, exact in zip(coefficients, (3 / math.sqrt(10), 1 / math.sqrt(10), 0.0),
                            strict=True):
        assert entry["src_low"] - 1e-9 <= exact <= entry["src_high"] + 1e-9
        assert entry["src"] == pytest.approx(exact, abs=0.02)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`omnisim sensitivity` of the tiny scenario, N = 16: its folder and its report."""
    folder = tmp_path_factory.mktemp("tiny")
    scenario = folder / "tiny.toml"
    scenario.write_text(TINY)
    out = folder / "out"
    status = main(["sensitivity", str(scenario), "-N", "16", "-j", "2", "--out", str(out),
                   "-q"])
    assert status == 0
    return out, json.loads((out / "sensitivity.json").read_text())


def test_the_one_assumption_that_drives_the_difference_has_total_index_near_1(
        tiny: tuple[Path, dict[str, Any]]) -> None:
    """Known by construction: self-service success drives the repetitions saved, with a
    total index near 1; the handle time, a dummy for this difference, gets one near 0."""
    _, data = tiny
    o = data["outcomes"]["repetitions_per_issue"]
    success = o["indices"]["intents.q.self_service.app.success"]
    dummy = o["indices"]["intents.q.handle.voice.mean"]
    assert o["strongest"] == "intents.q.self_service.app.success"
    assert success["total"] > 0.9 and success["total_high"] >= 0.98
    assert abs(dummy["total"]) < 0.05 and dummy["total_low"] <= 0.01
    assert o["p_better"] == 1.0 and o["p95"] < 0


def test_the_command_writes_its_files(tiny: tuple[Path, dict[str, Any]]) -> None:
    """sensitivity.json, a tidy sensitivity.csv, samples.csv, manifest.json and a figure per
    outcome with indices."""
    out, data = tiny
    sets = 16 * (2 + 2)
    assert data["sets"] == sets and data["designs"] == {"a": "siloed", "b": "unified"}
    rows = (out / "sensitivity.csv").read_text().splitlines()
    assert rows[0] == "sample,design,outcome,value"
    assert len(rows) - 1 == sets * 2 * len(sa.OUTCOMES)
    values = [float(r.split(",")[3]) for r in rows[1:] if r.split(",")[3]]
    assert len(values) > sets  # plain numbers (float() refuses np.float64(...))
    samples = (out / "samples.csv").read_text().splitlines()
    assert len(samples) == sets + 1 and samples[1].split(",")[1] == "A"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["method"] == "sobol" and manifest["sets"] == sets
    figure = out / "figures" / "sensitivity_repetitions_per_issue.png"
    assert figure.stat().st_size > 10_000


def test_plot_draws_the_same_figures_again(tiny: tuple[Path, dict[str, Any]],
                                           tmp_path: Path) -> None:
    """``omnisim plot`` on a sensitivity folder redraws its figures from the files, the
    same SVG byte for byte."""
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(tiny[0], out)
    before = {p.name: p.read_bytes() for p in (out / "figures").glob("*.svg")}
    shutil.rmtree(out / "figures")
    assert main(["plot", str(out)]) == 0
    assert before and {p.name: p.read_bytes() for p in (out / "figures").glob("*.svg")} == before


def test_resume_reuses_the_saved_runs_and_writes_the_same_report(
        tiny: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """With --resume every unit is loaded from .units/ (none is run) and the report is the
    same."""
    out, data = tiny
    def nothing_to_run(units: list[Any], jobs: int) -> Any:
        if units:
            pytest.fail(f"{len(units)} units run again")
        yield from ()

    monkeypatch.setattr(sa, "_local", nothing_to_run)
    status = main(["sensitivity", str(out.parent / "tiny.toml"), "-N", "16", "--out",
                   str(out), "--resume", "-q", "--no-plot"])
    assert status == 0
    assert json.loads((out / "sensitivity.json").read_text()) == data


def test_a_locked_folder_is_refused(tiny: tuple[Path, dict[str, Any]], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """While another run holds the results folder, sensitivity exits 3, writing nothing."""
    from sim.errors import EXIT_ENVIRONMENT
    from sim.experiment.outdir import ResultsFolder

    out = tmp_path / "locked"
    with ResultsFolder(out):
        status = main(["sensitivity", str(tiny[0].parent / "tiny.toml"), "-N", "16",
                       "--out", str(out), "-q", "--no-plot"])
    assert status == EXIT_ENVIRONMENT
    assert "another omnisim run" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def _units(n: int = 16) -> list[Any]:
    data = tomllib.loads(TINY)
    entries = resolve_uncertain(data)
    draws = sa.draw(entries, "lhs", n, seed=1)
    return sa.set_units(data, entries, draws, ["siloed", "unified"], 1, 5)[:12]


def test_two_processes_give_the_serial_results() -> None:
    """The parameter sets run on two processes give exactly the serial outcomes."""
    units = _units()
    serial = sa.run_sets(units, jobs=1, progress=False)
    parallel = sa.run_sets(units, jobs=2, progress=False)
    assert json.dumps(serial) == json.dumps(parallel)


def test_a_dask_cluster_gives_the_serial_results() -> None:
    """The parameter sets run on an in-process Dask cluster give the serial outcomes."""
    distributed = pytest.importorskip("distributed")
    units = _units()[:4]
    serial = sa.run_sets(units, jobs=1, progress=False)
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        got = sa.run_sets(units, executor="dask", scheduler=cluster.scheduler_address,
                          progress=False)
    assert json.dumps(got) == json.dumps(serial)


def test_a_varied_share_rescales_the_rest_of_its_group() -> None:
    """Drawing the app-failed journey's voice share as 0.5 rescales retry and give-up in
    proportion (0.05 : 0.30) to fill the other half."""
    data = tomllib.loads((SCENARIOS / "app-to-phone.toml").read_text())
    entry = next(e for e in resolve_uncertain(data) if e.path == "journeys[0].to.voice")
    to = apply_sample(data, [entry], [0.5])["journeys"][0]["to"]
    assert to["voice"] == 0.5
    assert to["retry"] == pytest.approx(0.5 * 0.05 / 0.35)
    assert to["give_up"] == pytest.approx(0.5 * 0.30 / 0.35)
    parse_scenario(apply_sample(data, [entry], [0.5]))  # a valid scenario


def test_whole_number_fields_take_whole_values_each_equally_likely() -> None:
    """A headcount range 15–19 gives whole headcounts, each about a fifth of the draws."""
    data = tomllib.loads(TINY.replace('"intents.q.handle', '"pools.voice.agents" = { low = '
                                      '15, high = 19, source = "test" }\n"intents.q.handle'))
    entry = next(e for e in resolve_uncertain(data) if e.path == "pools.voice.agents")
    values = entry.ppf(np.linspace(0.001, 0.999, 1000))
    assert entry.integer and set(values) == {15, 16, 17, 18, 19}
    assert all(190 <= np.sum(values == k) <= 210 for k in range(15, 20))
    assert apply_sample(data, [entry], [17.0])["pools"][0]["agents"] == 17


BAD = [
    ('"pools.voice.agentz" = { low = 1, high = 2, source = "s" }',
     "uncertain.pools.voice.agentz: not a field the scenario can vary: pools[0].agentz: "
     "unknown key; did you mean 'agents'?"),
    ('"segments.tablet.share" = { low = 0.1, high = 0.2, source = "s" }',
     "uncertain.segments.tablet.share: no element named 'tablet'"),
    ('"intents.q.self_service.app.success" = { low = 0.5, high = 1.2, source = "s" }',
     "uncertain.intents.q.self_service.app.success: its high end 1.2 is not allowed: "
     "intents[0].self_service.app.success: must be a probability in [0, 1] (got 1.2)"),
    ('"facts.problem.collect" = { low = "-1min", high = "2min", source = "s" }',
     "uncertain.facts.problem.collect: a negative duration (allowed: >= 0)"),
    ('"arrivals.rate" = { low = "3/min", high = "2/min", source = "s" }',
     "uncertain.arrivals.rate: low 3 is not below high 2 (allowed: low < high)"),
    ('"arrivals.rate" = { low = "1/min", high = "3/min" }',
     "uncertain.arrivals.rate: missing source"),
    ('"callback.accept" = { dist = "beta", mean = 0.4, sd = 0.6, source = "s" }',
     "uncertain.callback.accept: a beta range needs 0 < mean < 1"),
    ('"segments.mobile.patience" = { low = "1min", high = "2min", source = "s" }',
     "uncertain.segments.mobile.patience: is a table, not a value"),
]


@pytest.mark.parametrize(("entry", "message"), BAD)
def test_bad_uncertain_entries_are_one_line_and_exit_2(
        entry: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad [uncertain] entry prints FILE: uncertain.PATH: what is wrong, exits 2, and
    nothing is run or written."""
    scenario = tmp_path / "s.toml"
    text = TINY.split("[uncertain]")[0] + "[uncertain]\n" + entry + "\n"
    scenario.write_text(text.replace('start = { app = 1.0 }', 'start = { app = 1.0 }\n'
                                     'patience = { dist = "exponential", mean = "5min" }'))
    out = tmp_path / "out"
    assert main(["sensitivity", str(scenario), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{scenario}: {message}"), err
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["-N", "8"], "--samples: 8 is too small for sobol with 2 assumptions (allowed: at "
     "least 16)"),
    (["-N", "24"], "--samples: 24 is not a power of two"),
    (["-N", "5", "--method", "lhs"], "--samples: 5 is too small for lhs with 2 assumptions "
     "(allowed: at least 6)"),
    (["--design", "siloed"], "--design: needs two designs, A then B (got 1: siloed)"),
])
def test_too_few_samples_or_designs_exit_2(args: list[str], message: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """N too small for the method (or not a power of two for Sobol) exits 2, nothing run."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(TINY)
    out = tmp_path / "out"
    assert main(["sensitivity", str(scenario), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{scenario}: {message}"), err
    assert not out.exists()


def test_run_ignores_the_uncertain_table_but_load_checks_its_entries(tmp_path: Path) -> None:
    """The story with its [uncertain] table loads for `run`; an entry without a source
    makes the file invalid for every command."""
    load_scenario(SCENARIOS / "app-to-phone.toml")
    bad = tmp_path / "s.toml"
    bad.write_text(TINY.replace(', source = "test" }', " }"))
    with pytest.raises(ScenarioError, match=r"uncertain.intents.q.self_service.app.success: "
                       "missing source"):
        load_scenario(bad)
