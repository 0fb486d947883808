"""Instructions per arrival of the Erlang A queue, counted by valgrind: within about 1 %
on a shared machine, where CPU times drift by tens of per cent between runs.

Each engine (omnisim in process, or the minimal SimPy model of ``queue.py``) runs case A
under ``valgrind --tool=callgrind`` (or ``cachegrind`` with ``--cache``) at two numbers
of arrivals; the difference of the counts over the difference of the arrivals is the cost
of one arrival, with start-up, imports and model set-up cancelled out::

    python benchmarks/instructions.py                     # omnisim and simpy, 1,000 → 5,000
    python benchmarks/instructions.py --engines omnisim   # one engine
    python benchmarks/instructions.py --engines omnisim omnisim-general   # callbacks or walks
    python benchmarks/instructions.py --cache             # + data-cache misses, mispredictions
    python benchmarks/instructions.py --case B            # queue.py's case B (10 agents)
    python benchmarks/instructions.py --story             # the story's designs, 1× → 2×
    python benchmarks/instructions.py --story --keep /tmp/story.out   # for callgrind_annotate
    python benchmarks/instructions.py --records           # records.py's run, without and with

With ``--story``, ``sim.simulate(world, design, seed, 0)`` runs each design of
scenarios/app-to-phone.toml (or ``--designs``) at two multiples of the file's horizon
(``--multiples``, the warm-up unchanged), and the counts are divided by the difference of
the expected arrivals (rate × run length, summed over the designs).

With ``--records``, the child is ``benchmarks/records.py``'s run of case A (one
replication through ``sim.run_experiment``, 5,000 → 25,000 issues unless ``--arrivals``
says otherwise), once without records and once with them (the parts written and
concatenated into issues.parquet and contacts.parquet, or the CSV files with
``--format csv``): the instructions per issue of each, their ratio, and the fixed cost
(the intercept at 0 issues) of each.

valgrind must be installed (Debian: ``valgrind``). Nothing is written but ``--keep``'s
file: the figures are printed.
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
from pathlib import Path  # noqa: E402

#: valgrind's summary lines and the names they are reported under.
_COUNTS = {"instructions": r"I\s+refs:\s+([\d,]+)", "D1 misses": r"D1\s+misses:\s+([\d,]+)",
           "LL misses": r"LL misses:\s+([\d,]+)", "mispredictions": r"Mispredicts:\s+([\d,]+)"}


def _queue_module() -> object:
    spec = importlib.util.spec_from_file_location("queue_bench", os.path.join(_HERE, "queue.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(engine: str, arrivals: int, case: str = "A") -> None:
    """Run *engine* on *case* for *arrivals* arrivals (the process valgrind counts).

    ``omnisim-general`` is omnisim with the plain path turned off: the same queue, the
    same results, each issue walked by a generator as every richer scenario's is.
    """
    bench = _queue_module()
    if engine == "omnisim-general":
        import sim.engine.journey

        sim.engine.journey.plain_journeys = lambda rep: False  # type: ignore[assignment]
        engine = "omnisim"
    getattr(bench, f"run_{engine}")(case, arrivals, 1)


_STORY = os.path.join(os.path.dirname(_HERE), "scenarios", "app-to-phone.toml")


def _story(designs: list[str] | None, multiple: int) -> tuple[object, list[object], int]:
    """The story's world at *multiple* × its horizon, the designs, the scenario's seed."""
    import attrs

    import sim

    scenario = sim.load_scenario(_STORY)
    world = sim.compile_world(scenario)
    world = attrs.evolve(world, horizon=world.horizon * multiple)
    return world, sim.resolve_designs(scenario, designs), scenario.scenario.seed


def story_child(designs: list[str] | None, multiple: int) -> None:
    """Run one replication of each of the story's designs at *multiple* × the horizon."""
    import sim

    world, chosen, seed = _story(designs, multiple)
    for design in chosen:
        sim.simulate(world, design, seed, 0)  # type: ignore[arg-type]


def story_arrivals(designs: list[str] | None, multiple: int) -> float:
    """The expected arrivals of :func:`story_child`: rate × run length, per design."""
    world, chosen, _ = _story(designs, multiple)
    return len(chosen) * world.rate * world.end  # type: ignore[attr-defined]


def _records_module() -> object:
    spec = importlib.util.spec_from_file_location("records_bench",
                                                  os.path.join(_HERE, "records.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def records_child(issues: int, records: str) -> None:
    """Run records.py's Erlang A case for *issues* issues: without records (*records*
    ``"none"``), or with them in the format *records* (parts written and concatenated)."""
    import sim
    from sim.experiment.records import RecordParts

    world, designs = _records_module()._erlang_world(issues, 1)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="omnisim-instructions-") as tmp:
        parts = None if records == "none" else RecordParts(Path(tmp) / "parts", records)
        sim.run_experiment(world, designs, 1, 1, jobs=1, records=parts, progress=False)
        if parts is not None:
            parts.write(Path(tmp))


def count(engine: str, arrivals: int, cache: bool, keep: str | None = None,
          extra: tuple[str, ...] = ()) -> dict[str, int]:
    """valgrind's counts for one child run (its callgrind output kept as *keep*)."""
    tool = (["--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes"] if cache
            else ["--tool=callgrind"])
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or os.path.join(tmp, "out")
        option = "--cachegrind-out-file" if cache else "--callgrind-out-file"
        # a fixed hash seed: string hashing moves the counts by a few per cent otherwise
        # and one OpenBLAS thread, as the omnisim command runs: its worker threads moved
        # a count by about 3 % from one run to the next
        env = {"OPENBLAS_NUM_THREADS": "1", **os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            ["valgrind", *tool, f"{option}={out}", sys.executable, __file__, "--child",
             engine, str(arrivals), *extra], capture_output=True, text=True, check=True, env=env)
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
                    choices=("omnisim", "omnisim-general", "simpy"),
                    help="omnisim-general: omnisim with its plain (callback) path turned "
                         "off, each issue a generator walk (default: omnisim simpy)")
    ap.add_argument("--arrivals", nargs=2, type=int, default=(1000, 5000),
                    metavar=("LOW", "HIGH"))
    ap.add_argument("--case", choices=("A", "B"), default="A",
                    help="queue.py's case: A (50 agents) or B (10 agents, more waiting)")
    ap.add_argument("--cache", action="store_true",
                    help="cachegrind: also data-cache misses and branch mispredictions")
    ap.add_argument("--story", action="store_true",
                    help="count the story (scenarios/app-to-phone.toml) instead of case A")
    ap.add_argument("--designs", nargs="+", default=None,
                    help="with --story: these designs (default: the file's)")
    ap.add_argument("--multiples", nargs=2, type=int, default=(1, 2), metavar=("LOW", "HIGH"),
                    help="with --story: the two multiples of the horizon (default 1 2)")
    ap.add_argument("--records", action="store_true",
                    help="count records.py's Erlang A run without and with records")
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                    help="with --records: the records' format (default parquet)")
    ap.add_argument("--keep", metavar="FILE",
                    help="keep the valgrind output of the high run as FILE")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.child[0] == "records":
            records_child(int(args.child[1]), args.child[2])
        elif args.child[0] == "story":
            story_child(args.child[2:] or None, int(args.child[1]))
        else:
            child(args.child[0], int(args.child[1]), *args.child[2:])
        return
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind is not installed")
    if args.story:
        story(args)
        return
    if args.records:
        records(args)
        return
    low, high = args.arrivals
    for engine in args.engines:
        a, b = (count(engine, n, args.cache, args.keep if n == high else None, (args.case,))
                for n in (low, high))
        per = {name: (b[name] - a[name]) / (high - low) for name in b}
        print(f"{engine:15s} case {args.case} per arrival: "
              + ", ".join(f"{name} {value:,.0f}" for name, value in per.items()))


def story(args: argparse.Namespace) -> None:
    """Print the story's counts per arrival, from its two multiples of the horizon."""
    low, high = args.multiples
    extra = tuple(args.designs or ())
    a = count("story", low, args.cache, None, extra)
    b = count("story", high, args.cache, args.keep, extra)
    arrivals = (story_arrivals(args.designs, high) - story_arrivals(args.designs, low))
    per = {name: (b[name] - a[name]) / arrivals for name in b}
    print(f"story {low}× → {high}× ({arrivals:,.0f} arrivals) per arrival: "
          + ", ".join(f"{name} {value:,.0f}" for name, value in per.items()))


def records(args: argparse.Namespace) -> None:
    """Print the instructions per issue of records.py's run without and with records, their
    ratio, and each one's fixed cost (the count extrapolated to 0 issues)."""
    low, high = args.arrivals if args.arrivals != (1000, 5000) else (5000, 25000)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy's BLAS threads: not the records' cost
    per, fixed = {}, {}
    for kind in ("none", args.format):
        keep = None if args.keep is None or kind == "none" else args.keep
        a = count("records", low, args.cache, None, (kind,))["instructions"]
        b = count("records", high, args.cache, keep, (kind,))["instructions"]
        per[kind] = (b - a) / (high - low)
        fixed[kind] = a - per[kind] * low
        label = "without records" if kind == "none" else f"with records ({kind})"
        print(f"records.py case A {low:,} → {high:,} issues, {label}: "
              f"{per[kind]:,.0f} instructions per issue, fixed {fixed[kind] / 1e6:,.0f}M",
              flush=True)
    print(f"ratio per issue {per[args.format] / per['none']:.3f}; fixed cost of records "
          f"{(fixed[args.format] - fixed['none']) / 1e6:+,.0f}M instructions")


if __name__ == "__main__":
    main()
