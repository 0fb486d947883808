"""The command line's surface: the package, its parser, light imports, --format, plot DIR.

End to end through the real command where a user would (a table piped as CSV or JSON
and parsed back, a sweep folder redrawn by ``omnisim plot``); the formatter, the
estimate and the number formatter as small examples and hypothesis properties.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_omnisim
from hypothesis import given
from hypothesis import strategies as st

from sim.api import EXAMPLE_SCENARIO
from sim.cli import COMMANDS, build_parser, main
from sim.cli import options as opts
from sim.cli.formats import Table, as_csv, as_json, latex, markdown, render
from sim.errors import did_you_mean
from sim.metrics.stats import Estimate, estimate, format_number, t_quantile

HEAVY = ("matplotlib", "networkx", "scipy", "pandas", "numpy", "simpy", "rich")


def test_importing_the_command_line_loads_nothing_heavy() -> None:
    """``import sim.cli`` and building the parser (what --help and --version need)
    import neither the simulator nor matplotlib, networkx, scipy, pandas, numpy or rich."""
    code = ("import sys, sim.cli; sim.cli.build_parser(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules]); "
            "print([m for m in sys.modules if m.startswith(('sim.engine', 'sim.experiment', "
            "'sim.plots', 'sim.scenario'))])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    heavy, simulator = done.stdout.splitlines()
    assert heavy == "[]", heavy
    assert simulator == "[]", simulator


def _quiet_run(tmp_path: Path, replications: int) -> list[str]:
    """The arguments of a quiet, serial ``omnisim run`` of the example scenario (written to
    *tmp_path*) into ``tmp_path / "out"``."""
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(EXAMPLE_SCENARIO, encoding="utf-8")
    return ["run", str(scenario), "-n", str(replications), "-j", "1", "--quiet",
            "--out", str(tmp_path / "out")]


def test_a_quiet_run_in_one_process_loads_only_what_it_uses(tmp_path: Path) -> None:
    """``omnisim run --quiet -j 1`` simulates without networkx (validation walks the
    journeys itself), rich (no bar, no table), the process pool or scipy.stats (the t
    quantile comes from scipy.special): each costs start-up time that a short run would
    mostly spend importing."""
    code = ("import sys; from sim.cli import main; "
            f"code = main({_quiet_run(tmp_path, 2)!r}); "
            "print(code, sorted(m for m in ('networkx', 'rich', 'multiprocessing', "
            "'matplotlib', 'pandas', 'scipy.stats') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split()[0] == "0", done.stderr
    assert done.stdout.strip().endswith("[]"), done.stdout
    assert (tmp_path / "out" / "summary.json").is_file()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux /proc only")
@pytest.mark.parametrize("users", [None, "2"])
def test_the_omnisim_process_runs_openblas_on_one_thread_unless_told(
        tmp_path: Path, users: str | None) -> None:
    """The ``omnisim`` process itself (``main()`` on ``sys.argv``) sets OpenBLAS to one
    thread before numpy loads it, so the process runs one thread; a user's value is
    kept."""
    code = ("import os, sys; from sim.cli import main; "
            f"sys.argv = ['omnisim', *{_quiet_run(tmp_path, 1)!r}]; "
            "code = main(); import numpy; "
            "print(code, os.environ.get('OPENBLAS_NUM_THREADS'), "
            "len(os.listdir('/proc/self/task')))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if users is not None:
        env["OPENBLAS_NUM_THREADS"] = users
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    status, setting, threads = done.stdout.split()
    assert status == "0", done.stderr
    assert setting == (users or "1")
    if users is None:
        assert threads == "1"


def test_the_parser_has_every_command_and_the_shared_options() -> None:
    """build_parser() is public; every command parses; shared options mean the same."""
    parser = build_parser()
    assert set(COMMANDS) == {"run", "plot", "sweep", "staff", "ablate", "sensitivity",
                             "check", "validate", "graph", "report"}
    args = parser.parse_args(["run", "x.toml", "-n", "3", "--seed", "0", "-j", "2",
                              "--format", "csv"])
    assert (args.replications, args.seed, args.jobs, args.format) == (3, 0, 2, "csv")
    for command in ("ablate", "sweep", "staff", "sensitivity", "validate"):
        sub = parser._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
        assert "--format" in sub._option_string_actions, command
    with pytest.raises(SystemExit):
        parser.parse_args(["ablate", "x.toml", "-n", "1"])  # an interval needs two


def test_choices_repeated_for_light_imports_agree_with_their_sources() -> None:
    """The few choices options.py repeats (to stay light) are the simulator's own."""
    from sim.cli import sensitivity
    from sim.experiment import sensitivity as sa
    from sim.experiment.runner import EXECUTORS
    from sim.metrics.recorder import BREAKDOWN_DIMENSIONS

    assert opts.EXECUTORS == EXECUTORS
    assert opts.BREAKDOWN_DIMENSIONS == BREAKDOWN_DIMENSIONS
    assert (sensitivity.METHODS, sensitivity.DEFAULT_SAMPLES) == (sa.METHODS,
                                                                  sa.DEFAULT_SAMPLES)


cells = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                  st.floats(allow_nan=False, allow_infinity=False, width=64),
                  st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                          max_size=12))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    width = draw(st.integers(1, 5))
    columns = draw(st.lists(st.text("abcdefgh_", min_size=1, max_size=6), min_size=width,
                            max_size=width, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=6))
    return Table("title", columns, rows, ("a note",))


@given(tables())
def test_csv_and_json_keep_every_cell_exactly(table: Table) -> None:
    """CSV parses back to the same text and numbers (floats at full precision); JSON to
    the same values."""
    back = list(csv.reader(io.StringIO(as_csv(table))))
    assert back[0] == list(table.columns)
    assert len(back) == len(table.rows) + 1
    for row, parsed in zip(table.rows, back[1:], strict=True):
        for cell, text in zip(row, parsed, strict=True):
            if cell is None:
                assert text == ""
            elif isinstance(cell, float) and not isinstance(cell, bool):
                assert float(text) == cell
            else:
                assert text == str(cell)
    data = json.loads(as_json([table]))
    assert data[0]["columns"] == list(table.columns)
    assert [list(r.values()) for r in data[0]["rows"]] == [list(r) for r in table.rows]


@given(tables())
def test_markdown_and_latex_have_one_line_per_row(table: Table) -> None:
    """Nothing is wrapped: a line per row (after the header), whatever the cells hold."""
    md = markdown(table).splitlines()
    assert len([line for line in md if line.startswith("| ")]) == len(table.rows) + 2
    tex = latex(table)
    assert tex.count(r" \\") == len(table.rows) + 1
    assert "_" not in tex.replace(r"\_", "")


def test_several_tables_render_as_blocks_or_one_json_list() -> None:
    """CSV and Markdown separate tables by a blank line; JSON is one list."""
    a, b = Table("a", ("x",), [(1,)]), Table("b", ("y", "z"), [("p", 2.5)])
    assert render([a, b], "csv") == "x\n1\n\ny,z\np,2.5\n"
    assert [t["title"] for t in json.loads(render([a, b], "json"))] == ["a", "b"]
    assert render([a, b], "markdown").count("| --- |") == 1


def test_a_row_of_the_wrong_width_is_refused() -> None:
    """A table checks its rows against its columns."""
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        Table("t", ("a", "b", "c"), [(1, 2)])


@given(st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.995]),
       st.one_of(st.integers(-2, 10_000), st.floats(0.01, 1e6)))
def test_the_t_quantile_is_scipy_stats_to_the_bit(confidence: float, df: float) -> None:
    """Every interval's t quantile is what ``scipy.stats.t.ppf`` gives (without importing
    scipy.stats in a run), NaN included where there are no degrees of freedom."""
    from scipy import stats

    expected = stats.t.ppf(0.5 + confidence / 2, df)
    got = t_quantile(confidence, df)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_format_number_and_estimate_text() -> None:
    """One number formatter: – for none, thousands separators, scientific below 0.001."""
    assert [format_number(v) for v in (None, 0.0, 12345.6, 0.123456, 0.00012345)] == [
        "–", "0", "12,346", "0.1235", "1.23e-04"]
    assert [format_number(v, 3, signed=True) for v in (0.5, -2.0, 1234.0)] == [
        "+0.5", "-2", "+1,234"]
    est = Estimate.of(estimate([1.0, 2.0, 3.0]), "min")
    assert est.text() == "2 [-0.4841, 4.484]" and est.unit == "min" and est.n == 3
    assert not est.excludes_zero
    assert Estimate.of(est.to_dict()).to_dict() == estimate([1.0, 2.0, 3.0])
    assert Estimate(None).text() == "–" and Estimate(1.5).text() == "1.5"


def test_did_you_mean_names_the_close_or_abbreviated_name() -> None:
    """One did-you-mean helper: a close name, the one name abbreviated, or nothing."""
    assert did_you_mean("vioce", ["voice", "chat"]) == "; did you mean 'voice'?"
    assert did_you_mean("unif", ["unified-history", "siloed"]) == (
        "; did you mean 'unified-history'?")
    assert did_you_mean("zzz", ["voice", "chat"]) == ""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The API's tiny two-design scenario, as a file."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.toml"
    path.write_text(EXAMPLE_SCENARIO, encoding="utf-8")
    return path


def test_run_format_csv_parses_back_to_summary_json(tiny: Path, tmp_path: Path) -> None:
    """``omnisim run --format csv`` prints only the table on stdout, every number as
    summary.json has it; the other messages go to stderr."""
    out = tmp_path / "r"
    done = run_omnisim("run", str(tiny), "--out", str(out), "-j", "1", "--horizon", "1h",
                       "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    summary = json.loads((out / "summary.json").read_text())
    assert "results in" in done.stderr and "results in" not in done.stdout
    assert {r["design"] for r in rows} == {"siloed", "unified-history"}
    for r in rows:
        want = summary["designs"][r["design"]]["outcomes"][r["outcome"]]
        assert float(r["mean"]) == want["mean"]
        assert (r["ci_low"] == "") == (want["ci_low"] is None)
        if r["design"] == "unified-history":
            diff = summary["differences"]["unified-history"]["outcomes"][r["outcome"]]
            assert r["baseline"] == "siloed"
            assert (r["difference"] == "" and diff["mean"] is None) or math.isclose(
                float(r["difference"]), diff["mean"], rel_tol=0, abs_tol=0)
        else:
            assert r["difference"] == ""


def test_run_format_json_with_by_gives_two_tables(tiny: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints one JSON list: the comparison and the breakdown."""
    assert main(["run", str(tiny), "--out", str(tmp_path / "r"), "-j", "1", "--horizon",
                 "1h", "--format", "json", "--by", "segment"]) == 0
    tables = json.loads(capsys.readouterr().out)
    assert [t["columns"][0] for t in tables] == ["outcome", "segment"]
    assert {r["segment"] for r in tables[1]["rows"]} == {"mobile"}


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_run_markdown_and_latex_are_not_cut_on_a_narrow_terminal(
        tiny: Path, tmp_path: Path, fmt: str) -> None:
    """Under COLUMNS=40 the plain formats still give every outcome on one line each."""
    import os

    env = {**os.environ, "COLUMNS": "40"}
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(tiny), "--out",
                           str(tmp_path / "r"), "-j", "1", "--horizon", "1h", "--format", fmt],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    shown = [o for o in summary["units"]
             if summary["designs"]["siloed"]["outcomes"][o]["mean"] is not None]
    for outcome in shown:
        escaped = outcome.replace("_", r"\_") if fmt == "latex" else outcome
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith(
            ("| " + escaped + " |", escaped + " &"))]
        assert len(lines) == 2, (outcome, done.stdout)


def test_sweep_prints_its_table_writes_a_manifest_and_plot_redraws_it(
        tiny: Path, tmp_path: Path) -> None:
    """sweep --format csv prints the headline outcomes per point and design; the folder
    has manifest.json; ``omnisim plot`` on it draws a figure per headline outcome."""
    out = tmp_path / "sw"
    done = run_omnisim("sweep", str(tiny), "--vary", "pools.voice.agents=2,3", "--out",
                       str(out), "-j", "1", "--format", "csv", "--design", "siloed",
                       "--no-plot")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["pools.voice.agents"] for r in rows} == {"2", "3"}
    util = {r["pools.voice.agents"]: float(r["mean"]) for r in rows
            if r["outcome"] == "agent_utilization"}
    assert util["2"] > util["3"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"] == ["pools.voice.agents"] and manifest["points"] == 2
    assert not (out / "figures").exists()
    again = run_omnisim("plot", str(out), "--format", "svg")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"sweep_{o}.svg" for o in {r["outcome"] for r in rows})
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "<h1>Tiny: omnisim report</h1>" in page and "<h2>Sweep</h2>" in page
    assert page.count("<figure") == len({r["outcome"] for r in rows})


@pytest.mark.parametrize("command", ["plot", "report"])
def test_plot_and_report_on_a_folder_that_is_no_results_folder(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One line saying what was expected, exit status 2."""
    (tmp_path / "notes.txt").write_text("hello")
    assert main([command, str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a results folder" in err[0] and "expected" in err[0], err


@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(0, 50)), min_size=1, max_size=5,
                unique_by=lambda s: s[0]),
       st.floats(0, 3 * 1440, allow_nan=False))
def test_on_shift_is_the_latest_step_of_the_day(steps: list[tuple[int, int]],
                                                minute: float) -> None:
    """The agents on shift at a time of day: the last step at or before it, else the
    day's last step (a schedule repeats daily)."""
    import numpy as np

    from sim.plots.pools import on_shift

    steps = sorted((float(a), n) for a, n in steps)
    day = minute % 1440.0
    earlier = [n for a, n in steps if a <= day]
    want = earlier[-1] if earlier else steps[-1][1]
    assert on_shift(steps, np.array([minute]))[0] == want


def test_pools_over_day_divides_by_the_agents_on_shift_and_marks_events() -> None:
    """Every agent on shift busy in every slot reads 100% however the headcount steps;
    an event is a labelled vertical line on both time axes."""
    import numpy as np

    from sim.plots.pools import on_shift, pools_over_day_figure

    steps = [(0.0, 2), (120.0, 6), (240.0, 3)]
    starts = np.arange(0.0, 360.0, 30.0)
    busy = on_shift(steps, starts)
    series = {"design": np.array(["siloed"] * 24), "replication": np.repeat([0, 1], 12),
              "pool": np.array(["voice"] * 24), "slot_start_min": np.tile(starts, 2),
              "busy_agents": np.tile(busy, 2), "waiting": np.zeros(24)}
    fig = pools_over_day_figure(series, {"voice": 6}, title="t",
                                schedules={"voice": steps}, events=[("outage", 200.0)])
    wait_ax, util_ax = fig.axes[:2]
    line = next(ln for ln in util_ax.get_lines() if ln.get_label().startswith("siloed"))
    assert np.allclose(np.asarray(line.get_ydata(), dtype=float), 100.0)
    for ax in (wait_ax, util_ax):
        assert any(list(ln.get_xdata()) == [200.0, 200.0] for ln in ax.get_lines())
        assert "outage" in [t.get_text() for t in ax.texts]


def test_the_sweep_table_keeps_every_interval_whole_in_80_columns() -> None:
    """On an 80-column terminal, long parameter names fold; no interval is wrapped or cut."""
    from rich.console import Console

    from sim.cli.formats import rich_table
    from sim.cli.sweep import sweep_tables

    params = ["segments.mobile.interruptions.rate", "segments.mobile.patience.mean"]
    summary = [{params[0]: a, params[1]: b, "design": d, "outcome": "asa",
                "mean": 0.123456 * a, "ci_low": -0.0123456 * b, "ci_high": 1.23456 * a}
               for a in (1, 2) for b in (3, 6) for d in ("siloed", "unified-history")]
    tables = sweep_tables(summary, params, ["siloed", "unified-history"], "t", wide=True)
    console = Console(width=80, file=io.StringIO(), record=True)
    for table in tables:
        console.print(rich_table(table, whole=("design", "mean [95% CI]")))
    text = console.export_text()
    from sim.metrics.stats import Estimate

    for r in summary:
        assert Estimate.of(r).text() in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_sweep_of_two_parameters_is_faceted_with_shares_in_percent() -> None:
    """One panel per value of the second parameter; shares read in %, labels from the
    outcome catalogue; the line is the mean, scaled."""
    from sim.metrics.outcomes import CATALOGUE
    from sim.plots.sweep import sweep_figure

    summary = [{"a": a, "b": b, "design": d, "outcome": "agent_utilization",
                "mean": 0.1 * a + 0.01 * b, "ci_low": None, "ci_high": None}
               for a in (1, 2, 3) for b in (5, 7) for d in ("siloed", "all")]
    fig = sweep_figure(summary, ["a", "b"], "agent_utilization", title="T")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["b = 5", "b = 7"]
    assert CATALOGUE["agent_utilization"].label in shown[0].get_ylabel()
    assert "%" in shown[0].get_ylabel()
    line = next(ln for ln in shown[1].get_lines() if ln.get_label() == "all")
    assert list(line.get_ydata()) == pytest.approx([100 * (0.1 * a + 0.07) for a in (1, 2, 3)])


def test_an_unknown_figure_format_suggests_the_close_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``plot --format svgg``: one line with the did-you-mean, exit 2, nothing drawn."""
    assert main(["plot", str(tmp_path), "--format", "svgg"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("omnisim: unknown figure format 'svgg'; did you mean 'svg'? "
                   "(allowed: png, svg, pdf)")
    assert not list(tmp_path.iterdir())


def test_import_sim_is_light_and_still_reaches_everything() -> None:
    """``import sim`` loads nothing heavy; its public names and subpackages load on use."""
    code = ("import sys, sim; heavy = [m for m in ('numpy', 'simpy', 'matplotlib') "
            "if m in sys.modules]; print(heavy); "
            "print(sim.api.EXAMPLE_SCENARIO.splitlines()[0], callable(sim.run), "
            "sim.load_scenario is sim.scenario.load_scenario, 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines() == ["[]", "[scenario] True True True"]


def test_no_help_text_shows_a_doubled_percent_sign() -> None:
    """argparse only un-doubles ``%%`` in an option's help, not in a description: every
    command's whole help reads ``95%``, never ``95%%``."""
    from sim.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert "%%" not in command.format_help(), name
