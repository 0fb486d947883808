"""Parquet parts put together byte for byte (sim.experiment.parquet): the same file as
reading every row group and writing it again, and a refusal where a footer holds what the
byte copy does not move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sim.experiment import parquet
from sim.experiment import records as rec
from sim.experiment.records import CONTACT_COLUMNS, arrow_schema

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

COLUMNS = CONTACT_COLUMNS  # every kind of column, nullable ones included
CREATED_BY = f"parquet-cpp-arrow version {pa.cpp_version}".encode()


def _rows(seed: int, n: int) -> Any:
    """A table of *n* contact rows, with empty fields, drawn from *seed*."""
    import random

    r = random.Random(seed)
    pick = {"str": lambda: r.choice(["voice", "chat", "Zürich", None]),
            "int": lambda: r.choice([None, r.randrange(-5, 2**40)]),
            "float": lambda: r.choice([None, r.random() * 1e3, float("nan")]),
            "bool": lambda: r.choice([None, True, False])}
    data = {c.name: [pick[c.kind]() if c.nullable else pick[c.kind]() or _filled(c.kind)
                     for _ in range(n)] for c in COLUMNS}
    return pa.table(data, schema=arrow_schema(COLUMNS))


def _filled(kind: str) -> Any:
    return {"str": "web", "int": 3, "float": 0.5, "bool": True}[kind]


def _write(path: Path, tables: list[Any], **options: Any) -> Path:
    """A part: one row group per table."""
    with pq.ParquetWriter(path, arrow_schema(COLUMNS), **rec._parquet_options(COLUMNS),
                          **options) as writer:
        for table in tables:
            writer.write_table(table)
    return path


def _values(path: Path) -> list[str]:
    """The rows of the Parquet file *path*, each as its repr (so that NaN equals NaN)."""
    return [repr(row) for row in pq.read_table(path).to_pylist()]


def _rewritten(paths: list[Path], out: Path) -> bytes:
    """What reading every row group of *paths* and writing it again gives."""
    with pq.ParquetWriter(out, arrow_schema(COLUMNS), **rec._parquet_options(COLUMNS)) as w:
        for path in paths:
            part = pq.ParquetFile(path)
            for i in range(part.num_row_groups):
                w.write_table(part.read_row_group(i))
    return out.read_bytes()


@hsettings(max_examples=12, deadline=None)
@given(groups=st.lists(st.lists(st.integers(1, 40), max_size=3), min_size=1, max_size=4),
       seed=st.integers(0, 2**16))
def test_bytes_copied_equal_rows_written_again(tmp_path_factory: pytest.TempPathFactory,
                                               groups: list[list[int]], seed: int) -> None:
    """For parts of any number of row groups of any size (none included), the byte copy is
    the file a ParquetWriter writes from the parts' rows, and it reads back as their rows."""
    tmp = tmp_path_factory.mktemp("concat")
    paths = [_write(tmp / f"{k}.parquet", [_rows(seed + k * 100 + i, n) for i, n in
                                           enumerate(sizes)]) for k, sizes in enumerate(groups)]
    rows = parquet.concatenate(paths, tmp / "copied.parquet", CREATED_BY)
    assert rows == sum(map(sum, groups))
    copied = (tmp / "copied.parquet").read_bytes()
    assert copied == _rewritten(paths, tmp / "rewritten.parquet")
    assert _values(tmp / "copied.parquet") == [v for p in paths for v in _values(p)]


def test_a_footer_reads_and_writes_back_the_same_bytes(tmp_path: Path) -> None:
    """Reading a footer and writing it again gives its bytes (the Thrift round trip)."""
    path = _write(tmp_path / "a.parquet", [_rows(1, 30), _rows(2, 20)])
    footer, end = parquet.read_footer(path)
    data = path.read_bytes()
    out = bytearray()
    parquet.write_struct(out, footer)
    assert bytes(out) == data[end:-8]
    assert int.from_bytes(data[-8:-4], "little") == len(out)


def test_what_cannot_be_moved_is_written_again(tmp_path: Path) -> None:
    """Parts with a page index, or written by another Parquet library, or none at all:
    concatenate declines (writing nothing), and the records' concatenation then writes
    the rows again, into a file that holds them."""
    plain = _write(tmp_path / "plain.parquet", [_rows(3, 10)])
    indexed = _write(tmp_path / "indexed.parquet", [_rows(4, 10)], write_page_index=True)
    out = tmp_path / "out.parquet"
    assert parquet.concatenate([plain, indexed], out, CREATED_BY) is None
    assert parquet.concatenate([plain], out, b"parquet-cpp-arrow version 0.0.1") is None
    assert parquet.concatenate([], out, CREATED_BY) is None
    assert not out.exists()
    assert rec._concat_parquet([plain, indexed], out, "contacts") == 20
    assert _values(out) == _values(plain) + _values(indexed)


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    """A truncated part is refused with the file's name, not read as a footer."""
    path = _write(tmp_path / "a.parquet", [_rows(5, 10)])
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match=r"cut\.parquet: not a Parquet file"):
        parquet.read_footer(cut)


def _coded(table: Any) -> Any:
    """*table* as a part writes it: each name column a dictionary array of codes."""
    import numpy as np

    arrays = []
    for column in COLUMNS:
        values = table.column(column.name).to_pylist()
        if column.kind == "str":
            names = list(dict.fromkeys(["web", *values]))  # a code unused in some tables
            codes = np.array([names.index(v) for v in values], dtype=np.int64)
            arrays.append(rec._dictionary_array(codes, names, False))
        else:
            arrays.append(table.column(column.name).combine_chunks())
    return pa.Table.from_arrays(arrays, schema=arrow_schema(COLUMNS, dictionaries=True))


@hsettings(max_examples=12, deadline=None)
@given(groups=st.lists(st.lists(st.integers(1, 40), max_size=3), min_size=1, max_size=3),
       seed=st.integers(0, 2**16))
def test_parts_of_dictionaries_make_the_file_of_names(
        tmp_path_factory: pytest.TempPathFactory, groups: list[list[int]], seed: int) -> None:
    """Parts whose names are dictionary arrays (as the records write them), put together,
    are the bytes of the same rows written as strings: the same pages, and the footer's
    Arrow schema set to the table's."""
    tmp = tmp_path_factory.mktemp("dictionaries")
    tables = [[_rows(seed + k * 100 + i, n) for i, n in enumerate(sizes)]
              for k, sizes in enumerate(groups)]
    parts = []
    for k, part in enumerate(tables):
        writer = rec._ParquetWriter(tmp / f"{k}.parquet",
                                    arrow_schema(COLUMNS, dictionaries=True), COLUMNS)
        for table in part:
            writer.write(_coded(table))
        writer.close()
        parts.append(tmp / f"{k}.parquet")
    rows = rec._concat_parquet(parts, tmp / "records.parquet", "contacts")
    assert rows == sum(map(sum, groups))
    strings = [_write(tmp / f"s{k}.parquet", part) for k, part in enumerate(tables)]
    assert (tmp / "records.parquet").read_bytes() == _rewritten(strings, tmp / "s.parquet")
