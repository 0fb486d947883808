"""What per-issue records cost: peak memory and time of a run with records against the
same run without, at 10^5 and 10^6 issues.

Every run is a fresh interpreter (this script with ``--child``) that builds the world,
runs one replication through ``sim.run_experiment`` (with a
:class:`sim.experiment.records.RecordParts` or without) and, with records, concatenates the
parts into issues.parquet and contacts.parquet; it prints one JSON line: CPU and wall time
of the run and of the concatenation, peak RSS (``getrusage``) after set-up and at the end,
rows and file sizes. The parent interleaves with/without repeat by repeat and reports the
minimum CPU time of each and their ratio (the target: under 1.15), each repeat's paired
ratio (with / without, run one after the other) summed up as their median and geometric
mean with its 95 % interval, and the peak RSS at each size: flat means the peak with
records grows from 10^5 to 10^6 issues by about what it grows without records, far below
what the rows would take in memory (the Arrow size of the tables, also reported).

The workload is the Erlang A queue of benchmarks/queue.py (case A: 50 agents, 48 arrivals
a minute), where the engine does the least per issue, so the records' share of the time is
the largest; ``--story`` adds the story (scenarios/app-to-phone.toml, its horizon stretched
to the number of issues asked).

From the smallest and the largest size, it also splits each kind's CPU time (medians over
the repeats) into a fixed cost (the intercept: imports, set-up, opening and closing the
files) and a cost per issue (the slope), with and without records: the ratio of the
slopes is what the records cost at any size, the fixed costs what they add once.

    python benchmarks/records.py                 # 10^5 and 10^6 issues, 3 repeats
    python benchmarks/records.py --quick         # 10^4 and 10^5 issues, 2 repeats
    python benchmarks/records.py --story 20000   # and the story at 20,000 issues
"""

from __future__ import annotations

# This folder holds queue.py, which would shadow the standard library's queue (imported
# by networkx) while the folder is sys.path[0]: move it to the end.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import measure  # noqa: E402

HERE = Path(_HERE)

#: Erlang A case A: agents, arrivals per minute, service and abandonment rates per minute.
CASE_A = (50, 48.0, 1.0, 0.5)


def _erlang_world(issues: int, seed: int) -> tuple[Any, Any]:
    import sim

    n, lam, mu, theta = CASE_A
    total = round(issues / lam / 0.95)
    warmup = round(0.05 * total)
    data = {
        "scenario": {"name": "Erlang A records", "horizon": f"{total - warmup}min",
                     "warmup": f"{warmup}min", "replications": 1, "seed": seed,
                     "designs": ["siloed"]},
        "arrivals": {"rate": f"{lam!r}/min"},
        "segments": [{"name": "callers", "share": 1.0, "start": {"voice": 1.0},
                      "patience": {"dist": "exponential", "mean": f"{1.0 / theta!r}min"}}],
        "intents": [{"name": "question", "share": 1.0, "facts": [],
                     "handle": {"voice": {"dist": "exponential", "mean": f"{1.0 / mu!r}min"}}}],
        "pools": [{"name": "agents", "agents": n, "channels": ["voice"]}],
    }
    scenario = sim.parse_scenario(data)
    return sim.compile_world(scenario), sim.resolve_designs(scenario)[:1]


def _story_world(issues: int, seed: int) -> tuple[Any, Any]:
    import attrs

    import sim

    scenario = sim.load_scenario(HERE.parent / "scenarios" / "app-to-phone.toml")
    world = sim.compile_world(scenario)
    rate = 4.0  # the story's arrivals per minute
    horizon = max(world.horizon, issues / rate)
    world = attrs.evolve(world, horizon=horizon)
    return world, sim.resolve_designs(scenario)[:1]


def child(args: argparse.Namespace) -> None:
    """Run one case and print its JSON line."""
    import sim
    from sim.experiment.records import RecordParts

    build = _story_world if args.workload == "story" else _erlang_world
    world, designs = build(args.issues, args.seed)
    rss_setup = measure.rss_mib()
    with tempfile.TemporaryDirectory(prefix="omnisim-records-bench-") as tmp:
        parts = RecordParts(Path(tmp) / "parts") if args.records else None
        cpu, wall = time.process_time(), time.perf_counter()
        results = sim.run_experiment(world, designs, 1, args.seed, jobs=1, records=parts,
                                     progress=False)
        run_cpu, run_wall = time.process_time() - cpu, time.perf_counter() - wall
        line: dict[str, Any] = {"issues": results[designs[0].name][0]["issues"],
                                "run_cpu_s": run_cpu, "run_wall_s": run_wall,
                                "rss_setup_mib": rss_setup, "rss_run_mib": measure.rss_mib()}
        if parts is not None:
            cpu, wall = time.process_time(), time.perf_counter()
            info = parts.write(Path(tmp))
            line["write_cpu_s"] = time.process_time() - cpu
            line["write_wall_s"] = time.perf_counter() - wall
            line["rows"] = info["rows"]
            line["bytes"] = {f: (Path(tmp) / f).stat().st_size for f in info["files"]}
        line["rss_peak_mib"] = measure.rss_mib()
        if parts is not None and args.arrow_size:
            import pyarrow.parquet as pq

            line["arrow_mib"] = sum(pq.read_table(Path(tmp) / f).nbytes
                                    for f in info["files"]) / 2**20
    print(json.dumps(line))


def _spawn(workload: str, issues: int, records: bool, seed: int, arrow: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", "--workload", workload, "--issues",
           str(issues), "--seed", str(seed)]
    if records:
        cmd.append("--records")
    if arrow:
        cmd.append("--arrow-size")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _case(workload: str, issues: int, repeats: int, seed: int) -> dict[str, Any]:
    """Interleaved repeats of one size, with and without records."""
    runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
    for r in range(repeats):
        order = ("without", "with") if r % 2 == 0 else ("with", "without")
        for kind in order:
            line = _spawn(workload, issues, kind == "with", seed, r == 0 and kind == "with")
            line["loadavg"] = os.getloadavg()[0]
            runs[kind].append(line)
            print(f"  {workload} {issues:>9,} {kind:>7} records: run {line['run_cpu_s']:.2f} s "
                  f"CPU, peak {line['rss_peak_mib']:.1f} MiB (load {line['loadavg']:.1f})",
                  flush=True)
    paired = [(w["run_cpu_s"] + w["write_cpu_s"]) / o["run_cpu_s"]
              for w, o in zip(runs["with"], runs["without"], strict=True)]
    plain = min(x["run_cpu_s"] for x in runs["without"])
    rec_run = min(x["run_cpu_s"] for x in runs["with"])
    rec_all = min(x["run_cpu_s"] + x["write_cpu_s"] for x in runs["with"])
    return {
        "workload": workload, "issues_asked": issues, "repeats": repeats, "runs": runs,
        "issues": runs["with"][0]["issues"], "rows": runs["with"][0]["rows"],
        "bytes": runs["with"][0]["bytes"], "arrow_mib": runs["with"][0].get("arrow_mib"),
        "cpu_without_s": plain, "cpu_with_run_s": rec_run, "cpu_with_all_s": rec_all,
        "ratio_run": rec_run / plain, "ratio_all": rec_all / plain,
        "paired_ratios": paired, "paired_median": statistics.median(paired),
        "paired": measure.paired_ratio(paired),
        "peak_without_mib": max(x["rss_peak_mib"] for x in runs["without"]),
        "peak_with_mib": max(x["rss_peak_mib"] for x in runs["with"]),
    }


def scaling(cases: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Fixed cost (s) and cost per issue (µs) of the runs with and without records, from
    the smallest and the largest of *cases* (medians of CPU time over the repeats)."""
    if len(cases) < 2:
        return None
    low, high = min(cases, key=lambda c: c["issues"]), max(cases, key=lambda c: c["issues"])
    out: dict[str, Any] = {"issues": [low["issues"], high["issues"]]}
    for kind in ("without", "with"):
        def cpu(case: dict[str, Any], kind: str = kind) -> float:
            return statistics.median(x["run_cpu_s"] + x.get("write_cpu_s", 0.0)
                                     for x in case["runs"][kind])
        slope = (cpu(high) - cpu(low)) / (high["issues"] - low["issues"])
        out[kind] = {"per_issue_us": slope * 1e6, "fixed_s": cpu(low) - slope * low["issues"]}
    out["ratio_per_issue"] = out["with"]["per_issue_us"] / out["without"]["per_issue_us"]
    out["fixed_added_s"] = out["with"]["fixed_s"] - out["without"]["fixed_s"]
    return out


def render(report: dict[str, Any]) -> str:
    """The Markdown table of a report."""
    lines = [
        "| workload | issues | rows (issues / contacts) | CPU without (s) | CPU with, run "
        "(s) | CPU with, run + files (s) | ratio | peak RSS without (MiB) | peak RSS with "
        "(MiB) | rows in memory would take (MiB) | paired ratios: median, geometric mean "
        "[95 % CI] |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in report["cases"]:
        arrow = "" if c["arrow_mib"] is None else f"{c['arrow_mib']:.0f}"
        lines.append(
            f"| {c['workload']} | {c['issues']:,.0f} | {c['rows']['issues']:,} / "
            f"{c['rows']['contacts']:,} | {c['cpu_without_s']:.2f} | {c['cpu_with_run_s']:.2f} "
            f"| {c['cpu_with_all_s']:.2f} | {c['ratio_all']:.3f} | {c['peak_without_mib']:.1f} "
            f"| {c['peak_with_mib']:.1f} | {arrow} | {_paired(c)} |")
    split = report.get("scaling")
    if split:
        lines += ["", f"From {split['issues'][0]:,.0f} and {split['issues'][1]:,.0f} issues "
                  "(Erlang A, medians):", "",
                  "| records | fixed cost (s) | per issue (µs) |", "|---|---:|---:|"]
        for kind in ("without", "with"):
            lines.append(f"| {kind} | {split[kind]['fixed_s']:.3f} "
                         f"| {split[kind]['per_issue_us']:.2f} |")
        lines += ["", f"Per issue with / without: {split['ratio_per_issue']:.3f}; records add "
                  f"{split['fixed_added_s']:.3f} s once."]
    meta = report["meta"]
    lines.append("")
    lines.append(f"Load average at the start {meta['loadavg_at_start'][0]:.2f}, at the end "
                 f"{meta['loadavg_at_end'][0]:.2f}; {meta['cpus']} cores; Python "
                 f"{meta['python']}; sim digest {meta['sim_digest']}; minimum CPU time over "
                 f"{report['cases'][0]['repeats']} interleaved repeats; ratio = (run + files "
                 "with records) / run without.")
    return "\n".join(lines)


def _paired(case: dict[str, Any]) -> str:
    p = case["paired"]
    ci = "" if p["low"] is None else f" [{p['low']:.3f}, {p['high']:.3f}]"
    return f"{case['paired_median']:.3f}, {p['gmean']:.3f}{ci}"


def main() -> None:
    """Parse the options; run as the parent (every case) or as one child."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workload", default="erlang", help=argparse.SUPPRESS)
    parser.add_argument("--records", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--arrow-size", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--issues", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="issues per run (default: 10^5 and 10^6)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (3)")
    parser.add_argument("--story", type=int, default=0, metavar="N",
                        help="also the story at N issues")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 issues, 2 repeats")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    if args.child:
        args.issues = args.issues[0]
        child(args)
        return
    if args.quick:
        args.issues, args.repeats = [10_000, 100_000], 2
    measure.compile_sim()
    measure.one_blas_thread()
    started = time.perf_counter()
    report: dict[str, Any] = {"meta": {
        "loadavg_at_start": os.getloadavg(), "cpus": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "pyarrow": measure.version("pyarrow"), "sim_digest": measure.sim_digest(),
        "command": " ".join(["python", "benchmarks/records.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, "cases": []}
    for issues in args.issues:
        report["cases"].append(_case("erlang", issues, args.repeats, args.seed))
    report["scaling"] = scaling(report["cases"])
    if args.story:
        report["cases"].append(_case("story", args.story, args.repeats, args.seed))
    measure.write_report(report, render, args.out, "records", started)


if __name__ == "__main__":
    main()
