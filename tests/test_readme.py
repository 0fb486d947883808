"""The README read top to bottom works as written: every shell command in it is run by a
test here or by a nox session.

The fast tests classify every command and parse each ``omnisim`` command with the real
parser (a misspelt option fails); the slow test runs each ``omnisim`` command for real, in
a scratch folder whose ``scenarios/`` are the shipped ones cut to a short horizon and two
replications. Installing, pytest and nox commands are what the nox sessions run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from sim.doccommands import blocks, run_one

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOXFILE = (ROOT / "noxfile.py").read_text(encoding="utf-8")


def commands() -> list[str]:
    """Each command of the README: the lines of its sh blocks (split at ``&&``, without
    comments) and the inline ``omnisim …`` spans that name a real file (not a synopsis)."""
    found: list[str] = []
    for lang, text in blocks(README):
        if lang in ("sh", "bash", "console"):
            for line in text.splitlines():
                line = line.removeprefix("$ ").split("  #")[0].strip()
                found += [part.strip() for part in line.split("&&") if part.strip()]
    for span in re.findall(r"`((?:\.venv/bin/)?omnisim [^`]+)`", README):
        span = " ".join(span.split())
        if "/" in span or span.endswith("--version"):  # a command, not a command's name
            found.append(span)
    synopsis = [c for c in found if re.search(r"\b[A-Z]{3,}\b|\s\[|\|", c)]
    return [c for c in dict.fromkeys(found) if c not in synopsis]


def _omnisim(command: str) -> list[str] | None:
    argv = shlex.split(command)
    if argv[0].endswith("omnisim"):
        return argv[1:]
    if argv[:3] in (["python", "-m", "sim"], ["python3", "-m", "sim"]):
        return argv[3:]
    return None


def coverage(command: str) -> str:
    """Where *command* is run: ``test`` (the slow test below) or ``nox -s SESSION``."""
    if _omnisim(command) is not None:
        return "test"
    session = re.fullmatch(r"nox -s ([\w ]+)", command)
    if session:
        names = session.group(1).split()
        missing = [n for n in names if f"def {n}(session" not in NOXFILE]
        assert not missing, f"README runs nox sessions the noxfile lacks: {missing}"
        return command
    if re.fullmatch(r"python3? -m venv \.venv", command) or "pip install" in command:
        return "nox -s tests"  # every session makes its venv and installs the package
    if re.fullmatch(r"(\.venv/bin/)?python -m pytest( -m slow)?", command):
        return "nox -s tests" if "slow" not in command else "nox -s slow"
    raise AssertionError(f"README command run by no test or nox session: {command}")


def test_readme_has_commands() -> None:
    """The extraction finds the quick start (guards against a silent empty list)."""
    found = commands()
    assert any("omnisim run scenarios/app-to-phone.toml" in c for c in found), found


@pytest.mark.parametrize("command", commands())
def test_every_command_is_covered_and_parses(command: str) -> None:
    """Each command is run somewhere; each omnisim command parses with the real parser."""
    from sim.cli import build_parser

    where = coverage(command)
    argv = _omnisim(command)
    if argv is not None and argv != ["--version"]:
        build_parser().parse_args(argv)  # argparse exits 2 on a bad option
    assert where


def _short_scenarios(folder: Path) -> None:
    """The shipped scenarios, cut to two replications and a horizon of at most an hour
    past their last event."""
    import tomllib

    from sim.scenario.units import parse_duration

    (folder / "scenarios").mkdir()
    for path in (ROOT / "scenarios").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        last = max((parse_duration(e["at"]) for e in data.get("events", [])), default=0.0)
        horizon = min(parse_duration(data["scenario"]["horizon"]), last + 60)
        text = re.sub(r'(?m)^horizon = "[^"]+"', f'horizon = "{horizon:g}min"', text,
                      count=1)
        text = re.sub(r"(?m)^replications = \d+", "replications = 2", text, count=1)
        (folder / "scenarios" / path.name).write_text(text, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in commands() if _omnisim(c) is not None])
def test_readme_omnisim_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                     ) -> None:
    """Each omnisim command of the README runs as written (on short scenarios), exit 0."""
    import subprocess
    import sys

    _short_scenarios(tmp_path)
    argv = _omnisim(command)
    assert argv is not None
    argv = [a for arg in argv for a in (sorted(str(p.relative_to(tmp_path))
                                               for p in tmp_path.glob(arg)) if "*" in arg
                                        else [arg])]  # the shell would expand the glob
    done = subprocess.run([sys.executable, "-m", "sim", *argv], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, (command, done.stderr[-2000:])
    assert run_one  # the same runner the tutorial's outputs are captured with
