"""Staffing: targets, the galloping search, Erlang C agreement, and ``omnisim staff``."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SCENARIOS, run_omnisim

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiment.runner import Results
from sim.experiment.staffing import (
    POOL_OUTCOMES,
    Evaluator,
    Target,
    find_staffing,
    headcount_evaluator,
    parse_target,
    smallest_meeting,
    with_agents,
)
from sim.metrics.stats import estimate
from sim.scenario import load_scenario, resolve_designs
from sim.theory import erlang_c

STORY = SCENARIOS / "app-to-phone.toml"

# M/M/n, no patience (Erlang C): λ = 4/min, mean handle 1 min, service level within 20 s.
# Two designs that behave the same (no facts), staffed far above the answer.
MMN = """\
[scenario]
name = "M/M/n"
horizon = "200min"
warmup = "20min"
replications = 10
seed = 11
designs = ["siloed", "unified"]
service_level_threshold = "20s"

[arrivals]
rate = "4/min"

[[segments]]
name = "callers"
share = 1.0
start = { voice = 1.0 }

[[intents]]
name = "question"
share = 1.0
facts = []
handle = { voice = { dist = "exponential", mean = "1min" } }

[[pools]]
name = "agents"
agents = 20
channels = ["voice"]
"""


# --- targets ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("service_level>=0.8", Target("service_level", ">=", 0.8)),
    (" mean_wait <= 0.5 ", Target("mean_wait", "<=", 0.5)),
    ("abandonment_rate<=5e-2", Target("abandonment_rate", "<=", 0.05)),
    ("pool.voice.mean_wait<=1", Target("pool.voice.mean_wait", "<=", 1.0)),
])
def test_targets_parse(text: str, expected: Target) -> None:
    """``OUTCOME>=X`` and ``OUTCOME<=X`` parse, spaces allowed, per-pool outcomes too."""
    assert parse_target(text, ["voice"]) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("service_level>0.8", "must be OUTCOME>=X or OUTCOME<=X"),
    ("service_level=0.8", "must be OUTCOME>=X or OUTCOME<=X"),
    ("service_level>=", "must be OUTCOME>=X or OUTCOME<=X"),
    ("service_level>=high", "'high' is not a finite number"),
    ("service_level>=nan", "'nan' is not a finite number"),
    ("servce_level>=0.8", "unknown outcome 'servce_level'; did you mean 'service_level'"),
    ("pool.chat.mean_wait<=1", "unknown outcome 'pool.chat.mean_wait'"),
    ("pool.voice.mean_wiat<=1", "did you mean 'pool.voice.mean_wait'"),
])
def test_bad_targets_name_the_option(text: str, message: str) -> None:
    """A malformed target or an unknown outcome is a ScenarioError naming --target."""
    with pytest.raises(ScenarioError, match=message) as info:
        parse_target(text, ["voice"])
    assert info.value.path == "--target"


def test_a_target_is_met_only_by_a_whole_interval() -> None:
    """>= needs the lower bound at or above X, <= the upper bound at or below; no interval
    never meets."""
    at_least, at_most = Target("service_level", ">=", 0.8), Target("mean_wait", "<=", 0.5)
    assert at_least.met(0.8, 0.9) and not at_least.met(0.79, 0.9)
    assert at_most.met(0.1, 0.5) and not at_most.met(0.1, 0.51)
    assert not at_least.met(None, None) and not at_most.met(None, None)


# --- the search, on pure functions -----------------------------------------------------

def test_search_finds_the_smallest_headcount_from_any_start() -> None:
    """For every answer, start and cap, the search returns the brute-force answer, asks
    each headcount at most once and O(log) headcounts in all."""
    cap = 40
    for answer in range(1, cap + 3):
        for start in range(1, cap + 1):
            asked: list[int] = []

            def meets(h: int, answer: int = answer, asked: list[int] = asked) -> bool:
                asked.append(h)
                return h >= answer

            found = smallest_meeting(meets, start, cap)
            assert found == (answer if answer <= cap else None), (answer, start)
            assert len(asked) == len(set(asked)), (answer, start, asked)
            assert all(1 <= h <= cap for h in asked)
            distance = abs(start - min(answer, cap)) + 1
            assert len(asked) <= 2 * math.ceil(math.log2(distance)) + 3, (answer, start, asked)


def test_search_edge_cases() -> None:
    """Met at 1 is found (by galloping down to 1); never met stops at the cap; a start
    outside 1..cap is refused."""
    asked: list[int] = []

    def always(answer: bool) -> Callable[[int], bool]:
        def meets(h: int) -> bool:
            asked.append(h)
            return answer
        return meets

    assert smallest_meeting(always(True), 30, 100) == 1
    assert asked[-1] == 1 and 0 not in asked
    asked.clear()
    assert smallest_meeting(always(False), 3, 50) is None
    assert asked[-1] == 50 and max(asked) == 50
    assert smallest_meeting(lambda h: True, 1, 1) == 1
    assert smallest_meeting(lambda h: False, 1, 1) is None
    with pytest.raises(ValueError, match="start"):
        smallest_meeting(lambda h: True, 0, 10)


def _values(q: float, h: int) -> list[float]:
    """Three replications spread ±0.01 around a service level of 1 − q^h."""
    return [1 - q**h + e for e in (-0.01, 0.0, 0.01)]


def _fake(levels: dict[str, float], calls: list[int]) -> Evaluator:
    """An evaluator whose service level per design is 1 − level^h (a pure function of
    the headcount)."""
    def evaluate(h: int) -> Results:
        calls.append(h)
        return {d: [{"service_level": v} for v in _values(q, h)] for d, q in levels.items()}
    return evaluate


def _brute(q: float, target: Target, cap: int) -> int | None:
    """The smallest headcount meeting *target* under the interval rule, by trying all."""
    for h in range(1, cap + 1):
        est = estimate(_values(q, h))
        if target.met(est["ci_low"], est["ci_high"]):
            return h
    return None


def test_designs_share_one_cache_and_get_exact_answers() -> None:
    """Each design's answer is the brute-force one under the interval rule; a headcount is
    simulated once for all designs; deltas and 'one fewer' come from the cache."""
    levels = {"siloed": 0.9, "unified": 0.8, "worse": 0.95}
    calls: list[int] = []
    target = Target("service_level", ">=", 0.8)
    result = find_staffing(_fake(levels, calls), list(levels), target, start=10, cap=100)
    assert len(calls) == len(set(calls)) == len(result.simulated)
    for found in result.designs:
        expected = _brute(levels[found.design], target, 100)
        assert expected is not None and found.agents == expected
        assert found.at.agents == expected and found.at.meets
        assert found.below is not None and found.below.agents == expected - 1
        assert not found.below.meets
    agents = {d.design: d.agents or 0 for d in result.designs}
    deltas = {d.design: d.delta for d in result.designs}
    assert deltas == {name: agents[name] - agents["siloed"] for name in levels}
    assert (deltas["unified"] or 0) < 0 < (deltas["worse"] or 0)
    assert len(result.points) == len(levels) * len(result.simulated)


def test_plot_redraws_a_staffing_folder_from_its_files(tmp_path: Path) -> None:
    """staffing.json and staffing.csv give back the whole search; ``omnisim plot`` on the
    folder draws its figure again."""
    from sim.experiment.results import write_staffing
    from sim.plots.redraw import _staffing

    levels = {"siloed": 0.9, "unified": 0.8}
    result = find_staffing(_fake(levels, []), list(levels),
                           Target("service_level", ">=", 0.8), start=10, cap=100, pool="voice")
    write_staffing(tmp_path, result, {"name": "fake"}, {"pool": "voice"})
    back = _staffing(json.loads((tmp_path / "staffing.json").read_text()),
                     tmp_path / "staffing.csv")
    assert back == result
    assert main(["plot", str(tmp_path)]) == 0
    assert (tmp_path / "staffing.svg").stat().st_size > 10_000


def test_met_at_one_and_not_met_below_the_cap() -> None:
    """A target met at 1 agent has no 'one fewer'; one never met is reported, not raised."""
    calls: list[int] = []
    easy = find_staffing(_fake({"a": 0.01}, calls), ["a"], Target("service_level", ">=", 0.5),
                         start=8, cap=80)
    assert easy.designs[0].agents == 1 and easy.designs[0].below is None
    hard_target = Target("service_level", ">=", 0.97)
    hard = find_staffing(_fake({"a": 0.9, "b": 0.5}, calls), ["a", "b"], hard_target,
                         start=5, cap=12)
    a, b = hard.designs
    assert _brute(0.9, hard_target, 12) is None
    assert a.agents is None and a.at.agents == 12 and not a.at.meets and a.delta is None
    assert b.agents is not None and b.agents == _brute(0.5, hard_target, 12)
    assert b.delta is None  # no baseline answer to compare with
    assert max(hard.simulated) == 12


# --- the real simulator against Erlang C -----------------------------------------------

def test_mmn_headcount_matches_erlang_c(tmp_path: Path) -> None:
    """On M/M/n the found headcount is Erlang C's answer or one more (the confidence
    margin), for both designs, simulating fewer headcounts than the range searched."""
    path = tmp_path / "mmn.toml"
    path.write_text(MMN)
    scenario = load_scenario(path)
    designs = resolve_designs(scenario)
    evaluate = headcount_evaluator(scenario, "agents", designs, 10, 11, jobs=2)
    seen: dict[int, Results] = {}

    def recording(h: int) -> Results:
        seen[h] = evaluate(h)
        return seen[h]

    target = parse_target("service_level>=0.8", ["agents"])
    result = find_staffing(recording, [d.name for d in designs], target, start=20, cap=40,
                           pool="agents")
    exact = next(n for n in range(5, 40) if erlang_c(4.0, 1.0, n).service_level(20 / 60) >= 0.8)
    for found in result.designs:
        assert found.agents is not None and exact <= found.agents <= exact + 1
    assert result.designs[1].delta == 0  # the designs behave the same here
    assert len(result.simulated) < max(result.simulated) - min(result.simulated) + 1
    assert len(result.simulated) == len(seen)  # the second design simulated nothing new
    pool_keys = {k for k in seen[20]["siloed"][0] if k.startswith("pool.")}
    assert pool_keys == {f"pool.agents.{o}" for o in POOL_OUTCOMES}


def test_with_agents_changes_only_the_named_pool(tmp_path: Path) -> None:
    """with_agents copies the scenario with one pool's headcount changed."""
    path = tmp_path / "two.toml"
    path.write_text(MMN + '\n[[pools]]\nname = "backup"\nagents = 2\nchannels = ["voice"]\n')
    scenario = load_scenario(path)
    changed = with_agents(scenario, "agents", 7)
    assert [p.agents for p in changed.pools] == [7, 2]
    assert [p.agents for p in scenario.pools] == [20, 2]


# --- the command -----------------------------------------------------------------------

@pytest.mark.slow
def test_staff_command_writes_its_files_and_table(tmp_path: Path) -> None:
    """``omnisim staff`` prints the table and writes json, tidy csv, manifest and figure."""
    out = tmp_path / "staff"
    # a loose target: met a few agents below the story's headcount, so the search is short
    done = run_omnisim("staff", str(STORY), "--target", "service_level>=0.4", "-n", "3",
                       "--out", str(out), "--design", "siloed", "unified-history")
    assert done.returncode == 0, done.stderr
    assert "agents needed" in done.stdout and "Δ agents vs siloed" in done.stdout
    assert "simulating" in done.stderr  # progress names the headcount being simulated
    data = json.loads((out / "staffing.json").read_text())
    assert data["target"] == {"outcome": "service_level", "op": ">=", "value": 0.4,
                              "text": "service_level>=0.4"}
    assert data["pool"] == "voice" and data["baseline"] == "siloed"
    with (out / "staffing.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["design", "agents", "outcome", "mean", "ci_low", "ci_high",
                             "meets"]
    assert len(rows) == len(data["designs"]) * len(data["simulated_headcounts"])
    for name, found in data["designs"].items():
        needed = found["agents"]
        assert needed is not None
        assert str(needed) in done.stdout
        mine = {int(r["agents"]): r["meets"] for r in rows if r["design"] == name}
        assert mine[needed] == "true" and mine[needed - 1] == "false"
        assert all(m == "true" for h, m in mine.items() if h > needed)  # monotone here
    assert data["designs"]["unified-history"]["delta_agents"] == (
        data["designs"]["unified-history"]["agents"] - data["designs"]["siloed"]["agents"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["target"] == "service_level>=0.4" and manifest["replications"] == 3
    assert (out / "staffing.png").stat().st_size > 10_000


def test_a_target_not_met_at_the_cap_is_reported_not_an_error(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              ) -> None:
    """Below --max-agents the target is never met: exit 0, the table says so."""
    status = main(["staff", str(STORY), "--target", "service_level>=0.99", "-n", "2",
                   "--max-agents", "4", "--design", "siloed", "-j", "1", "--out",
                   str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "not met at 4" in captured.out
    data = json.loads((tmp_path / "o" / "staffing.json").read_text())
    assert data["designs"]["siloed"]["agents"] is None
    assert data["simulated_headcounts"] == [4]


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "service_level=0.8"], "--target: must be OUTCOME>=X"),
    (["--target", "servce_level>=0.8"], "did you mean 'service_level'"),
    (["--target", "service_level>=0.8", "--pool", "voce"], "unknown pool 'voce' (pools: voice)"),
    (["--target", "service_level>=0.8", "--design", "unifed"], "did you mean 'unified'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          args: list[str], message: str) -> None:
    """Bad targets, pools and designs: one line on stderr, exit 2, nothing written."""
    out = tmp_path / "o"
    assert main(["staff", str(STORY), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err
    assert not out.exists()


def test_several_pools_need_pool_and_the_real_command_exits_2(tmp_path: Path) -> None:
    """With several pools and no --pool, the real command names them and exits 2."""
    path = tmp_path / "two.toml"
    path.write_text(MMN + '\n[[pools]]\nname = "backup"\nagents = 2\nchannels = ["voice"]\n')
    done = run_omnisim("staff", str(path), "--target", "service_level>=0.8", "--out",
                       str(tmp_path / "o"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--pool: missing" in done.stderr and "agents, backup" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "o").exists()
