"""Byte identity against golden digests: speed work never moves a number.

Every shipped scenario is run as ``benchmarks/golden.py`` runs it (``omnisim run``, 2
replications, a short horizon) and the SHA-256 of each results file is compared with
``benchmarks/golden/<scenario>.json``, written before the change. When the model changes
on purpose, ``python benchmarks/golden.py --write`` rewrites them (and the commit says so).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT, SCENARIOS


def _golden() -> ModuleType:
    # loaded from its path: putting benchmarks/ on sys.path would let its queue.py shadow
    # the standard library's queue
    spec = importlib.util.spec_from_file_location("omnisim_golden", ROOT / "benchmarks" /
                                                  "golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _golden()


def test_every_shipped_scenario_is_guarded() -> None:
    """The guard runs every scenarios/*.toml, so a new file is picked up without a list."""
    names = [p.name for p in golden.scenario_files()]
    assert names == sorted(p.name for p in SCENARIOS.glob("*.toml"))
    assert "erlang-a.toml" in names


@pytest.mark.parametrize("path", golden.scenario_files(), ids=lambda p: p.stem)
def test_results_are_byte_identical_to_the_golden_files(path: Path) -> None:
    """Same scenario, same small settings: the same SHA-256 for every results file."""
    target = golden.golden_path(path)
    assert target.exists(), (f"no golden digests for {path.name}: run "
                             f"`python benchmarks/golden.py --write {path.stem}`")
    expected = json.loads(target.read_text(encoding="utf-8"))
    actual = golden.digests(path)
    assert {"summary.json", "replications.csv", "breakdown.csv"} <= actual["sha256"].keys()
    assert golden.differences(expected, actual) == []


def test_a_changed_result_is_reported() -> None:
    """The comparison names a file whose digest moved, and one that appeared."""
    old = {"replications": 2, "horizon_min": 60.0, "sha256": {"summary.json": "a"}}
    new = {"replications": 2, "horizon_min": 60.0, "sha256": {"summary.json": "b",
                                                              "extra.csv": "c"}}
    assert golden.differences(old, new) == ["extra.csv: new (not in the golden file)",
                                            "summary.json: differs"]
    assert golden.differences(old, old) == []
