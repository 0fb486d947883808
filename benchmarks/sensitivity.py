"""Wall time of the story's sensitivity analysis at the default N, serial and on 2 processes.

Runs ``omnisim sensitivity scenarios/app-to-phone.toml --design siloed unified-history``
(the default method and N) as a fresh subprocess with ``--jobs 1`` and with ``--jobs 2``,
measures each one's wall time, CPU time and CPU-pressure stall, checks that both wrote the
same sensitivity.json, and writes ``results/sensitivity.json`` and ``sensitivity.md``.
Nothing here asserts a time: it is a measurement, not a test.

    python benchmarks/sensitivity.py                  # jobs 1 and 2, the default N
    python benchmarks/sensitivity.py --samples 16     # a quicker look
    python benchmarks/sensitivity.py --keep DIR       # keep the --jobs 2 results in DIR
    python benchmarks/sensitivity.py --ishigami       # the estimators on Ishigami's function
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from measure import psi_some_us, sim_digest, version, write_report

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORY = os.path.join("scenarios", "app-to-phone.toml")
DESIGNS = ("siloed", "unified-history")


def _command(out: str, jobs: int, samples: int | None) -> list[str]:
    command = [sys.executable, "-m", "sim", "sensitivity", STORY, "--design", *DESIGNS,
               "--jobs", str(jobs), "--out", out, "--quiet", "--no-plot"]
    return command + (["--samples", str(samples)] if samples else [])


def _measure(out: str, jobs: int, samples: int | None) -> dict:
    """Run the command once in a fresh interpreter; its wall, CPU and stall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stall = psi_some_us()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(_command(out, jobs, samples), cwd=_ROOT, capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"omnisim sensitivity --jobs {jobs} failed:\n{proc.stderr}")
    stall_end = psi_some_us()
    with open(os.path.join(out, "sensitivity.json"), encoding="utf-8") as f:
        data = json.load(f)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"jobs": jobs, "wall_s": wall, "cpu_s": cpu, "cores_used": cpu / wall,
            "stall_s": None if stall is None or stall_end is None
            else (stall_end - stall) / 1e6, "loadavg_1min_at_start": load,
            "sets": data["sets"], "samples": data["samples"], "method": data["method"],
            "report": data}


def render(report: dict) -> str:
    """The Markdown page of *report*."""
    meta, runs = report["meta"], report["runs"]
    one, two = runs["1"], runs["2"]
    lines = [
        "# The story's sensitivity analysis, serial and on 2 processes "
        "(benchmarks/sensitivity.py)",
        "",
        f"{meta['date']} · {meta['machine']}, {meta['cores']} cores · Python "
        f"{meta['python']} · omnisim {meta['omnisim']} (sim/ digest {meta['sim_digest']}) · "
        f"`{' '.join(meta['command'])}` · load average (1 min) "
        f"{meta['loadavg_at_start'][0]:.1f} at start, {meta['loadavg_at_end'][0]:.1f} at end",
        "",
        f"{one['method']}, N = {one['samples']}: {one['sets']} parameter sets × 2 designs × "
        "1 replication, each a fresh subprocess.",
        "",
        "| run | wall s | CPU s | cores used (CPU/wall) | CPU-pressure stall s |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in (one, two):
        stall = "–" if run["stall_s"] is None else f"{run['stall_s']:.0f}"
        lines.append(f"| jobs={run['jobs']} | {run['wall_s']:.1f} | {run['cpu_s']:.1f} | "
                     f"{run['cores_used']:.2f} | {stall} |")
    lines += [
        "",
        f"Speed-up jobs=2 over jobs=1: **{one['wall_s'] / two['wall_s']:.2f}×** on "
        f"{meta['cores']} cores (the machine is shared: the stall column is the time some "
        "runnable task waited for a core). Serial and parallel results identical: "
        f"**{'yes' if report['identical'] else 'NO'}**.",
    ]
    return "\n".join(lines)


def ishigami(n: int = 1024, seed: int = 3) -> str:
    """The Sobol indices of the Ishigami function (a = 7, b = 0.1) estimated from *n* base
    samples, beside the analytic values, as a Markdown table (what the test checks)."""
    import math

    import numpy as np

    # benchmarks/queue.py would shadow the standard library's queue for networkx
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    from sim.experiment.sensitivity import draw, sobol_analysis
    from sim.scenario.uncertain import Uncertain

    a, b, pi = 7.0, 0.1, math.pi
    v1, v2, v13 = 0.5 * (1 + b * pi**4 / 5) ** 2, a**2 / 8, b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    exact = [(v1 / var, (v1 + v13) / var), (v2 / var, v2 / var), (0.0, v13 / var)]
    entries = [Uncertain(f"x{i}", "uniform", (-pi, pi), "", "") for i in (1, 2, 3)]
    x = draw(entries, "sobol", n, seed).values
    y = np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    found = sobol_analysis(y, n, 3, seed) or []
    lines = [f"Ishigami function, N = {n} (seed {seed}): estimate [95% BCa bootstrap] "
             "against the analytic value", "",
             "| input | first-order | exact | total | exact |", "|---|---|---:|---|---:|"]
    for i, (e, (s1, st)) in enumerate(zip(found, exact, strict=True), 1):
        lines.append(f"| x{i} | {e['first']:.3f} [{e['first_low']:.3f}, {e['first_high']:.3f}]"
                     f" | {s1:.3f} | {e['total']:.3f} [{e['total_low']:.3f}, "
                     f"{e['total_high']:.3f}] | {st:.3f} |")
    return "\n".join(lines)


def main() -> None:
    """Measure, check, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None,
                        help="N (default: the command's default)")
    parser.add_argument("--keep", metavar="DIR", help="keep the --jobs 2 results folder here")
    parser.add_argument("--out", default=os.path.join(_ROOT, "benchmarks", "results"))
    parser.add_argument("--ishigami", action="store_true",
                        help="only print the estimators' indices of the Ishigami function")
    args = parser.parse_args()
    if args.ishigami:
        print(ishigami())
        return
    started = time.perf_counter()
    report: dict = {"meta": {
        "date": time.strftime("%Y-%m-%d"), "machine": platform.machine() + ", " +
        platform.system(), "cores": os.cpu_count(), "python": platform.python_version(),
        "omnisim": version("omnisim"), "sim_digest": sim_digest(),
        "loadavg_at_start": os.getloadavg(), "command": _command("DIR", 2, args.samples)[2:],
    }, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for jobs in (1, 2):
            out = os.path.join(tmp, f"jobs{jobs}")
            print(f"omnisim sensitivity --jobs {jobs} ...", flush=True)
            report["runs"][str(jobs)] = _measure(out, jobs, args.samples)
            print(f"  {report['runs'][str(jobs)]['wall_s']:.1f} s", flush=True)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(os.path.join(tmp, "jobs2"), args.keep)
    runs = report["runs"]
    drop = ("scenario",)  # holds the file path only: the same in both
    same = all({k: v for k, v in runs[j]["report"].items() if k not in drop}
               == {k: v for k, v in runs["1"]["report"].items() if k not in drop}
               for j in runs)
    report["identical"] = same
    for run in runs.values():
        del run["report"]
    write_report(report, render, args.out, "sensitivity", started)


if __name__ == "__main__":
    main()
