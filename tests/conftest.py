"""Shared fixtures: paths of the shipped scenarios, a helper to run the real command, and
the small app-to-voice story several tests build their scenarios from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: Mobile customers fail in the app and phone in, interrupted often: a siloed voice agent
#: asks again for every fact the app collected. The segment, intent, fact and journey
#: tables; tests add a [scenario], [arrivals] and [[pools]] of their own.
APP_TO_VOICE: dict[str, Any] = {
    "segments": [{
        "name": "mobile", "share": 1.0, "start": {"app": 1.0},
        "patience": {"dist": "exponential", "mean": "10min"},
        "interruptions": {"rate": "0.5/min", "duration": {"dist": "exponential", "mean": "3min"},
                          "drop_after": "20s"},
    }],
    "intents": [{
        "name": "q", "share": 1.0, "facts": ["identity", "booking", "problem"],
        "handle": {"voice": {"dist": "exponential", "mean": "2min"}},
        "self_service": {"app": {"success": 0.3, "time": "2min"}},
    }],
    "facts": {"identity": {"collect": "40s"}, "booking": {"collect": "30s"},
              "problem": {"collect": "90s"}},
    "journeys": [{"from": "app", "after": "failed", "to": {"voice": 1.0}}],
}

# CI draws at random, as hypothesis does by default, and keeps the failures it finds in
# the (git-ignored) .hypothesis/ database of the checkout, so a rerun tries them first.
settings.register_profile(
    "ci", deadline=None, max_examples=50, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def scenarios() -> Path:
    """The folder of shipped scenario files."""
    return SCENARIOS


def run_omnisim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd,
        timeout=600,
    )
