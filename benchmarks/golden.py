"""Byte-identity guard: the SHA-256 of every results file of every shipped scenario.

Every ``scenarios/*.toml`` is run through the real command (``omnisim run``, in this
process, ``--jobs 1``) with small settings — 2 replications and a short horizon (half an
hour, or up to half an hour after the scenario's last event, never more than the file's own
horizon) — and the SHA-256 of each results file it writes (summary.json,
replications.csv, breakdown.csv and every other file but manifest.json, which records
the invocation) is stored in ``benchmarks/golden/<scenario>.json``.

``tests/test_golden.py`` runs the same settings and compares. The golden files describe
the model: an optimisation must never change them; when the model changes on purpose,
rewrite them and say so in the commit::

    python benchmarks/golden.py --write          # (re)write every golden file
    python benchmarks/golden.py                  # compare, print what differs (exit 1)
    python benchmarks/golden.py --write erlang-a # only that scenario

A scenario file added to scenarios/ is picked up by both; until its golden file is
written, the test fails and says which command writes it.
"""

from __future__ import annotations

# benchmarks/ holds queue.py, which would shadow the standard library's ``queue`` (networkx
# imports it) while this folder is sys.path[0]. Drop it before importing anything else.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
GOLDEN = Path(__file__).resolve().parent / "golden"
REPLICATIONS = 2
#: The shortest horizon run (minutes), and how long after the last event it runs.
SHORT = 30.0
#: Results files that describe the invocation rather than the results.
NOT_RESULTS = {"manifest.json"}


def scenario_files() -> list[Path]:
    """Every shipped scenario, in name order."""
    return sorted(SCENARIOS.glob("*.toml"))


def settings(path: Path) -> dict[str, Any]:
    """The small settings *path* is run with: replications and horizon (minutes)."""
    import sim

    scenario = sim.load_scenario(path)
    last_event = max((float(e.at) for e in scenario.events), default=0.0)
    horizon = min(float(scenario.scenario.horizon), max(SHORT, last_event + SHORT))
    return {"replications": REPLICATIONS, "horizon_min": horizon}


def digests(path: Path) -> dict[str, Any]:
    """Run *path* with its small settings; the SHA-256 of each results file it writes."""
    from sim.cli import main

    small = settings(path)
    with tempfile.TemporaryDirectory(prefix="omnisim-golden-") as tmp:
        out = Path(tmp) / "out"
        argv = ["run", str(path), "--out", str(out), "--replications",
                str(small["replications"]), "--horizon", f"{small['horizon_min']!r}min",
                "--jobs", "1", "--quiet"]
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main(argv)
        if status != 0:
            raise RuntimeError(f"omnisim {' '.join(argv)} exited {status}: {err.getvalue()}")
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(out.iterdir()) if p.is_file() and p.name not in NOT_RESULTS}
    return {"scenario": path.name, **small, "sha256": files}


def golden_path(path: Path) -> Path:
    """Where the golden digests of scenario *path* are kept."""
    return GOLDEN / f"{path.stem}.json"


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two digests records, one line each (empty: identical)."""
    lines = [f"{key}: golden {expected.get(key)!r}, now {actual.get(key)!r}"
             for key in ("replications", "horizon_min") if expected.get(key) != actual.get(key)]
    old, new = expected.get("sha256", {}), actual["sha256"]
    lines += [f"{name}: missing now" for name in sorted(old.keys() - new.keys())]
    lines += [f"{name}: new (not in the golden file)" for name in sorted(new.keys() - old.keys())]
    lines += [f"{name}: differs" for name in sorted(old.keys() & new.keys())
              if old[name] != new[name]]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="(re)write the golden files")
    ap.add_argument("names", nargs="*", help="scenario names (file stems); default: all")
    args = ap.parse_args(argv)
    paths = [p for p in scenario_files() if not args.names or p.stem in args.names]
    unknown = set(args.names) - {p.stem for p in paths}
    if unknown:
        print(f"golden.py: no scenarios/{sorted(unknown)[0]}.toml", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        actual = digests(path)
        target = golden_path(path)
        if args.write:
            GOLDEN.mkdir(exist_ok=True)
            target.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n",
                              encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)} ({len(actual['sha256'])} files)")
            continue
        if not target.exists():
            print(f"{path.name}: no golden file ({target.relative_to(ROOT)})")
            failed += 1
            continue
        diff = differences(json.loads(target.read_text(encoding="utf-8")), actual)
        print(f"{path.name}: {'identical' if not diff else 'DIFFERS'}")
        for line in diff:
            print(f"  {line}")
        failed += bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
