"""Every table a command prints, in every ``--format``: one model, five renderings.

A command builds :class:`Table` objects from its results (numbers as numbers, an
interval as three columns) and hands them to :func:`emit`. ``table`` draws them with
rich for a terminal; ``markdown``, ``csv``, ``json`` and ``latex`` are plain and
complete: nothing is cut or wrapped, whatever the terminal, so they pipe well.
CSV and JSON keep every number at full precision; Markdown and LaTeX show four
significant digits (:func:`sim.metrics.stats.format_number`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["Cell", "Table", "emit", "render"]

#: A cell: text, a number, a yes/no, or nothing (``None``, printed as – or left empty).
Cell = str | int | float | bool | None


class Table:
    """A titled table: columns, rows of cells, and notes printed under it.

    Attributes:
        title: One line above the table.
        columns: Column names; numeric columns are right-aligned.
        rows: One tuple of cells per row, as many cells as columns.
        notes: Lines after the table (what a mark means, where the rest is).
    """

    def __init__(self, title: str, columns: Iterable[str], rows: Iterable[Sequence[Cell]],
                 notes: Iterable[str] = ()) -> None:
        self.title = title
        self.columns: tuple[str, ...] = tuple(columns)
        self.rows: tuple[tuple[Cell, ...], ...] = tuple(tuple(r) for r in rows)
        self.notes: tuple[str, ...] = tuple(notes)
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.title}: a row of {len(row)} cells for "
                                 f"{len(self.columns)} columns")

    def __repr__(self) -> str:
        return f"Table({self.title!r}, {len(self.columns)} columns, {len(self.rows)} rows)"

    def records(self) -> list[dict[str, Cell]]:
        """The rows as dictionaries keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _text(cell: Cell) -> str:
    from ..metrics.stats import format_number

    if cell is None:
        return "–"
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int | float):
        return format_number(float(cell)) if isinstance(cell, float) else str(cell)
    return cell


def _numeric(table: Table, column: int) -> bool:
    return any(isinstance(r[column], int | float) and not isinstance(r[column], bool)
               for r in table.rows)


def markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table, its title in bold above and notes below."""
    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rule = ["---:" if _numeric(table, i) else "---" for i in range(len(table.columns))]
    out = [f"**{table.title}**", "", line(table.columns), "| " + " | ".join(rule) + " |"]
    out += [line(_text(c) for c in row) for row in table.rows]
    out += ["", *table.notes] if table.notes else []
    return "\n".join(out) + "\n"


def _csv_cell(cell: Cell) -> Cell:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return repr(cell) if isinstance(cell, float) else cell


def as_csv(table: Table) -> str:
    """CSV: a header line and one line per row; numbers at full precision, none empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue()


def _json_cell(cell: Cell) -> Cell:
    return None if isinstance(cell, float) and not math.isfinite(cell) else cell


def as_json(tables: Sequence[Table]) -> str:
    """A JSON list with one object per table: title, columns, rows (objects), notes."""
    return json.dumps([{"title": t.title, "columns": list(t.columns),
                        "rows": [{k: _json_cell(v) for k, v in r.items()} for r in t.records()],
                        "notes": list(t.notes)} for t in tables],
                      indent=2, ensure_ascii=False) + "\n"


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
          "^": r"\textasciicircum{}", "–": "--", "−": "$-$"}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in text)


def latex(table: Table) -> str:
    """A booktabs ``tabular`` in a ``table`` float, the title as its caption."""
    spec = "".join("r" if _numeric(table, i) else "l" for i in range(len(table.columns)))
    out = [r"\begin{table}", r"\centering", rf"\caption{{{_latex_escape(table.title)}}}",
           rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
           " & ".join(_latex_escape(c) for c in table.columns) + r" \\", r"\midrule"]
    out += [" & ".join(_latex_escape(_text(c)) for c in row) + r" \\" for row in table.rows]
    out += [r"\bottomrule", r"\end{tabular}"]
    out += [rf"\par\smallskip{{\footnotesize {_latex_escape(n)}}}" for n in table.notes]
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"


def rich_table(table: Table, whole: Sequence[str] = ()) -> Any:
    """*table* as a :class:`rich.table.Table`, numeric columns right-aligned.

    The columns named in *whole* are never wrapped; the others fold where they must
    (a long header over two lines), so that no cell is cut.
    """
    from rich.table import Table as RichTable

    drawn = RichTable(title=table.title)
    for i, name in enumerate(table.columns):
        drawn.add_column(name, justify="right" if _numeric(table, i) else "left",
                         no_wrap=name in whole, overflow="fold")
    for row in table.rows:
        drawn.add_row(*(_text(c) for c in row))
    return drawn


def render(tables: Sequence[Table], fmt: str) -> str:
    """*tables* as one text in *fmt* (markdown, csv, json or latex); tables are separated
    by a blank line (CSV) or are the elements of one JSON list."""
    if fmt == "json":
        return as_json(tables)
    one = {"markdown": markdown, "csv": as_csv, "latex": latex}[fmt]
    return "\n".join(one(t) for t in tables)


def emit(tables: Sequence[Table], fmt: str) -> None:
    """Print *tables* to stdout in *fmt*; ``table`` draws them with rich."""
    import sys

    if fmt == "table":
        from rich.console import Console

        console = Console(highlight=False)
        for t in tables:
            console.print(rich_table(t))
            for note in t.notes:
                console.print(note, markup=False, soft_wrap=True)
        return
    sys.stdout.write(render(tables, fmt))
    sys.stdout.flush()
