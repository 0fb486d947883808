"""The HTML report (omnisim report): what it holds, that it needs no network, and, in
headless Chromium, that every figure draws."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import sim
import sim.api
from sim.cli import main
from sim.metrics.outcomes import CATALOGUE, HEADLINE

CHROMIUM = Path("/usr/bin/chromium")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=5000",
          "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny run of two designs, two replications, without figures."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "tiny.toml").write_text(sim.api.EXAMPLE_SCENARIO)
    sim.run(folder / "tiny.toml", jobs=1, out=folder / "results")
    return folder / "results"


def _report(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["report", str(folder)]) == 0
    assert capsys.readouterr().out == f"{folder / 'report.html'}\n"
    return (folder / "report.html").read_text()


def _no_network(page: str) -> None:
    """Nothing in the page is fetched from elsewhere: no URL in src, href, url() or @import."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", page, re.I)
    assert "@import" not in page


def test_report_of_a_run(run_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Scenario text, manifest, comparison with catalogue labels, breakdowns, 5 figures."""
    page = _report(run_folder, capsys)
    _no_network(page)
    scenario = (run_folder.parent / "tiny.toml").read_text()
    assert html.escape(scenario) in page
    assert "SHA-256 checked" in page
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert html.escape(manifest["created"]) in page
    summary = json.loads((run_folder / "summary.json").read_text())
    shown = [o for o in HEADLINE if summary["designs"]["siloed"]["outcomes"][o]["mean"]
             is not None]
    comparison = page.split("<h2>Comparison</h2>")[1].split("<details>")[0]
    assert comparison.count("<tr>") == len(shown) + 1
    for o in shown:
        assert html.escape(CATALOGUE[o].label) in comparison
    assert "unified-history − siloed" in comparison
    for dimension in ("pool", "channel", "segment", "intent", "hour"):
        assert f"By {dimension}</summary>" in page
    assert page.count('<figure class="plot"') == 5
    assert page.count("<svg") == 5
    assert not (run_folder / "figures").exists()  # drawn in memory, nothing else written


_SVG = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="200pt" height="100pt" '
        'viewBox="0 0 200 100"><defs><clipPath id="p1"><rect width="200" height="100"/>'
        '</clipPath><path id="m1" d="M0 0L10 10"/></defs><g clip-path="url(#p1)">'
        '<use xlink:href="#m1" x="{x}"/></g></svg>\n')


def test_report_inlines_the_folder_figures(run_folder: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A folder with figures has exactly its SVG files inlined, ids unique in the page."""
    folder = tmp_path / "results"
    shutil.copytree(run_folder, folder)
    (folder / "figures").mkdir()
    for name, x in (("outcomes", 1), ("journeys", 2)):  # the same ids in both files
        (folder / "figures" / f"{name}.svg").write_text(_SVG.format(x=x))
    page = _report(folder, capsys)
    assert page.count('<figure class="plot"') == 2 and page.count("<svg") == 2
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    refs = re.findall(r'(?:url\(#|href="#)([^)"]+)', page)
    assert len(refs) == 4 and set(refs) <= set(ids)
    assert "<?xml" not in page


def test_staffing_and_sensitivity_sections(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """staffing.json and sensitivity.json each get their section, from their values."""
    staffing = {"target": {"outcome": "service_level", "op": ">=", "value": 0.8,
                           "text": "service_level>=0.8"}, "pool": "voice", "confidence": 0.95,
                "baseline": "siloed", "max_agents": 40,
                "designs": {"siloed": {"agents": 6, "at": {"mean": 0.85, "ci_low": 0.81,
                                                           "ci_high": 0.89},
                                       "one_fewer": None, "delta_agents": 0},
                            "unified": {"agents": None, "at": None, "one_fewer": None,
                                        "delta_agents": None}}}
    (tmp_path / "staffing.json").write_text(json.dumps(staffing))
    (tmp_path / "sensitivity.json").write_text(json.dumps(
        {"method": "sobol", "samples": 8,
         "indices": [{"parameter": "arrivals.rate", "outcome": "give_up_rate", "S1": 0.25}]}))
    page = _report(tmp_path, capsys)
    _no_network(page)
    section = page.split("<h2>Staffing: pool voice</h2>")[1].split("<h2>")[0]
    assert "85.0%" in section and "[81.0%, 89.0%]" in section and "not met at 40" in section
    assert "<h2>Sensitivity</h2>" in page and "arrivals.rate" in page and "0.25" in page


@pytest.mark.slow
def test_ablation_section(run_folder: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    """An ablation folder: a row per capability that differs, and its tornado figure."""
    out = tmp_path / "ablation"
    assert main(["ablate", str(run_folder.parent / "tiny.toml"), "--to", "unified-history",
                 "-n", "2", "-j", "1", "--quiet", "--out", str(out)]) == 0
    page = _report(out, capsys)
    _no_network(page)
    assert "<h2>Ablation: from siloed to unified-history</h2>" in page
    ablation = json.loads((out / "ablation.json").read_text())
    differing = [c for c, e in ablation["capabilities"].items() if e["differs"]]
    section = page.split("<h2>Ablation")[1].split("<h2>")[0]
    assert differing and all(f"<th>{cap}</th>" in section for cap in differing)
    assert page.count('<figure class="plot"') == 1  # ablation.svg


@pytest.mark.parametrize("command", ["report", "plot"])
def test_not_a_results_folder(tmp_path: Path, command: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """report and plot on another folder: one line saying what they expected, exit 2."""
    (tmp_path / "notes.txt").write_text("hello")
    assert main([command, str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("omnisim: ")
    assert "expected" in err or "run `omnisim run" in err
    assert not (tmp_path / "report.html").exists()


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHROMIUM), *_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=300)


def _drawn(image: np.ndarray, rect: dict[str, float]) -> bool:
    """Whether the screenshot region of a figure holds a drawing (not one flat colour)."""
    x, y, w, h = (round(rect[k]) for k in ("x", "y", "w", "h"))
    region = image[y:y + h, x:x + w, :3]
    if region.size == 0:
        return False
    ink = np.mean(np.any(np.abs(region - 1.0) > 0.1, axis=-1))
    return bool(region.std() > 0.02 and ink > 0.005)


@pytest.mark.slow
def test_every_figure_draws_in_chromium(run_folder: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Headless Chromium opens the report offline: every figure has a size and ink in the
    screenshot, and the console stays empty."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (Debian's chromium package; .ci/run "
                    "installs it)")
    page = _report(run_folder, capsys)
    url = (run_folder / "report.html").as_uri()
    done = _chromium(tmp_path / "p1", "--window-size=1200,3000", "--dump-dom", url)
    root = re.search(r"<html[^>]*>", done.stdout)
    assert root, done.stderr[-2000:]
    attrs = {k: html.unescape(v) for k, v in re.findall(r'(data-[a-z]+)="([^"]*)"', root[0])}
    assert attrs["data-errors"] == ""
    assert attrs["data-blank"] == ""
    rects = json.loads(attrs["data-rects"])
    assert len(rects) == page.count('<figure class="plot"') == 5
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path / "p2", f"--window-size=1200,{attrs['data-height']}",
                     f"--screenshot={shot}", url)
    assert shot.is_file(), done.stderr[-2000:]
    assert not [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    image = matplotlib.image.imread(shot)
    assert [r["id"] for r in rects if not _drawn(image, r)] == []
    blank = {"x": 0, "y": 0, "w": 30, "h": 30}  # the page margin, as a negative control
    assert not _drawn(image, blank)


def test_unwritable_out_is_one_line(run_folder: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A report that cannot be written is one line, exit 2, no traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["report", str(run_folder), "--out", str(blocker / "report.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"omnisim: {blocker / 'report.html'}: cannot write the report (")
    assert err.count("\n") == 1
