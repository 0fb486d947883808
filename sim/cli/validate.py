"""``omnisim validate``: compare the simulator with exact Erlang C and Erlang A values."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import options

if TYPE_CHECKING:
    from ..experiment.outdir import ResultsFolder
    from .formats import Table

__all__ = ["add_parser", "execute", "validation_table"]


def add_parser(sub: Any) -> None:
    """The ``validate`` command's options."""
    validate = sub.add_parser(
        "validate",
        help="compare the simulator with exact Erlang C and Erlang A values",
        description="Run a grid of Erlang C (M/M/n) and Erlang A (M/M/n+M) queues, each "
        "written as a scenario file, and compare each outcome's interval with the "
        "exact steady-state value. Prints the table, writes validation.md and "
        "validation.png; exits 0 when every exact value lies inside its interval, 1 when "
        "any lies outside (about 1 in 20 does by chance), 2 for bad arguments.",
    )
    validate.add_argument("--full", action="store_true",
                          help="the full grid (11 cases, a few minutes) instead of the small "
                          "one (2 cases)")
    options.add_replications(validate, "case", at_least_two=True, default=20)
    validate.add_argument("--seed", metavar="S", type=options.seed, default=7,
                          help="seed (default: 7)")
    validate.add_argument("--jobs", "-j", metavar="N", type=options.positive_int, default=None,
                          help="processes to run replications in (default: the local cores)")
    validate.add_argument("--confidence", metavar="LEVEL", type=options.confidence,
                          default=None, help="confidence level of each Student-t interval "
                          "(default: the Bonferroni family-wise 95%% level, 1 − "
                          "0.05/comparisons, so that an exact simulator misses anything only "
                          "one run in twenty)")
    validate.add_argument("--out", metavar="DIR", type=Path,
                          default=Path("results") / "validation",
                          help="folder for validation.md and validation.png (default: "
                          "results/validation/)")
    options.add_format(validate, quiet=False)


def execute(args: argparse.Namespace) -> int:
    """Run the grid, print the table, write the page; 1 when a value lies outside."""
    from ..experiment import validation as v
    from ..experiment.outdir import ResultsFolder
    from ..experiment.runner import default_jobs

    cases = v.full_grid() if args.full else v.small_grid()
    jobs = args.jobs or default_jobs()
    family_wise = args.confidence is None
    if family_wise:
        args.confidence = v.family_confidence(sum(len(case.exact()) for case in cases))
    with ResultsFolder(args.out) as folder:  # checked and locked before simulating
        return _validate(args, cases, jobs, family_wise, folder)


def _validate(args: argparse.Namespace, cases: list[Any], jobs: int, family_wise: bool,
              folder: ResultsFolder) -> int:
    """Run *cases*, print the table and publish the page and figure into *folder*."""
    from rich.console import Console

    from ..experiment import validation as v

    console = Console(width=max(Console().width, 160), stderr=args.format != "table")
    console.print(f"validating against {len(cases)} exact queues, {args.replications} "
                  f"replications each, seed {args.seed}, {args.confidence:.4g} intervals, "
                  f"{jobs} jobs")

    def progress(case: Any, rows: list[Any]) -> None:
        inside = sum(r.inside for r in rows)
        console.print(f"  {case.name} {case.model}, {case.describe()}: {inside} of "
                      f"{len(rows)} inside ({rows[0].seconds:.1f} s)")

    started = time.perf_counter()
    rows = v.run_validation(cases, args.replications, args.seed, jobs, on_case=progress,
                            confidence=args.confidence)
    elapsed = time.perf_counter() - started
    if args.format == "table":
        _print_rows(args, rows, console)
    else:
        from .formats import emit

        emit([validation_table(rows, args.confidence, args.replications)], args.format)
    console.print(v.summary_line(rows))
    for r in rows:
        if not r.inside:
            console.print(f"  outside: {r.case} {r.outcome}: exact {v.fmt(r.exact)}, "
                          f"simulated {v.fmt(r.mean)} [{v.fmt(r.ci_low)}, {v.fmt(r.ci_high)}]",
                          markup=False)
    page = v.render_page(rows, command=_command(args, family_wise),
                         replications=args.replications, seed=args.seed, jobs=jobs,
                         seconds=elapsed)
    with folder.publish() as stage:  # the page and figure appear together, or not at all
        (stage / "validation.md").write_text(page, encoding="utf-8")
        v.plot_validation(rows, stage / "validation.png")
    console.print(f"written {args.out}/validation.md and validation.png ({elapsed:.1f} s)")
    return 0 if all(r.inside for r in rows) else 1


def _command(args: argparse.Namespace, family_wise: bool) -> str:
    """The command that reproduces this validation, for its page."""
    command = "omnisim validate" + (" --full" if args.full else "")
    if args.replications != 20:
        command += f" --replications {args.replications}"
    if args.seed != 7:
        command += f" --seed {args.seed}"
    if not family_wise:
        command += f" --confidence {args.confidence:g}"
    return command


def _print_rows(args: argparse.Namespace, rows: list[Any], console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table as RichTable

    from ..experiment import validation as v

    table = RichTable(title=f"omnisim against exact Erlang C / Erlang A: mean "
                      f"[{args.confidence:.4g} CI] over {args.replications} replications")
    for column in ("case", "outcome", "exact", "", "simulated", "(sim − exact)/half"):
        table.add_column(column, justify="left" if column in ("case", "outcome", "")
                         else "right")
    table.add_column("inside")
    for i, r in enumerate(rows):
        last = i + 1 == len(rows) or rows[i + 1].case != r.case
        table.add_row(r.case, r.outcome, v.fmt(r.exact), escape(r.exact_meaning),
                      f"{v.fmt(r.mean)} [{v.fmt(r.ci_low)}, {v.fmt(r.ci_high)}]",
                      f"{r.standardized:+.2f}", "yes" if r.inside else "NO",
                      style=None if r.inside else "bold red", end_section=last)
    console.print(table)


def validation_table(rows: list[Any], confidence: float, replications: int) -> Table:
    """Each case and outcome: the exact value, the simulated interval, inside or not."""
    from .formats import Table

    return Table(f"omnisim against exact Erlang C / Erlang A: mean [{confidence:.4g} CI] "
                 f"over {replications} replications",
                 ("case", "outcome", "exact", "meaning", "mean", "ci_low", "ci_high",
                  "standardized", "inside"),
                 [(r.case, r.outcome, r.exact, r.exact_meaning, r.mean, r.ci_low, r.ci_high,
                   r.standardized, r.inside) for r in rows],
                 ("standardized: (simulated − exact) / half-width of the interval",))
