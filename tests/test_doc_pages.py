"""The documentation holds together: links resolve, every page is in the index, and the
outputs the tutorial shows are what its commands print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.doccommands import run_all

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown page's headings."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


def test_relative_links_resolve() -> None:
    """Every relative link of the README and docs/ names a file that exists (and, for
    Markdown pages, a heading that exists)."""
    broken = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, broken


def test_every_page_is_in_the_index() -> None:
    """Each page of docs/ is linked from docs/README.md, the index (the results pages,
    one per scenario, are checked by tests/test_resultspage.py)."""
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    linked = {(ROOT / "docs" / t.partition("#")[0]).resolve() for t in LINK.findall(index)}
    pages = [p for p in (ROOT / "docs").rglob("*.md") if p.name != "README.md"
             and "results" not in p.relative_to(ROOT / "docs").parts]  # test_resultspage
    missing = sorted(str(p.relative_to(ROOT)) for p in pages if p.resolve() not in linked)
    assert not missing, missing


@pytest.mark.slow
def test_tutorial_output_is_what_its_commands_print() -> None:
    """Each console block of the tutorial shows exactly what its command prints now
    (refresh with `python -m sim.doccommands docs/tutorial.md`)."""
    page = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    for command, printed in run_all(page, ROOT):
        assert f"$ {command}\n{printed}```" in page, command
