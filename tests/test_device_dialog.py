"""Device-opened issues: a connected device that reports a fault opens the issue itself.

Under a design with ``proactive`` and ``mesh``, an issue of an intent with a
``device_dialog`` that a device reported opens at once as a two-way dialog on the
dialog's touchpoint; otherwise the customer notices the fault after the discover time
and contacts the service where their segment starts. Effects are measured on the same
customers (common random numbers) with a 95% paired interval.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

#: A fault a connected device reports for 80% of issues; customers who find it out
#: themselves call.
FAULT: dict[str, Any] = {
    "scenario": {"name": "fault", "horizon": "4h", "warmup": "30min", "replications": 6,
                 "seed": 5, "designs": ["meshed", "device-opened"]},
    "arrivals": {"rate": "0.5/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "6min"}}],
    "intents": [{"name": "fault", "share": 1.0, "facts": ["symptom"], "reported": 0.8,
                 "handle": {"voice": {"dist": "exponential", "mean": "5min"},
                            "messaging": {"dist": "exponential", "mean": "5min"}},
                 "device_dialog": {"touchpoint": "messaging",
                                   "discover": {"dist": "exponential", "mean": "40min"},
                                   "respond": {"dist": "exponential", "mean": "3min"}}}],
    "facts": {"symptom": {"collect": "2min"}},
    "pools": [{"name": "voice", "agents": 3, "channels": ["voice"]},
              {"name": "messaging", "agents": 2, "channels": ["messaging"],
               "concurrency": {"messaging": 2}}],
    "designs": {"meshed": {"mesh": True}, "device-opened": {"mesh": True, "proactive": True}},
}


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict[str, float]]]:
    """The fault scenario under both designs, on the same customers."""
    sc = parse_scenario(copy.deepcopy(FAULT))
    return run_experiment(compile_world(sc), resolve_designs(sc), 6, sc.scenario.seed,
                          jobs=1)


def _diff(runs: dict[str, list[dict[str, float]]], outcome: str) -> Any:
    return paired_difference([r[outcome] for r in runs["device-opened"]],
                             [r[outcome] for r in runs["meshed"]])


def test_a_device_opened_dialog_resolves_sooner(runs: Any) -> None:
    """Opened by the device, the issue skips the customer's discovery: time to
    resolution falls (95% paired interval below 0)."""
    diff = _diff(runs, "time_to_resolution")
    assert diff["ci_high"] < 0, diff


def test_the_dialog_opens_on_its_touchpoint(runs: Any) -> None:
    """Device-opened issues start on messaging; without the capability nobody does."""
    key = "by.channel.messaging.resolution_rate"  # issues by the channel they began on
    assert all(r[key] > 0.5 for r in runs["device-opened"])
    assert all(math.isnan(r.get(key, math.nan)) for r in runs["meshed"])


@pytest.mark.parametrize(("change", "needle"), [
    ({"touchpoint": "fax"}, "intents[0].device_dialog.touchpoint"),
    ({"reported": 0.0}, "intents[0].device_dialog: intent 'fault' is never reported"),
])
def test_bad_device_dialogs_are_refused(change: dict[str, Any], needle: str) -> None:
    """An unknown touchpoint, or a dialog no device ever opens, is one-line error."""
    data = copy.deepcopy(FAULT)
    intent = data["intents"][0]
    if "reported" in change:
        intent["reported"] = change["reported"]
    else:
        intent["device_dialog"].update(change)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_the_command_refuses_a_bad_dialog_with_exit_2(tmp_path: Path) -> None:
    """``omnisim check`` on a file whose dialog names no touchpoint: one line, exit 2."""
    path = tmp_path / "bad.toml"
    path.write_text(
        Path(__file__).resolve().parent.parent.joinpath("scenarios", "app-to-phone.toml")
        .read_text(encoding="utf-8").replace(
            "[[intents]]", '[[intents]]\ndevice_dialog = { touchpoint = "fax" }', 1),
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sim", "check", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "device_dialog" in proc.stderr and "Traceback" not in proc.stderr
