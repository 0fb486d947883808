"""Per-issue and per-contact records: they agree with the summary, they are the same byte for
byte however the units ran, they stream in batches, resume, and fall back to CSV."""

from __future__ import annotations

import json
import math
import struct
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import sim
import sim.api
from sim import compile_world, resolve_designs, run_experiment
from sim.errors import SimError
from sim.experiment import records as rec
from sim.experiment.records import CONTACT_COLUMNS, ISSUE_COLUMNS, RecordParts, read_records
from sim.experiment.runner import UnitStore
from sim.scenario import parse_scenario

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

#: The example scenario (app, then a voice queue) with a warm-up: 3 hours, the first
#: discarded.
TEXT = sim.api.EXAMPLE_SCENARIO.replace('horizon = "2h"', 'horizon = "3h"\nwarmup = "1h"')


def _world(text: str = TEXT) -> tuple[Any, Any]:
    import tomllib

    scenario = parse_scenario(tomllib.loads(text))
    return compile_world(scenario), resolve_designs(scenario)


def _run(folder: Path, jobs: int = 1, fmt: str | None = None, replications: int = 2,
         store: UnitStore | None = None, flush: int | None = None,
         monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[Any, dict[str, Any]]:
    """Run the example into *folder*; (results, what RecordParts.write said)."""
    if flush is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(rec, "FLUSH_ROWS", flush)
    world, designs = _world()
    parts = RecordParts(folder / ".units" / "records", fmt)
    results = run_experiment(world, designs, replications, 5, jobs=jobs, records=parts,
                             store=store, progress=False)
    info = parts.write(folder)
    (folder / "manifest.json").write_text(json.dumps({"records": info}))
    return results, info


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, dict[str, Any]]:
    """The example, two replications of both designs, run serially with records."""
    folder = tmp_path_factory.mktemp("serial")
    results, info = _run(folder)
    return folder, results, info


def test_issue_rows_add_up_to_the_summary(serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """Per design and replication, the issue rows give the summary's counts and means."""
    folder, results, _ = serial
    issues = read_records(folder, "issues")
    assert not issues.empty
    for (design, r), rows in issues.groupby(["design", "replication"]):
        out = results[design][r]
        n = len(rows)
        assert n == out["issues"]
        assert (rows["ending"] == "open").sum() == out["open_issues"]
        ended = rows[rows["ending"] != "open"]
        assert math.isclose((ended["ending"] == "resolved").mean(), out["resolution_rate"])
        assert math.isclose((ended["ending"] == "give_up_in_queue").mean(),
                            out["give_up_in_queue"])
        assert math.isclose(rows["contacts"].sum() / n, out["contacts_per_issue"])
        assert math.isclose(rows["repetitions"].sum() / n, out["repetitions_per_issue"])
        assert math.isclose(rows["agent_minutes"].sum() / n, out["agent_minutes_per_issue"])
        resolved = ended[ended["ending"] == "resolved"]
        ttr = (resolved["ended"] - resolved["arrived"]).mean()
        assert math.isclose(ttr, out["time_to_resolution"])


def test_only_measured_issues_have_rows(serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """Every issue arrived after the warm-up (60 min) and ended, if it did, after it."""
    folder, _, _ = serial
    issues = read_records(folder, "issues")
    assert issues["arrived"].min() >= 60.0
    assert (issues["ended"].dropna() >= issues["arrived"][issues["ended"].notna()]).all()
    assert issues["ended"].isna().sum() == (issues["ending"] == "open").sum()


def test_contact_rows_belong_to_their_issues(serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """Each issue has contacts 1..n rows; their waits, repetitions and agent minutes add up
    to the issue's; times are in order."""
    folder, _, _ = serial
    issues = read_records(folder, "issues").set_index(["design", "replication", "issue"])
    contacts = read_records(folder, "contacts")
    key = ["design", "replication", "issue"]
    per = contacts.groupby(key)
    assert (per["contact"].max() == per.size()).all()
    assert (per["contact"].min() == 1).all()
    joined = issues.join(per.agg(n=("contact", "size"), waits=("wait", "sum"),
                                 reps=("repetitions", "sum"), minutes=("agent_minutes", "sum")))
    joined = joined.fillna({"n": 0, "waits": 0.0, "reps": 0, "minutes": 0.0})
    assert (joined["n"] == joined["contacts"]).all()
    assert np.allclose(joined["waits"], joined["wait"])
    assert (joined["reps"] == joined["repetitions"]).all()
    assert np.allclose(joined["minutes"], joined["agent_minutes"])
    queued = contacts[contacts["queued"].notna()]
    assert (queued["channel"] == "voice").all() and queued["answered"].notna().all()
    served = contacts[contacts["started"].notna() & contacts["ended"].notna()]
    assert (served["started"] <= served["ended"]).all()
    answered = contacts[contacts["answered"].fillna(False).astype(bool)]
    assert answered["pool"].eq("voice").all() and answered["agent"].between(0, 3).all()
    assert set(contacts["outcome"]) <= {"resolved", "failed", "abandoned", "unresolved",
                                        "dropped", "open"}
    assert (contacts["facts_asked"] + contacts["facts_read"] <= 2).all()  # two facts


def test_unified_history_reads_what_siloed_asks(serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """The voice agent reads facts under a unified history and asks them again under siloed."""
    folder, _, _ = serial
    voice = read_records(folder, "contacts").query("channel == 'voice'")
    by = voice.groupby("design")[["facts_read", "repetitions"]].sum()
    assert by.loc["unified-history", "facts_read"] > 0 == by.loc["siloed", "facts_read"]
    assert by.loc["siloed", "repetitions"] > 0 == by.loc["unified-history", "repetitions"]


def test_parallel_run_writes_the_same_bytes(serial: tuple[Path, Any, dict[str, Any]],
                                            tmp_path: Path) -> None:
    """Two processes write issues.parquet and contacts.parquet byte for byte as one did,
    a second later (nothing in the files depends on the clock)."""
    folder, _, info = serial
    time.sleep(1.1)
    _, again = _run(tmp_path, jobs=2)
    assert again == info
    for name in info["files"]:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(folder / "issues.parquet").metadata
    assert set(meta.metadata or {}) == {b"ARROW:schema"}


def test_batches_stream_and_concatenate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """With a batch of 50 rows each part is written in row groups of at most 50 rows, and
    the concatenated tables equal those written in one batch."""
    import pyarrow.parquet as pq

    folder, _, info = serial
    _, small = _run(tmp_path, flush=50, monkeypatch=monkeypatch)
    assert small == info
    meta = pq.ParquetFile(tmp_path / "contacts.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert max(sizes) == 50 and meta.num_row_groups >= info["rows"]["contacts"] // 50
    for table in ("issues", "contacts"):
        pd.testing.assert_frame_equal(read_records(tmp_path, table),
                                      read_records(folder, table))


def test_csv_without_pyarrow_holds_the_same_rows(tmp_path: Path,
                                                 serial: tuple[Path, Any, dict[str, Any]],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyarrow the records are CSV files with the same rows and column types."""
    monkeypatch.setattr(rec.importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyarrow" else object())
    assert rec.default_format() == "csv"
    folder, _, info = serial
    _, csv_info = _run(tmp_path)
    assert csv_info["files"] == ["issues.csv", "contacts.csv"]
    assert csv_info["rows"] == info["rows"]
    assert (tmp_path / "issues.csv").read_text().splitlines()[0] == ",".join(
        c.name for c in ISSUE_COLUMNS)
    for table in ("issues", "contacts"):
        pd.testing.assert_frame_equal(read_records(tmp_path, table),
                                      read_records(folder, table), check_dtype=False)
        types = read_records(tmp_path, table).dtypes
        assert types.equals(read_records(folder, table).dtypes)


def test_resume_runs_only_units_without_their_part(
        tmp_path: Path, serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """A resumed run keeps saved units that have their part, reruns a unit whose part is
    gone and one saved by a run without records, and writes the same files."""
    folder, _, info = serial
    world, designs = _world()
    store = UnitStore(tmp_path / ".units")
    run_experiment(world, designs[:1], 2, 5, store=store, progress=False)  # no records
    _run(tmp_path, store=store)
    parts = sorted((tmp_path / ".units" / "records").glob("*.issues.parquet"))
    assert len(parts) == 4
    parts[0].unlink()
    before = {p: p.stat().st_mtime_ns for p in parts[1:]}
    _, again = _run(tmp_path, store=store)
    assert again == info
    assert parts[0].is_file()
    assert {p: p.stat().st_mtime_ns for p in parts[1:]} == before
    for name in info["files"]:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_a_unit_that_fails_leaves_no_part(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit that raises removes its half-written part, so it is never taken as whole."""
    from sim.engine import Replication

    def broken(self: Any) -> dict[str, float]:
        raise RuntimeError("boom")

    monkeypatch.setattr(Replication, "run", broken)
    world, designs = _world()
    parts = RecordParts(tmp_path / "parts")
    with pytest.raises(RuntimeError, match="boom"):
        run_experiment(world, designs[:1], 1, 5, records=parts, progress=False)
    assert list((tmp_path / "parts").iterdir()) == []


@pytest.mark.slow  # a Dask cluster takes seconds to start; -j 2 is checked by default
def test_dask_cluster_writes_the_serial_files(tmp_path: Path,
                                              serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """Units run on a Dask cluster write their parts and give the serial files."""
    distributed = pytest.importorskip("distributed")
    folder, _, info = serial
    world, designs = _world()
    parts = RecordParts(tmp_path / "parts")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        run_experiment(world, designs, 2, 5, executor="dask", records=parts,
                       scheduler=cluster.scheduler_address, progress=False)
    assert parts.write(tmp_path) == info
    for name in info["files"]:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_api_run_with_records(tmp_path: Path) -> None:
    """sim.run(records=True) gives Study.issues and .contacts, in memory or from the folder;
    a later run without records into the same folder has none, with one clear error."""
    path = tmp_path / "tiny.toml"
    path.write_text(TEXT)
    kept = sim.run(path, replications=2, jobs=1, records=True)
    assert kept.folder is None and list(tmp_path.iterdir()) == [path]
    study = sim.run(path, replications=2, jobs=1, records=True, out=tmp_path / "out")
    pd.testing.assert_frame_equal(study.issues, kept.issues)
    assert list(study.contacts.columns) == [c.name for c in CONTACT_COLUMNS]
    assert not (tmp_path / "out" / ".units").exists()  # the API keeps no parts
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["records"]["rows"]["issues"] == len(study.issues)
    plain = sim.run(path, replications=2, jobs=1, out=tmp_path / "out")
    assert (tmp_path / "out" / "issues.parquet").is_file()  # kept from the run before …
    with pytest.raises(SimError, match=r"out: no records in this results folder \(run with "
                                       r"records=True, or omnisim run --records\)$"):
        _ = plain.issues  # … but not this run's
    with pytest.raises(SimError, match="no records"):
        _ = sim.load(tmp_path / "out").contacts


def test_every_column_is_documented() -> None:
    """docs/records.md has a row for every column of both tables, with its unit."""
    page = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    for column in (*ISSUE_COLUMNS, *CONTACT_COLUMNS):
        assert f"| `{column.name}` | {column.unit} |" in page, column.name


@hsettings(max_examples=8)
@given(seed=st.integers(0, 2**31 - 1), rate=st.sampled_from(["0.5/min", "2/min"]))
def test_records_invariants(seed: int, rate: str) -> None:
    """For any seed and load: one issue row per measured issue, its contacts numbered 1..n,
    queue times before session times before ends."""
    import tempfile

    text = TEXT.replace('rate = "1/min"', f'rate = "{rate}"')
    world, designs = _world(text)
    with tempfile.TemporaryDirectory() as tmp:
        parts = RecordParts(Path(tmp) / "parts")
        results = run_experiment(world, designs, 1, seed, records=parts, progress=False)
        info = parts.write(Path(tmp))
        (Path(tmp) / "manifest.json").write_text(json.dumps({"records": info}))
        issues, contacts = read_records(Path(tmp), "issues"), read_records(Path(tmp), "contacts")
    assert len(issues) == sum(results[d.name][0]["issues"] for d in designs)
    assert len(contacts) == issues["contacts"].sum()
    both = contacts.dropna(subset=["queued", "started"])
    assert (both["queued"] <= both["started"]).all()
    assert (contacts["ended"].dropna() >= contacts["started"].dropna().min()).all()
    assert (issues["wait"] >= 0).all() and (contacts["wait"] >= 0).all()


def _column(values: Sequence[Any], kind: str) -> Any:
    """The Arrow array a Parquet part writes for a column of *values* (``None``: empty):
    empty fields hold the null markers, numbers are packed, then read back."""
    if kind == "str":  # names coded as the part codes them, in the order they come
        names = rec._codes()
        return rec._dictionary_array(np.array([names[v] for v in values], dtype=np.int64),
                                     list(names), True)
    marker = {"float": rec.NULL_FLOAT, "int": rec.NULL_INT, "bool": rec.NULL_BOOL}[kind]
    code, dtype = rec._PACKED[kind]
    fields = [marker if v is None else v for v in values]
    packed = np.frombuffer(struct.pack(f"<{len(fields)}{code}", *fields), dtype)
    return rec._packed_array(packed, kind, True)


@pytest.mark.parametrize(("kind", "values"), [
    ("str", ("siloed", None, "Zürich ✓", "")),
    ("str", ("a", "bc", "")),
    ("int", (3, None, -1, 2**41 + 7)),
    ("float", (0.1, None, 1e300, -0.0)),
    ("bool", (True, None, False)),
])
def test_arrow_columns_hold_their_values(kind: str, values: tuple[Any, ...]) -> None:
    """A column built from its buffers reads back as the values given, nulls included."""
    array = _column(values, kind)
    array.validate(full=True)
    assert array.to_pylist() == list(values)
    assert array.null_count == values.count(None)


def test_a_nan_value_is_not_a_null() -> None:
    """In a column with nulls, a NaN value stays a value (valid, NaN), an empty field a
    null, and a null slot's data holds 0 (so that the bytes are the same on every run)."""
    for kind, values in (("float", [float("nan"), None, 2.5, None]), ("int", [None, 7, None, -3])):
        array = _column(values, kind)
        array.validate(full=True)
        assert array.is_null().to_pylist() == [v is None for v in values]
        data = np.frombuffer(array.buffers()[1], dtype=np.float64 if kind == "float" else np.int64)
        assert [float(x) for x, v in zip(data, values, strict=True) if v is None] == [0.0, 0.0]
    assert np.isnan(_column([float("nan"), None], "float")[0].as_py())
    assert math.isnan(rec.NULL_FLOAT)  # a NaN, told apart from others by its bits


@hsettings(max_examples=20)
@given(names=st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=1, max_size=4,
                      unique=True), data=st.data())
def test_coded_names_read_back_as_names(names: list[str | None], data: st.DataObject) -> None:
    """A column of indexes into a list of names (segments, intents; ``None`` a null) reads
    back as the names, equal to pyarrow's own array of the names once cast to strings; its
    dictionary holds the names used, in the order they first come (as Parquet's encoder
    makes its dictionary)."""
    codes = data.draw(st.lists(st.integers(0, len(names) - 1), min_size=1, max_size=30))
    array = rec._dictionary_array(np.array(codes, dtype=np.int64), names, False)
    array.validate(full=True)
    assert array.to_pylist() == [names[c] for c in codes]
    assert array.cast(pa.string()).equals(pa.array([names[c] for c in codes], type=pa.string()))
    first_seen = list(dict.fromkeys(names[c] for c in codes if names[c] is not None))
    assert array.dictionary.to_pylist() == first_seen


def test_every_row_group_but_the_last_is_a_whole_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        serial: tuple[Path, Any, dict[str, Any]]) -> None:
    """Rows put into a buffer of 50 (used again after each write) make row groups of
    exactly 50 rows but the last of each part, and the same tables as batches of 16,384."""
    import pyarrow.parquet as pq

    folder, _, info = serial
    _, small = _run(tmp_path, flush=50, monkeypatch=monkeypatch)
    assert small == info
    parts = sorted((tmp_path / ".units" / "records").glob("*.parquet"))
    assert len(parts) == 8
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        assert set(sizes[:-1]) <= {50} and 0 < sizes[-1] <= 50, (part.name, sizes)
    for table in ("issues", "contacts"):
        pd.testing.assert_frame_equal(read_records(tmp_path, table),
                                      read_records(folder, table))


def test_the_run_command_writes_the_records(tmp_path: Path) -> None:
    """``omnisim run --records`` (the real command) writes both files beside the summary;
    their issue rows are the summary's issues, and --equalize refuses --records in one line."""
    import subprocess
    import sys

    scenario = tmp_path / "example.toml"
    scenario.write_text(TEXT)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "-n", "2",
                           "-j", "1", "--out", str(out), "--records", "--quiet"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["records"]["files"]) == {"issues.parquet", "contacts.parquet"}
    study = sim.load(out)
    counts = study.issues.groupby(["design", "replication"]).size()
    reps = study.replications
    per_run = reps[reps["outcome"] == "issues"].set_index(["design", "replication"])["value"]
    assert len(counts) == len(per_run) == 4
    assert all(counts[key] == per_run[key] for key in per_run.index)
    refused = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--records",
                              "--equalize", "service_level>=0.8", "--out", str(tmp_path / "x")],
                             capture_output=True, text=True, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--records" in refused.stderr


#: SHA-256 of the example's records (one replication of both designs, seed 5), made by the
#: writer before its speed work (commit f89e320): CSV, and Parquet by the pyarrow version
#: that wrote it (its bytes name the writer).
BEFORE = {
    "csv": {"issues.csv": "7eea3e37faa9919968f9cf4dee8a24c518b4aefe9b9635683a5fb56e723d4e0d",
            "contacts.csv": "a1fe8727d23c8f43174dab4c670d65981c44d2428a53b1f7d6047edf2574bca8"},
    "parquet 26.0.1": {
        "issues.parquet": "64296186a8f88cfd9cbd14eb30562c2beb933faa13a2d983f467178e32734bdf",
        "contacts.parquet": "f459fb094e5126acfd359f8ad369dcc5dbd354d93fad3629a060bf1992cae84d"},
}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_records_are_the_bytes_written_before(tmp_path: Path, fmt: str) -> None:
    """The records files are byte for byte those the writer made before it was sped up."""
    import hashlib

    import pyarrow as pa

    key = fmt if fmt == "csv" else f"parquet {pa.__version__}"
    if key not in BEFORE:
        pytest.skip(f"no digest made with pyarrow {pa.__version__}")
    _, info = _run(tmp_path, fmt=fmt, replications=1)
    assert info["rows"] == {"issues": 386, "contacts": 562}
    digests = {f: hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in info["files"]}
    assert digests == BEFORE[key]


#: SHA-256 of the example's Parquet records written in row groups of 50 rows (so that a
#: row group's names differ from its part's first), made by the writer of strings before
#: the parts' names became dictionary arrays (commit 13ecd78).
BEFORE_IN_GROUPS_OF_50 = {
    "parquet 26.0.1": {
        "issues.parquet": "d8541d80002ccc2270c112442deeb68ff31d10902c94300eb8d02753d47cfa91",
        "contacts.parquet": "e0a94ae1b68fad6a8874e990f365b46aa457b60ab7e440f968ab53f1ebe588a2"},
}


def test_records_in_many_row_groups_are_the_bytes_written_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row groups of 50 rows, each with its own dictionaries of names, make the bytes the
    writer of strings made."""
    import hashlib

    import pyarrow as pa

    key = f"parquet {pa.__version__}"
    if key not in BEFORE_IN_GROUPS_OF_50:
        pytest.skip(f"no digest made with pyarrow {pa.__version__}")
    _, info = _run(tmp_path, fmt="parquet", replications=1, flush=50, monkeypatch=monkeypatch)
    digests = {f: hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in info["files"]}
    assert digests == BEFORE_IN_GROUPS_OF_50[key]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@hsettings(max_examples=20, deadline=None)
@given(counts=st.lists(st.integers(0, 2**40), min_size=1, max_size=5))
def test_a_row_put_without_its_zeros_is_the_row_with_them(fmt: str, counts: list[int]) -> None:
    """A plain contact's row, put without its zero counts, makes the file's bytes as put
    whole; a field that is not a whole number cannot be left out."""
    files = []
    folder = tempfile.TemporaryDirectory()
    for stem, zeros in (("whole", False), ("zeros", True)):
        target = rec.PartTarget(Path(folder.name), stem, fmt)
        part = rec._part(target, "contacts", CONTACT_COLUMNS, 2, {"design": "d",
                         "replication": 0}, {"touchpoint": ["voice"], "channel": ["voice"]})
        put = part.put_zeros(rec._PLAIN_ZEROS) if zeros else part.put
        for n in counts:
            row = [n, 1, 0, 0, 1.5, 0.25, True, "agents", 3, 1.75, 2.5, "resolved", 0, 0, 0,
                   0.5, 0]
            row[7] = part.named["pool"][row[7]]
            row[11] = part.named["outcome"][row[11]]
            put(part.buffer, part.at, *(v for i, v in enumerate(row)
                                        if not zeros or i not in rec._PLAIN_ZEROS))
            part.at += part.step
            if part.at >= part.end:
                part.write()
        part.close()
        files.append(target.path("contacts").read_bytes())
    folder.cleanup()
    assert files[0] == files[1]
    if fmt == "parquet":
        with pytest.raises(ValueError, match="whole-number"):
            part.put_zeros((4,))


def test_the_parts_writer_is_pyarrows(tmp_path: Path) -> None:
    """The parts' Parquet writer (``pyarrow._parquet``'s) makes the bytes
    ``pyarrow.parquet.ParquetWriter`` makes with the same options."""
    import pyarrow.parquet as pq

    world, designs = _world(TEXT.replace('horizon = "3h"', 'horizon = "80min"'))
    parts = RecordParts(tmp_path / "parts", "parquet")
    run_experiment(world, designs[:1], 1, 5, jobs=1, records=parts, progress=False)
    schema = rec.arrow_schema(CONTACT_COLUMNS)
    table = pq.read_table(parts.folder / f"{parts.stems[0]}.contacts.parquet").cast(schema)
    light = rec._ParquetWriter(tmp_path / "light.parquet", schema, CONTACT_COLUMNS)
    for batch in table.to_batches(max_chunksize=100):
        light.write(pa.Table.from_batches([batch], schema))
    light.close()
    with pq.ParquetWriter(tmp_path / "public.parquet", schema,
                          **rec._parquet_options(CONTACT_COLUMNS)) as public:
        for batch in table.to_batches(max_chunksize=100):
            public.write_batch(batch)
    assert (tmp_path / "light.parquet").read_bytes() == (tmp_path / "public.parquet").read_bytes()


@pytest.mark.slow
def test_a_run_with_records_imports_no_file_systems(tmp_path: Path) -> None:
    """A run with records, in a fresh process, imports neither ``pyarrow.parquet`` nor
    ``pyarrow.fs`` (which bring ``ssl``) to write its files, nor ``pyarrow.compute``
    (Arrow's compute kernels, which ``Array.take`` would bring: 0.73·10^9 instructions
    more, once, by ``benchmarks/instructions.py --records``)."""
    import subprocess
    import sys

    script = (
        "import sys, tomllib; from pathlib import Path\n"
        "from sim import compile_world, resolve_designs, run_experiment\n"
        "from sim.api import EXAMPLE_SCENARIO\n"
        "from sim.experiment.records import RecordParts\n"
        "from sim.scenario import parse_scenario\n"
        "s = parse_scenario(tomllib.loads(EXAMPLE_SCENARIO.replace('\"2h\"', '\"20min\"')))\n"
        "parts = RecordParts(Path(sys.argv[1]) / 'parts', 'parquet')\n"
        "run_experiment(compile_world(s), resolve_designs(s)[:1], 1, 1, jobs=1, records=parts,"
        " progress=False)\n"
        "parts.write(Path(sys.argv[1]))\n"
        "print(sorted(m for m in ('pyarrow', 'pyarrow.parquet', 'pyarrow.fs', 'pyarrow.compute',"
        " 'ssl')"
        " if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "['pyarrow']"
    assert (tmp_path / "contacts.parquet").stat().st_size > 0
