"""Tasks: ``nox -s tests``, ``nox -s lint``, ``nox -s typecheck``; ``nox -s slow`` for the
longer tests the default run leaves out; ``nox -s docs`` and ``nox -s results`` for the
generated documentation."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def slow(session: nox.Session) -> None:
    """Run only the tests marked slow (real processes killed, every shipped scenario)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint with ruff."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "sim", "tests", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package with mypy."""
    session.install("-e", ".", "mypy>=1.10")
    session.run("mypy", "sim")


@nox.session
def validate(session: nox.Session) -> None:
    """Validate against exact Erlang C / Erlang A on the full grid; writes docs/validation.*."""
    session.install("-e", ".")
    session.run("omnisim", "validate", "--full", "--out", "docs", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the Erlang A benchmark: ``nox -s bench -- --quick`` (see benchmarks/README.md)."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/queue.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Rewrite the generated reference pages (docs/reference/) and check the doc tests."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "sim.reference")
    session.run("pytest", "tests/test_reference.py", "tests/test_docs.py",
                "tests/test_doc_pages.py", "tests/test_readme.py", "tests/test_resultspage.py")


@nox.session
def results(session: nox.Session) -> None:
    """Run every shipped scenario (run, ablate, sensitivity at small sizes) and write its
    results page, docs/results/<scenario>.md: ``nox -s results -- app-to-phone``."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "sim.experiment.resultspage", *session.posargs)
