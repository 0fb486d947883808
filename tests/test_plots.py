"""Figures of a results folder (sim.plots), from a real ``omnisim run`` of the story scenario."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import matplotlib.image
import pytest
from conftest import SCENARIOS, run_omnisim

from sim.errors import SimError
from sim.plots import (
    DPI,
    FIGURES,
    differences_figure,
    journey_graph,
    load_results,
    plot_results,
    read_table,
    ttr_ecdf_figure,
)

NAMES = ("outcomes", "differences", "time_to_resolution_ecdf", "pools_over_day", "journeys")
RESULT_FILES = ("summary.json", "replications.csv", "series.csv", "journeys.csv",
                "ttr_quantiles.csv")


_OPEN_FIGURES: list[int] = []  # pyplot's open figures after plot_results, see the fixture


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Run the story scenario with 2 replications and make its figures once."""
    import matplotlib.pyplot as plt  # imported first, so that a leak would register here

    out = tmp_path_factory.mktemp("story")
    done = run_omnisim("run", str(SCENARIOS / "app-to-phone.toml"), "--replications", "2",
                       "--out", str(out), "--quiet", "--horizon", "4h")
    assert done.returncode == 0, done.stderr
    written = plot_results(out)
    _OPEN_FIGURES[:] = plt.get_fignums()
    return out, written


def test_every_figure_is_written(story: tuple[Path, list[Path]]) -> None:
    """plot_results writes a non-empty PNG and SVG of each figure under DIR/figures."""
    out, written = story
    expected = {out / "figures" / f"{n}.{ext}" for n in NAMES for ext in ("png", "svg")}
    assert set(written) == expected
    for path in expected:
        assert path.stat().st_size > 1000, path
    for name in NAMES:
        assert "<svg" in (out / "figures" / f"{name}.svg").read_text()[:2000]


def test_pngs_open_and_have_the_figure_size(story: tuple[Path, list[Path]]) -> None:
    """Each PNG opens and is its figure's size at 150 dpi (nothing cropped, right ratio)."""
    out, _ = story
    data = load_results(out)
    for name in NAMES:
        image = matplotlib.image.imread(out / "figures" / f"{name}.png")
        height, width = image.shape[:2]
        w_in, h_in = FIGURES[name](data).get_size_inches()
        assert abs(width - w_in * DPI) <= 1 and abs(height - h_in * DPI) <= 1, name
        assert width / height == pytest.approx(w_in / h_in, rel=0.01), name
        if name != "differences":  # one row per outcome and design: may be tall
            assert width > height, name
        assert image[..., :3].min() < 0.5, name  # something dark is drawn, not a blank page


def test_journey_graph_of_the_story(story: tuple[Path, list[Path]]) -> None:
    """The journeys graph has the story's nodes, and the shares leaving arrival sum to 1."""
    out, _ = story
    table = read_table(out / "journeys.csv")
    for design in ("siloed", "unified-history", "mobile-first"):
        graph = journey_graph(table, design)
        assert {"arrival", "app", "voice", "resolved", "abandoned"} <= set(graph)
        shares = [d["share"] for _, _, d in graph.out_edges("arrival", data=True)]
        assert sum(shares) == pytest.approx(1.0)
        rows = (table["design"] == design) & (table["source"] == "arrival") & (
            table["target"] == "app")
        assert graph["arrival"]["app"]["count"] == table["count"][rows].sum() > 0
        assert graph.graph["replications"] == 2
        ends = sum(graph.nodes[n]["visits"] for n in ("resolved", "abandoned", "open")
                   if n in graph)
        assert ends == graph.graph["issues"]  # every issue ends exactly once


def test_no_figure_leaks_into_pyplot(story: tuple[Path, list[Path]]) -> None:
    """Making the figures leaves pyplot's registry of open figures empty."""
    import matplotlib.pyplot as plt

    assert _OPEN_FIGURES == plt.get_fignums() == []


def test_same_results_same_svg(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """Saving the same figure twice gives byte-identical SVG files (no dates, fixed ids)."""
    from sim.plots import save_figure

    data = load_results(story[0])
    a = save_figure(ttr_ecdf_figure(data.ttr_quantiles), tmp_path / "a", ("svg",))[0]
    b = save_figure(ttr_ecdf_figure(data.ttr_quantiles), tmp_path / "b", ("svg",))[0]
    assert a.read_bytes() == b.read_bytes()


def test_zero_baseline_is_shown_as_absolute(story: tuple[Path, list[Path]]) -> None:
    """A difference against a baseline mean of 0 goes to a panel of absolute differences."""
    summary = copy.deepcopy(load_results(story[0]).summary)
    summary["designs"]["siloed"]["outcomes"]["asa"]["mean"] = 0.0
    for design in ("unified-history", "mobile-first"):
        summary["differences"][design]["outcomes"]["asa"]["relative"] = None
    fig = differences_figure(summary)
    xlabels = [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()]
    assert len(xlabels) == 2 and "absolute" in xlabels[1]
    absolute = next(ax for ax in fig.axes if "absolute" in ax.get_xlabel())
    assert [t.get_text() for t in absolute.get_yticklabels() if t.get_text()] == [
        "Average speed of answer (min)"]


def test_missing_folder_raises(tmp_path: Path) -> None:
    """A results folder that does not exist raises SimError naming it."""
    missing = tmp_path / "nowhere"
    with pytest.raises(SimError, match="nowhere"):
        plot_results(missing)


@pytest.mark.parametrize("name", RESULT_FILES)
def test_missing_file_raises_naming_it(story: tuple[Path, list[Path]], tmp_path: Path,
                                       name: str) -> None:
    """A results folder without one of its files raises a one-line SimError naming it."""
    partial = tmp_path / "partial"
    shutil.copytree(story[0], partial, ignore=shutil.ignore_patterns("figures"))
    (partial / name).unlink()
    with pytest.raises(SimError, match=name.replace(".", r"\.")) as caught:
        plot_results(partial)
    assert "\n" not in str(caught.value)
    assert not (partial / "figures").exists()  # checked before anything is written


@pytest.mark.parametrize("content", ["", "design,replication,pool\n",
                                     "design,replication,pool,slot_start_min,busy_agents,"
                                     "waiting\n"])
def test_incomplete_file_raises_naming_it(story: tuple[Path, list[Path]], tmp_path: Path,
                                          content: str) -> None:
    """An empty, header-only or column-short series.csv raises SimError naming the file."""
    partial = tmp_path / "partial"
    shutil.copytree(story[0], partial, ignore=shutil.ignore_patterns("figures"))
    (partial / "series.csv").write_text(content)
    with pytest.raises(SimError, match=r"series\.csv"):
        plot_results(partial)
    assert not (partial / "figures").exists()


def test_figures_accept_pandas_tables(story: tuple[Path, list[Path]]) -> None:
    """The figure functions take a pandas DataFrame read from the results as well."""
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(story[0] / "journeys.csv")
    graph = journey_graph(frame, "unified-history")
    assert graph["arrival"]["app"]["count"] == frame.query(
        "design == 'unified-history' and source == 'arrival' and target == 'app'")["count"].sum()
    fig = ttr_ecdf_figure(pd.read_csv(story[0] / "ttr_quantiles.csv"))
    assert [line.get_label().split(":")[0] for line in fig.axes[0].get_lines()
            if not line.get_label().startswith("_")] == ["siloed", "unified-history",
                                                         "mobile-first"]


@pytest.mark.slow  # the module's fixture and the report test draw the same figures
def test_plot_command_and_run_plot_write_the_figures(tmp_path: Path) -> None:
    """``omnisim run --plot`` and ``omnisim plot DIR`` write every figure; a bad DIR exits 2."""
    from conftest import SCENARIOS, run_omnisim

    out = tmp_path / "r"
    done = run_omnisim("run", str(SCENARIOS / "app-to-phone.toml"), "-n", "2", "--out",
                       str(out), "--plot", "--quiet", "--horizon", "4h")
    assert done.returncode == 0, done.stderr
    assert (out / "figures" / "journeys.png").stat().st_size > 10_000
    done = run_omnisim("plot", str(out), "--out", str(tmp_path / "f"), "--format", "svg")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == sorted(
        f"{name}.svg" for name in ("outcomes", "differences", "time_to_resolution_ecdf",
                                   "pools_over_day", "journeys"))
    done = run_omnisim("plot", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "missing" in done.stderr
