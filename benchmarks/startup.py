"""How long `omnisim --version` and `omnisim run --help` take to start (issue 17, target 4:
under 0.3 s): each a fresh process, wall time, the median of several runs::

    python benchmarks/startup.py             # 7 runs of each
    python benchmarks/startup.py --runs 15

Nothing is written but sim/'s bytecode cache (``measure.compile_sim``, as an install
writes it): the figures are printed, with the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

import measure

#: The commands timed, as argument lists after ``omnisim``.
COMMANDS = (["--version"], ["run", "--help"])


def wall(argv: list[str]) -> float:
    """Wall time of one fresh process running *argv* (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


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
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
