"""The Python API (sim.api): its doctests, its tables against the files, its errors, and
docs/api.md run block by block."""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS

import sim
import sim.api
from sim.cli import main
from sim.errors import ScenarioError, SimError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> sim.Study:
    """The example scenario, 2 replications of two designs, written to a folder."""
    folder = tmp_path_factory.mktemp("api")
    path = folder / "tiny.toml"
    path.write_text(sim.api.EXAMPLE_SCENARIO)
    return sim.run(path, replications=2, designs=["siloed", "unified-history"], jobs=1,
                   out=folder / "results")


def test_doctests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in sim.api's docstrings runs and shows what it says."""
    monkeypatch.chdir(ROOT)
    failures, attempted = doctest.testmod(sim.api, optionflags=doctest.ELLIPSIS)
    assert attempted >= 10
    assert failures == 0


def test_import_sim_does_not_import_pandas() -> None:
    """pandas is optional: ``import sim`` leaves it alone."""
    code = "import sys, sim; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_missing_pandas_says_how_to_install(tiny: sim.Study,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas a table raises one ImportError line naming the extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"^omnisim's tables .*pip install 'omnisim\[pandas\]'$"):
        _ = tiny.summary


def test_summary_is_the_mean_of_the_replications(tiny: sim.Study) -> None:
    """Each summary mean is the mean of that design's replications of the outcome."""
    reps = tiny.replications
    means = reps.groupby(["design", "outcome"], sort=False)["value"].mean()
    summary = tiny.summary.set_index(["design", "outcome"])
    assert set(summary.index) == set(means.index)
    assert np.allclose(summary.loc[means.index, "mean"], means, equal_nan=True)
    assert (reps.groupby("design")["replication"].nunique() == 2).all()


def test_differences_are_paired(tiny: sim.Study) -> None:
    """Each difference is the mean of per-replication differences against the baseline."""
    wide = tiny.replications.pivot_table(index=["outcome", "replication"], columns="design",
                                         values="value", dropna=False)
    paired = (wide["unified-history"] - wide["siloed"]).groupby("outcome").mean()
    diffs = tiny.differences.set_index("outcome")
    assert (diffs["baseline"] == "siloed").all() and (diffs["design"] == "unified-history").all()
    assert np.allclose(diffs.loc[paired.index, "mean"], paired, equal_nan=True)


def test_breakdown_matches_the_csv(tiny: sim.Study) -> None:
    """The breakdown's means are the means of breakdown.csv's replications."""
    rows = tiny.breakdown_replications
    means = rows.groupby(["design", "dimension", "key", "outcome"])["value"].mean()
    table = tiny.breakdown.set_index(["design", "dimension", "key", "outcome"])
    assert not means.empty
    assert np.allclose(table.loc[means.index, "mean"], means)
    assert set(tiny.breakdown["dimension"]) >= {"pool", "channel", "segment", "intent"}


def test_load_reads_back_what_run_returned(tiny: sim.Study) -> None:
    """sim.load of the folder gives the same tables."""
    assert tiny.folder is not None
    again = sim.load(tiny.folder)
    assert again.summary.equals(tiny.summary)
    assert again.replications.equals(tiny.replications)
    assert again.differences.equals(tiny.differences)


def test_plot_returns_the_figures(tiny: sim.Study) -> None:
    """plot(kind) returns a matplotlib Figure; an unknown kind is one clear error."""
    from matplotlib.figure import Figure

    assert isinstance(tiny.plot("outcomes"), Figure)
    assert isinstance(tiny.plot("journeys"), Figure)
    with pytest.raises(SimError, match=r"unknown figure 'journey'; did you mean 'journeys'\?"):
        tiny.plot("journey")


def test_without_out_nothing_stays_on_disk(tmp_path: Path) -> None:
    """out=None keeps the study in memory (folder None) and still plots."""
    path = tmp_path / "tiny.toml"
    path.write_text(sim.api.EXAMPLE_SCENARIO)
    with pytest.warns(UserWarning, match="no confidence interval"):
        study = sim.run(path, replications=1, designs=["siloed"], jobs=1)
    assert study.folder is None
    assert list(tmp_path.iterdir()) == [path]
    assert study.summary["ci_low"].isna().all()
    assert study.differences.empty


@pytest.mark.parametrize(("text", "designs"), [
    ("[scenario]\nname = 'x'\nhorizon = '-1h'\n", None),
    (sim.api.EXAMPLE_SCENARIO, ["unified-histroy"]),
])
def test_errors_are_the_cli_line(tmp_path: Path, text: str, designs: list[str] | None,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """sim.run raises ScenarioError with exactly the line ``omnisim run`` prints."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        sim.run(str(path), designs=designs, jobs=1)
    args = ["run", str(path), "--out", str(tmp_path / "out")]
    assert main([*args, *(["--design", *designs] if designs else [])]) == 2
    assert capsys.readouterr().err == str(caught.value) + "\n"
    assert "\n" not in str(caught.value)


def test_version_and_one_replication(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``omnisim --version`` names the installed version; ``-n 1`` warns on stderr."""
    from importlib import metadata

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"omnisim {metadata.version('omnisim')}\n"
    path = tmp_path / "tiny.toml"
    path.write_text(sim.api.EXAMPLE_SCENARIO)
    assert main(["run", str(path), "-n", "1", "-j", "1", "--design", "siloed", "--quiet",
                 "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == ("omnisim run: warning: 1 replication: no confidence "
                                       "interval can be computed (give -n 2 or more)\n")


def test_bad_numbers_are_scenario_errors(tmp_path: Path) -> None:
    """replications, jobs and seed are checked before anything runs."""
    with pytest.raises(ScenarioError, match=r"^replications: must be >= 1 \(got 0\)$"):
        sim.run(tmp_path / "any.toml", replications=0)
    with pytest.raises(ScenarioError, match=r"^seed: must be a whole number \(got 1.5\)$"):
        sim.run(tmp_path / "any.toml", seed=1.5)  # type: ignore[arg-type]


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


@pytest.mark.slow
def test_docs_api_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/api.md's code blocks run in order, in a folder holding the scenarios."""
    blocks = _python_blocks(ROOT / "docs" / "api.md")
    assert len(blocks) >= 4
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"docs/api.md block {i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message is the point
            pytest.fail(f"docs/api.md block {i + 1} failed: {type(e).__name__}: {e}")
    assert (tmp_path / "results" / "app-to-phone" / "summary.json").is_file()
    assert (tmp_path / "repetitions.png").stat().st_size > 1000
