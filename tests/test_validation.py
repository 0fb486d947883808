"""``omnisim validate``: the simulator against exact Erlang C and Erlang A values.

The small grid (one M/M/5 and one M/M/3+M queue, 20 replications, seed 7: eight outcomes
each, 16 comparisons) runs through the real command, and every exact value must lie inside
its interval. The intervals are at the Bonferroni family-wise 95% level, 1 − 0.05/16 ≈
99.69% each, not at 95%: sixteen 95% intervals, and the outcomes of one case move
together, miss somewhere far more often than one run in twenty for a perfect simulator. At
the family-wise level a correct simulator fails this test at most one run in twenty,
whatever the correlation, while an error of a few per cent still fails it. The rest checks
the machinery without simulating: the generated scenario files read back as the cases they
describe, the exact values are the ones sim.theory gives under the same names, misses are
reported and turn the exit status to 1, and bad arguments exit 2.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import attrs
import pytest
from conftest import run_omnisim

from sim.cli import main
from sim.experiment import validation as v
from sim.scenario import load_scenario
from sim.theory import erlang_a, erlang_c


def _rows_of_markdown(text: str) -> list[list[str]]:
    """The body rows of the results table of a validation page, split into cells.

    A case's name and queue are written on its first row only; they are carried down.
    """
    rows: list[list[str]] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or len(cells) != 8 or not cells[2].startswith("`"):
            continue
        if re.fullmatch(r"[AC]\d+", cells[0]):
            rows.append(cells)
        elif cells[0] == "" and rows:
            rows.append([rows[-1][0], rows[-1][1], *cells[2:]])
    return rows


#: Comparisons in the small grid, and the per-interval level that makes them a 95% family.
COMPARISONS = sum(len(c.exact()) for c in v.small_grid())
FAMILY = v.family_confidence(COMPARISONS)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """``python -m sim validate --confidence FAMILY --out DIR``, run once.

    Returns (DIR, its stdout, its exit status).
    """
    out = tmp_path_factory.mktemp("validation")
    done = run_omnisim("validate", "--out", str(out), "--jobs", "2",
                       "--confidence", repr(FAMILY))
    assert done.returncode in (0, 1), done.stderr
    return out, done.stdout, done.returncode


def test_small_grid_exits_0(small_run: tuple[Path, str, int]) -> None:
    """Every exact value of the small grid lies inside its interval: exit status 0."""
    _, stdout, status = small_run
    assert status == 0, stdout


def test_small_grid_page_has_every_value_inside(small_run: tuple[Path, str, int]) -> None:
    """validation.md lists every comparison of the small grid, each marked inside."""
    out, _, _ = small_run
    page = (out / "validation.md").read_text(encoding="utf-8")
    rows = _rows_of_markdown(page)
    expected = COMPARISONS
    assert expected == 16
    assert len(rows) == expected
    assert {r[0] for r in rows} == {c.name for c in v.small_grid()}
    assert {r[2].strip("`") for r in rows} == set(v.OUTCOMES)
    assert all(r[-1] == "yes" for r in rows), [r for r in rows if r[-1] != "yes"]
    assert f"{expected} of {expected} exact values lie inside their 99.6875% intervals" in page
    assert "![" in page and "(validation.png)" in page


def test_small_grid_figure_is_a_png(small_run: tuple[Path, str, int]) -> None:
    """validation.png is written next to the page."""
    out, _, _ = small_run
    assert (out / "validation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cases_run_on_seeds_of_their_own() -> None:
    """Each case's seed differs from the others', and is the same in both grids."""
    seeds = {c.name: c.seed(7) for c in v.full_grid()}
    assert len(set(seeds.values())) == len(seeds)
    assert all(seeds[c.name] == c.seed(7) for c in v.small_grid())
    assert all(0 <= s < 2**63 for s in seeds.values())
    assert v.full_grid()[0].seed(8) != seeds[v.full_grid()[0].name]


@pytest.mark.parametrize("case", v.full_grid(), ids=lambda c: c.name)
def test_generated_scenario_reads_back_as_the_case(case: v.ValidationCase,
                                                   tmp_path: Path) -> None:
    """Each case's scenario file loads, through the real loader, as the queue it describes."""
    path = tmp_path / "case.toml"
    path.write_text(case.scenario_toml(replications=5, seed=3), encoding="utf-8")
    scenario = load_scenario(path)
    sec = scenario.scenario
    assert (sec.replications, sec.seed) == (5, 3)
    assert sec.horizon == pytest.approx(case.horizon)
    assert sec.warmup == pytest.approx(case.warmup)
    assert sec.service_level_threshold == pytest.approx(case.threshold / 60)
    assert scenario.arrivals.rate == pytest.approx(case.arrival_rate)
    (segment,) = scenario.segments
    (intent,) = scenario.intents
    (pool,) = scenario.pools
    assert (pool.name, pool.agents, pool.channels) == (v.POOL, case.agents, ["voice"])
    assert intent.handle["voice"].mean == pytest.approx(case.handle_mean)
    if case.patience_mean is None:
        assert segment.patience is None
    else:
        assert segment.patience is not None
        assert segment.patience.mean == pytest.approx(case.patience_mean)


def test_grids_cover_the_ranges_asked_for() -> None:
    """The full grid spans n = 1..50, loads 0.5–0.98, θ/μ 0.1–2, both models."""
    grid = v.full_grid()
    assert {c.name for c in v.small_grid()} <= {c.name for c in grid}
    assert len({c.name for c in grid}) == len(grid)
    assert min(c.agents for c in grid) == 1 and max(c.agents for c in grid) == 50
    assert min(c.load for c in grid) == pytest.approx(0.5)
    assert max(c.load for c in grid) == pytest.approx(0.98)
    ratios = [c.theta_over_mu for c in grid if c.theta_over_mu is not None]
    assert min(ratios) == pytest.approx(0.1) and max(ratios) == pytest.approx(2.0)
    assert {c.model for c in grid} == {"Erlang C", "Erlang A"}


def test_exact_values_are_sim_theorys() -> None:
    """The exact column is sim.theory's, outcome for outcome under the same names."""
    c = v.ValidationCase("X", agents=4, arrival_rate=3.0, handle_mean=1.0, patience_mean=None,
                         threshold=0.0, horizon=10.0, warmup=1.0)
    theory_c = erlang_c(3.0, 1.0, 4)
    exact = {k: val for k, (val, _) in c.exact().items()}
    assert list(exact) == list(v.OUTCOMES)
    assert exact["abandonment_rate"] == 0.0
    for level in ("service_level", "service_level_answered", "service_level_offered"):
        assert exact[level] == pytest.approx(1 - theory_c.p_wait)  # t = 0: 1 − P(W > 0)
    assert exact["asa"] == exact["mean_wait"] == pytest.approx(theory_c.mean_wait)
    assert exact["agent_utilization"] == pytest.approx(0.75)
    a = v.ValidationCase("Y", agents=4, arrival_rate=5.0, handle_mean=1.0, patience_mean=2.0,
                         threshold=20.0, horizon=10.0, warmup=1.0)
    theory_a = erlang_a(5.0, 1.0, 0.5, 4)
    exact = {k: val for k, (val, _) in a.exact().items()}
    assert list(exact) == list(v.OUTCOMES)
    assert exact["abandonment_rate"] == pytest.approx(theory_a.abandonment_rate)
    assert exact["asa"] == pytest.approx(theory_a.asa)
    assert exact["mean_wait"] == pytest.approx(theory_a.mean_wait)
    assert exact["service_level"] == pytest.approx(theory_a.service_level(20 / 60))
    assert exact["service_level_answered"] == pytest.approx(
        theory_a.service_level_answered(20 / 60))
    assert exact["service_level_offered"] == pytest.approx(
        theory_a.service_level_offered(20 / 60))
    # Abandonment makes the three definitions differ, in this order.
    assert exact["service_level_offered"] < exact["service_level"]
    assert exact["service_level"] < exact["service_level_answered"]
    assert exact["asa"] < exact["mean_wait"] / (1 - exact["abandonment_rate"])
    assert exact["agent_utilization"] == pytest.approx(theory_a.utilization)
    assert exact[f"pool.{v.POOL}.mean_queue_length"] == pytest.approx(theory_a.mean_queue_length)


def test_exact_meanings_keep_the_table_intact() -> None:
    """No meaning contains a "|", which would split a cell of the Markdown table."""
    for case in v.full_grid():
        assert all("|" not in meaning for _, meaning in case.exact().values()), case.name


def test_unstable_erlang_c_case_is_refused() -> None:
    """An Erlang C case at load ≥ 1 has no steady state: ValueError naming the load."""
    with pytest.raises(ValueError, match="load < 1"):
        v.ValidationCase("bad", agents=2, arrival_rate=2.0, handle_mean=1.0,
                         patience_mean=None, threshold=0.0, horizon=10.0, warmup=0.0)


def _row(exact: float, low: float, high: float, case: str = "A9") -> v.ValidationRow:
    return v.ValidationRow(case, "Erlang A", "M/M/2+M", "mean_wait", exact, "E[W]",
                           (low + high) / 2, low, high, 20, 1.0)


def test_rows_know_whether_they_are_inside() -> None:
    """inside includes the ends; standardized is the deviation in half-widths."""
    assert _row(1.0, 1.0, 2.0).inside
    assert _row(2.0, 1.0, 2.0).inside
    assert not _row(2.5, 1.0, 2.0).inside
    assert _row(2.5, 1.0, 2.0).standardized == pytest.approx(-2.0)
    assert math.isnan(_row(0.0, 1.0, 2.0).relative_error)


def test_wider_levels_rescale_the_interval_by_t_quantiles() -> None:
    """inside_at rescales the half-width by t(level)/t(0.95) with n − 1 degrees of freedom."""
    from scipy import stats

    ratio = stats.t.ppf(0.9975, 19) / stats.t.ppf(0.975, 19)  # about 1.46
    row = _row(1.5 + 0.5 * ratio * 0.98, 1.0, 2.0)  # mean 1.5, 95% half-width 0.5
    assert not row.inside and not row.inside_at(0.95)
    assert row.inside_at(0.995)
    assert not _row(1.5 + 0.5 * ratio * 1.02, 1.0, 2.0).inside_at(0.995)


def test_family_confidence_is_bonferroni() -> None:
    """k intervals at 1 − 0.05/k cover together with probability ≥ 95%."""
    assert v.family_confidence(1) == pytest.approx(0.95)
    assert v.family_confidence(9) == pytest.approx(1 - 0.05 / 9)
    assert v.family_confidence(50, family=0.9) == pytest.approx(0.998)


def test_markdown_reports_misses_honestly() -> None:
    """A miss is marked NO, counted, listed, and set against the misses chance explains."""
    rows = [_row(1.5, 1.0, 2.0, "A1"), _row(3.0, 1.0, 2.0, "A2")]
    text = v.render_markdown(rows)
    assert "| A2 |" in text and "**NO**" in text
    assert "1 of 2 exact values lie inside their 95% intervals; 1 outside" in text
    assert "by chance alone about 0.1 would be" in text
    assert "family-wise 95% level (Bonferroni: every interval at 97.5%), 1 outside" in text
    assert "- A2 `mean_wait`: exact 3, simulated 1.5 [1, 2]" in text


def test_plot_writes_a_png(tmp_path: Path) -> None:
    """plot_validation draws rows (a miss, and exact zeros met and missed) to a PNG file."""
    zero = v.ValidationRow("C1", "Erlang C", "M/M/1", "abandonment_rate", 0.0, "0", 0.0, 0.0,
                           0.0, 20, 1.0)
    nonzero = attrs.evolve(zero, case="C2", mean=0.01, ci_low=0.005, ci_high=0.015)
    rows = [_row(1.5, 1.0, 2.0, "A1"), _row(3.0, 1.0, 2.0, "A2"), zero, nonzero]
    assert zero.inside and not nonzero.inside
    v.plot_validation(rows, tmp_path / "v.png")
    assert (tmp_path / "v.png").read_bytes()[:4] == b"\x89PNG"


def test_a_miss_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """When an exact value lies outside its interval the command exits 1, files written."""

    def fake(cases: list[v.ValidationCase], *args: object, **kwargs: object) -> list[
        v.ValidationRow
    ]:
        return [_row(1.5, 1.0, 2.0, "A1"), _row(3.0, 1.0, 2.0, "A2")]

    monkeypatch.setattr(v, "run_validation", fake)
    assert main(["validate", "--out", str(tmp_path)]) == 1
    assert "**NO**" in (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert (tmp_path / "validation.png").exists()


def test_out_is_locked_and_published_whole(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """validate writes through the results folder every command uses: a second run into a
    locked folder refuses in one line (exit 3) before simulating; a file already there
    is kept beside the new page and figure."""
    import fcntl

    simulated: list[int] = []

    def fake(*args: object, **kwargs: object) -> list[v.ValidationRow]:
        simulated.append(1)
        return [_row(1.5, 1.0, 2.0, "A1")]

    monkeypatch.setattr(v, "run_validation", fake)
    out = tmp_path / "validation"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with open(tmp_path / ".validation.lock", "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["validate", "--out", str(out)]) == 3
    err = capsys.readouterr().err.strip()
    assert "another omnisim run is writing into this folder" in err and "\n" not in err
    assert simulated == []
    assert main(["validate", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "validation.md",
                                                       "validation.png"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("args", [
    ["--replications", "1"],
    ["--replications", "many"],
    ["--seed", "-1"],
    ["--jobs", "0"],
    ["--confidence", "1"],
    ["--confidence", "95"],
    ["--confidence", "high"],
    ["--fast"],
])
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Bad arguments exit 2 with a usage message, before anything runs."""
    with pytest.raises(SystemExit) as e:
        main(["validate", *args])
    assert e.value.code == 2
    assert "usage: omnisim" in capsys.readouterr().err
