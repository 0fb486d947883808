"""Memory of omnisim: flat in the horizon for every design, and per issue in flight.

Two measurements on ``scenarios/app-to-phone.toml``:

* **Peak RSS against the horizon** — one replication at 1×, 4×, 16× and 64× the base
  horizon (the file's 8 h; ``--quick``: 1 h), the warm-up unchanged, each run in a
  fresh subprocess (``getrusage`` peak RSS, and the RSS before the run, after the imports
  and the set-up), for ``siloed`` and for the most retaining designs (``unified-history``:
  one history kept across issues; ``all``: every capability on). Flat means the growth
  from 1× to 64× stays within a few MiB while the arrivals grow 64-fold.
* **Engine state per issue in flight** — the scenario overloaded (one agent per pool and
  a patience of 10⁵ minutes, so that issues pile up and almost none ends), run to two
  times; the memory ``tracemalloc`` traces at each, divided by the difference in issues
  in flight between them. Everything the engine keeps for an open issue counts: its
  process, events, queue entry, state, streams and history.

Usage::

    python benchmarks/memory.py            # base horizon 8 h, 1×–64× (about 2.7·10^5
                                           # arrivals per design at 64×)
    python benchmarks/memory.py --quick    # base horizon 1 h
    python benchmarks/memory.py --designs siloed unified-history
    python benchmarks/memory.py --breakdown   # what an issue in flight holds (printed)

Writes ``benchmarks/results/memory.json`` and ``benchmarks/results/memory.md``.
"""

from __future__ import annotations

# benchmarks/ holds queue.py, which would shadow the standard library's ``queue`` while
# this folder is sys.path[0]. Keep the folder, but last.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import measure  # noqa: E402

ROOT = os.path.dirname(_HERE)
SCENARIO = os.path.join(ROOT, "scenarios", "app-to-phone.toml")
ERLANG_A = os.path.join(ROOT, "scenarios", "erlang-a.toml")
RESULTS = os.path.join(_HERE, "results")
MULTIPLES = (1, 4, 16, 64)
DESIGNS = ("siloed", "unified-history", "all")
#: per scenario, the two times (minutes from the start) of the in-flight snapshots
SNAPSHOTS = {SCENARIO: (60.0, 180.0), ERLANG_A: (5.0, 20.0)}


def _world(design_name: str, horizon: float | None = None, overloaded: bool = False,
           path: str = SCENARIO) -> Any:
    """The compiled scenario and *design_name*; overloaded: one agent, endless patience."""
    import attrs

    import sim
    from sim.scenario.load import read_document

    data = read_document(path)
    if overloaded:
        for segment in data["segments"]:
            segment["patience"] = {"dist": "exponential", "mean": "100000min"}
        for pool in data.get("pools", []):
            pool["agents"] = 1
    scenario = sim.parse_scenario(data)
    world = sim.compile_world(scenario)
    if horizon is not None:
        world = attrs.evolve(world, horizon=horizon)
    design = sim.resolve_designs(scenario, [design_name])[0]
    return scenario, world, design


def child_scale(design_name: str, horizon: float) -> dict[str, Any]:
    """One replication of *design_name* with *horizon* minutes after the warm-up."""
    import sim

    scenario, world, design = _world(design_name, horizon)
    rss_before = measure.rss_mib()
    t0 = time.perf_counter()
    out = sim.simulate(world, design, scenario.scenario.seed, 0)
    arrivals = world.rate * world.end
    return {"kind": "scale", "design": design_name, "horizon_min": horizon,
            "warmup_min": world.warmup, "expected_arrivals": arrivals,
            "population": world.population,
            "expected_customers": _customers(arrivals, world.population),
            "issues_after_warmup": out["issues"], "wall_s": time.perf_counter() - t0,
            "rss_before_run_mib": rss_before, "rss_peak_mib": measure.rss_mib()}


def _customers(arrivals: float, population: int | None) -> float:
    """The expected number of distinct customers among *arrivals* issues, each from a
    customer drawn uniformly from *population* (every issue a new customer without one)."""
    if population is None:
        return arrivals
    return population * -math.expm1(arrivals * math.log1p(-1.0 / population))


def child_in_flight(design_name: str, path: str) -> dict[str, Any]:
    """Traced memory per issue in flight between the two snapshot times, overloaded."""
    import tracemalloc

    from sim.engine.replication import Replication
    from sim.engine.streams import Streams

    path = os.path.abspath(path)
    times = SNAPSHOTS[path]
    scenario, world, design = _world(design_name, horizon=times[-1] + 1.0, overloaded=True,
                                     path=path)
    rep = Replication(world, design, Streams(scenario.scenario.seed, 0))
    rep.env.process(rep._arrivals())
    tracemalloc.start()
    points = []
    for at in times:
        rep.env.run(until=at)
        points.append({"at_min": at, "in_flight": rep._in_flight,
                       "expected_arrivals": world.rate * at,
                       "traced_bytes": tracemalloc.get_traced_memory()[0]})
    tracemalloc.stop()
    (a, b) = points
    per = (b["traced_bytes"] - a["traced_bytes"]) / max(1, b["in_flight"] - a["in_flight"])
    return {"kind": "in_flight", "design": design_name, "scenario": os.path.basename(path),
            "points": points, "bytes_per_issue_in_flight": per}


#: the owners of an issue in flight's objects, by type name (the rest: "other objects")
OWNERS = {
    "array": "first-draw blocks and rows (streams.Prefixes)",
    "Prefixed": "first-draw streams (streams.Prefixed)",
    "CounterStream": "counter streams (streams.CounterStream)",
    "set": "sets (facts given, identities, a customer's facts)",
    "IssueState": "IssueState (metrics.recorder)",
    "Context": "Context (state)", "Draws": "Draws (state)", "Seat": "Seat (state)",
    "Walk": "Walk (state)", "WalkAnswer": "WalkAnswer (state)", "QueueEntry": "QueueEntry (pools)",
    "Event": "SimPy events", "Timeout": "SimPy events",
    "method": "bound methods",
    "list": "lists (history logs, callbacks, queues)",
    "tuple": "tuples (gc-tracked only)", "dict": "dicts (amortised growth)",
}


def _census() -> dict[str, list[float]]:
    """Count and size (``sys.getsizeof``) of the gc-tracked objects, by owner; a
    generator by the name of its function (its frame is inside it)."""
    import gc

    gc.collect()
    out: dict[str, list[float]] = {}
    for obj in gc.get_objects():
        kind = type(obj).__name__
        owner = (f"generator frame {obj.gi_code.co_name}" if kind == "generator"
                 else OWNERS.get(kind, "other objects"))
        row = out.setdefault(owner, [0.0, 0.0])
        row[0] += 1
        row[1] += sys.getsizeof(obj)
    return out


def _overloaded(design_name: str, path: str) -> tuple[Any, tuple[float, ...]]:
    """The overloaded replication of :func:`child_in_flight`, not started, and its times."""
    from sim.engine.replication import Replication
    from sim.engine.streams import Streams

    times = SNAPSHOTS[path]
    scenario, world, design = _world(design_name, horizon=times[-1] + 1.0, overloaded=True,
                                     path=path)
    rep = Replication(world, design, Streams(scenario.scenario.seed, 0))
    rep.env.process(rep._arrivals())
    return rep, times


def child_breakdown(design_name: str, path: str, frames: int = 8) -> dict[str, Any]:
    """What an issue in flight holds: the growth between the two snapshot times of
    :func:`child_in_flight`, by owner (a census of objects) and by where tracemalloc saw
    it allocated (the innermost *frames* of each traceback), per issue in flight.

    The census and the snapshots come from two runs of the same replication (the same
    seed: the same state at the same times), so that neither counts the other."""
    import tracemalloc

    path = os.path.abspath(path)
    rep, times = _overloaded(design_name, path)
    censuses = []
    for at in times:
        rep.env.run(until=at)
        censuses.append((rep._in_flight, _census()))
    rep, times = _overloaded(design_name, path)
    tracemalloc.start(frames)
    snaps = []
    for at in times:
        rep.env.run(until=at)
        snaps.append((rep._in_flight, tracemalloc.take_snapshot()))
    tracemalloc.stop()
    (n1, c1), (n2, c2) = censuses
    assert [n1, n2] == [n for n, _ in snaps], "the two runs differ"
    grown = max(1, n2 - n1)
    skip = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    stats = snaps[1][1].filter_traces(skip).compare_to(snaps[0][1].filter_traces(skip),
                                                         "traceback")
    total = sum(s.size_diff for s in stats) / grown
    owners = {k: [(c2.get(k, [0, 0])[0] - c1.get(k, [0, 0])[0]) / grown,
                  (c2.get(k, [0, 0])[1] - c1.get(k, [0, 0])[1]) / grown]
              for k in {*c1, *c2}}
    owners["untracked (ints, floats, strings, atomic tuples) and allocator rounding"] = [
        0.0, total - sum(v[1] for v in owners.values())]
    sites = [{"bytes": s.size_diff / grown, "blocks": s.count_diff / grown,
              "where": " <- ".join(f"{_short(f.filename)}:{f.lineno}"
                                   for f in list(s.traceback)[::-1][:3])} for s in stats]
    return {"kind": "breakdown", "design": design_name, "scenario": os.path.basename(path),
            "in_flight": [n1, n2], "bytes_per_issue_in_flight": total,
            "owners": owners, "sites": [r for r in sites if abs(r["bytes"]) >= 8][:25]}


def _short(filename: str) -> str:
    """*filename* from the package down (``sim/engine/state.py``, ``simpy/core.py``)."""
    for root in ("site-packages" + os.sep, ROOT + os.sep):
        if root in filename:
            return filename.split(root, 1)[1]
    return os.path.basename(filename)


def print_breakdown(r: dict[str, Any]) -> None:
    """The breakdown of :func:`child_breakdown` as two Markdown tables."""
    a, b = r["in_flight"]
    print(f"\n### {r['scenario']} {r['design']}: {r['bytes_per_issue_in_flight']:,.0f} bytes "
          f"per issue in flight (in flight {a} → {b})\n")
    print("| owner | objects per issue | bytes per issue |\n|---|---:|---:|")
    for owner, (n, size) in sorted(r["owners"].items(), key=lambda kv: -kv[1][1]):
        if abs(size) >= 4:
            print(f"| {owner} | {n:.2f} | {size:,.0f} |")
    print("\n| allocated at (innermost first) | bytes per issue | blocks per issue |"
          "\n|---|---:|---:|")
    for site in r["sites"]:
        print(f"| {site['where']} | {site['bytes']:,.0f} | {site['blocks']:.2f} |")


def spawn(*args: str) -> dict[str, Any]:
    """Run this script as a child in a fresh interpreter; its JSON line."""
    return measure.spawn_child(__file__, *args)


def render(report: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    meta = report["meta"]
    lines = [
        "# Memory (benchmarks/memory.py)",
        "",
        f"{meta['date']} · {meta['machine']} · Python {meta['python']} · omnisim "
        f"{meta['omnisim']} (sim/ digest {meta['sim_source_digest']}) · "
        f"scenarios/app-to-phone.toml, base horizon {meta['base_horizon_min']:g} min "
        f"(+ the file's warm-up) · each run a fresh subprocess · "
        f"{meta['elapsed_s']:.0f} s in all · load average (1 min) "
        f"{meta['loadavg_at_start'][0]:.1f} at start, {meta['loadavg_at_end'][0]:.1f} at end",
        "",
        "## Peak RSS against the horizon (one replication)",
        "",
        "| design | horizon | arrivals | distinct customers (expected) | wall s | peak RSS MiB "
        "| before run MiB | growth in run MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["scale"]:
        customers = r.get("expected_customers", r["expected_arrivals"])
        lines.append(
            f"| {r['design']} | {r['multiple']}× | {r['expected_arrivals']:,.0f} | "
            f"{customers:,.0f} | {r['wall_s']:.1f} | {r['rss_peak_mib']:.1f} | "
            f"{r['rss_before_run_mib']:.1f} | {r['rss_peak_mib'] - r['rss_before_run_mib']:+.1f} |")
    lines += ["", "| design | peak RSS growth 1× → 64× MiB | arrivals ratio | growth per "
              "customer added, bytes | verdict |", "|---|---:|---:|---:|---|"]
    for design, v in report["flatness"].items():
        per = v.get("bytes_per_customer")
        lines.append(f"| {design} | {v['growth_mib']:+.1f} | {v['arrivals_ratio']:.0f} | "
                     f"{'' if per is None else f'{per:,.0f}'} | "
                     f"**{'flat' if v['flat'] else 'grows'}** |")
    lines += ["", "With a finite population (`[population] customers`) every issue comes from "
              "one of its customers, and what the engine keeps per customer (the facts they "
              "gave, their history under retention, their last agent) grows with the "
              "customers seen until the population is exhausted, not with the issues: the "
              "growth per customer added says how much that is."]
    lines += ["", "## Engine state per issue in flight (tracemalloc, overloaded)", "",
              "| scenario | design | t1 / t2 min | expected arrivals by t1 / t2 | "
              "in flight at t1 / t2 | traced MiB at t1 / t2 | bytes per issue in flight | "
              "target < 1 KiB |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in report["in_flight"]:
        a, b = r["points"]
        lines.append(
            f"| {r['scenario']} | {r['design']} | {a['at_min']:g} / {b['at_min']:g} | "
            f"{a['expected_arrivals']:,.0f} / {b['expected_arrivals']:,.0f} | "
            f"{a['in_flight']:,} / {b['in_flight']:,} | "
            f"{a['traced_bytes'] / 2**20:.1f} / {b['traced_bytes'] / 2**20:.1f} | "
            f"{r['bytes_per_issue_in_flight']:,.0f} | "
            f"**{'pass' if r['bytes_per_issue_in_flight'] < 1024 else 'miss'}** |")
    return "\n".join(lines)


def flatness(scale: list[dict[str, Any]]) -> dict[str, Any]:
    """Per design: peak RSS growth from the smallest to the largest horizon."""
    out = {}
    for design in dict.fromkeys(r["design"] for r in scale):
        mine = sorted((r for r in scale if r["design"] == design), key=lambda r: r["multiple"])
        lo, hi = mine[0], mine[-1]
        growth = hi["rss_peak_mib"] - lo["rss_peak_mib"]
        added = hi.get("expected_customers", 0.0) - lo.get("expected_customers", 0.0)
        out[design] = {"growth_mib": growth,
                       "arrivals_ratio": hi["expected_arrivals"] / lo["expected_arrivals"],
                       "bytes_per_customer": growth * 2**20 / added if added >= 1 else None,
                       "flat": growth < 4.0}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="base horizon 1 h instead of 8 h")
    ap.add_argument("--designs", nargs="+", default=list(DESIGNS))
    ap.add_argument("--out", default=RESULTS, help="folder for memory.json and memory.md")
    ap.add_argument("--breakdown", action="store_true",
                    help="only print what an issue in flight holds, by owner and by where "
                         "it was allocated (each design and Erlang A; nothing written)")
    ap.add_argument("--child", choices=("scale", "in_flight", "breakdown"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--design", help=argparse.SUPPRESS)
    ap.add_argument("--horizon", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--scenario", default=SCENARIO, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "scale":
        print(json.dumps(child_scale(args.design, args.horizon)))
        return 0
    if args.child == "in_flight":
        print(json.dumps(child_in_flight(args.design, args.scenario)))
        return 0
    if args.child == "breakdown":
        print(json.dumps(child_breakdown(args.design, args.scenario)))
        return 0
    if args.breakdown:
        print_breakdown(spawn("--child", "breakdown", "--design", "siloed",
                              "--scenario", ERLANG_A))
        for design in args.designs:
            print_breakdown(spawn("--child", "breakdown", "--design", design))
        return 0
    base = 60.0 if args.quick else 480.0
    measure.compile_sim()
    measure.one_blas_thread()
    started = time.perf_counter()
    report: dict[str, Any] = {"meta": {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(), "loadavg_at_start": os.getloadavg(),
        "sim_source_digest": measure.sim_digest(), "omnisim": measure.version("omnisim"),
        "base_horizon_min": base,
        "command": " ".join([os.path.relpath(__file__), *(argv or sys.argv[1:])]),
    }, "scale": [], "in_flight": []}
    r = spawn("--child", "in_flight", "--design", "siloed", "--scenario", ERLANG_A)
    report["in_flight"].append(r)
    print(f"erlang-a siloed   {r['bytes_per_issue_in_flight']:,.0f} bytes per issue in flight",
          flush=True)
    for design in args.designs:
        for m in MULTIPLES:
            r = spawn("--child", "scale", "--design", design, "--horizon", repr(base * m))
            report["scale"].append({**r, "multiple": m})
            print(f"{design:16s} {m:2d}x  {r['wall_s']:7.1f} s  {r['rss_peak_mib']:6.1f} MiB",
                  flush=True)
        r = spawn("--child", "in_flight", "--design", design)
        report["in_flight"].append(r)
        print(f"{design:16s} {r['bytes_per_issue_in_flight']:,.0f} bytes per issue in flight",
              flush=True)
    report["flatness"] = flatness(report["scale"])
    measure.write_report(report, render, args.out, "memory", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
