"""A throwaway compiled build of omnisim's hot modules (issue 17's mypyc spike).

Copies ``sim/`` into *OUT* and compiles the chosen modules there with mypyc, in place, so
that ``PYTHONPATH=OUT`` runs the compiled modules (an extension module shadows the ``.py``
beside it) and every other module as Python::

    python benchmarks/mypyc_build.py /tmp/build sim/model/dists.py sim/engine/streams.py
    PYTHONPATH=/tmp/build python benchmarks/instructions.py --story     # from outside the repo

Nothing is written in the repository. Needs a C compiler and the Python headers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
PATCHES: dict[str, list[tuple[str, str]]] = {
    "sim/engine/streams.py": [
        ("_T = TypeVar(\"_T\")", "_T = TypeVar(\"_T\")\n_RANDOM: Any = random.Random"),
        ("""    if TYPE_CHECKING:  # the borrowed methods used in sim/ (set below, out of mypy's sight)
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
        ("""    if TYPE_CHECKING:  # the borrowed methods used in sim/ (set below, out of mypy's sight)
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
        ("\nclass _Tally:", "\n@mypyc_attr(native_class=False)\nclass _Tally:"),
        ("\nclass QueueTally(_Tally):", "\n@mypyc_attr(native_class=False)\nclass QueueTally(_Tally):"),
        ("\nclass IssueTally(_Tally):", "\n@mypyc_attr(native_class=False)\nclass IssueTally(_Tally):"),
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


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build(os.path.abspath(sys.argv[1]), sys.argv[2:])


if __name__ == "__main__":
    main()
