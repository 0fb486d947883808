"""Journey graphs to take away (omnisim graph): GraphML and DOT that parse back, with the
expected nodes and edges and no impossible ones."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from conftest import SCENARIOS
from hypothesis import given
from hypothesis import strategies as st

import sim
import sim.api
from sim.cli import main
from sim.experiment.graph import ENDS, to_dot, write_graph
from sim.model.channels import TOUCHPOINTS
from sim.model.journey import build_journey_graph, journey_moves, reachable

_EDGE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"', re.M)
_NODE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"(?: \[|;)', re.M)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text)


def _dot_edges(path: Path) -> set[tuple[str, str]]:
    return {(_unquote(a), _unquote(b)) for a, b in _EDGE.findall(path.read_text())}


def _check_possible(graph: nx.DiGraph) -> None:
    """Nothing leaves an end, nothing enters arrival, every attribute is a GraphML scalar."""
    assert not [e for e in graph.edges if e[0] in ENDS]
    assert not list(graph.in_edges("arrival"))
    for _, _, data in graph.edges(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values()), data


def test_designed_graph_of_the_story(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The story's designed graph: its touchpoints, journeys and escalation, as written."""
    assert main(["graph", str(SCENARIOS / "app-to-phone.toml"), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "designed.graphml"),
                                               str(tmp_path / "designed.dot")]
    graph = nx.read_graphml(tmp_path / "designed.graphml")
    assert set(graph) == {"arrival", "event", "app", "web", "voice", "resolved", "abandoned"}
    _check_possible(graph)
    assert graph.nodes["app"]["kind"] == "self_service"
    assert graph.nodes["voice"]["kind"] == "assisted"
    app_voice = graph.edges["app", "voice"]
    assert app_voice["p_failed"] == pytest.approx(0.65)
    assert app_voice["escalation"] is True and app_voice["escalation_accept"] == 0.85
    assert graph.edges["app", "app"]["p_dropped"] == pytest.approx(0.8)  # retry: a loop
    assert graph.edges["web", "voice"]["delay_failed_min"] == pytest.approx(2.0)
    assert sum(graph.edges["arrival", tp]["p"] for tp in ("app", "web", "voice")) == \
        pytest.approx(1.0)
    assert "failed" not in graph.edges["voice", "abandoned"]["after"]  # agents do not fail
    assert "abandoned" not in graph.edges["app", "abandoned"]["after"]  # no queue in the app
    assert _dot_edges(tmp_path / "designed.dot") == set(graph.edges)


def test_default_out_is_beside_the_input(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --out a scenario's graph goes to results/<name>-graph/."""
    monkeypatch.chdir(tmp_path)
    assert main(["graph", str(SCENARIOS / "erlang-a.toml")]) == 0
    graph = nx.read_graphml(tmp_path / "results" / "erlang-a-check-graph" / "designed.graphml")
    assert set(graph.edges) == {("arrival", "voice"), ("voice", "voice"),
                                ("voice", "abandoned"), ("voice", "resolved")}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny run of two designs, two replications."""
    folder = tmp_path_factory.mktemp("graph")
    (folder / "tiny.toml").write_text(sim.api.EXAMPLE_SCENARIO)
    sim.run(folder / "tiny.toml", jobs=1, out=folder / "results")
    return folder / "results"


def test_observed_graphs_sum_the_journeys(run_folder: Path) -> None:
    """One graph per design whose edge counts are journeys.csv summed over replications."""
    assert main(["graph", str(run_folder)]) == 0
    with (run_folder / "journeys.csv").open() as f:
        rows = list(csv.DictReader(f))
    for design in ("siloed", "unified-history"):
        expected: Counter[tuple[str, str]] = Counter()
        for r in rows:
            if r["design"] == design:
                expected[r["source"], r["target"]] += int(r["count"])
        stem = run_folder / "graphs" / f"observed-{design}"
        graph = nx.read_graphml(stem.with_suffix(".graphml"))
        assert {e: graph.edges[e]["count"] for e in graph.edges} == dict(expected)
        assert graph.graph["issues"] == sum(n for (a, _), n in expected.items()
                                            if a == "arrival")
        _check_possible(graph)
        assert _dot_edges(stem.with_suffix(".dot")) == set(expected)


def test_dot_quotes_any_name(tmp_path: Path) -> None:
    """Names with quotes, backslashes, spaces and newlines survive DOT; None is dropped."""
    names = ['a "quoted" name', "back\\slash", "two\nlines", "-> {x}"]
    graph = nx.DiGraph(name='say "hi"')
    graph.add_edge(names[0], names[1], weight=None, path=("a", "b"), n=2)
    graph.add_edge(names[2], names[3], flag=True)
    paths = write_graph(graph, tmp_path / "odd")
    back = nx.read_graphml(paths[0])
    assert set(back.edges) == set(graph.edges)
    assert back.edges[names[0], names[1]] == {"path": "a,b", "n": 2}
    assert _dot_edges(paths[1]) == set(graph.edges)
    assert {_unquote(n) for n in _NODE.findall(to_dot(graph))} == set(names)


def test_not_a_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder without journeys.csv: one line saying what was expected, exit 2."""
    assert main(["graph", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"omnisim: {tmp_path}: not the results folder of a "
                                       "run (expected journeys.csv, written by `omnisim "
                                       "run`)\n")


@given(st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=20),
       st.sets(st.sampled_from("abcdefg"), max_size=3))
def test_reachable_is_the_starts_and_their_descendants(
        moves: list[tuple[str, str]], starts: set[str]) -> None:
    """:func:`reachable` (what validation uses, without networkx) finds what
    :func:`networkx.descendants` finds from each start, plus the starts."""
    graph = nx.DiGraph(moves)
    graph.add_nodes_from(starts)
    expected = set(starts).union(*(nx.descendants(graph, s) for s in starts))
    assert reachable(moves, starts) == expected


def test_the_journey_graph_holds_every_move_with_its_shares() -> None:
    """build_journey_graph is journey_moves as a DiGraph: defaults included, retry a
    self-loop, a zero share no edge."""
    scenario = sim.load_scenario(SCENARIOS / "app-to-phone.toml")
    moves = journey_moves(TOUCHPOINTS, scenario.journeys)
    graph = build_journey_graph(TOUCHPOINTS, scenario.journeys)
    assert {(a, b): d["p"] for a, b, d in graph.edges(data=True)} == moves
    assert all(sum(p.get("failed", 0) for (a, _), p in moves.items() if a == tp) == 1
               for tp in TOUCHPOINTS)
