"""Instructions per arrival of the Erlang A queue, counted by valgrind: within about 1 %
on a shared machine, where CPU times drift by tens of per cent between runs.

Each engine (omnisim in process, or the minimal SimPy model of ``queue.py``) runs case A
under ``valgrind --tool=callgrind`` (or ``cachegrind`` with ``--cache``) at two numbers
of arrivals; the difference of the counts over the difference of the arrivals is the cost
of one arrival, with start-up, imports and model set-up cancelled out::

    python benchmarks/instructions.py                     # omnisim and simpy, 1,000 → 5,000
    python benchmarks/instructions.py --engines omnisim   # one engine
    python benchmarks/instructions.py --cache             # + data-cache misses, mispredictions

valgrind must be installed (Debian: ``valgrind``). Nothing is written: the figures are
printed.
"""

from __future__ import annotations

# benchmarks/ holds queue.py, which would shadow the standard library's ``queue``: drop
# this folder from sys.path before importing anything else (as queue.py does).
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

#: valgrind's summary lines and the names they are reported under.
_COUNTS = {"instructions": r"I\s+refs:\s+([\d,]+)", "D1 misses": r"D1\s+misses:\s+([\d,]+)",
           "LL misses": r"LL misses:\s+([\d,]+)", "mispredictions": r"Mispredicts:\s+([\d,]+)"}


def _queue_module() -> object:
    spec = importlib.util.spec_from_file_location("queue_bench", os.path.join(_HERE, "queue.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(engine: str, arrivals: int) -> None:
    """Run *engine* on case A for *arrivals* arrivals (the process valgrind counts)."""
    bench = _queue_module()
    getattr(bench, f"run_{engine}")("A", arrivals, 1)


def count(engine: str, arrivals: int, cache: bool) -> dict[str, int]:
    """valgrind's counts for one child run."""
    tool = (["--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes"] if cache
            else ["--tool=callgrind"])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        option = "--cachegrind-out-file" if cache else "--callgrind-out-file"
        # a fixed hash seed: string hashing moves the counts by a few per cent otherwise
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            ["valgrind", *tool, f"{option}={out}", sys.executable, __file__, "--child",
             engine, str(arrivals)], capture_output=True, text=True, check=True, env=env)
    found = {}
    for name, pattern in _COUNTS.items():
        match = re.search(pattern, done.stderr)
        if match:
            found[name] = int(match.group(1).replace(",", ""))
    if not cache:  # callgrind reports its total as "Collected"
        found["instructions"] = int(re.findall(r"Collected : (\d+)", done.stderr)[-1])
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", nargs="+", default=["omnisim", "simpy"],
                    choices=("omnisim", "simpy"))
    ap.add_argument("--arrivals", nargs=2, type=int, default=(1000, 5000),
                    metavar=("LOW", "HIGH"))
    ap.add_argument("--cache", action="store_true",
                    help="cachegrind: also data-cache misses and branch mispredictions")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind is not installed")
    low, high = args.arrivals
    for engine in args.engines:
        a, b = count(engine, low, args.cache), count(engine, high, args.cache)
        per = {name: (b[name] - a[name]) / (high - low) for name in b}
        print(f"{engine:8s} per arrival: "
              + ", ".join(f"{name} {value:,.0f}" for name, value in per.items()))


if __name__ == "__main__":
    main()
