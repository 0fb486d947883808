"""Ablation: each capability switched on alone and off alone, on common random numbers."""

from __future__ import annotations

import copy
import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from conftest import APP_TO_VOICE, run_omnisim
from hypothesis import given
from hypothesis import strategies as st

from sim import compile_world, parse_scenario
from sim.cli import main
from sim.errors import SimError
from sim.experiment.ablation import (
    OUTCOMES,
    ablation_designs,
    differing,
    run_ablation,
    summarize_ablation,
)
from sim.model.design import BUILTIN_DESIGNS, CAPABILITY_FIELDS, Design
from sim.model.history import SILOED, UNIFIED, Topology

# The app-to-voice story of conftest. No [callback] table, so a callback offer has
# nothing to act on.
STORY: dict[str, Any] = {
    "scenario": {"name": "ablation story", "horizon": "4h", "warmup": "30min",
                 "replications": 4, "seed": 11, "designs": ["siloed"]},
    "arrivals": {"rate": "1.5/min"},
    **APP_TO_VOICE,
    "pools": [{"name": "p", "agents": 6, "channels": ["voice"]}],
}

SILOED_DESIGN = BUILTIN_DESIGNS["siloed"]
FULL = Design("full", UNIFIED, resumable=True, callback=True)


def test_history_lowers_repetitions_and_a_callback_without_its_table_does_nothing() -> None:
    """History switched on alone lowers repetitions (interval < 0); callback's contains 0."""
    world = compile_world(parse_scenario(copy.deepcopy(STORY)))
    ablation = run_ablation(world, SILOED_DESIGN, FULL, replications=4, seed=11, jobs=2,
                            progress=False)
    assert ablation.capabilities == ("history", "resumable", "callback")
    for direction in ("on", "off"):
        history = ablation.effects["history", direction, "repetitions_per_issue"]
        assert history["ci_high"] is not None and history["ci_high"] < 0, history
    callback = ablation.effects["callback", "on", "repetitions_per_issue"]
    assert callback["ci_low"] is not None and callback["ci_low"] <= 0 <= callback["ci_high"]
    # no [channels] costs in the story: cost is unavailable, not a zero effect
    assert ablation.effects["history", "on", "cost_per_issue"]["mean"] is None
    assert ablation.total["cost_per_issue"]["mean"] is None
    # common random numbers: every design met the same issues
    issues = {name: [r["issues"] for r in reps] for name, reps in ablation.results.items()}
    assert len({tuple(v) for v in issues.values()}) == 1


@st.composite
def designs(draw: st.DrawFn, name: str) -> Design:
    """Any design: a topology and every switch drawn independently."""
    topology = draw(st.sampled_from([SILOED, UNIFIED, Topology(groups=[["app", "voice"]]),
                                     Topology(groups=[["app", "voice"]], ttl=60.0)]))
    switches = {f: draw(st.booleans()) for f in CAPABILITY_FIELDS.values() if f != "topology"}
    return Design(name, topology, **switches)


@given(base=designs("base"), full=designs("full"))
def test_each_design_differs_from_its_parent_in_exactly_one_capability(
    base: Design, full: Design
) -> None:
    """+cap differs from the base only in cap and equals full there; -cap likewise."""
    caps = differing(base, full)
    if not caps:
        with pytest.raises(SimError, match="differ in no capability"):
            ablation_designs(base, full)
        return
    pairs = ablation_designs(base, full)
    assert list(pairs) == caps
    names = {base.name, full.name}
    for cap, (on, off) in pairs.items():
        field = CAPABILITY_FIELDS[cap]
        assert differing(base, on) == [cap]
        assert getattr(on, field) == getattr(full, field)
        assert differing(full, off) == [cap]
        assert getattr(off, field) == getattr(base, field)
        names |= {on.name, off.name}
    assert len(names) == 2 + 2 * len(pairs)  # every design of the experiment has its own name


def test_effects_are_the_right_paired_differences_and_nan_is_unavailable() -> None:
    """on = +cap − base and off = full − (−cap), per replication; an all-NaN outcome is None."""
    base, full = SILOED_DESIGN, attrs.evolve(SILOED_DESIGN, name="full", resumable=True,
                                             retention=True)
    pairs = ablation_designs(base, full)
    level = {base.name: 0.0, full.name: 10.0, "siloed+resumable": 3.0,
             "full-no-resumable": 6.0, "siloed+retention": 1.0, "full-no-retention": 9.0}
    results = {
        name: [{o: (math.nan if o == "cost_per_issue" else value + 0.1 * r + 0.01 * r * r)
                for o in OUTCOMES} for r in range(5)]
        for name, value in level.items()
    }
    assert set(results) == {base.name, full.name, *(d.name for p in pairs.values() for d in p)}
    ablation = summarize_ablation(results, base, full)
    assert ablation.effects["resumable", "on", "asa"]["mean"] == pytest.approx(3.0)
    assert ablation.effects["resumable", "off", "asa"]["mean"] == pytest.approx(4.0)
    assert ablation.effects["retention", "on", "asa"]["mean"] == pytest.approx(1.0)
    assert ablation.effects["retention", "off", "asa"]["mean"] == pytest.approx(1.0)
    assert ablation.total["asa"]["mean"] == pytest.approx(10.0)
    assert ablation.same == tuple(c for c in CAPABILITY_FIELDS
                                  if c not in ("resumable", "retention"))
    assert ablation.effects["resumable", "on", "cost_per_issue"]["mean"] is None
    data = ablation.to_dict()
    assert data["capabilities"]["history"] == {"differs": False, "from": "siloed",
                                               "to": "siloed"}
    rows = ablation.rows()
    assert len(rows) == (2 * 2 + 1) * len(OUTCOMES)
    assert all(r["effect"] is None for r in rows if r["outcome"] == "cost_per_issue")


def test_ablate_command_end_to_end(scenarios: Path, tmp_path: Path) -> None:
    """`omnisim ablate` prints the table and writes the json, csv, manifest and figures."""
    out = tmp_path / "abl"
    # unified-history rather than the default all: three capabilities instead of nine
    # keep the test fast, and the six left alike must be reported as not differing
    story = tmp_path / "app-to-phone.toml"  # the story over half its day, for speed
    story.write_text((scenarios / "app-to-phone.toml").read_text(encoding="utf-8").replace(
        'horizon = "8h"', 'horizon = "4h"', 1), encoding="utf-8")
    proc = run_omnisim("ablate", str(story), "-n", "2",
                       "--from", "siloed", "--to", "unified-history", "--out", str(out),
                       "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {
        "ablation.json", "ablation.csv", "replications.csv", "manifest.json",
        "ablation.png", "ablation.svg"}
    data = json.loads((out / "ablation.json").read_text())
    assert data["from"] == "siloed" and data["to"] == "unified-history"
    assert list(data["capabilities"]) == list(CAPABILITY_FIELDS)
    caps = [c for c, entry in data["capabilities"].items() if entry["differs"]]
    same = [c for c in CAPABILITY_FIELDS if c not in caps]
    assert caps == differing(BUILTIN_DESIGNS["siloed"], BUILTIN_DESIGNS["unified-history"])
    assert "history" in caps and same
    with (out / "ablation.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["capability", "direction", "outcome", "effect", "ci_low",
                             "ci_high"]
    assert len(rows) == (2 * len(caps) + 1) * len(OUTCOMES)
    history = {r["direction"]: float(r["effect"]) for r in rows
               if r["capability"] == "history" and r["outcome"] == "repetitions_per_issue"}
    assert history["on"] < 0 and history["off"] < 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["designs"] == data["designs"] and manifest["replications"] == 2
    assert len(data["designs"]) == 2 + 2 * len(caps)
    table = proc.stdout
    for cap in caps:
        assert re.search(rf"^\W*{cap}\s", table, re.MULTILINE), cap  # a row of its own
    for outcome in OUTCOMES:
        assert outcome in table
    assert "on in siloed" in table and "off in unified-history" in table
    assert "unified-history − siloed" in table
    assert f"not ablated: {', '.join(same)}" in table
    drawn = (out / "ablation.svg").read_bytes()
    (out / "ablation.svg").unlink()
    assert run_omnisim("plot", str(out)).returncode == 0  # redrawn from ablation.json
    assert (out / "ablation.svg").read_bytes() == drawn


def test_unknown_from_design_is_one_line_and_exit_2(scenarios: Path, tmp_path: Path) -> None:
    """An unknown --from is reported as FILE: --from: ... on one line; nothing is written."""
    out = tmp_path / "abl"
    proc = run_omnisim("ablate", str(scenarios / "app-to-phone.toml"), "--from", "silod",
                       "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{scenarios / 'app-to-phone.toml'}: --from: unknown design "
                               "'silod'")
    assert "allowed:" in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "unified", "--to", "unified"], "--to: 'unified' is the same design as --from"),
    (["--from", "siloed", "--to", "plain"], "--to: designs 'siloed' and 'plain' differ in no"),
    (["--to", "nowhere"], "--to: unknown design 'nowhere'"),
])
def test_designs_that_cannot_be_ablated_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """The same design twice, or two designs equal in every capability, exit 2 with one line."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[scenario]\nname = "s"\nhorizon = "30min"\ndesigns = ["siloed"]\n'
        '[arrivals]\nrate = "1/min"\n'
        '[[segments]]\nname = "a"\nshare = 1.0\nstart = { voice = 1.0 }\n'
        '[[intents]]\nname = "q"\nshare = 1.0\nhandle = { voice = "1min" }\n'
        '[[pools]]\nname = "p"\nagents = 2\nchannels = ["voice"]\n'
        '[designs.plain]\nbase = "siloed"\n', encoding="utf-8")
    out = tmp_path / "abl"
    assert main(["ablate", str(scenario), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{scenario}: {message}"), err
    assert not out.exists()
