"""The results pages of docs/results/: every number on them comes from a command.

The fast tests re-render each page from the results kept beside it and compare byte for
byte; the slow one re-runs the kept commands and compares what they print and write."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.experiment import resultspage

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "results"
FOUND = resultspage.templates(DOCS, ROOT / "scenarios")


def test_every_shipped_scenario_has_a_page() -> None:
    """Each scenarios/*.toml has a results page (run `nox -s results` after adding one)."""
    shipped = {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert set(FOUND) == shipped
    missing = sorted(n for n in shipped if not (DOCS / f"{n}.md").is_file()
                     or not (DOCS / n / "commands.json").is_file())
    assert not missing, f"no results page for {missing}: run `nox -s results -- NAME`"


@pytest.mark.parametrize("name", sorted(n for n in FOUND if (DOCS / n / "commands.json").is_file()))
def test_page_is_what_its_kept_results_render(name: str) -> None:
    """docs/results/NAME.md is exactly the template filled from docs/results/NAME/."""
    page = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    assert resultspage.render(name, FOUND[name], ROOT, DOCS) == page


def test_templates_type_no_number_by_hand() -> None:
    """Outside placeholders, a template's prose holds no number but the 95 of 95% and
    the 0 an interval excludes."""
    for template in DOCS.glob("*.md.in"):
        text = resultspage.SETTINGS.sub("", template.read_text(encoding="utf-8"))
        prose = re.sub(r"\([^)]*\.(?:toml|md|py)[^)]*\)|`[^`]*`", "",
                       resultspage.PLACEHOLDER.sub("", text))
        assert set(re.findall(r"\d+", prose)) <= {"95", "0"}, template.name


def test_question_is_the_paragraph_that_asks() -> None:
    """The page's question is the top comment's paragraph with a question mark."""
    text = "# A story.\n# More story.\n#\n# The question: does A beat B?\n# Why.\n\n[scenario]\n"
    assert resultspage.question(text) == "Does A beat B? Why."
    assert resultspage.question("# Only this.\n[scenario]\n") == "Only this."


def test_a_placeholder_with_no_number_names_the_template(tmp_path: Path) -> None:
    """A misspelt placeholder stops the render with one line naming it."""
    name = next(n for n in FOUND if (DOCS / n / "commands.json").is_file())
    template = tmp_path / "bad.md.in"
    template.write_text("{{run.siloed.no_such_outcome|pct}}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no_such_outcome"):
        resultspage.render(name, template, ROOT, DOCS)


def test_filters_format_shares_and_points() -> None:
    """pct, pts, neg, f2 and g3 give what the pages print."""
    assert resultspage._format(0.2358, ["pct"]) == "23.6%"
    assert resultspage._format(-0.1421, ["neg", "pts"]) == "14.2"
    assert resultspage._format(-0.1421, ["pts"]) == "−14.2"
    assert resultspage._format(1.2189, ["f2"]) == "1.22"
    assert resultspage._format(None, ["pct"]) == "n/a"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n in FOUND if (DOCS / n / "commands.json").is_file()))
def test_rerun_reproduces_the_kept_results(name: str, tmp_path: Path) -> None:
    """Each kept command, run again (into a temporary folder), prints the same table and
    writes the same summary as the page shows: the page's numbers are the command's."""
    commands = json.loads((DOCS / name / "commands.json").read_text(encoding="utf-8"))
    for which, line in commands.items():
        argv = line.split()
        out = tmp_path / which
        argv[argv.index("--out") + 1] = str(out)
        printed = resultspage.run_command(argv, ROOT)
        assert printed == (DOCS / name / f"{which}.txt").read_text(encoding="utf-8"), which
        kept = {"run": "summary.json", "ablate": "ablation.json",
                "sensitivity": "sensitivity.json"}[which]
        assert resultspage.kept(name, which, out) == (DOCS / name / kept).read_text(
            encoding="utf-8"), which
