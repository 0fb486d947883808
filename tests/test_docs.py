"""The project stands on its own: nothing it ships points users at files it does not ship."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("README.md", "CHANGELOG.md", "docs", "scenarios", "sim", "benchmarks", "tests")


def _files() -> list[Path]:
    out: list[Path] = []
    for name in SHIPPED:
        path = ROOT / name
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out += [p for p in path.rglob("*") if p.suffix in {".md", ".py", ".toml"}
                    and "bad_scenarios" not in p.parts and p != Path(__file__).resolve()]
    return out


def test_no_reference_to_unshipped_design_notes() -> None:
    """No doc, scenario, module or test cites a DESIGN.md or ../shared the user lacks."""
    offenders = [str(p.relative_to(ROOT)) for p in _files()
                 if "../shared" in (text := p.read_text(encoding="utf-8", errors="replace"))
                 or "DESIGN.md" in text]
    assert not offenders, offenders


def test_every_section_the_story_cites_exists() -> None:
    """Each §N a shipped scenario cites is a section of docs/sources.md."""
    import re

    sources = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (§\d+)", sources, re.MULTILINE))
    for scenario in (ROOT / "scenarios").glob("*.toml"):
        cited = set(re.findall(r"§\d+", scenario.read_text(encoding="utf-8")))
        assert cited <= sections, (scenario.name, cited - sections)
