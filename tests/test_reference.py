"""The generated reference pages (docs/reference/) match the code, and a scenario key
added without documentation is caught."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from sim import reference
from sim.scenario import schema

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "reference"


def test_generated_pages_are_current() -> None:
    """Every page of docs/reference/ is exactly what `python -m sim.reference` writes."""
    assert reference.check(PAGES) == []


def test_every_scenario_key_is_documented() -> None:
    """Each field of every table of the scenario format carries metadata["doc"]."""
    assert reference.missing_docs() == []


@attrs.frozen
class _PopulationWithNewKey:
    """``[population]`` as if someone added a key and forgot its documentation."""

    customers: int = attrs.field(metadata={"doc": "how many customers there are"})
    returning_share: float = 0.0


def test_a_key_added_without_docs_fails_the_check(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """With an undocumented key in [population], --check names it and exits 1."""
    monkeypatch.setattr(schema, "Population", _PopulationWithNewKey)
    assert reference.missing_docs() == ["_PopulationWithNewKey.returning_share"]
    assert reference.main(["--check", "--out", str(PAGES)]) == 1
    err = capsys.readouterr().err
    assert "_PopulationWithNewKey.returning_share: no documentation" in err
    assert "scenario.md: differs" in err  # the new key also changes the generated page
    assert "| `returning_share` |" in reference.scenario_page()


def test_a_hand_edited_page_fails_the_check(tmp_path: Path) -> None:
    """A page edited by hand (or stale) is reported; a fresh write is clean."""
    reference.write(tmp_path)
    assert reference.check(tmp_path) == []
    page = tmp_path / "cli.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nhand-typed\n", encoding="utf-8")
    assert [p.split(":")[0] for p in reference.check(tmp_path)] == [str(page)]


def test_pages_cover_every_command_table_and_outcome() -> None:
    """Each subcommand, each table of the format and each outcome has its entry."""
    from sim.cli import build_parser
    from sim.metrics.outcomes import CATALOGUE

    cli = reference.cli_page()
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert all(f"## omnisim {name}\n" in cli for name in commands)
    scenario = reference.scenario_page()
    for table in ("`[scenario]`", "`[[segments]]`", "`[designs.NAME]`", "`[[journeys]]`"):
        assert f"## {table}\n" in scenario
    assert "| `from` |" in scenario  # a journey's source is written `from` in files
    assert all(f"| `{name}` |" in reference.outcomes_page() for name in CATALOGUE)
