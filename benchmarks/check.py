"""What ``omnisim run --check`` costs: the whole command with the run-time monitors on
against the same command without them.

Every run is a fresh ``omnisim run FILE --out DIR -n 1 -j 1 --quiet [--check]`` process,
timed from start to exit (CPU time from ``RUSAGE_CHILDREN``, wall time around it): start-up,
imports, the run, the results files, as a user waits for it. The parent interleaves the two
commands repeat by repeat (alternating which goes first) and reports the minimum CPU time
of each and their ratio, all from one invocation (the target: under 1.1). It also checks
that both commands wrote the same summary.json outcomes and the same replications.csv:
the monitors must not move a number.

Workloads: the Erlang A queue of benchmarks/queue.py (case A: 50 agents, 48 arrivals a
minute, 5 % warm-up) at 10^5 arrivals, where the engine does the least per issue, so the
monitors' share is the largest; and the story, scenarios/app-to-phone.toml, as shipped
(its three designs, one replication each).

    python benchmarks/check.py                   # Erlang A at 10^5 arrivals and the story
    python benchmarks/check.py --quick           # 2·10^4 arrivals, 2 repeats
    python benchmarks/check.py --profile erlang  # cProfile of one in-process run with
                                                 # the monitors, top 25 by own time
"""

from __future__ import annotations

# This folder holds queue.py, which would shadow the standard library's queue (imported
# by networkx) while the folder is sys.path[0]: move it to the end.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import measure  # noqa: E402

HERE = Path(_HERE)
STORY = HERE.parent / "scenarios" / "app-to-phone.toml"

#: Erlang A case A: agents, arrivals per minute, mean handling and mean patience (min).
ERLANG_A = """[scenario]
name = "Erlang A check bench"
horizon = "{horizon}min"
warmup = "{warmup}min"
replications = 1
seed = {seed}
designs = ["siloed"]

[arrivals]
rate = "48.0/min"

[[segments]]
name = "callers"
share = 1.0
start = {{ voice = 1.0 }}
patience = {{ dist = "exponential", mean = "2.0min" }}

[[intents]]
name = "question"
share = 1.0
facts = []
handle = {{ voice = {{ dist = "exponential", mean = "1.0min" }} }}

[[pools]]
name = "agents"
agents = 50
channels = ["voice"]
"""


def erlang_file(folder: str, arrivals: int, seed: int) -> str:
    """Write the Erlang A case with about *arrivals* arrivals into *folder*; its path."""
    total = round(arrivals / 48.0)  # whole minutes, as queue.py
    warmup = round(0.05 * total)
    path = os.path.join(folder, "erlang-a.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(ERLANG_A.format(horizon=total - warmup, warmup=warmup, seed=seed))
    return path


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def timed_run(scenario: str, check: bool) -> dict[str, Any]:
    """One whole ``omnisim run`` process: CPU and wall time, and digests of what it wrote."""
    omnisim = shutil.which("omnisim", path=os.path.dirname(sys.executable)) or "omnisim"
    with tempfile.TemporaryDirectory(prefix="omnisim-check-bench-") as tmp:
        out = os.path.join(tmp, "out")
        cmd = [omnisim, "run", scenario, "--out", out, "-n", "1", "-j", "1", "--quiet"]
        if check:
            cmd.append("--check")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            designs = json.load(f)["designs"]
        outcomes = {d: v["outcomes"] for d, v in designs.items()}
        return {
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "wall_s": wall, "loadavg": os.getloadavg()[0],
            "outcomes_digest": hashlib.sha256(
                json.dumps(outcomes, sort_keys=True).encode()).hexdigest()[:16],
            "replications_digest": _digest(os.path.join(out, "replications.csv")),
        }


def case(name: str, scenario: str, repeats: int) -> dict[str, Any]:
    """Interleaved repeats of *scenario* with and without ``--check``."""
    runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
    for r in range(repeats):
        for kind in ("without", "with") if r % 2 == 0 else ("with", "without"):
            line = timed_run(scenario, kind == "with")
            runs[kind].append(line)
            print(f"  {name:8s} {kind:>7} --check: {line['cpu_s']:6.2f} s CPU, "
                  f"{line['wall_s']:6.2f} s wall (load {line['loadavg']:.1f})", flush=True)
    plain = min(x["cpu_s"] for x in runs["without"])
    checked = min(x["cpu_s"] for x in runs["with"])
    digests = {(x["outcomes_digest"], x["replications_digest"])
               for kind in runs for x in runs[kind]}
    return {"workload": name, "repeats": repeats, "runs": runs,
            "cpu_without_s": plain, "cpu_with_s": checked, "ratio": checked / plain,
            "wall_ratio": min(x["wall_s"] for x in runs["with"])
            / min(x["wall_s"] for x in runs["without"]),
            "same_results": len(digests) == 1}


def render(report: dict[str, Any]) -> str:
    """The Markdown table of a report."""
    lines = [
        "| workload | CPU without (s) | CPU with --check (s) | ratio (CPU) | ratio (wall) | "
        "target < 1.1 | same results |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for c in report["cases"]:
        lines.append(
            f"| {c['workload']} | {c['cpu_without_s']:.2f} | {c['cpu_with_s']:.2f} | "
            f"{c['ratio']:.3f} | {c['wall_ratio']:.3f} | "
            f"**{'pass' if c['ratio'] < 1.1 else 'miss'}** | "
            f"{'yes' if c['same_results'] else '**no**'} |")
    meta = report["meta"]
    lines += ["", f"{meta['date']} · `{meta['command']}` · whole `omnisim run -n 1 -j 1 "
              f"--quiet` processes, minimum CPU time over {report['cases'][0]['repeats']} "
              f"interleaved repeats · erlang: {meta['arrivals']:,} arrivals · load average "
              f"{meta['loadavg_at_start'][0]:.2f} at the start, "
              f"{meta['loadavg_at_end'][0]:.2f} at the end · {meta['cpus']} cores · Python "
              f"{meta['python']} · sim digest {meta['sim_digest']}"]
    return "\n".join(lines)


def profile(workload: str, arrivals: int, seed: int, top: int) -> None:
    """cProfile one in-process replication with the monitors on (the first design)."""
    import cProfile
    import pstats

    import sim
    from sim.engine.monitors import Monitor
    from sim.engine.replication import Replication
    from sim.engine.streams import Streams

    with tempfile.TemporaryDirectory(prefix="omnisim-check-bench-") as tmp:
        path = STORY if workload == "story" else erlang_file(tmp, arrivals, seed)
        scenario = sim.load_scenario(path)
    world = sim.compile_world(scenario)
    design = sim.resolve_designs(scenario)[0]
    monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable,
                      strict=True)
    rep = Replication(world, design, Streams(scenario.scenario.seed, 0), monitor)
    prof = cProfile.Profile()
    prof.runcall(rep.run)
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main() -> None:
    """Parse the options; measure every workload, or profile one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=100_000,
                        help="Erlang A arrivals per run (default: 10^5)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (3)")
    parser.add_argument("--workloads", nargs="+", default=["erlang", "story"],
                        choices=["erlang", "story"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2·10^4 arrivals, 2 repeats")
    parser.add_argument("--profile", choices=["erlang", "story"],
                        help="profile one in-process run with the monitors instead")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    if args.quick:
        args.arrivals, args.repeats = 20_000, 2
    if args.profile:
        profile(args.profile, args.arrivals, args.seed, 25)
        return
    measure.compile_sim()
    measure.one_blas_thread()
    started = time.perf_counter()
    report: dict[str, Any] = {"meta": {
        "loadavg_at_start": os.getloadavg(), "cpus": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "sim_digest": measure.sim_digest(), "arrivals": args.arrivals,
        "command": " ".join(["python", "benchmarks/check.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, "cases": []}
    with tempfile.TemporaryDirectory(prefix="omnisim-check-bench-") as tmp:
        files = {"erlang": erlang_file(tmp, args.arrivals, args.seed), "story": str(STORY)}
        for name in args.workloads:
            report["cases"].append(case(name, files[name], args.repeats))
    measure.write_report(report, render, args.out, "check", started)


if __name__ == "__main__":
    main()
