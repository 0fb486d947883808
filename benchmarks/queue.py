"""Erlang A (M/M/n+M) throughput benchmark: omnisim against SimPy, Ciw and a heapq loop.

The same workload — Poisson arrivals, n agents, exponential service, exponential
patience, one FCFS queue — is run by four engines:

* ``omnisim``: the scenario dict (like ``scenarios/erlang-a.toml``) through
  ``parse_scenario``, ``compile_world``, ``resolve_designs`` and one in-process
  ``sim.simulate(world, design, seed, 0)``;
* ``simpy``: a minimal idiomatic SimPy model (``simpy.Resource(capacity=n)``, a customer
  process that waits on ``request | timeout(patience)``);
* ``omnisim-run``: the whole ``omnisim run`` command (a fresh process: start-up, imports,
  the run, the summary and results files) on the same scenario written as a TOML file,
  compared with the whole SimPy script process;
* ``ciw``: Ciw 3.x (``ciw.create_network`` with exponential arrival, service and
  reneging-time distributions, ``ciw.seed``), estimates read from its data records;
* ``salabim``: salabim (generator processes, ``Resource`` requests with ``fail_delay`` for
  the patience, the same ``random.Random`` draws as the SimPy model);
* ``heapq``: a plain-Python event loop (heapq of ``(time, kind, id)``, a FCFS deque,
  lazy cancellation) — the CPython floor for this workload.

Each run simulates ``arrivals / λ`` minutes in total; the first 5 % of that time is the
warm-up, discarded by every engine (only customers arriving after it are counted, busy
time is clipped to the window after it). Every run is its own fresh subprocess
(``python benchmarks/queue.py --engine NAME ...``) that prints one JSON line with its wall
time (``time.perf_counter`` around the simulation only) and its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The parent interleaves the engines
repeat by repeat (rotating their order) so that load from other processes hits all of
them alike, keeps the minimum wall time over the repeats, and reports ratios of those
minima, all from one invocation.

Usage::

    python benchmarks/queue.py                    # 10^6 arrivals per case, 3 repeats
                                                  # (ciw 1: --ciw-repeats)
    python benchmarks/queue.py --quick            # 5·10^4 arrivals, case A, 2 repeats
    python benchmarks/queue.py --arrivals 200000 --repeats 5 --engines omnisim simpy
    python benchmarks/queue.py --profile 200000   # cProfile of omnisim on case A, top 20

Writes ``benchmarks/results/queue.json`` and ``benchmarks/results/queue.md``.
"""

from __future__ import annotations

# This file is called queue.py: when run as a script its folder is sys.path[0] and would
# shadow the standard library's ``queue`` (which concurrent.futures, multiprocessing and
# others import). Drop that entry before importing anything else.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# keep it, but last: the standard library wins, and measure.py is still found
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import measure  # noqa: E402

ENGINES = ("omnisim", "omnisim-run", "simpy", "ciw", "salabim", "heapq")
#: the ratios reported, numerator/denominator (omnisim-run/simpy compares whole processes)
PAIRS = ("omnisim/simpy", "omnisim-run/simpy", "omnisim/ciw", "omnisim/salabim",
         "ciw/simpy", "omnisim/heapq")
WARMUP_SHARE = 0.05

#: name -> (agents n, arrival rate λ, service rate μ, abandonment rate θ), per minute
CASES: dict[str, tuple[int, float, float, float]] = {
    "A": (50, 48.0, 1.0, 0.5),
    "B": (10, 9.5, 1.0, 1.0),
}

RESULTS = os.path.join(_HERE, "results")


def _window(case: str, arrivals: int) -> tuple[float, float]:
    """(total simulated time T, warm-up) in minutes for *arrivals* expected arrivals.

    Both are rounded to whole minutes so that every engine gets exactly representable
    times (and the scenario strings stay short).
    """
    lam = CASES[case][1]
    total = float(max(20, round(arrivals / lam)))
    return total, float(max(1, round(WARMUP_SHARE * total)))


class _Clock:
    """Wall time, this process's CPU time and the CPU-pressure stall over a region.

    The CPU time is what the run itself used; when the machine is shared, the wall time
    also holds the waits for a core, and the stall (from /proc/pressure/cpu, for the
    whole machine or container) tells how much waiting there was.
    """

    def __init__(self) -> None:
        self._psi = measure.psi_some_us()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        self.wall = self.cpu = 0.0
        self.stall: float | None = None

    def stop(self) -> float:
        """Stop and return the wall time."""
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        end = measure.psi_some_us()
        if end is not None and self._psi is not None:
            self.stall = (end - self._psi) / 1e6
        return self.wall

    def facts(self) -> dict[str, float | None]:
        return {"cpu_s": self.cpu, "cpu_stall_s": self.stall}


# --------------------------------------------------------------------------- engines
# Each returns (wall seconds of the simulation, P(abandon) estimate, utilization estimate,
# extra facts). Wall time covers building the model objects and running them, not the
# imports nor the reading of the results.


def _scenario(case: str, arrivals: int, seed: int) -> dict[str, Any]:
    """The Erlang A case as an omnisim scenario document (as scenarios/erlang-a.toml)."""
    n, lam, mu, theta = CASES[case]
    total, warmup = _window(case, arrivals)
    return {
        "scenario": {
            "name": f"Erlang A bench {case}",
            "horizon": f"{total - warmup!r}min",
            "warmup": f"{warmup!r}min",
            "replications": 1,
            "seed": seed,
            "designs": ["siloed"],
        },
        "arrivals": {"rate": f"{lam!r}/min"},
        "segments": [{
            "name": "callers", "share": 1.0, "start": {"voice": 1.0},
            "patience": {"dist": "exponential", "mean": f"{1.0 / theta!r}min"},
        }],
        "intents": [{
            "name": "question", "share": 1.0, "facts": [],
            "handle": {"voice": {"dist": "exponential", "mean": f"{1.0 / mu!r}min"}},
        }],
        "pools": [{"name": "agents", "agents": n, "channels": ["voice"]}],
    }


def _toml(data: dict[str, Any]) -> str:
    """*data* (tables of strings, numbers, lists and inline tables) as TOML text."""
    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v)

    lines = []
    for name, table in data.items():
        for row in table if isinstance(table, list) else [table]:
            lines.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            lines += [f"{k} = {value(v)}" for k, v in row.items()]
            lines.append("")
    return "\n".join(lines)


def run_omnisim(case: str, arrivals: int, seed: int) -> tuple[float, float, float, dict[str, Any]]:
    import sim

    t0 = time.perf_counter()
    data = _scenario(case, arrivals, seed)
    scenario = sim.parse_scenario(data)
    world = sim.compile_world(scenario)
    design = sim.resolve_designs(scenario)[0]
    setup = time.perf_counter() - t0
    rss_before = measure.rss_mib()
    clock = _Clock()
    out = sim.simulate(world, design, seed, 0)
    wall = clock.stop()
    extra = {
        "setup_s": setup,
        "rss_before_run_mib": rss_before,
        "issues_after_warmup": out["issues"],
        "resolved_after_warmup": out["issues"] * out["resolution_rate"],
        "mean_wait": out["mean_wait"],
        **clock.facts(),
    }
    return wall, out["abandonment_rate"], out["agent_utilization"], extra


def run_simpy(case: str, arrivals: int, seed: int) -> tuple[float, float, float, dict[str, Any]]:
    import random

    import simpy

    n, lam, mu, theta = CASES[case]
    total, warmup = _window(case, arrivals)
    rss_before = measure.rss_mib()
    clock = _Clock()
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=n)
    served = abandoned = 0
    busy = 0.0

    def customer(env: simpy.Environment) -> Any:
        nonlocal served, abandoned, busy
        arrived = env.now
        with agents.request() as req:
            results = yield req | env.timeout(rng.expovariate(theta))
            if req in results:
                service = rng.expovariate(mu)
                start = env.now
                if arrived >= warmup:
                    served += 1
                overlap = min(start + service, total) - max(start, warmup)
                if overlap > 0:
                    busy += overlap
                yield env.timeout(service)
            elif arrived >= warmup:
                abandoned += 1

    def source(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    env.run(until=total)
    wall = clock.stop()
    p_ab = abandoned / (served + abandoned)
    util = busy / (n * (total - warmup))
    return wall, p_ab, util, {"rss_before_run_mib": rss_before, **clock.facts()}


def run_ciw(case: str, arrivals: int, seed: int) -> tuple[float, float, float, dict[str, Any]]:
    import ciw

    n, lam, mu, theta = CASES[case]
    total, warmup = _window(case, arrivals)
    rss_before = measure.rss_mib()
    clock = _Clock()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[n],
        reneging_time_distributions=[ciw.dists.Exponential(rate=theta)],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_time(total)
    wall = clock.stop()
    rss_after_run = measure.rss_mib()
    t1 = time.perf_counter()
    served = abandoned = 0
    busy = 0.0
    for r in q.get_all_records():
        if r.record_type == "renege":
            if r.arrival_date >= warmup:
                abandoned += 1
        elif r.record_type == "service":
            if r.arrival_date >= warmup:
                served += 1
            overlap = min(r.service_end_date, total) - max(r.service_start_date, warmup)
            if overlap > 0:
                busy += overlap
    # Customers still in service at T have no record yet: their last < 1/μ minutes of busy
    # time is missing, a bias below n/(n·window) — negligible at these horizons.
    post = time.perf_counter() - t1
    extra = {
        "rss_before_run_mib": rss_before,
        "rss_after_run_mib": rss_after_run,
        "records_s": post,
        "ciw_version": ciw.__version__,
        **clock.facts(),
    }
    return wall, abandoned / (served + abandoned), busy / (n * (total - warmup)), extra


def run_salabim(case: str, arrivals: int, seed: int) -> tuple[float, float, float, dict[str, Any]]:
    import random

    import salabim

    salabim.yieldless(False)  # generator processes, as SimPy's (no greenlets)
    n, lam, mu, theta = CASES[case]
    total, warmup = _window(case, arrivals)
    rss_before = measure.rss_mib()
    clock = _Clock()
    rng = random.Random(seed)
    env = salabim.Environment(trace=False)
    agents = salabim.Resource("agents", capacity=n, env=env)
    counts = {"served": 0, "abandoned": 0, "busy": 0.0}

    class Customer(salabim.Component):  # type: ignore[misc]
        def process(self) -> Any:
            arrived = env.now()
            yield self.request(agents, fail_delay=rng.expovariate(theta))
            if self.failed():
                if arrived >= warmup:
                    counts["abandoned"] += 1
                return
            service = rng.expovariate(mu)
            start = env.now()
            if arrived >= warmup:
                counts["served"] += 1
            overlap = min(start + service, total) - max(start, warmup)
            if overlap > 0:
                counts["busy"] += overlap
            yield self.hold(service)
            self.release()

    class Source(salabim.Component):  # type: ignore[misc]
        def process(self) -> Any:
            while True:
                yield self.hold(rng.expovariate(lam))
                Customer(env=env)

    Source(env=env)
    env.run(till=total)
    wall = clock.stop()
    p_ab = counts["abandoned"] / (counts["served"] + counts["abandoned"])
    util = counts["busy"] / (n * (total - warmup))
    return wall, p_ab, util, {"rss_before_run_mib": rss_before,
                              "salabim_version": salabim.__version__, **clock.facts()}


def run_heapq(case: str, arrivals: int, seed: int) -> tuple[float, float, float, dict[str, Any]]:
    import heapq
    import random
    from collections import deque

    n, lam, mu, theta = CASES[case]
    total, warmup = _window(case, arrivals)
    rss_before = measure.rss_mib()
    clock = _Clock()
    expo = random.Random(seed).expovariate
    push, pop = heapq.heappush, heapq.heappop
    arrival, departure, abandon = 0, 1, 2
    heap: list[tuple[float, int, int]] = [(expo(lam), arrival, 0)]
    line: deque[int] = deque()  # FCFS queue of ids, abandoned ones skipped lazily
    waiting: dict[int, float] = {}  # id -> arrival time, while in the queue
    free = n
    served = abandoned = 0
    busy = 0.0
    next_id = 1
    while heap:
        t, kind, i = pop(heap)
        if t >= total:
            break
        if kind == arrival:
            push(heap, (t + expo(lam), arrival, next_id))
            next_id += 1
            if free:
                free -= 1
                s = expo(mu)
                push(heap, (t + s, departure, i))
                if t >= warmup:
                    served += 1
                overlap = min(t + s, total) - max(t, warmup)
                if overlap > 0:
                    busy += overlap
            else:
                waiting[i] = t
                line.append(i)
                push(heap, (t + expo(theta), abandon, i))
        elif kind == departure:
            while line:
                j = line.popleft()
                arrived = waiting.pop(j, None)
                if arrived is not None:  # else: abandoned already (lazy cancellation)
                    s = expo(mu)
                    push(heap, (t + s, departure, j))
                    if arrived >= warmup:
                        served += 1
                    overlap = min(t + s, total) - max(t, warmup)
                    if overlap > 0:
                        busy += overlap
                    break
            else:
                free += 1
        else:  # abandon: a stale event if the customer was served already
            arrived = waiting.pop(i, None)
            if arrived is not None and arrived >= warmup:
                abandoned += 1
    wall = clock.stop()
    p_ab = abandoned / (served + abandoned)
    return wall, p_ab, busy / (n * (total - warmup)), {"rss_before_run_mib": rss_before,
                                                       **clock.facts()}


RUNNERS = {"omnisim": run_omnisim, "simpy": run_simpy, "ciw": run_ciw, "salabim": run_salabim,
           "heapq": run_heapq}


def child(engine: str, case: str, arrivals: int, seed: int) -> None:
    """Run one engine once and print one JSON line."""
    wall, p_ab, util, extra = RUNNERS[engine](case, arrivals, seed)
    print(json.dumps({
        "engine": engine, "case": case, "arrivals": arrivals, "seed": seed, "wall_s": wall,
        "rss_peak_mib": measure.rss_mib(), "p_abandon": p_ab, "utilization": util, **extra,
    }))


# --------------------------------------------------------------------------- parent


def _timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run *cmd*; its completed process, whole-process wall time and CPU time."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return proc, wall, cpu


def spawn(engine: str, case: str, arrivals: int, seed: int) -> dict[str, Any]:
    """Run one engine in a fresh interpreter and return its JSON record.

    ``process_wall_s`` and ``process_cpu_s`` time the whole process (interpreter start,
    imports, model, run, exit), as a user running the script would wait for it.
    """
    if engine == "omnisim-run":
        return spawn_omnisim_run(case, arrivals, seed)
    cmd = [sys.executable, os.path.abspath(__file__), "--engine", engine, "--case", case,
           "--arrivals", str(arrivals), "--seed", str(seed)]
    proc, wall, cpu = _timed(cmd)
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**record, "process_wall_s": wall, "process_cpu_s": cpu}


def spawn_omnisim_run(case: str, arrivals: int, seed: int) -> dict[str, Any]:
    """The whole ``omnisim run`` command on the case's scenario file, one replication.

    Its wall and CPU time are the whole process's (start-up, imports, run, summary and
    results files); the estimates come from the summary.json it writes.
    """
    import resource
    import shutil
    import tempfile

    omnisim = shutil.which("omnisim", path=os.path.dirname(sys.executable)) or "omnisim"
    with tempfile.TemporaryDirectory(prefix="omnisim-bench-") as tmp:
        path = os.path.join(tmp, "erlang-a.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(_toml(_scenario(case, arrivals, seed)))
        out = os.path.join(tmp, "out")
        _, wall, cpu = _timed([omnisim, "run", path, "--out", out, "-n", "1", "-j", "1",
                                  "--quiet"])
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            outcomes = json.load(f)["designs"]["siloed"]["outcomes"]
    return {"engine": "omnisim-run", "case": case, "arrivals": arrivals, "seed": seed,
            "wall_s": wall, "cpu_s": cpu, "process_wall_s": wall, "process_cpu_s": cpu,
            "rss_peak_mib": measure.rss_mib(resource.RUSAGE_CHILDREN),
            "p_abandon": outcomes["abandonment_rate"]["mean"],
            "utilization": outcomes["agent_utilization"]["mean"]}


def _exact(case: str) -> tuple[float, float]:
    from sim.theory import erlang_a

    n, lam, mu, theta = CASES[case]
    e = erlang_a(lam, mu, theta, n)
    return e.p_abandon, e.utilization


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _pair_times(rows: dict[str, Any], name: str, key: str) -> tuple[Any, Any]:
    """Numerator and denominator of ratio *name* from the *key* column ("wall" or "cpu").

    omnisim-run is a whole process: it is compared with the other engine's whole process.
    """
    a, b = name.split("/")
    col = f"process_{key}_s_min" if a == "omnisim-run" else f"{key}_s_min"
    return rows.get(a, {}).get(col), rows.get(b, {}).get(col)


def _row(mine: list[dict[str, Any]], arrivals: int) -> dict[str, Any]:
    """One engine's figures over its repeats."""
    best = min(mine, key=lambda r: r["wall_s"])
    proc_walls = [r["process_wall_s"] for r in mine if "process_wall_s" in r]
    proc_cpus = [r["process_cpu_s"] for r in mine if "process_cpu_s" in r]
    return {
        "wall_s_min": best["wall_s"],
        "wall_s_all": [r["wall_s"] for r in mine],
        "cpu_s_min": min(r.get("cpu_s", r["wall_s"]) for r in mine),
        "process_wall_s_min": min(proc_walls) if proc_walls else None,
        "process_cpu_s_min": min(proc_cpus) if proc_cpus else None,
        "cpu_stall_s_all": [r.get("cpu_stall_s") for r in mine],
        "arrivals_per_s": arrivals / best["wall_s"],
        "rss_peak_mib": max(r["rss_peak_mib"] for r in mine),
        "rss_before_run_mib": max(r.get("rss_before_run_mib", 0.0) for r in mine),
        "p_abandon": [r["p_abandon"] for r in mine],
        "utilization": [r["utilization"] for r in mine],
    }


def summarize(runs: list[dict[str, Any]], engines: list[str], cases: list[str],
              arrivals: int) -> dict[str, Any]:
    """Per case: each engine's figures, the ratios of their minima, the targets."""
    out: dict[str, Any] = {}
    for case in cases:
        p_exact, u_exact = _exact(case)
        rows: dict[str, Any] = {}
        for engine in engines:
            mine = [r for r in runs if r["engine"] == engine and r["case"] == case
                    and r["arrivals"] == arrivals]
            if mine:
                rows[engine] = _row(mine, arrivals)
        ratios = {name: _ratio(*_pair_times(rows, name, "wall")) for name in PAIRS}
        cpu_ratios = {name: _ratio(*_pair_times(rows, name, "cpu")) for name in PAIRS}
        # Per-repeat CPU ratios (same repeat, adjacent runs) show how much noise there was.
        paired: dict[str, list[float]] = {}
        for name in PAIRS:
            a, b = name.split("/")
            key = "process_cpu_s" if a == "omnisim-run" else "cpu_s"
            vals = []
            for seed in sorted({r["seed"] for r in runs}):
                ra = [r for r in runs if (r["engine"], r["case"], r["seed"]) == (a, case, seed)]
                rb = [r for r in runs if (r["engine"], r["case"], r["seed"]) == (b, case, seed)]
                if ra and rb:
                    vals.append(ra[0][key] / rb[0][key])
            paired[name] = vals
        n, lam, mu, theta = CASES[case]
        estimates = {name: measure.paired_ratio(vals) for name, vals in paired.items()}
        out[case] = {
            "params": {"agents": n, "arrival_rate_per_min": lam, "service_rate_per_min": mu,
                       "abandonment_rate_per_min": theta},
            "exact": {"p_abandon": p_exact, "utilization": u_exact},
            "engines": rows,
            "ratios": ratios,
            "cpu_ratios": cpu_ratios,
            "cpu_ratios_per_repeat": paired,
            "cpu_ratios_paired": estimates,
            "targets": {
                "omnisim run (whole process) <= 1.0x simpy (whole process), CPU":
                    _target(estimates, cpu_ratios, "omnisim-run/simpy", 1.0),
                "stretch: <= 0.8x": _target(estimates, cpu_ratios, "omnisim-run/simpy", 0.8),
                "omnisim (in process) <= 1.0x simpy, CPU":
                    _target(estimates, cpu_ratios, "omnisim/simpy", 1.0),
                "omnisim faster than ciw, CPU": _verdict(cpu_ratios["omnisim/ciw"], 1.0,
                                                         strict=True),
            },
        }
    return out


def _target(estimates: dict[str, Any], cpu_ratios: dict[str, float | None], name: str,
            limit: float) -> str:
    """A target's verdict from the paired ratios' interval; from the minima with one repeat."""
    verdict = measure.ci_verdict(estimates[name], limit)
    if verdict == "not measured":
        return _verdict(cpu_ratios[name], limit)
    return f"{verdict} (95 % CI of the paired ratio)"


def _verdict(ratio: float | None, limit: float, strict: bool = False) -> str:
    if ratio is None:
        return "not measured"
    ok = ratio < limit if strict else ratio <= limit
    return "pass" if ok else "miss"


def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "–" if x is None else format(x, spec)


def render(report: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    meta = report["meta"]
    lines = [
        "# Erlang A benchmark (benchmarks/queue.py)",
        "",
        f"{meta['date']} · {meta['machine']} · Python {meta['python']} · "
        f"{meta['arrivals']:,} arrivals per case (total time = arrivals/λ, first 5 % warm-up) · "
        f"min of {meta['repeats']} interleaved repeats (ciw: {meta['ciw_repeats']}, "
        f"salabim: {meta.get('salabim_repeats', 0)}), "
        f"each run in a fresh subprocess · "
        f"{meta['elapsed_s']:.0f} s in all · load average (1 min) "
        f"{meta.get('loadavg_at_start', [math.nan])[0]:.1f} at start, "
        f"{meta.get('loadavg_at_end', [math.nan])[0]:.1f} at end",
        "",
        f"Versions: {', '.join(f'{k} {v}' for k, v in meta['versions'].items())} · "
        f"sim/ sources digest {meta.get('sim_source_digest', '?')}",
        "",
    ]
    stalls = [r.get("cpu_stall_s") for r in report.get("runs", [])]
    walls = [r["wall_s"] for r in report.get("runs", [])]
    if stalls and None not in stalls:
        lines += [f"CPU pressure (/proc/pressure/cpu, some) during the timed runs: "
                  f"{sum(stalls):.0f} s stalled over {sum(walls):.0f} s of wall time "
                  f"({100 * sum(stalls) / sum(walls):.0f} %): the more, the noisier the wall "
                  f"times; the CPU-time ratios are less sensitive to it.", ""]
    end_digest = meta.get("sim_source_digest_at_end")
    if end_digest and end_digest != meta.get("sim_source_digest"):
        lines += [f"**Warning**: sim/ changed during the run (digest {end_digest} at the end): "
                  "the repeats may have measured different engine code.", ""]
    for case, res in report["cases"].items():
        p = res["params"]
        lines += [
            f"## Case {case}: n={p['agents']}, λ={p['arrival_rate_per_min']:g}/min, "
            f"μ={p['service_rate_per_min']:g}/min, θ={p['abandonment_rate_per_min']:g}/min",
            "",
            "| engine | wall s (min) | all repeats s | CPU s (min) | whole process wall / CPU s "
            "| arrivals/s | peak RSS MiB (before run) | P(abandon) | exact | utilization | "
            "exact |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        ex = res["exact"]
        for engine, row in res["engines"].items():
            pa = row["p_abandon"]
            ut = row["utilization"]
            lines.append(
                f"| {engine} | {row['wall_s_min']:.2f} | "
                f"{' / '.join(f'{w:.2f}' for w in row['wall_s_all'])} | "
                f"{row.get('cpu_s_min', math.nan):.2f} | "
                f"{_fmt(row.get('process_wall_s_min'), '.2f')} / "
                f"{_fmt(row.get('process_cpu_s_min'), '.2f')} | "
                f"{row['arrivals_per_s']:,.0f} | {row['rss_peak_mib']:.0f} "
                f"({row['rss_before_run_mib']:.0f}) | "
                f"{sum(pa) / len(pa):.4f} | {ex['p_abandon']:.4f} | "
                f"{sum(ut) / len(ut):.4f} | {ex['utilization']:.4f} |"
            )
        lines += ["", "omnisim-run is the whole `omnisim run` process (start-up, imports, run, "
                  "results files), compared with the whole SimPy script process; the other "
                  "ratios compare the simulations in process.", "",
                  "| ratio | min CPU | per repeat (CPU) | paired, geometric mean [95 % CI] "
                  "| min wall |", "|---|---:|---|---|---:|"]
        for name, value in res["ratios"].items():
            per = ", ".join(f"{v:.2f}" for v in res.get("cpu_ratios_per_repeat", {}).get(name, []))
            cpu = res.get("cpu_ratios", {}).get(name)
            est = res.get("cpu_ratios_paired", {}).get(name, {})
            interval = ("–" if est.get("gmean") is None else f"{est['gmean']:.2f}" + (
                "" if est.get("low") is None else f" [{est['low']:.2f}, {est['high']:.2f}]"))
            lines.append(f"| {name} | {_fmt(cpu, '.2f')} | {per} | {interval} "
                         f"| {_fmt(value, '.2f')} |")
        lines += ["", "| target | result |", "|---|---|"]
        lines += [f"| {k} | **{v}** |" for k, v in res["targets"].items()]
        lines.append("")
    mem = report.get("memory")
    if mem:
        lines += [
            "## Memory flatness (omnisim, case A)",
            "",
            "| arrivals | peak RSS MiB | before run MiB | growth in run MiB | "
            "resolved issues | one float per resolved issue, MiB |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for row in mem["runs"]:
            lines.append(
                f"| {row['arrivals']:,} | {row['rss_peak_mib']:.1f} | "
                f"{row['rss_before_run_mib']:.1f} | "
                f"{row['rss_peak_mib'] - row['rss_before_run_mib']:.1f} | "
                f"{row['resolved_after_warmup']:,.0f} | "
                f"{8 * row['resolved_after_warmup'] / 2**20:.1f} |"
            )
        lines += ["", memory_verdict(mem), ""]
    return "\n".join(lines)


def _ttr_storage() -> str:
    """How omnisim's recorder keeps the times to resolution (a type name)."""
    try:
        from sim.metrics.recorder import Recorder

        ttr = Recorder(0.0, 1.0, 0.0).ttr
        # a dict is the bins of a DDSketch (counts by key), made into one when read
        return "DDSketch bins (a dict)" if isinstance(ttr, dict) else type(ttr).__name__
    except Exception as e:  # the engine is being reworked: do not fail the benchmark
        return f"unknown ({type(e).__name__})"


def memory_check(arrivals: int, seed: int, main_runs: list[dict[str, Any]]) -> dict[str, Any]:
    """omnisim case A at arrivals/4 and arrivals: does peak RSS grow with the horizon?"""
    small = max(1000, arrivals // 4)
    rows = [spawn("omnisim", "A", small, seed)]
    big = [r for r in main_runs if (r["engine"], r["case"], r["arrivals"]) == ("omnisim", "A",
                                                                                arrivals)]
    rows.append(big[0] if big else spawn("omnisim", "A", arrivals, seed))
    return {"runs": rows, "ttr_storage": _ttr_storage(),
            "growth_mib": rows[1]["rss_peak_mib"] - rows[0]["rss_peak_mib"]}


def memory_verdict(mem: dict[str, Any]) -> str:
    """One paragraph: flat or not, and whether per-issue floats would show."""
    lo, hi = mem["runs"]
    growth = hi["rss_peak_mib"] - lo["rss_peak_mib"]
    floats = 8 * (hi["resolved_after_warmup"] - lo["resolved_after_warmup"]) / 2**20
    flat = growth < max(1.0, floats / 2)
    return (
        f"Peak RSS {lo['rss_peak_mib']:.1f} MiB at {lo['arrivals']:,} arrivals, "
        f"{hi['rss_peak_mib']:.1f} MiB at {hi['arrivals']:,}: {growth:+.1f} MiB for "
        f"{hi['arrivals'] / lo['arrivals']:.0f}× the arrivals — **{'flat' if flat else 'grows'}**. "
        f"Keeping one 8-byte float per resolved issue (for the time-to-resolution "
        f"percentiles) would add {floats:.1f} MiB between these two runs (twice that at the "
        f"end if a percentile works on a copy); the recorder keeps them in "
        f"`{mem.get('ttr_storage', 'unknown')}`, and per-issue storage is "
        f"{'visible' if growth >= max(1.0, floats / 2) else 'not visible'} here."
    )


def _versions() -> dict[str, str]:
    return {name: measure.version(name)
            for name in ("omnisim", "simpy", "ciw", "salabim", "numpy")}


def profile(arrivals: int, seed: int, top: int = 20) -> None:
    """cProfile omnisim on case A in this process; print the top functions by tottime."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    wall, p_ab, util, _ = run_omnisim("A", arrivals, seed)
    prof.disable()
    print(f"omnisim case A, {arrivals:,} arrivals under cProfile: {wall:.1f} s "
          f"(P(abandon) {p_ab:.4f}, utilization {util:.4f})")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arrivals", type=int, default=None,
                    help="expected arrivals per case and run (default 1,000,000)")
    ap.add_argument("--repeats", type=int, default=None, help="repeats per engine (default 3)")
    ap.add_argument("--ciw-repeats", type=int, default=1,
                    help="repeats for ciw, the slowest engine (default 1, at most --repeats)")
    ap.add_argument("--salabim-repeats", type=int, default=1,
                    help="repeats for salabim, the slowest engine (default 1, at most --repeats)")
    ap.add_argument("--quick", action="store_true",
                    help="50,000 arrivals, 2 repeats and case A unless given: about 2 min")
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    ap.add_argument("--cases", nargs="+", choices=sorted(CASES), default=None,
                    help="default: A and B (--quick: A)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first repeat")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory-flatness runs")
    ap.add_argument("--out", default=RESULTS, help="folder for queue.json and queue.md")
    ap.add_argument("--profile", type=int, metavar="ARRIVALS", default=None,
                    help="only cProfile omnisim on case A with ARRIVALS arrivals")
    ap.add_argument("--rerender", action="store_true",
                    help="only rewrite queue.md from the queue.json in --out")
    ap.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)  # child mode
    ap.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    arrivals = args.arrivals or (50_000 if args.quick else 1_000_000)
    repeats = args.repeats or (2 if args.quick else 3)
    if args.cases is None:
        args.cases = ["A"] if args.quick else sorted(CASES)
    few = {"ciw": args.ciw_repeats, "salabim": args.salabim_repeats}
    if args.engine:
        child(args.engine, args.case or "A", arrivals, args.seed)
        return 0
    if args.profile:
        profile(args.profile, args.seed)
        return 0
    if args.rerender:
        with open(os.path.join(args.out, "queue.json"), encoding="utf-8") as f:
            report = json.load(f)
        if "memory" in report and "ttr_storage" not in report["memory"]:
            report["memory"]["ttr_storage"] = _ttr_storage()
        meta = report["meta"]  # the summaries again, from the runs: new columns included
        engines = [e for e in ENGINES if any(r["engine"] == e for r in report["runs"])]
        report["cases"] = summarize(report["runs"], engines, list(report["cases"]),
                                    meta["arrivals"])
        with open(os.path.join(args.out, "queue.md"), "w", encoding="utf-8") as f:
            f.write(render(report) + "\n")
        print(render(report))
        return 0

    measure.compile_sim()
    measure.one_blas_thread()
    started = time.perf_counter()
    digest_at_start = measure.sim_digest()
    runs: list[dict[str, Any]] = []
    engines = [e for e in args.engines
               if e not in ("ciw", "salabim") or measure.version(e) != "not installed"]
    for e in sorted(set(args.engines) - set(engines)):
        print(f"queue.py: {e} is not installed (pip install {e}): left out", file=sys.stderr)
    for rep in range(repeats):
        order = engines[rep % len(engines):] + engines[:rep % len(engines)]
        for case in args.cases:
            for engine in order:
                if rep >= few.get(engine, repeats):
                    continue
                r = spawn(engine, case, arrivals, args.seed + rep)
                runs.append(r)
                print(f"repeat {rep + 1}/{repeats} case {case} {engine:11s} "
                      f"{r['wall_s']:8.2f} s  CPU {r['cpu_s']:7.2f} s  "
                      f"{r['rss_peak_mib']:7.1f} MiB  "
                      f"P(ab) {r['p_abandon']:.4f}  util {r['utilization']:.4f}", flush=True)
    report: dict[str, Any] = {
        "meta": {
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            "python": platform.python_version(),
            "loadavg_at_start": os.getloadavg(),
            "sim_source_digest": digest_at_start,
            "versions": _versions(),
            "arrivals": arrivals,
            "repeats": repeats,
            "ciw_repeats": min(repeats, args.ciw_repeats) if "ciw" in engines else 0,
            "salabim_repeats": min(repeats, args.salabim_repeats) if "salabim" in engines else 0,
            "loadavg_note": "1-minute load average of the machine; 2 cores",
            "warmup_share": WARMUP_SHARE,
            "command": " ".join([os.path.relpath(__file__), *(argv or sys.argv[1:])]),
        },
        "cases": summarize(runs, engines, args.cases, arrivals),
        "runs": runs,
    }
    if "omnisim" in engines and "A" in args.cases and not args.no_memory:
        report["memory"] = memory_check(arrivals, args.seed, runs)
    measure.write_report(report, render, args.out, "queue", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
