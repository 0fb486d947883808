"""Measuring helpers shared by the benchmark scripts: memory, CPU pressure, versions."""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spawn_child(script: str, *args: str) -> dict:
    """Run *script* with *args* in a fresh interpreter; the JSON of its last output line."""
    cmd = [sys.executable, os.path.abspath(script), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def one_blas_thread() -> None:
    """Give every child started from now on one OpenBLAS thread, as the ``omnisim``
    command gives itself (``sim/cli``), unless ``OPENBLAS_NUM_THREADS`` is set.

    numpy and scipy load OpenBLAS, whose idle worker threads spin for a while after it
    loads: CPU time of the process, not of the simulation (a child running omnisim in
    process for 0.24 s of wall time used 0.28 s of CPU). Every engine's child gets the
    same setting, so the comparison stays even.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def compile_sim() -> None:
    """Write the bytecode of sim/ (``__pycache__``, git-ignored), as installing it does.

    An installed omnisim has its modules compiled; a checkout run under
    ``PYTHONDONTWRITEBYTECODE`` (set on some machines) would compile every module from
    source in every fresh process — about 0.1–0.2 s that no user pays — while SimPy, Ciw
    and the others load from site-packages compiled. Call before measuring processes.
    """
    import compileall

    compileall.compile_dir(os.path.join(_ROOT, "sim"), quiet=1)


def rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process (or its children) so far, MiB.

    For this process, Linux's ``VmHWM`` (the peak of the memory it has now):
    ``ru_maxrss`` carries the parent's peak over into a child across fork and exec, so a
    child started while its parent was large would report the parent's peak.
    """
    if who == resource.RUSAGE_SELF:
        hwm = _vm_hwm_kib()
        if hwm is not None:
            return hwm / 1024.0
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def _vm_hwm_kib() -> int | None:
    """``VmHWM`` of /proc/self/status in KiB, or None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return None


def psi_some_us() -> int | None:
    """Linux CPU pressure: total µs in which some runnable task waited for a CPU."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as f:
            return int(f.readline().split("total=")[1])
    except (OSError, IndexError, ValueError):
        return None


def version(name: str) -> str:
    """The installed version of package *name*, or ``"not installed"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def sim_digest() -> str:
    """A digest of the sim/ sources measured (the engine changes often)."""
    root = os.path.join(_ROOT, "sim")
    h = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                h.update(os.path.relpath(path, root).encode())
                with open(path, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()[:12]


def paired_ratio(ratios: list[float], level: float = 0.95) -> dict[str, float | int | None]:
    """The geometric mean of paired per-repeat *ratios* and its *level* confidence interval.

    Each ratio compares two engines run one after the other in the same repeat, so the
    machine's drift between repeats cancels in it. The interval is Student's t on the logs
    of the ratios (a ratio's noise is multiplicative); it needs two repeats or more, else its
    ends are None. A target is met for sure when the upper end is under it.
    """
    from scipy import stats  # here: the engines' processes import this module too

    logs = [math.log(r) for r in ratios]
    n = len(logs)
    if n == 0:
        return {"n": 0, "gmean": None, "low": None, "high": None}
    mean = statistics.fmean(logs)
    if n < 2:
        return {"n": n, "gmean": math.exp(mean), "low": None, "high": None}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * statistics.stdev(logs) / math.sqrt(n)
    return {"n": n, "gmean": math.exp(mean), "low": math.exp(mean - half),
            "high": math.exp(mean + half)}


def ci_verdict(estimate: dict[str, float | int | None], limit: float) -> str:
    """"pass", "miss" or "undecided" for a target *ratio ≤ limit* from :func:`paired_ratio`.

    pass: the interval lies at or under the limit; miss: above it; undecided: it spans the
    limit (more repeats, or a quieter machine, would decide).
    """
    low, high = estimate["low"], estimate["high"]
    if low is None or high is None:
        return "not measured"
    if high <= limit:
        return "pass"
    return "miss" if low > limit else "undecided"


def write_report(report: dict, render: Callable[[dict], str], out: str, name: str,
                 started: float) -> None:
    """Close *report* (elapsed time, load, sim digest at the end), write NAME.json (before
    rendering) and NAME.md into *out*, and print the rendered text."""
    report["meta"]["elapsed_s"] = time.perf_counter() - started
    report["meta"]["loadavg_at_end"] = os.getloadavg()
    report["meta"]["sim_source_digest_at_end"] = sim_digest()
    os.makedirs(out, exist_ok=True)
    # the runs first: a table that fails to render must not lose them
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, default=str)
    text = render(report)
    with open(os.path.join(out, f"{name}.md"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print()
    print(text)
