"""The scenarios shipped under scenarios/: each loads, asks its question, cites its sources,
runs through ``omnisim run`` and shows the direction of its headline effect.

The fast tests run every new scenario once, with a short horizon and two replications,
through the command's own entry point in this process (a subprocess per scenario would
spend most of its time importing). The full runs with each file's own settings, through
the installed command as a user types it, are marked slow.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS, run_omnisim

from sim.cli import main
from sim.scenario import load_scenario

#: The scenarios from the field, with a horizon long enough to hold their events.
NEW = {
    "mobile-app-care": "2h",
    "flight-delay": "2h",
    "power-outage": "150min",
    "retail-escalation": "2h",
    "digital-mesh": "2h",
    "messaging-centre": "2h",
}
#: Files that check the engine against theory rather than tell a story: no question.
CHECKS = {"erlang-a"}
#: Tables whose keys are settings of the run or names, not parameters of the world.
_NOT_PARAMETERS = ("scenario", "designs.", "uncertain")
#: Keys that name or route things rather than give a number from the world.
_NAMES = {"name", "from", "after", "intent", "segment", "notify", "base", "channels",
          "facts", "reported_facts", "known", "priority", "synchronous", "hold_slot", "scope"}


def _shipped() -> list[Path]:
    return sorted(SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads(path: Path) -> None:
    """Each file under scenarios/ passes the loader's checks and names its designs."""
    scenario = load_scenario(path)
    assert scenario.scenario.designs


def test_the_new_scenarios_are_shipped() -> None:
    """Every scenario this file runs is in scenarios/ (a renamed file fails here)."""
    assert {p.stem for p in _shipped()} >= set(NEW)


def _question(path: Path) -> str:
    """The comment at the top of *path* from "The question:" to the first blank comment."""
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if lines and not text:
            break
        if lines or text.startswith("The question:"):
            lines.append(text)
    return " ".join(lines)


@pytest.mark.parametrize("path", [p for p in _shipped() if p.stem not in CHECKS],
                         ids=lambda p: p.stem)
def test_every_story_asks_its_question_at_the_top(path: Path) -> None:
    """A story's leading comment holds "The question: ...?"."""
    question = _question(path)
    assert question.startswith("The question:") and question.endswith("?"), path.name


@pytest.mark.parametrize("name", sorted(NEW))
def test_a_new_scenario_asks_one_question_in_two_sentences(name: str) -> None:
    """The question of a new scenario is two sentences, each ending in a question mark."""
    question = _question(SCENARIOS / f"{name}.toml")
    sentences = [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", question) if s]
    assert len(sentences) == 2, sentences
    assert all(s.endswith("?") for s in sentences), sentences


def _uncited(path: Path) -> list[str]:
    """Parameter lines of *path* with no source: no § or "assumption" on the line, in
    the comment block just above it, or on the line that opens its array or table."""
    missing, table, note, opened = [], "", "", ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            table, opened = line.strip("[]"), ""  # a comment above a table covers it
            continue
        if not line:
            note = ""
            continue
        if line.startswith("#"):
            note += line
            continue
        cited = re.search(r"§\d+|assumption|derived", line + note + opened)
        if line.endswith("[") or line.endswith("= ["):
            opened = line
        elif line == "]":
            opened = ""
        key = line.split("=", 1)[0].strip().strip('"')
        if (table.startswith(_NOT_PARAMETERS) or key in _NAMES or "=" not in line
                or (opened and line != opened) or cited):
            continue
        missing.append(f"{path.name}:{number}: {line[:60]}")
    return missing


@pytest.mark.parametrize("name", sorted(NEW))
def test_every_parameter_names_a_source_or_says_assumption(name: str) -> None:
    """Each number of a new scenario carries a § citation, "assumption" or "derived"."""
    assert _uncited(SCENARIOS / f"{name}.toml") == []


def test_the_citation_check_finds_an_uncited_parameter(tmp_path: Path) -> None:
    """The check above fails on a parameter with no comment (it can fail)."""
    path = tmp_path / "s.toml"
    path.write_text('[arrivals]\nrate = "2/min"   # §1\n\n[[pools]]\nname = "p"\n'
                    'agents = 3\n', encoding="utf-8")
    assert _uncited(path) == ["s.toml:6: agents = 3"]


@pytest.mark.parametrize("name", sorted(NEW))
def test_every_assumption_has_a_range(name: str) -> None:
    """A new scenario declares [uncertain] ranges, each with a source."""
    document = tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))
    uncertain = document.get("uncertain", {})
    assert len(uncertain) >= 4, name
    assert all(entry.get("source") for entry in uncertain.values())


@pytest.fixture(scope="module")
def short_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``omnisim run`` of each new scenario: two replications, a short horizon."""
    out: dict[str, dict[str, Any]] = {}
    for name, horizon in NEW.items():
        folder = tmp_path_factory.mktemp(name)
        status = main(["run", str(SCENARIOS / f"{name}.toml"), "--replications", "2",
                       "--horizon", horizon, "--jobs", "1", "--quiet", "--out", str(folder)])
        assert status == 0, name
        out[name] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return out


def _mean(summary: dict[str, Any], design: str, outcome: str) -> float:
    value = summary["designs"][design]["outcomes"][outcome]["mean"]
    assert value is not None, (design, outcome)
    return float(value)


def test_each_new_scenario_runs_every_design(short_runs: dict[str, dict[str, Any]]) -> None:
    """Every design of every new scenario ran on the same issues, with sane utilizations."""
    for name, summary in short_runs.items():
        designs = load_scenario(SCENARIOS / f"{name}.toml").scenario.designs
        assert list(summary["designs"]) == designs, name
        issues = {_mean(summary, d, "issues") for d in designs}
        assert len(issues) == 1 and issues.pop() > 50, name
        for design in designs:
            for outcome, value in summary["designs"][design]["outcomes"].items():
                if outcome.endswith("utilization") and value["mean"] is not None:
                    assert 0.0 < value["mean"] <= 1.0, (name, design, outcome)


def test_mobile_app_care_resumable_chats_resolve_more(
        short_runs: dict[str, dict[str, Any]]) -> None:
    """In-app chats that are not resumable drop often; mobile-first drops none and
    resolves more issues than an app that lists phone numbers."""
    s = short_runs["mobile-app-care"]
    assert _mean(s, "in-app-escalation", "session_drop_rate") > (
        _mean(s, "phone-numbers", "session_drop_rate") + 0.2)
    assert _mean(s, "mobile-first", "session_drop_rate") == 0.0
    assert _mean(s, "mobile-first", "resolution_rate") > (
        _mean(s, "phone-numbers", "resolution_rate") + 0.05)


def test_flight_delay_notice_and_handoff_relieve_the_phone(
        short_runs: dict[str, dict[str, Any]]) -> None:
    """The proactive SMS lowers abandonment; handing upgrades to an SMS agent lowers it
    further and fewer passengers give up than when they are sent to the phone."""
    s = short_runs["flight-delay"]
    assert (_mean(s, "no-notice", "abandonment_rate") > _mean(s, "sms-to-phone", "abandonment_rate")
            > _mean(s, "sms-handoff", "abandonment_rate"))
    assert _mean(s, "sms-handoff", "give_up_rate") < _mean(s, "sms-to-phone", "give_up_rate")


def test_power_outage_notice_flattens_the_spike(short_runs: dict[str, dict[str, Any]]) -> None:
    """The proactive text cuts the contacts per issue and the callers' abandonment."""
    s = short_runs["power-outage"]
    assert _mean(s, "proactive-notice", "contacts_per_issue") < (
        _mean(s, "no-notice", "contacts_per_issue"))
    assert _mean(s, "proactive-notice", "abandonment_rate") < (
        _mean(s, "no-notice", "abandonment_rate") - 0.1)


def test_retail_one_history_saves_repetition_and_agent_time(
        short_runs: dict[str, dict[str, Any]]) -> None:
    """One organisation asks nothing twice and spends less agent time per issue."""
    s = short_runs["retail-escalation"]
    assert _mean(s, "one-organisation", "repetitions_per_issue") == 0.0
    assert _mean(s, "two-organisations", "repetitions_per_issue") > 0.1
    assert _mean(s, "one-organisation", "agent_minutes_per_issue") < (
        _mean(s, "two-organisations", "agent_minutes_per_issue"))


def test_digital_mesh_knows_the_customer_on_every_device(
        short_runs: dict[str, dict[str, Any]]) -> None:
    """Per device, hopping devices repeats facts; the mesh repeats none and saves agent
    time, and the router opening the conversation resolves sooner still."""
    s = short_runs["digital-mesh"]
    assert _mean(s, "per-device", "repetitions_per_issue") > 0.1
    assert _mean(s, "mesh", "repetitions_per_issue") == 0.0
    assert (_mean(s, "per-device", "agent_minutes_per_issue")
            > _mean(s, "mesh", "agent_minutes_per_issue"))
    assert (_mean(s, "mesh", "time_to_resolution")
            > _mean(s, "mesh-notify", "time_to_resolution"))


def test_messaging_centre_same_agent_replies_wait_longer(
        short_runs: dict[str, dict[str, Any]]) -> None:
    """A reply that waits for its agent waits longer in the queue than one any agent takes."""
    s = short_runs["messaging-centre"]
    assert _mean(s, "same-agent", "mean_wait") > _mean(s, "any-agent", "mean_wait")
    assert _mean(s, "same-agent", "affinity_hit_rate") > 0.5


#: Each new scenario's headline with its own settings: (design, outcome, sign) of a
#: paired difference from the baseline whose 95% interval must exclude 0 that way.
HEADLINES = {
    "mobile-app-care": [("mobile-first", "resolution_rate", 1),
                        ("in-app-escalation", "session_drop_rate", 1)],
    "flight-delay": [("sms-to-phone", "abandonment_rate", -1),
                     ("sms-handoff", "give_up_rate", -1)],
    "power-outage": [("proactive-notice", "abandonment_rate", -1),
                     ("proactive-notice", "contacts_per_issue", -1)],
    "retail-escalation": [("one-organisation", "repetitions_per_issue", -1),
                          ("one-organisation", "agent_minutes_per_issue", -1)],
    "digital-mesh": [("mesh", "repetitions_per_issue", -1),
                     ("mesh", "agent_minutes_per_issue", -1),
                     ("mesh-notify", "time_to_resolution", -1)],
    "messaging-centre": [("same-agent", "mean_wait", 1),
                         ("same-agent", "agent_minutes_per_issue", -1)],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NEW))
def test_full_run_shows_the_headline(name: str, tmp_path: Path) -> None:
    """``omnisim run scenarios/NAME.toml`` with the file's own settings: the headline
    differences exclude 0 in their direction."""
    done = run_omnisim("run", str(SCENARIOS / f"{name}.toml"), "--out", str(tmp_path),
                       "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["designs"], name
    for design, outcome, sign in HEADLINES[name]:
        diff = summary["differences"][design]["outcomes"][outcome]
        assert sign * diff["ci_low"] > 0 and sign * diff["ci_high"] > 0, (design, outcome, diff)


def test_the_scenario_reference_lists_every_shipped_file() -> None:
    """docs/scenarios.md names each file under scenarios/ in its list of shipped ones."""
    reference = (SCENARIOS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^- `([\w.-]+\.toml)`:", reference, re.MULTILINE))
    assert listed == {p.name for p in _shipped()}
