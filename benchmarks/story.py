"""The seeds' story at scale: scenarios/app-to-phone.toml, its designs and a typical study.

Three measurements:

* **Scaling with the horizon** — one replication of each design at 1×, 4× and 16× the
  file's horizon (``attrs.evolve(world, horizon=...)``; the warm-up stays), each run in
  its own subprocess: wall time of ``sim.simulate``, arrivals per second, peak RSS. A
  linear engine takes (warm-up + k·horizon)/(warm-up + horizon) times as long at k×;
  peak RSS should not grow.
* **CPU time per arrival against the Erlang A case** — omnisim on queue.py's case A in
  process (a fresh subprocess) is the reference; each design's largest scaling run and
  the serial study are divided by it (issue 17's target: within 2×).
* **Work per arrival** — SimPy events processed and Python function calls per arrival, by
  cProfile (counts only), for every design at 1× and the Erlang A case: how much more the
  story does per arrival, so the time ratio reads as work times cost per unit of work.
* **A typical study** — 10,000 issues a day (arrival rate 10,000/1440 per minute, horizon
  24 h, the file's warm-up and staffing), four designs (siloed, unified-history,
  mobile-first, all), 30 replications each through
  ``sim.run_experiment(world, designs, 30, seed, jobs=1)`` and ``jobs=2``, each in its own
  subprocess: wall time serial and parallel, the speed-up, and whether both gave the same
  results (they must: reproducibility).

Usage::

    python benchmarks/story.py                 # 3 repeats of the scaling runs, the study once
    python benchmarks/story.py --quick         # 1 repeat at 1× and 4×, a 4-replication study
    python benchmarks/story.py --replications 30 --repeats 5
    python benchmarks/story.py --profile 1     # cProfile of every design at 1×, top 20
    python benchmarks/story.py --child work    # the work per arrival only (JSON)

Writes ``benchmarks/results/story.json`` and ``benchmarks/results/story.md``.
"""

from __future__ import annotations

# benchmarks/ holds queue.py, which would shadow the standard library's ``queue`` (needed
# by concurrent.futures for jobs=2) while this folder is sys.path[0]. Drop it first.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# keep it, but last: the standard library wins, and measure.py is still found
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import datetime  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import measure  # noqa: E402

ROOT = os.path.dirname(_HERE)
SCENARIO = os.path.join(ROOT, "scenarios", "app-to-phone.toml")
RESULTS = os.path.join(_HERE, "results")
MULTIPLES = (1, 4, 16)
STUDY_PER_DAY = 10_000
#: the typical study compares these four designs (the file lists the first three)
STUDY_DESIGNS = ("siloed", "unified-history", "mobile-first", "all")
#: expected arrivals of the Erlang A reference run (queue.py's case A, omnisim in process)
ERLANG_ARRIVALS = 100_000


def _cpu_s() -> float:
    """CPU seconds used by this process and its waited-for children (the workers)."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _stall_since(start: int | None) -> float | None:
    end = measure.psi_some_us()
    return None if start is None or end is None else (end - start) / 1e6


def _load(names: list[str] | None = None) -> tuple[Any, Any, list[Any]]:
    import sim
    from sim.collector import own_process

    # every child stands for the ``omnisim`` command, which declares its process
    # omnisim's own (its first replication freezes what the process holds, once)
    own_process()

    scenario = sim.load_scenario(SCENARIO)
    return scenario, sim.compile_world(scenario), sim.resolve_designs(scenario, names)


def child_scale(design_name: str, multiple: int, seed: int | None) -> dict[str, Any]:
    """One replication of *design_name* at *multiple* × the file's horizon."""
    import attrs

    import sim

    scenario, world, designs = _load()
    design = next(d for d in designs if d.name == design_name)
    world = attrs.evolve(world, horizon=world.horizon * multiple)
    seed = scenario.scenario.seed if seed is None else seed
    rss_before = measure.rss_mib()
    psi, cpu = measure.psi_some_us(), _cpu_s()
    t0 = time.perf_counter()
    out = sim.simulate(world, design, seed, 0)
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - cpu
    arrivals = world.rate * world.end
    return {
        "kind": "scale", "design": design_name, "multiple": multiple, "seed": seed,
        "horizon_min": world.horizon, "warmup_min": world.warmup, "wall_s": wall,
        "expected_arrivals": arrivals, "issues_after_warmup": out["issues"],
        "arrivals_per_s": arrivals / wall, "rss_before_run_mib": rss_before,
        "cpu_s": cpu, "cpu_stall_s": _stall_since(psi),
        "rss_peak_mib": measure.rss_mib(), "give_up_rate": out["give_up_rate"],
        "repetitions_per_issue": out["repetitions_per_issue"],
        "agent_utilization": out["agent_utilization"],
        "contacts_per_issue": out["contacts_per_issue"],
    }


def child_study(jobs: int, replications: int, seed: int | None,
                agents: int | None = None) -> dict[str, Any]:
    """The typical study: 10,000 issues a day, the four designs, *replications* each.

    *agents* replaces the voice pool's headcount (default: the file's).
    """
    import attrs

    import sim

    scenario, world, designs = _load(list(STUDY_DESIGNS))
    world = attrs.evolve(world, rate=STUDY_PER_DAY / 1440.0, horizon=1440.0)
    if agents is not None:
        world = attrs.evolve(world, pools=tuple(attrs.evolve(p, agents=agents)
                                                for p in world.pools))
    seed = scenario.scenario.seed if seed is None else seed
    psi, cpu = measure.psi_some_us(), _cpu_s()
    t0 = time.perf_counter()
    results = sim.run_experiment(world, designs, replications, seed, jobs=jobs, progress=False)
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - cpu
    digest = hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()[:16]

    def mean(design: str, key: str) -> float:
        vals = [r[key] for r in results[design]]
        return sum(vals) / len(vals)

    return {
        "kind": "study", "jobs": jobs, "replications": replications, "seed": seed,
        "designs": [d.name for d in designs], "units": replications * len(designs),
        "agents": [p.agents for p in world.pools],
        "wall_s": wall, "cpu_s": cpu, "cpu_stall_s": _stall_since(psi),
        "rss_peak_mib": measure.rss_mib(),
        "rss_peak_children_mib": measure.rss_mib(resource.RUSAGE_CHILDREN),
        "results_digest": digest,
        "issues_per_unit": mean(designs[0].name, "issues"),
        "arrivals_per_unit": world.rate * world.end,
        "means": {d.name: {k: mean(d.name, k) for k in (
            "give_up_rate", "abandonment_rate", "agent_utilization",
            "repetitions_per_issue", "mean_wait", "contacts_per_issue")}
            for d in designs},
    }


def profile(multiple: int, seed: int | None, top: int = 20) -> None:
    """cProfile one replication of every design at *multiple* × the horizon, in this
    process; print the top functions by own time."""
    import cProfile
    import pstats

    import attrs

    import sim

    scenario, world, designs = _load()
    world = attrs.evolve(world, horizon=world.horizon * multiple)
    seed = scenario.scenario.seed if seed is None else seed
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for design in designs:
        sim.simulate(world, design, seed, 0)
    prof.disable()
    print(f"{os.path.basename(SCENARIO)} at {multiple}× the horizon, "
          f"{', '.join(d.name for d in designs)}: ≈{world.rate * world.end:,.0f} arrivals per "
          f"design, {time.perf_counter() - t0:.1f} s under cProfile")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


#: how an event is processed: popped off the schedule, by SimPy's ``Environment.step`` or
#: by the loop of the ``Clock`` a replication runs on (``sim/engine/wakeups.py``); nothing
#: else in omnisim pops that heap, and the loop makes no call per event to count instead
_POP = "<built-in method _heapq.heappop>"


def _counted(run: Any) -> tuple[int, int]:
    """SimPy events processed and Python function calls made by ``run()``, by cProfile."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    events = sum(nc for (f, _, name), (_, nc, *_) in stats.items() if name == _POP)
    calls = sum(nc for (f, *_), (_, nc, *_) in stats.items() if f != "~")
    return events, calls


def child_work(seed: int | None) -> dict[str, Any]:
    """The work per arrival: SimPy events processed and Python function calls, for every
    design of the story at 1× and for the Erlang A case (queue.py's case A, 20,000
    arrivals), each counted by cProfile (the counts, not the times, are kept)."""
    import importlib.util

    import sim

    scenario, world, designs = _load()
    seed = scenario.scenario.seed if seed is None else seed
    out: dict[str, Any] = {}
    for design in designs:
        events, calls = _counted(lambda d=design: sim.simulate(world, d, seed, 0))
        arrivals = world.rate * world.end
        out[design.name] = {"events": events / arrivals, "calls": calls / arrivals}
    spec = importlib.util.spec_from_file_location("queue_bench", os.path.join(_HERE, "queue.py"))
    assert spec is not None and spec.loader is not None
    queue = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(queue)
    arrivals = 20_000
    events, calls = _counted(lambda: queue.run_omnisim("A", arrivals, 1))
    out["Erlang A"] = {"events": events / arrivals, "calls": calls / arrivals}
    return out


def erlang_reference(arrivals: int) -> dict[str, Any]:
    """omnisim on the Erlang A case (queue.py's case A, in process), a fresh subprocess."""
    cmd = [sys.executable, os.path.join(_HERE, "queue.py"), "--engine", "omnisim", "--case",
           "A", "--arrivals", str(arrivals)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def per_arrival(report: dict[str, Any]) -> dict[str, Any]:
    """CPU µs per arrival: the Erlang A reference, each design's largest scaling run, the
    serial study; and each against the Erlang A case (target: within 2×).

    Also per contact, for context: an Erlang A arrival is one contact, a story issue
    makes ``contacts_per_issue`` (self-service and assisted) on average.
    """
    ref = report["erlang_a"]
    base = 1e6 * ref["cpu_s"] / ref["arrivals"]
    rows = {}
    for design, res in report["scale"].items():
        m = max(res["rows"])
        row = res["rows"][m]
        rows[f"{design} at {m}×"] = (1e6 * row["cpu_s_min"] / row["expected_arrivals"],
                                     row.get("contacts_per_issue", math.nan))
    study = report.get("study")
    if study:
        s1 = study["serial"]
        contacts = [m.get("contacts_per_issue", math.nan) for m in s1["means"].values()]
        rows[f"study, jobs=1 ({s1['units']} units)"] = (
            1e6 * s1["cpu_s"] / (s1["units"] * s1["arrivals_per_unit"]),
            sum(contacts) / len(contacts))
    return {"erlang_a_us": base, "rows": {
        k: {"us": us, "vs_erlang_a": us / base, "contacts_per_issue": contacts,
            "vs_erlang_a_per_contact": us / contacts / base}
        for k, (us, contacts) in rows.items()}}


def spawn(*args: str) -> dict[str, Any]:
    """Run this script as a child in a fresh interpreter; its JSON line."""
    return measure.spawn_child(__file__, *args)


def summarize_scale(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for design in sorted({r["design"] for r in runs}):
        rows = {}
        for m in MULTIPLES:
            mine = [r for r in runs if r["design"] == design and r["multiple"] == m]
            if not mine:
                continue
            best = min(mine, key=lambda r: r["wall_s"])
            rows[m] = {
                "wall_s_min": best["wall_s"], "wall_s_all": [r["wall_s"] for r in mine],
                "cpu_s_min": min(r.get("cpu_s", r["wall_s"]) for r in mine),
                "expected_arrivals": best["expected_arrivals"],
                "issues_after_warmup": best["issues_after_warmup"],
                "contacts_per_issue": best.get("contacts_per_issue", math.nan),
                "arrivals_per_s": best["expected_arrivals"] / best["wall_s"],
                "rss_peak_mib": max(r["rss_peak_mib"] for r in mine),
                "rss_before_run_mib": max(r["rss_before_run_mib"] for r in mine),
                "end_min": best["warmup_min"] + best["horizon_min"],
            }
        base = rows.get(1)
        ratios = {}
        if base:
            for m, row in rows.items():
                if m == 1:
                    continue
                ratios[f"{m}x/1x"] = {
                    "time": row["wall_s_min"] / base["wall_s_min"],
                    "linear": row["end_min"] / base["end_min"],
                    "rss_growth_mib": row["rss_peak_mib"] - base["rss_peak_mib"],
                }
        out[design] = {"rows": rows, "ratios": ratios}
    return out


def _study_targets(study: dict[str, Any]) -> str:
    """Issue 17's targets for the study (30 replications × 4 designs = 120 units)."""
    s2 = study["parallel"]
    full = s2["units"] == 30 * len(STUDY_DESIGNS)
    wall = (f"**{'pass' if s2['wall_s'] < 45 else 'miss'}** ({s2['wall_s']:.1f} s)" if full
            else f"not measured with {s2['units']} units (scaled to 120: "
                 f"≈{s2['wall_s'] * 120 / s2['units']:.0f} s)")
    return (f"Targets (issue 17, 30 replications × 4 designs): jobs=2 under 45 s on 2 cores — "
            f"{wall}; speed-up ≥ 1.9× — **{'pass' if study['speedup'] >= 1.9 else 'miss'}**.")


def _render_work(report: dict[str, Any]) -> list[str]:
    """The work per arrival (events and calls), each against the Erlang A case."""
    work = report.get("work")
    if not work:
        return []
    ref = work["Erlang A"]
    lines = ["", "## Work per arrival (counted by cProfile, 1× the horizon)", "",
             "| run | SimPy events | × Erlang A | Python calls | × Erlang A |",
             "|---|---:|---:|---:|---:|"]
    for name, w in work.items():
        lines.append(f"| {name} | {w['events']:.2f} | {w['events'] / ref['events']:.2f} | "
                     f"{w['calls']:.0f} | {w['calls'] / ref['calls']:.2f} |")
    lines += ["", "An arrival of the story processes this many more SimPy events and "
              "Python calls than an Erlang A arrival: the time per arrival against the "
              "Erlang A case (above) is this ratio times the cost per event."]
    return lines


def render(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [
        "# The story at scale (benchmarks/story.py)",
        "",
        f"{meta['date']} · {meta['machine']} · Python {meta['python']} · omnisim "
        f"{meta['omnisim']} (sim/ digest {meta['sim_source_digest']}) · "
        f"scenarios/app-to-phone.toml (horizon 8 h + 1 h warm-up, "
        f"4/min) · min of {meta['repeats']} interleaved repeats, each run in a fresh "
        f"subprocess · {meta['elapsed_s']:.0f} s in all · load average (1 min) "
        f"{meta['loadavg_at_start'][0]:.1f} at start, {meta['loadavg_at_end'][0]:.1f} at end",
        "",
        *([f"**Warning**: sim/ changed during the run (digest "
           f"{meta['sim_source_digest_at_end']} at the end).", ""]
          if meta.get("sim_source_digest_at_end", meta["sim_source_digest"])
          != meta["sim_source_digest"] else []),
        "## Scaling with the horizon (one replication per design)",
        "",
        "| design | horizon | arrivals | wall s (min) | all repeats s | CPU s (min) | "
        "arrivals/s | peak RSS MiB (before run) |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for design, res in report["scale"].items():
        for m, row in res["rows"].items():
            lines.append(
                f"| {design} | {m}× | {row['expected_arrivals']:,.0f} | "
                f"{row['wall_s_min']:.2f} | "
                f"{' / '.join(f'{w:.2f}' for w in row['wall_s_all'])} | "
                f"{row['cpu_s_min']:.2f} | "
                f"{row['arrivals_per_s']:,.0f} | {row['rss_peak_mib']:.1f} "
                f"({row['rss_before_run_mib']:.1f}) |"
            )
    lines += ["", "| design | ratio | time | linear would be | peak RSS growth MiB |",
              "|---|---|---:|---:|---:|"]
    for design, res in report["scale"].items():
        for name, r in res["ratios"].items():
            lines.append(f"| {design} | {name} | {r['time']:.2f} | {r['linear']:.2f} | "
                         f"{r['rss_growth_mib']:+.1f} |")
    pa = report.get("per_arrival")
    if pa:
        lines += ["", "## CPU time per arrival against the Erlang A case", "",
                  f"omnisim in process on queue.py's case A ({report['erlang_a']['arrivals']:,} "
                  f"arrivals): **{pa['erlang_a_us']:.1f} µs** per arrival.", "",
                  "| run | µs per arrival | × Erlang A | target ≤ 2× | contacts per issue "
                  "| × Erlang A per contact |", "|---|---:|---:|---|---:|---:|"]
        for name, r in pa["rows"].items():
            lines.append(f"| {name} | {r['us']:.1f} | {r['vs_erlang_a']:.2f} | "
                         f"**{'pass' if r['vs_erlang_a'] <= 2.0 else 'miss'}** | "
                         f"{r.get('contacts_per_issue', math.nan):.2f} | "
                         f"{r.get('vs_erlang_a_per_contact', math.nan):.2f} |")
        lines += ["", "An Erlang A arrival is one contact; a story issue makes the contacts "
                  "shown (self-service and assisted, `contacts_per_issue`). The target is per "
                  "arrival; the last column is context."]
    lines += _render_work(report)
    study = report.get("study")
    if study:
        s1, s2 = study["serial"], study["parallel"]
        lines += [
            "",
            f"## A typical study: {STUDY_PER_DAY:,} issues a day, horizon 24 h (+1 h warm-up), "
            f"{s1['replications']} replications × {len(s1['designs'])} designs, "
            f"{'/'.join(str(a) for a in s1['agents'])} voice agents",
            "",
            "| run | wall s | CPU s | cores used (CPU/wall) | CPU-pressure stall s | units | "
            "s per unit | peak RSS MiB (parent / workers) | results digest |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for label, s in (("jobs=1", s1), ("jobs=2", s2)):
            stall = s.get("cpu_stall_s")
            lines.append(
                f"| {label} | {s['wall_s']:.1f} | {s.get('cpu_s', math.nan):.1f} | "
                f"{s.get('cpu_s', math.nan) / s['wall_s']:.2f} | "
                f"{'–' if stall is None else format(stall, '.0f')} | {s['units']} | "
                f"{s['wall_s'] / s['units']:.2f} | {s['rss_peak_mib']:.0f} / "
                f"{s['rss_peak_children_mib']:.0f} | `{s['results_digest']}` |"
            )
        lines += [
            "",
            f"Speed-up jobs=2 over jobs=1: **{study['speedup']:.2f}×** on 2 cores; with "
            f"jobs=2 the experiment kept {s2.get('cpu_s', math.nan) / s2['wall_s']:.2f} cores "
            f"busy (2.0 is the most; less means the cores were shared with other work, see "
            f"the stall column). Serial and parallel results identical: "
            f"**{'yes' if study['identical'] else 'NO'}**. "
            f"≈{s1['issues_per_unit']:,.0f} issues per replication after the warm-up. "
            + _study_targets(study),
            "",
            "| design | give-up | abandonment | agent utilization | "
            "repetitions/issue | mean wait min |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for design, m in s1["means"].items():
            lines.append(
                f"| {design} | {m['give_up_rate']:.3f} | {m['abandonment_rate']:.3f} "
                f"| {m['agent_utilization']:.3f} | {m['repetitions_per_issue']:.2f} | "
                f"{m['mean_wait']:.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=None,
                    help="repeats of each scaling run (default 3)")
    ap.add_argument("--replications", type=int, default=None,
                    help="replications per design in the study (default 30)")
    ap.add_argument("--quick", action="store_true",
                    help="1 repeat at 1× and 4× only, a 4-replication study, 20,000 Erlang A "
                         "arrivals")
    ap.add_argument("--no-study", action="store_true", help="skip the typical study")
    ap.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    ap.add_argument("--study-agents", type=int, default=None,
                    help="voice agents in the study (default: the file's 17, which 10,000 "
                         "issues a day overload)")
    ap.add_argument("--out", default=RESULTS, help="folder for story.json and story.md")
    ap.add_argument("--profile", type=int, metavar="MULTIPLE", default=None,
                    help="only cProfile every design at MULTIPLE × the horizon (top 20)")
    ap.add_argument("--child", choices=("scale", "study", "work"), help=argparse.SUPPRESS)
    ap.add_argument("--design", help=argparse.SUPPRESS)
    ap.add_argument("--multiple", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    replications = args.replications or (4 if args.quick else 30)
    seed_args = [] if args.seed is None else ["--seed", str(args.seed)]

    if args.profile:
        profile(args.profile, args.seed)
        return 0
    if args.child == "scale":
        print(json.dumps(child_scale(args.design, args.multiple, args.seed)))
        return 0
    if args.child == "work":
        print(json.dumps(child_work(args.seed)))
        return 0
    if args.child == "study":
        print(json.dumps(child_study(args.jobs, replications, args.seed, args.study_agents)))
        return 0

    import sim

    measure.compile_sim()
    measure.one_blas_thread()
    started = time.perf_counter()
    digest_at_start = measure.sim_digest()
    names = [d.name for d in sim.resolve_designs(sim.load_scenario(SCENARIO))]
    runs = []
    for rep in range(repeats):
        for m in MULTIPLES[:2] if args.quick else MULTIPLES:
            for name in names if rep % 2 == 0 else names[::-1]:
                r = spawn("--child", "scale", "--design", name, "--multiple", str(m),
                          *seed_args)
                runs.append(r)
                print(f"repeat {rep + 1}/{repeats} {name:8s} {m:2d}x  {r['wall_s']:7.2f} s  "
                      f"{r['rss_peak_mib']:6.1f} MiB", flush=True)
    report: dict[str, Any] = {
        "meta": {
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            "python": platform.python_version(),
            "loadavg_at_start": os.getloadavg(),
            "sim_source_digest": digest_at_start,
            "omnisim": measure.version("omnisim"),
            "repeats": repeats,
            "command": " ".join([os.path.relpath(__file__), *(argv or sys.argv[1:])]),
        },
        "scale": summarize_scale(runs),
        "runs": runs,
    }
    report["erlang_a"] = erlang_reference(20_000 if args.quick else ERLANG_ARRIVALS)
    print(f"Erlang A reference {report['erlang_a']['cpu_s']:.2f} s CPU", flush=True)
    report["work"] = spawn("--child", "work", *seed_args)
    if not args.no_study:
        rep_args = ["--replications", str(replications), *seed_args]
        if args.study_agents is not None:
            rep_args += ["--study-agents", str(args.study_agents)]
        serial = spawn("--child", "study", "--jobs", "1", *rep_args)
        print(f"study jobs=1 {serial['wall_s']:.1f} s", flush=True)
        parallel = spawn("--child", "study", "--jobs", "2", *rep_args)
        print(f"study jobs=2 {parallel['wall_s']:.1f} s", flush=True)
        report["study"] = {
            "serial": serial, "parallel": parallel,
            "speedup": serial["wall_s"] / parallel["wall_s"],
            "identical": serial["results_digest"] == parallel["results_digest"],
        }
    report["per_arrival"] = per_arrival(report)
    measure.write_report(report, render, args.out, "story", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
