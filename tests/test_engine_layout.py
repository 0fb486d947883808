"""The engine's functions fit on a screen: none under sim/engine is longer than 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "sim" / "engine"
LIMIT = 60


def long_functions(folder: Path = ENGINE, limit: int = LIMIT) -> list[str]:
    """``file:line name (n lines)`` for every function in *folder* longer than *limit* lines.

    A function's length runs from its ``def`` (decorators excluded) to its last line,
    docstring and comments included.
    """
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    found.append(f"{path.name}:{node.lineno} {node.name} ({n} lines)")
    return found


def test_no_engine_function_is_longer_than_60_lines() -> None:
    """Every function under sim/engine has at most 60 lines."""
    assert long_functions() == []


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    """The check itself finds a function of 61 lines (so that it can fail)."""
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    (tmp_path / "m.py").write_text(f"def f():\n{body}", encoding="utf-8")
    assert long_functions(tmp_path) == ["m.py:1 f (61 lines)"]
