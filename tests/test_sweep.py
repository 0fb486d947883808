"""Parameter sweeps: field paths, values, the grid, and the real command."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from conftest import SCENARIOS, run_omnisim

from sim.errors import ScenarioError
from sim.experiment.sweep import apply_value, grid, parse_vary

STORY = SCENARIOS / "app-to-phone.toml"


def _story() -> dict[str, object]:
    return tomllib.loads(STORY.read_text())


def test_ranges_are_inclusive_and_lists_keep_their_order() -> None:
    """``a:b:step`` includes both ends; ``x,y`` keeps order and types."""
    assert parse_vary("pools.voice.agents=14:20:2").values == (14, 16, 18, 20)
    assert parse_vary("x=0,0.1,0.2").values == (0, 0.1, 0.2)
    assert parse_vary("x=0.5:1.0:0.25").values == (0.5, 0.75, 1.0)


def test_array_elements_by_name_or_index_and_units_are_kept() -> None:
    """Paths pick [[tables]] by name or index; a bare number takes the field's unit."""
    data = _story()
    out = apply_value(data, "segments.mobile.interruptions.rate", 0.2)
    assert out["segments"][0]["interruptions"]["rate"] == "0.2/min"  # type: ignore[index]
    out = apply_value(data, "pools[0].agents", 30)
    assert out["pools"][0]["agents"] == 30  # type: ignore[index]
    out = apply_value(data, "scenario.horizon", 2)
    assert out["scenario"]["horizon"] == "2h"  # type: ignore[index]
    assert data["pools"][0]["agents"] == 17  # type: ignore[index]  # the original is untouched


@pytest.mark.parametrize(("vary", "message"), [
    ("pools.voce.agents=1", "no element named 'voce'"),
    ("pools.voice.agnets=3", "did you mean 'agents'"),
    ("pools.voice.agents=0", "must be >= 1"),
    ("pools.voice.agents=5:1:1", "start:stop:step"),
    ("nonsense", "PATH=VALUES"),
])
def test_bad_paths_and_values_name_the_parameter(vary: str, message: str) -> None:
    """A bad path or value is a ScenarioError naming --vary and the path."""
    with pytest.raises(ScenarioError, match=message) as info:
        grid(_story(), [parse_vary(vary)])
    assert info.value.path.startswith("--vary")


@pytest.mark.slow
def test_sweep_command_writes_a_tidy_table_and_figures(tmp_path: Path) -> None:
    """``omnisim sweep`` writes one row per point × design × replication × outcome."""
    out = tmp_path / "sw"
    done = run_omnisim("sweep", str(STORY), "--vary", "pools.voice.agents=16,20",
                       "-n", "2", "--out", str(out), "--design", "siloed", "unified-history")
    assert done.returncode == 0, done.stderr
    with (out / "sweep.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() == {"pools.voice.agents", "design", "replication", "outcome", "value"}
    util = {(r["pools.voice.agents"], r["design"], r["replication"]): float(r["value"])
            for r in rows if r["outcome"] == "agent_utilization"}
    assert len(util) == 2 * 2 * 2
    assert all(util["16", d, r] > util["20", d, r] for d in ("siloed", "unified-history")
               for r in ("0", "1"))  # more agents, lower utilization (same customers)
    assert (out / "figures" / "sweep_agent_utilization.png").stat().st_size > 10_000
    assert (out / "manifest.json").is_file()


def test_sweep_with_a_bad_path_exits_2_with_one_line(tmp_path: Path) -> None:
    """A bad --vary path is a one-line error and exit status 2."""
    done = run_omnisim("sweep", str(STORY), "--vary", "pools.voice.agnets=3",
                       "--out", str(tmp_path / "x"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "pools.voice.agnets" in done.stderr and "did you mean 'agents'" in done.stderr
