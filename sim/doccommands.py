"""Commands shown in the docs, run for real: their output is captured, never typed.

A page shows a command and what it prints in a ``console`` block::

    ```console
    $ omnisim run scenarios/erlang-a.toml --horizon 1h -n 2
    ...what it printed...
    ```

``python -m sim.doccommands docs/tutorial.md`` runs every such command, in order, in a
scratch folder holding the project's ``scenarios/`` (and each ``toml`` block whose first
line is ``# NAME.toml``, written there first), and rewrites the output under it. A test
runs them again and compares, so a page whose output no longer matches the command fails.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BLOCK", "blocks", "main", "refresh", "run_all"]

#: A fenced block: its language and its text.
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(page: str) -> list[tuple[str, str]]:
    """The fenced blocks of *page*, as (language, text)."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(page)]


def _command(text: str) -> str:
    return text.splitlines()[0].removeprefix("$ ").strip()


def run_one(command: str, cwd: Path) -> str:
    """Run one ``omnisim`` command in *cwd*; what it prints, minus folder and timing lines."""
    from .experiment.resultspage import clean_printed

    argv = shlex.split(command)
    if argv[0] != "omnisim":
        raise ValueError(f"only omnisim commands run here: {command}")
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "sim", *argv[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    return clean_printed(done.stdout + done.stderr)


def run_all(page: str, root: Path) -> list[tuple[str, str]]:
    """Every console command of *page*, run in order in a scratch folder: (command,
    printed output)."""
    out = []
    with tempfile.TemporaryDirectory() as scratch:
        cwd = Path(scratch)
        (cwd / "scenarios").symlink_to(root / "scenarios")
        for lang, text in blocks(page):
            first = text.splitlines()[0] if text else ""
            if lang == "toml" and re.fullmatch(r"# [\w.-]+\.toml", first):
                (cwd / first[2:]).write_text(text, encoding="utf-8")
            elif lang == "console":
                command = _command(text)
                out.append((command, run_one(command, cwd)))
    return out


def refresh(path: Path, root: Path) -> str:
    """*path*'s text with each console block's output replaced by what its command prints."""
    page = path.read_text(encoding="utf-8")
    printed = iter(run_all(page, root))

    def fill(match: re.Match[str]) -> str:
        if match.group(1) != "console":
            return match.group(0)
        command, output = next(printed)
        return f"```console\n$ {command}\n{output}```"

    return BLOCK.sub(fill, page)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.doccommands PAGE ...``: rewrite the output of each page's commands."""
    root = Path(__file__).resolve().parent.parent
    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        path.write_text(refresh(path, root), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
