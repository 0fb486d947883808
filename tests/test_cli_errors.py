"""End-to-end: every mistake in a scenario file is one line on stderr and exit status 2.

The line is ``FILE: path.to.field: what is wrong (what is allowed)``; there is never a
traceback, and nothing is written to the ``--out`` folder. Each bad scenario is the small
valid scenario :data:`BASE` with one thing changed. Most cases run through
:func:`sim.cli.main` in-process (fast); a selection covering every kind of mistake runs the
real command in a subprocess, and one runs the ``omnisim`` console script.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario, parse_scenario

# A tiny valid scenario (the Erlang A file, shrunk): every bad case changes one thing.
BASE = """\
[scenario]
name = "tiny"
horizon = "30min"
warmup = "5min"
replications = 2
seed = 1
designs = ["siloed"]

[arrivals]
rate = "2/min"

[[segments]]
name = "callers"
share = 1.0
start = { voice = 1.0 }
patience = { dist = "exponential", mean = "2min" }

[[intents]]
name = "question"
share = 1.0
handle = { voice = { dist = "exponential", mean = "1min" } }

[[pools]]
name = "agents"
agents = 3
channels = ["voice"]
"""

APP_START = ("start = { voice = 1.0 }", "start = { voice = 0.5, app = 0.5 }")


def mutate(*changes: tuple[str, str], append: str = "", prepend: str = "") -> str:
    """BASE with each (old, new) replaced once; *old* must occur exactly once."""
    text = BASE
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} is not unique in BASE"
        text = text.replace(old, new)
    return prepend + text + append


def journey(source: str, after: str, to: str) -> str:
    """A [[journeys]] table to append to BASE."""
    return f'\n[[journeys]]\nfrom = "{source}"\nafter = "{after}"\nto = {to}\n'


def design_table(body: str) -> str:
    """BASE comparing siloed with a [designs.mine] table of *body*."""
    return mutate(
        ('designs = ["siloed"]', 'designs = ["siloed", "mine"]'),
        append=f"\n[designs.mine]\n{body}\n",
    )


SYNTAX_LINE = BASE.splitlines().index("agents = 3") + 1
SCHEDULE = 'schedule = [{ at = "0h", agents = 2 }, { at = "8h", agents = 3 }]'

# (id, scenario text, extra arguments, exact field path, words of what is allowed)
Case = tuple[str, str, tuple[str, ...], str, tuple[str, ...]]
CASES: list[Case] = [
    # 1. TOML syntax: no field, but the line number
    ("toml-syntax", mutate(("agents = 3", "agents = = 3")), (), "", (f"line {SYNTAX_LINE}",)),
    # 2. unknown keys, with a did-you-mean
    ("unknown-top-level", mutate(("[arrivals]", "[arrival]")), (), "arrival",
     ("unknown key", "did you mean 'arrivals'?", "scenario, arrivals, segments")),
    ("unknown-top-level-plain", mutate(prepend='colour = "blue"\n'), (), "colour",
     ("unknown key", "allowed: scenario, arrivals")),
    ("unknown-in-scenario", mutate(("horizon =", "horzon =")), (), "scenario.horzon",
     ("unknown key", "did you mean 'horizon'?", "allowed: name, horizon")),
    ("unknown-in-pool", mutate(("agents = 3", "agnets = 3")), (), "pools[0].agnets",
     ("unknown key", "did you mean 'agents'?", "name, agents, channels")),
    ("unknown-in-distribution",
     mutate(('mean = "2min" }', 'mean = "2min", men = "1min" }')), (),
     "segments[0].patience.men",
     ("unknown key", "did you mean 'mean'?", "allowed for exponential: dist, mean")),
    # 3. wrong types
    ("agents-string", mutate(("agents = 3", 'agents = "ten"')), (), "pools[0].agents",
     ("must be an integer", "'ten'")),
    ("share-string", mutate(("share = 1.0\nstart", 'share = "half"\nstart')), (),
     "segments[0].share", ("must be a number", "'half'")),
    ("replications-float", mutate(("replications = 2", "replications = 2.5")), (),
     "scenario.replications", ("must be an integer", "2.5")),
    ("designs-string", mutate(('designs = ["siloed"]', 'designs = "siloed"')), (),
     "scenario.designs", ("must be a list", "'siloed'")),
    ("resumable-string", design_table('resumable = "yes"'), (), "designs.mine.resumable",
     ("must be true or false", "'yes'")),
    ("start-not-a-table", mutate(("{ voice = 1.0 }", "1")), (), "segments[0].start",
     ("must be a table",)),
    # 4. rates and durations
    ("rate-negative", mutate(('"2/min"', '"-3/min"')), (), "arrivals.rate", ("> 0",)),
    ("rate-zero", mutate(('"2/min"', '"0/min"')), (), "arrivals.rate", ("> 0",)),
    ("rate-infinite", mutate(('"2/min"', '"1e400/min"')), (), "arrivals.rate",
     ("finite rate",)),
    ("horizon-zero", mutate(('"30min"', '"0h"')), (), "scenario.horizon", ("> 0",)),
    ("mean-negative", mutate(('mean = "2min"', 'mean = "-2min"')), (),
     "segments[0].patience.mean", ("duration > 0", "'-2min'")),
    ("horizon-without-unit", mutate(('"30min"', "20")), (), "scenario.horizon",
     ("duration with a unit", "'90s', '2min', '1.5h', '3d'", "got 20")),
    ("unknown-unit", mutate(('"30min"', '"5 parsecs"')), (), "scenario.horizon",
     ("duration with a unit", "'90s', '2min', '1.5h', '3d'", "'5 parsecs'")),
    # 5. probabilities outside [0, 1]
    ("share-above-one", mutate(("share = 1.0\nstart", "share = 1.5\nstart")), (),
     "segments[0].share", ("probability in [0, 1]", "1.5")),
    ("resolve-above-one",
     mutate(('mean = "1min" } }', 'mean = "1min" } }\nresolve = { voice = 1.2 }')), (),
     "intents[0].resolve.voice", ("probability in [0, 1]", "1.2")),
    ("self-service-negative",
     mutate(('mean = "1min" } }',
             'mean = "1min" } }\nself_service = { app = { success = -0.1 } }')), (),
     "intents[0].self_service.app.success", ("probability in [0, 1]", "-0.1")),
    ("self-service-shorthand-negative",
     mutate(('mean = "1min" } }', 'mean = "1min" } }\nself_service = { app = -0.1 }')), (),
     "intents[0].self_service.app", ("probability in [0, 1]", "-0.1")),
    # 6. shares that do not add up to 1
    ("segment-shares", mutate(("share = 1.0\nstart", "share = 0.6\nstart")), (), "segments",
     ("add up to 0.6", "must add up to 1")),
    ("intent-shares", mutate(("share = 1.0\nhandle", "share = 0.7\nhandle")), (), "intents",
     ("add up to 0.7", "must add up to 1")),
    ("start-weights", mutate(("{ voice = 1.0 }", "{ voice = 0.5, app = 0.3 }")), (),
     "segments[0].start", ("add up to 0.8", "must add up to 1")),
    ("journey-shares",
     mutate(APP_START, append=journey("app", "failed", "{ voice = 0.5, give_up = 0.3 }")), (),
     "journeys[0].to", ("add up to 0.8", "must add up to 1")),
    # 7. a channel customers can reach that no pool serves
    ("unserved-channel",
     mutate(APP_START, append=journey("app", "failed", "{ chat = 0.7, give_up = 0.3 }")), (),
     "pools", ("no pool serves channel 'chat'", "add it to a pool's channels")),
    # 8. designs that do not exist
    ("unknown-design-in-file", mutate(('designs = ["siloed"]', 'designs = ["siloed", "unifed"]')),
     (), "scenario.designs[1]", ("unknown design 'unifed'", "did you mean 'unified'?",
                                 "allowed: siloed, unified")),
    ("unknown-design-on-command-line", BASE, ("--design", "unifed"), "--design",
     ("unknown design 'unifed'", "did you mean 'unified'?", "allowed: siloed, unified")),
    ("unknown-design-base", design_table('base = "unifed"'), (), "designs.mine.base",
     ("unknown design 'unifed'", "did you mean 'unified'?")),
    # 9. missing fields and unknown names
    ("missing-agents", mutate(("agents = 3\n", "")), (), "pools[0].agents",
     ("missing", "required")),
    ("unknown-distribution", mutate(('dist = "exponential", mean = "2min"',
                                     'dist = "expo", mean = "2min"')), (),
     "segments[0].patience.dist",
     ("unknown distribution 'expo'", "did you mean 'exponential'?",
      "exponential, lognormal, gamma, fixed, uniform, empirical")),
    ("unknown-touchpoint-in-start", mutate(("{ voice = 1.0 }", "{ vioce = 1.0 }")), (),
     "segments[0].start.vioce", ("unknown touchpoint 'vioce'", "did you mean 'voice'?")),
    ("unknown-channel-table", mutate(append="\n[channels.vocie]\ncost = 1.0\n"), (),
     "channels.vocie", ("unknown channel 'vocie'", "did you mean 'voice'?")),
    # 10. pools: schedules, priorities; the [affinity] table
    ("schedule-and-agents", mutate(("agents = 3", f"agents = 3\n{SCHEDULE}")), (), "pools[0]",
     ("exactly one of 'agents' or 'schedule'",)),
    ("schedule-late-start", mutate(("agents = 3", 'schedule = [{ at = "1h", agents = 2 }]')),
     (), "pools[0].schedule[0].at", ("must start at '0h'",)),
    ("schedule-order",
     mutate(("agents = 3", 'schedule = [{ at = "0h", agents = 2 }, { at = "8h", agents = 3 },'
                           ' { at = "6h", agents = 1 }]')), (),
     "pools[0].schedule[2].at", ("increasing time of day", "below '24h'")),
    ("schedule-negative", mutate(("agents = 3", 'schedule = [{ at = "0h", agents = -1 }]')),
     (), "pools[0].schedule[0].agents", (">= 0", "-1")),
    ("schedule-nobody", mutate(("agents = 3", 'schedule = [{ at = "0h", agents = 0 }]')), (),
     "pools[0].schedule", ("at least one step", "agents >= 1")),
    ("schedule-float", mutate(("agents = 3", 'schedule = [{ at = "0h", agents = 2.5 }]')), (),
     "pools[0].schedule[0].agents", ("must be an integer", "2.5")),
    ("schedule-key", mutate(("agents = 3", 'schedule = [{ at = "0h", agent = 2 }]')), (),
     "pools[0].schedule[0].agent", ("unknown key", "did you mean 'agents'?", "at, agents")),
    ("priority-float", mutate(("agents = 3", "agents = 3\npriority = 1.5")), (),
     "pools[0].priority", ("must be an integer", "1.5")),
    ("priorities-unknown-intent",
     mutate(("agents = 3", "agents = 3\npriorities = { questoin = 1 }")), (),
     "pools[0].priorities.questoin",
     ("unknown intent 'questoin'", "did you mean 'question'?", "allowed: question")),
    ("priorities-string",
     mutate(("agents = 3", 'agents = 3\npriorities = { question = "high" }')), (),
     "pools[0].priorities.question", ("must be an integer", "'high'")),
    ("affinity-bonus", mutate(append="\n[affinity]\nbonus = 1.5\n"), (), "affinity.bonus",
     ("probability in [0, 1]", "1.5")),
    ("affinity-wait", mutate(append='\n[affinity]\nwait = "-1min"\n'), (), "affinity.wait",
     (">= 0", "-1")),
    ("affinity-key", mutate(append='\n[affinity]\nwiat = "1min"\n'), (), "affinity.wiat",
     ("unknown key", "did you mean 'wait'?", "wait, bonus")),
    ("affinity-without-table", design_table("affinity = true"), (), "designs.mine.affinity",
     ("is on", "[affinity] table")),
    # 11. the tables the other capabilities act on
    ("escalation-without-table", design_table("escalation = true"), (),
     "designs.mine.escalation", ("is on", "nothing to act on", "[escalation] table")),
    ("escalation-to-self-service",
     mutate(APP_START, append='\n[escalation]\napp = { to = "web" }\n'), (),
     "escalation.app.to", ("unknown assisted touchpoint 'web'",)),
    ("event-unknown-intent",
     mutate(append='\n[[events]]\nname = "outage"\nat = "1h"\ncustomers = 10\n'
            'intent = "questoin"\n'), (), "events[0].intent",
     ("unknown intent 'questoin'", "did you mean 'question'?")),
    ("population-zero", mutate(append="\n[population]\ncustomers = 0\n"), (),
     "population.customers", (">= 1", "0")),
    ("transfer-with-delay",
     mutate(APP_START, append='\n[[journeys]]\nfrom = "app"\nafter = "failed"\n'
            'to = { voice = 1.0 }\ntransfer = true\ndelay = "1min"\n'), (),
     "journeys[0].delay", ("a transfer happens at once",)),
    ("devices-negative",
     mutate(("start = { voice = 1.0 }", "start = { voice = 1.0 }\ndevices = { phone = -1 }")),
     (), "segments[0].devices.phone", (">= 0",)),
]
CASES_BY_ID = {case[0]: case for case in CASES}

# The real command, one case (at least) of each kind of mistake in the brief's list.
SUBPROCESS_IDS = [
    "toml-syntax",
    "unknown-in-pool",
    "agents-string",
    "horizon-without-unit",
    "share-above-one",
    "start-weights",
    "unserved-channel",
    "unknown-design-in-file",
    "missing-agents",
    "unknown-distribution",
    "schedule-order",
    "affinity-bonus",
    "escalation-without-table",
    "event-unknown-intent",
]


def _params(ids: list[str]) -> list[Any]:
    return [pytest.param(*CASES_BY_ID[i][1:], id=i) for i in ids]


def assert_one_line_error(
    stderr: str, stdout: str, file: Path, field: str, words: tuple[str, ...]
) -> str:
    """stderr is exactly ``FILE: field: message`` naming *field* and containing *words*."""
    assert "Traceback" not in stdout and "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"not one line: {stderr!r}"
    line = lines[0]
    prefix = f"{file}: "
    assert line.startswith(prefix), line
    rest = line[len(prefix):]
    if field:
        assert rest.startswith(f"{field}: "), f"expected field {field!r}: {line}"
        rest = rest[len(field) + 2:]
    assert rest.strip(), f"no message: {line}"
    for word in words:
        assert word in rest, f"{word!r} not in {line!r}"
    return line


def run_command(
    path: Path, out: Path, *extra: str, exe: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim run PATH --out OUT`` (or *exe*) as a user would."""
    command = exe or [sys.executable, "-m", "sim"]
    return subprocess.run(
        [*command, "run", str(path), "--out", str(out), *extra],
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(("text", "extra", "field", "words"), _params(list(CASES_BY_ID)))
def test_mistake_is_one_line_and_exit_2_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
    text: str, extra: tuple[str, ...], field: str, words: tuple[str, ...],
) -> None:
    """Each mistake prints one line FILE: field: message and returns 2, writing nothing."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), *extra])
    captured = capsys.readouterr()
    assert status == 2
    assert_one_line_error(captured.err, captured.out, path, field, words)
    assert not out.exists()


@pytest.mark.parametrize(("text", "extra", "field", "words"), _params(SUBPROCESS_IDS))
def test_mistake_is_one_line_and_exit_2_real_command(
    tmp_path: Path, text: str, extra: tuple[str, ...], field: str, words: tuple[str, ...],
) -> None:
    """The real command prints one line FILE: field: message and exits 2, writing nothing."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_command(path, out, *extra)
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result.stderr, result.stdout, path, field, words)
    assert not out.exists()


def test_unknown_design_flag_through_console_script(tmp_path: Path) -> None:
    """The installed omnisim script reports --design unifed in one line and exits 2."""
    script = Path(sys.executable).with_name("omnisim")
    assert script.exists(), f"no console script at {script}"
    path = tmp_path / "tiny.toml"
    path.write_text(BASE, encoding="utf-8")
    out = tmp_path / "out"
    result = run_command(path, out, "--design", "unifed", exe=[str(script)])
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result.stderr, result.stdout, path, "--design",
                          ("unknown design 'unifed'", "did you mean 'unified'?"))
    assert not out.exists()


def test_missing_file_real_command(tmp_path: Path) -> None:
    """A scenario file that does not exist is one line naming it, exit 2."""
    path = tmp_path / "no-such-scenario.toml"
    out = tmp_path / "out"
    result = run_command(path, out)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, result.stdout, path, "",
                          ("cannot read the file", "No such file"))
    assert not out.exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda p: p.write_bytes(b"\xff\xfe[scenario]\n"), ("not UTF-8",),
                     id="not-utf8"),
        pytest.param(lambda p: p.mkdir(), ("cannot read the file",), id="a-folder"),
    ],
)
def test_unreadable_file_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, words: tuple[str, ...]
) -> None:
    """A file that cannot be read as text is one line naming it, exit 2."""
    path = tmp_path / "odd.toml"
    make(path)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, captured.out, path, "", words)
    assert not out.exists()


def test_valid_scenario_exits_0_and_writes_results(tmp_path: Path) -> None:
    """A valid scenario exits 0 and writes summary.json, replications.csv, manifest.json."""
    path = tmp_path / "tiny.toml"
    path.write_text(BASE, encoding="utf-8")
    out = tmp_path / "out"
    result = run_command(path, out, "--quiet", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name in ("summary.json", "replications.csv", "manifest.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["designs"]) == ["siloed"]
    assert summary["scenario"]["replications"] == 2


def test_library_raises_scenario_error_with_path() -> None:
    """parse_scenario raises ScenarioError (a ValueError) whose .path names the field."""
    data = tomllib.loads(BASE)
    data["pools"][0]["agents"] = "ten"
    with pytest.raises(ValueError) as info:
        parse_scenario(data)
    assert isinstance(info.value, ScenarioError)
    assert info.value.path == "pools[0].agents"
    assert info.value.file is None
    assert "must be an integer" in info.value.message

    data = tomllib.loads(BASE)
    data["segments"][0]["share"] = 0.6
    with pytest.raises(ScenarioError) as shares:
        parse_scenario(data)
    assert shares.value.path == "segments"
    assert "must add up to 1" in shares.value.message
    assert str(shares.value) == shares.value.line() == f"segments: {shares.value.message}"


def test_load_scenario_names_the_file(tmp_path: Path) -> None:
    """load_scenario attributes the error to its file, in the same one-line form."""
    path = tmp_path / "bad.toml"
    path.write_text(mutate(("agents = 3", "agnets = 3")), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.file == str(path)
    assert info.value.path == "pools[0].agnets"
    assert info.value.line().startswith(f"{path}: pools[0].agnets: unknown key")


def test_one_replication_with_bad_input_is_still_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The ``-n 1`` warning comes only once the input is known good: a scenario with one
    replication and a runaway pool prints the error alone (found by the mutation test)."""
    text = """
[scenario]
name = "one"
horizon = "30min"
replications = 1
[arrivals]
rate = "1/min"
[[segments]]
name = "s"
share = 1.0
start = { voice = 1.0 }
[[intents]]
name = "i"
share = 1.0
handle = { voice = "1min" }
[[pools]]
name = "p"
agents = 4611686018427387904
channels = ["voice"]
"""
    path = tmp_path / "one.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(str(path)) and "warning" not in err
    path.write_text(text.replace("4611686018427387904", "2"), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert "1 replication: no confidence interval" in capsys.readouterr().err
