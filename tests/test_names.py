"""Names that become file names or keys are checked at load time, and nothing escapes the
results folder: a design called ``../../../x`` or ``/tmp/x``, an empty name, a name with a
control or invisible character, names that clash once case-folded, are one line and exit
2 with nothing written; the unit store and the publishing of results refuse any path
outside their folder even when handed such a name directly."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from test_cli_errors import BASE, assert_one_line_error, mutate

from sim.cli import main
from sim.engine import compile_world
from sim.errors import EnvironmentFault, ScenarioError, SimError
from sim.experiment.outdir import ResultsFolder
from sim.experiment.runner import UnitStore
from sim.model.design import BUILTIN_DESIGNS
from sim.scenario import parse_scenario
from sim.scenario.names import fold


def _design(name: str, listed: bool = True) -> str:
    """BASE with a design table called *name* (TOML-quoted), listed in scenario.designs."""
    key = json.dumps(name)
    designs = f'designs = ["siloed", {key}]' if listed else 'designs = ["siloed"]'
    return mutate(('designs = ["siloed"]', designs),
                  append=f'\n[designs.{key}]\nbase = "unified"\n')


# (id, scenario text, field path, words in the message)
CASES = [
    ("traversal-listed", _design("../../../x"), "scenario.designs[1]", ("path separator",)),
    ("traversal-table", _design("../../../x", listed=False), 'designs."../../../x"',
     ("path separator", "allowed:")),
    ("absolute", _design("/tmp/evil", listed=False), 'designs."/tmp/evil"',
     ("path separator",)),
    ("backslash", _design("..\\..\\x", listed=False), 'designs."..\\\\..\\\\x"',
     ("path separator",)),
    ("dot-dot", _design("..", listed=False), 'designs.".."', ("contains '..'",)),
    ("empty-design", _design("", listed=False), 'designs.""', ("is empty",)),
    ("newline", _design("a\nb", listed=False), 'designs."a\\nb"',
     ("control character U+000A",)),
    ("zero-width", _design("mine\u200b", listed=False), 'designs."mine\\u200b"',
     ("U+200B",)),
    ("rtl-override", _design("evil\u202etxt.json", listed=False), "designs.",
     ("U+202E",)),
    ("nbsp", _design("my\u00a0design", listed=False), "designs.", ("U+00A0",)),
    ("hangul-filler", _design("\u3164", listed=False), "designs.", ("U+3164",)),
    ("too-long", _design("d" * 101, listed=False), "designs." + "d" * 101,
     ("101 characters",)),
    ("case-clash-builtin", _design("Siloed", listed=False), "designs.Siloed",
     ("clashes with 'siloed'",)),
    ("nfkc-clash", mutate(('designs = ["siloed"]', 'designs = ["siloed"]'),
                          append='\n[designs.fix]\nbase = "unified"\n'
                                 '\n[designs."\ufb01x"]\nbase = "unified"\n'),
     "designs.", ("clashes with 'fix'",)),
    ("empty-scenario-name", mutate(('name = "tiny"', 'name = ""')), "scenario.name",
     ("is empty",)),
    ("spaces-pool-name", mutate(('name = "agents"', 'name = " agents"')), "pools[0].name",
     ("starts or ends with a space",)),
    ("slash-segment", mutate(('name = "callers"', 'name = "a/b"')), "segments[0].name",
     ("path separator",)),
    ("control-intent", mutate(('name = "question"', 'name = "q\\u0007"')), "intents[0].name",
     ("U+0007",)),
    ("pool-case-clash", mutate(append='\n[[pools]]\nname = "Agents"\nagents = 1\n'
                                      'channels = ["voice"]\n'),
     "pools[1].name", ("clashes with 'agents'",)),
    ("fact-key", mutate(append='\n[facts."a/b"]\ncollect = "1min"\n'), 'facts."a/b"',
     ("path separator",)),
    ("device-key", mutate(("start = { voice = 1.0 }",
                           'start = { voice = 1.0 }\ndevices = { "" = 1.0 }')),
     'segments[0].devices.""', ("is empty",)),
]


@pytest.mark.parametrize(("text", "field", "words"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_unsafe_name_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, field: str,
    words: tuple[str, ...],
) -> None:
    """One line naming the field, exit 2, and not one file written anywhere."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "results"
    before = set(tmp_path.rglob("*"))
    assert main(["run", str(path), "--out", str(out), "--quiet", "--jobs", "1"]) == 2
    captured = capsys.readouterr()
    line = captured.err.strip()
    assert len(captured.err.splitlines()) == 1, captured.err
    prefix = f"{path}: {field}"
    assert line.startswith(prefix), line
    for word in words:
        assert word in line, (word, line)
    assert set(tmp_path.rglob("*")) == before


def test_error_line_escapes_what_would_break_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name with a newline and an ANSI escape is shown escaped, on one line."""
    path = tmp_path / "bad.toml"
    path.write_text(_design("x\n\u001b[31mred", listed=False), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err
    assert_one_line_error(captured.err, captured.out, path, "", ("U+000A",))


def test_scenario_name_may_hold_a_slash_but_not_a_control_character() -> None:
    """The scenario's name is only slugged into a folder name: 'M/M/n' is fine."""
    parse_scenario(tomllib.loads(mutate(('name = "tiny"', 'name = "M/M/n ../queue"'))))
    with pytest.raises(ScenarioError, match="U\\+0007"):
        parse_scenario(tomllib.loads(mutate(('name = "tiny"', 'name = "M\\u0007"'))))


def test_valid_names_with_spaces_and_accents_are_accepted() -> None:
    """Ordinary names (spaces inside, accents, dashes, dots) pass."""
    data = tomllib.loads(mutate(('name = "agents"', 'name = "équipe voix 1.2"'),
                                ('name = "tiny"', 'name = "Café: test (v2)"')))
    data["designs"] = {"new-ish_design.2": {"base": "unified"}}
    data["scenario"]["designs"] = ["siloed", "new-ish_design.2"]
    parse_scenario(data)


def test_fold_joins_what_clashes_on_case_insensitive_file_systems() -> None:
    """fold() is the same for names differing in case or compatibility form only."""
    assert fold("Siloed") == fold("siloed") == fold("SILOED")
    assert fold("\ufb01x") == fold("fix")
    assert fold("a") != fold("b")


def test_unit_store_refuses_a_path_outside_its_folder(tmp_path: Path) -> None:
    """Handed a design named '../x' directly (no validation), the store refuses it."""
    import attrs

    scenario = parse_scenario(tomllib.loads(BASE))
    world = compile_world(scenario)
    evil = attrs.evolve(BUILTIN_DESIGNS["siloed"], name="../../escaped")
    store = UnitStore(tmp_path / "units")
    with pytest.raises(SimError, match="outside"):
        store.path((world, evil, 1, 0, False, False))
    assert not (tmp_path / "escaped-0000").exists()


def test_publish_refuses_a_link_out_of_the_results_folder(tmp_path: Path) -> None:
    """A file of the new set that resolves outside the folder stops the swap."""
    out = tmp_path / "out"
    target = tmp_path / "elsewhere"
    target.mkdir()
    with ResultsFolder(out) as folder:
        (out / "summary.json").write_text("old")
        with pytest.raises(EnvironmentFault, match="outside"), folder.publish() as stage:
            (stage / "summary.json").write_text("new")
            (stage / "link").symlink_to(target)
    assert (out / "summary.json").read_text() == "old"
    assert not (out / "link").exists()
