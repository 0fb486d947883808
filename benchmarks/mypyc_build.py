"""A throwaway compiled build of omnisim's hot modules (issue 17's mypyc spike).

Copies ``sim/`` into *OUT*, applies the few changes compiling needs (:data:`PATCHES`) to
the copy, and compiles the chosen modules there with mypyc, in place, so that
``PYTHONPATH=OUT`` runs the compiled modules (an extension module shadows the ``.py``
beside it) and every other module as Python. Nothing is written in the repository; it
needs a C compiler and the Python headers (mypyc comes with mypy, the dev extra)::

    python benchmarks/mypyc_build.py build /tmp/build          # the hot set (HOT), ≈ 2-3 min
    python benchmarks/mypyc_build.py build /tmp/build sim/model/dists.py   # chosen modules
    python benchmarks/mypyc_build.py compare /tmp/build --repeats 5        # CPU, paired
    cd /tmp && PYTHONPATH=/tmp/build python /path/to/benchmarks/instructions.py --story
    python benchmarks/mypyc_build.py split /tmp/build      # instructions by kind (valgrind)
    PYTHONPATH=/tmp/build pytest -n 0 tests/test_golden.py                  # byte identity

``compare`` runs one replication of each of the story's designs at ``--multiple`` × its
horizon in fresh processes, the pure and the compiled build one after the other in each
repeat, and prints each CPU time, each repeat's ratio and their geometric mean. ``split``
counts the story's instructions per arrival (valgrind, 1× → 2× the horizon, as
``instructions.py --story``) of the pure and the compiled build by the kind of code that
runs them: the interpreter's bytecode loop, the rest of libpython (attribute and dict
look-ups, allocation, float and int objects, calls, comparisons), mypyc's compiled code
with its runtime library, C modules (heapq, math, array, libm), numpy, libc.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_STORY = os.path.join(_ROOT, "scenarios", "app-to-phone.toml")

#: the modules the spike compiles: the engine but world.py (see PATCHES), the
#: distributions, the history stores and the recorder
HOT = [*(f"sim/engine/{m}.py" for m in (
    "arrivals", "contacts", "conversation", "journey", "monitors", "plain", "pools",
    "replication", "routing", "state", "streams", "wakeups")),
    "sim/model/dists.py", "sim/model/history.py", "sim/metrics/recorder.py"]

#: the child of ``compare``: one replication of each design, CPU seconds as JSON
_CHILD = """
import json, sys, time, attrs, sim
scenario = sim.load_scenario(sys.argv[1])
world = sim.compile_world(scenario)
world = attrs.evolve(world, horizon=world.horizon * int(sys.argv[2]))
designs = sim.resolve_designs(scenario, None)
t0 = time.process_time()
for d in designs:
    sim.simulate(world, d, scenario.scenario.seed, 0)
print(json.dumps({"cpu_s": time.process_time() - t0, "module": sim.engine.contacts.__file__,
                  "arrivals": len(designs) * world.rate * world.end}))
"""

_SETUP = """
from setuptools import setup
from mypyc.build import mypycify
setup(name="omnisim-compiled", ext_modules=mypycify({modules!r}, opt_level={opt!r}),
      script_args=["build_ext", "--inplace"])
"""


#: what compiling needs changed in the copy: {file: [(old, new)]}. mypyc rejects an
#: ``if TYPE_CHECKING:`` block in a class body, and a native class cannot be given methods
#: by ``setattr`` after it is made, so the borrowed methods of random.Random become
#: methods that call them (the same Python code, so the same draws).
_BORROW = """
    def expovariate(self, lambd: float = 1.0) -> float:
        return _RANDOM.expovariate(self, lambd)

    def lognormvariate(self, mu: float, sigma: float) -> float:
        return _RANDOM.lognormvariate(self, mu, sigma)

    def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        return _RANDOM.normalvariate(self, mu, sigma)

    def gammavariate(self, alpha: float, beta: float) -> float:
        return _RANDOM.gammavariate(self, alpha, beta)

    def uniform(self, a: float, b: float) -> float:
        return _RANDOM.uniform(self, a, b)

    def choices(self, population: Sequence[_T], weights: Sequence[float] | None = None,
                *, cum_weights: Sequence[float] | None = None, k: int = 1) -> list[_T]:
        return _RANDOM.choices(self, population, weights,
                               cum_weights=cum_weights, k=k)
"""
_TC = "    if TYPE_CHECKING:  # the borrowed methods used in sim/ (set below, out of mypy's sight)"
_NON_NATIVE = "\n@mypyc_attr(native_class=False)"
PATCHES: dict[str, list[tuple[str, str]]] = {
    "sim/engine/streams.py": [
        ("_T = TypeVar(\"_T\")", "_T = TypeVar(\"_T\")\n_RANDOM: Any = random.Random"),
        (_TC + """
        def expovariate(self, lambd: float = 1.0) -> float: ...
        def lognormvariate(self, mu: float, sigma: float) -> float: ...
        def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...
        def gammavariate(self, alpha: float, beta: float) -> float: ...
        def uniform(self, a: float, b: float) -> float: ...
        def choices(self, population: Sequence[_T], weights: Sequence[float] | None = None,
                    *, cum_weights: Sequence[float] | None = None, k: int = 1) -> list[_T]: ...
""", _BORROW),
        ("""for _name in _BORROWED:
    setattr(CounterStream, _name, getattr(random.Random, _name))
del _name
""", ""),
        (_TC + """
        def expovariate(self, lambd: float = 1.0) -> float: ...
""", _BORROW),
        ("""for _name in _FLOAT_METHODS:
    setattr(Prefixed, _name, getattr(random.Random, _name))
del _name
""", ""),
    ],
    # a class constant must say so (mypyc makes a plain class attribute an instance
    # default), and an attribute that is deleted must be declared deletable
    "sim/engine/plain.py": [
        ("    PRIMED = (Purpose.PATIENCE, Purpose.WORK)",
         "    PRIMED: ClassVar[tuple[Purpose, ...]] = (Purpose.PATIENCE, Purpose.WORK)"),
        ("""                 "within", "work")
""", """                 "within", "work")
    __deletable__ = ("entry",)
"""),
        ("from __future__ import annotations\n",
         "from __future__ import annotations\n\nfrom typing import ClassVar\n"),
    ],
    # mypy's attrs plugin types ``attrs.field(...)`` as the field's type, so compiled code
    # checks the _CountingAttr it returns at import as a tuple and fails; an abstract type
    # is not checked (world.py has five such dict fields: it stays interpreted)
    "sim/model/history.py": [
        ("    groups: tuple[frozenset[str], ...] = attrs.field(",
         "    groups: Sequence[frozenset[str]] = attrs.field("),
        ("from collections.abc import Iterable, Iterator\n",
         "from collections.abc import Iterable, Iterator, Sequence\n"),
    ],
    # the tallies read their own __slots__ to set and add their fields: a native class has
    # none, so they stay Python classes (their methods still compiled)
    "sim/metrics/recorder.py": [
        ("\nclass _Tally:", _NON_NATIVE + "\nclass _Tally:"),
        ("\nclass QueueTally(_Tally):", _NON_NATIVE + "\nclass QueueTally(_Tally):"),
        ("\nclass IssueTally(_Tally):", _NON_NATIVE + "\nclass IssueTally(_Tally):"),
        ("from __future__ import annotations\n",
         "from __future__ import annotations\n\nfrom mypy_extensions import mypyc_attr\n"),
    ],
}


def patch(out: str) -> None:
    """Apply :data:`PATCHES` to the copy in *out* (each old text must be there once)."""
    for name, edits in PATCHES.items():
        path = os.path.join(out, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for old, new in edits:
            if text.count(old) != 1:
                sys.exit(f"mypyc_build.py: {name}: patch not found once: {old[:60]!r}")
            text = text.replace(old, new)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def build(out: str, modules: list[str], opt: str = "3") -> None:
    """Copy sim/ to *out* and compile *modules* (paths relative to the repository)."""
    if os.path.exists(os.path.join(out, "sim")):
        shutil.rmtree(os.path.join(out, "sim"))
    shutil.copytree(os.path.join(_ROOT, "sim"), os.path.join(out, "sim"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(os.path.join(_ROOT, "pyproject.toml"), out)  # mypy's settings
    patch(out)
    env = {**os.environ, "MYPYC_OPT_LEVEL": opt}
    subprocess.run([sys.executable, "-c", _SETUP.format(modules=modules, opt=opt)],
                   cwd=out, check=True, env=env)


def _cpu(pythonpath: str | None, multiple: int) -> dict[str, float | str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run([sys.executable, "-c", _CHILD, _STORY, str(multiple)], cwd="/",
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(out: str, repeats: int, multiple: int) -> None:
    """Print the CPU time of the story, pure and compiled, paired repeat by repeat."""
    ratios = []
    for k in range(repeats):
        pure, comp = _cpu(None, multiple), _cpu(out, multiple)
        if not str(comp["module"]).endswith(".so") or str(pure["module"]).endswith(".so"):
            sys.exit(f"mypyc_build.py: not comparing a pure and a compiled build: "
                     f"{pure['module']} / {comp['module']}")
        ratios.append(float(pure["cpu_s"]) / float(comp["cpu_s"]))
        per = [1e6 * float(r["cpu_s"]) / float(r["arrivals"]) for r in (pure, comp)]
        print(f"repeat {k + 1}: pure {pure['cpu_s']:.3f} s ({per[0]:.1f} µs/arrival), "
              f"compiled {comp['cpu_s']:.3f} s ({per[1]:.1f} µs/arrival), "
              f"pure/compiled {ratios[-1]:.3f}", flush=True)
    mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    with open("/proc/loadavg", encoding="ascii") as f:
        load = f.read().split()[0]
    print(f"geometric mean pure/compiled over {repeats} paired repeats: {mean:.3f} "
          f"(load average now {load})")


def _functions(pythonpath: str | None, multiple: int) -> dict[str, int]:
    """Instructions by function of one ``instructions.py --child story`` run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONHASHSEED"] = "0"
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    script = os.path.join(_ROOT, "benchmarks", "instructions.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        sys.executable, script, "--child", "story", str(multiple)],
                       cwd="/", env=env, capture_output=True, check=True)
        text = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", out],
                              capture_output=True, text=True, check=True).stdout
    counts: dict[str, int] = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?)(?: \[(.*)\])?\s*$", line)
        if m and "PROGRAM" not in line:
            name = m.group(2).rsplit(":", 1)[-1].split("'")[0]
            key = f"{name} {os.path.basename(m.group(3) or '')}"
            counts[key] = counts.get(key, 0) + int(m.group(1).replace(",", ""))
    return counts


def _kind(key: str) -> str:
    name, obj = [*key.split(" ", 1), ""][:2]
    if name.startswith("CPy") or "__mypyc" in obj:
        return "mypyc compiled code and runtime"
    if name == "_PyEval_EvalFrameDefault":
        return "libpython: the bytecode loop"
    if "multiarray" in obj or "openblas" in obj:
        return "numpy"
    if obj.startswith(("_heapq", "math.", "array.", "_random", "libm", "_bisect")):
        return "C modules (heapq, math, array, libm)"
    if obj.startswith("libc") or name.startswith("__mem"):
        return "libc"
    return "libpython: objects and runtime"


def split(out: str) -> None:
    """Print the story's instructions per arrival by kind, pure and compiled."""
    spec = importlib.util.spec_from_file_location(
        "instructions_bench", os.path.join(_ROOT, "benchmarks", "instructions.py"))
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    arrivals = bench.story_arrivals(None, 2) - bench.story_arrivals(None, 1)
    for label, path in (("pure", None), ("compiled", out)):
        low, high = _functions(path, 1), _functions(path, 2)
        kinds: dict[str, float] = {}
        for key in set(low) | set(high):
            per = (high.get(key, 0) - low.get(key, 0)) / arrivals
            kinds[_kind(key)] = kinds.get(_kind(key), 0.0) + per
        total = sum(kinds.values())
        print(f"{label}: {total:,.0f} instructions per story arrival (functions over the "
              f"threshold, {arrivals:,.0f} arrivals)")
        for kind, per in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {per:9,.0f}  {100 * per / total:5.1f} %  {kind}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="copy sim/ to OUT and compile MODULES there")
    b.add_argument("out")
    b.add_argument("modules", nargs="*", help="paths relative to the repository (default: HOT)")
    b.add_argument("--opt", default="3", help="the C compiler's optimisation level")
    c = sub.add_parser("compare", help="CPU of the story, pure against OUT's build")
    c.add_argument("out")
    c.add_argument("--repeats", type=int, default=5)
    c.add_argument("--multiple", type=int, default=4, help="× the story's horizon")
    sp = sub.add_parser("split", help="the story's instructions by kind, pure and OUT's build")
    sp.add_argument("out")
    args = ap.parse_args()
    if args.command == "build":
        build(os.path.abspath(args.out), args.modules or HOT, args.opt)
    elif args.command == "compare":
        compare(os.path.abspath(args.out), args.repeats, args.multiple)
    else:
        split(os.path.abspath(args.out))


if __name__ == "__main__":
    main()
