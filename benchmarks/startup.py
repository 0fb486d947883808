"""How long `omnisim --version` and `omnisim run --help` take to start (issue 17, target 4:
under 0.3 s): each a fresh process, wall time, the median of several runs. Then the fixed
cost of a run: the whole `omnisim run` of scenarios/erlang-a.toml cut to one simulated
minute, 2 replications, `--quiet` (imports, validation, the results files; CPU time of
the process), beside a Python process that only imports SimPy::

    python benchmarks/startup.py             # 7 runs of each
    python benchmarks/startup.py --runs 15

Nothing is written but sim/'s bytecode cache (``measure.compile_sim``, as an install
writes it) and a temporary folder: the figures are printed, with the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import measure

#: The commands timed, as argument lists after ``omnisim``.
COMMANDS = (["--version"], ["run", "--help"])


def wall(argv: list[str]) -> float:
    """Wall time of one fresh process running *argv* (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def cpu(argv: list[str]) -> float:
    """CPU time (user + system) of one fresh process running *argv*."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def fixed_cost(exe: str, runs: int) -> None:
    """Print the median CPU time of a one-minute run against importing SimPy alone."""
    text = (Path(__file__).parents[1] / "scenarios" / "erlang-a.toml").read_text("utf-8")
    text = re.sub(r'(?m)^horizon = .*$', 'horizon = "1min"', text)
    text = re.sub(r'(?m)^warmup = .*$', 'warmup = "0min"', text)
    with tempfile.TemporaryDirectory(prefix="omnisim-startup-") as tmp:
        scenario = Path(tmp) / "one-minute.toml"
        scenario.write_text(text, "utf-8")
        run = [exe, "run", str(scenario), "-n", "2", "-j", "1", "--quiet",
               "--out", str(Path(tmp) / "out")]
        for name, argv in (("omnisim run (1 min, -n 2)", run),
                           ("python -c 'import simpy'", [sys.executable, "-c", "import simpy"])):
            times = [cpu(argv) for _ in range(runs)]
            print(f"{name:26s} CPU median {statistics.median(times):.3f} s "
                  f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    # the omnisim beside this interpreter first (a virtualenv need not be activated)
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    exe = shutil.which("omnisim", path=path) or sys.exit("startup.py: omnisim is not installed")
    measure.compile_sim()
    print(f"load average {os.getloadavg()[0]:.2f}")
    for command in COMMANDS:
        times = [wall([exe, *command]) for _ in range(args.runs)]
        print(f"omnisim {' '.join(command):12s} median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs)")
    fixed_cost(exe, args.runs)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
