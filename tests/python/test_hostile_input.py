"""Hostile and broken input: every case of tests/python/fixtures/hostile_cases.py gets
its exact fate, and never costs another line of the same file; broken files and settings that
could inject SQL stop the build with a message naming the file or the setting.

The line reader's byte handling is also tested directly (no dbt build), which is fast and shows
what the SQL models are given.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import ROOT, Build, load_script, run_dbt_build
from fixtures.hostile_cases import (
    BOM,
    BROKEN_FILES,
    EXPECTED_OCCURRED_AT,
    EXPECTED_PROPERTY_ISSUES,
    HOSTILE_FILES,
    all_cases,
    event,
    write_hostile_files,
)

NO_CSV = {"workflow_creations_glob": ""}
READER_PATH = (
    ROOT / "engines" / "duckdb" / "staging" / "workbench" / "base" / "base_workbench__raw_lines.py"
)


reader = load_script(READER_PATH)
plugin = load_script(ROOT / "plugins" / "workbench_duckdb.py")


def digest(text: str) -> tuple[int, str]:
    """Length and md5 of a text: compares 10 MB lines without printing them on failure."""
    return len(text), hashlib.md5(text.encode()).hexdigest()


# --- the reader alone -------------------------------------------------------------------------


def split(data: bytes) -> list[tuple[str, bool]]:
    lines, valid = reader._split_lines(data)
    return list(zip(lines.to_pylist(), valid.to_pylist(), strict=True))


def read_bytes(path: Path, source_file: str) -> bytes:
    """A file's bytes as the reader hands them to the line splitter, all pieces joined."""
    return b"".join(reader._read_chunks(str(path)))


def test_reader_marks_nul_and_invalid_utf8_and_keeps_the_other_lines() -> None:
    # Valid UTF-8 with a NUL (the fast path) and invalid UTF-8 (the line-by-line path).
    assert split(b'{"a":1}\n{"a":"\x00"}\n{"b":2}') == [
        ('{"a":1}', True),
        ('{"a":"\ufffd"}', False),
        ('{"b":2}', True),
    ]
    assert split(b'{"a":1}\n\xff\x00\n{"b":"\xc3\xa9"}\n') == [
        ('{"a":1}', True),
        ("\ufffd\ufffd", False),
        ('{"b":"é"}', True),
        ("", True),
    ]


def test_reader_drops_a_leading_bom_only(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl.gz"
    path.write_bytes(gzip.compress(BOM + b"a\n" + BOM + b"b\n"))
    assert read_bytes(path, "bom.jsonl.gz") == b"a\n" + BOM + b"b\n"


def test_reader_reads_a_zero_byte_gz_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl.gz"
    path.write_bytes(b"")
    assert read_bytes(path, "empty.jsonl.gz") == b""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (gzip.compress(b'{"a":1}\n' * 500)[:-30], "truncated"),
        (b'{"a":1}\n', "not a gzip file (it starts with b'{\"a\":1}\\n'"),
        (gzip.compress(b'{"a":1}\n') + b"junk", "followed by bytes that are not gzip"),
        (gzip.compress(b'{"a":1}\n')[:-8] + b"\0\0\0\0" + gzip.compress(b"")[-4:], "corrupt"),
    ],
    ids=["truncated", "not-gzip", "trailing-junk", "bad-crc"],
)
def test_reader_explains_a_broken_gz(tmp_path: Path, data: bytes, words: str) -> None:
    path = tmp_path / "part.jsonl.gz"
    path.write_bytes(data)
    with pytest.raises(reader.FileRejected) as caught:
        read_bytes(path, "date=x/part.jsonl.gz")
    assert caught.value.reason == "corrupt_gzip"
    assert words in caught.value.detail


def test_reader_blocks_keep_line_numbers_across_block_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory follows the block size, not the file: a file cut into many small blocks gives the
    same lines, numbers and verdicts as one read whole, a line longer than a block included."""
    lines = [b'{"n":%d}' % n for n in range(200)]
    lines[7] = b" \t"  # blank: no row, but it keeps its number
    lines[50] = b'{"long":"' + b"x" * 300 + b'"}'
    lines[99] = b'{"bad":"\xff"}'
    data = BOM + b"\r\n".join(lines) + b"\n"
    path = tmp_path / "blocks.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    expected = [
        (number, line.decode("utf-8", errors="replace"), number != 100)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    monkeypatch.setattr(reader, "BLOCK_BYTES", 64)
    batches = list(reader._file_batches(str(path), "blocks.jsonl.gz", None, path.stat().st_size))
    assert len(batches) > 20
    rows = [
        (number, line, valid)
        for batch in batches
        for number, line, valid in zip(
            batch["line_number"].to_pylist(),
            batch["raw_line"].to_pylist(),
            batch["is_valid_utf8"].to_pylist(),
            strict=True,
        )
    ]
    assert rows == expected


def test_reader_groups_lines_by_event_and_keeps_every_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines go to DuckDB ordered by event (spaces ignored), about BLOCK_BYTES at a time of
    one file or several: the same rows, each with its own file and line number."""
    monkeypatch.setattr(reader, "BLOCK_BYTES", 150)
    files = {
        "a.jsonl": ['{"event":"workbench.x","n":1}', '{"event": "workbench.a"}', "not json"],
        "b.jsonl": ['{"event":"workbench.a","n":2}', '{ "event" : "workbench.x" }'],
        "c.jsonl": ['{"event":"workbench.b"}'] * 3,
    }
    batches = [
        reader._batch(
            name,
            None,
            pa.array(range(1, len(lines) + 1), pa.int64()),
            pa.array(lines, pa.large_string()),
            pa.array([True] * len(lines)),
        )
        for name, lines in files.items()
    ]
    grouped = list(reader._grouped_by_event(iter(batches)))
    rows = [
        (row["source_file"], row["line_number"], row["raw_line"])
        for batch in grouped
        for row in batch.to_pylist()
    ]
    expected = [
        (name, number, line)
        for name, lines in files.items()
        for number, line in enumerate(lines, start=1)
    ]
    assert sorted(rows) == sorted(expected)
    # Two groups (the first two files reach BLOCK_BYTES), each in event order.
    assert [[row[2].replace(" ", "")[:22] for row in rows[:5]], len(rows[5:])] == [
        [
            "notjson",
            '{"event":"workbench.a"',
            '{"event":"workbench.a"',
            '{"event":"workbench.x"',
            '{"event":"workbench.x"',
        ],
        3,
    ]


def run_reader(paths: list[Path]) -> tuple[list[tuple], list[tuple]]:
    """The reader as a first build runs it, on a DuckDB session that has the table of lines dbt's
    connection gets (plugins/workbench_duckdb.py, here in memory): (the lines it wrote there, as
    (source_file, line_number, raw_line), the file rows it returned for the warehouse, as
    (source_file, line_number, raw_line))."""
    rows = [(path.name, str(path), None, path.stat().st_size) for path in paths]

    class Files:
        def filter(self, _):
            return self

        def select(self, _):
            return self

        def order(self, _):
            return self

        def fetchall(self):
            return rows

    class Config:
        def __call__(self, **_):
            pass

        def get(self, _):
            return None

    class Dbt:
        is_incremental = False
        config = Config()

        def ref(self, _):
            return Files()

    with duckdb.connect() as session:
        session.execute("attach ':memory:' as build_lines")
        session.execute(plugin.RAW_LINES_DDL)
        table = reader.model(Dbt(), session)
        lines = session.execute(
            "select source_file, line_number, raw_line from build_lines.main.raw_lines order by all"
        ).fetchall()
    columns = ("source_file", "line_number", "raw_line")
    file_rows = list(zip(*(table[c].to_pylist() for c in columns), strict=True))
    return lines, file_rows


def test_reader_records_every_file_read_and_writes_no_line_to_the_warehouse(tmp_path: Path) -> None:
    """A file whose lines are all blank has no line row, but every file read has its row
    (line_number 0, no text), the only rows the warehouse gets: the lines go to the scratch
    database's table."""
    (tmp_path / "blank.jsonl").write_bytes(BOM + b"\n  \n\t\r\n")
    (tmp_path / "one.jsonl").write_bytes(b'{"a":1}\n')
    lines, file_rows = run_reader([tmp_path / "blank.jsonl", tmp_path / "one.jsonl"])
    assert lines == [("one.jsonl", 1, '{"a":1}')]
    assert file_rows == [("blank.jsonl", 0, None), ("one.jsonl", 0, None)]


# --- the whole fixture through dbt -------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    work = tmp_path_factory.mktemp("hostile")
    events = work / "events"
    write_hostile_files(events)
    build = run_dbt_build(
        work,
        {"raw_events_glob": f"{events}/**/*.jsonl*", "max_quarantine_rate": 1, **NO_CSV},
        select="+models/audit",
    )
    assert build.returncode == 0, build.output[-4000:]
    return build, events


def test_quarantined_lines_have_exact_reasons_and_text(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {
        (f"{events}/{name}", number): (case.expect, digest(case.text))
        for name, number, case in all_cases()
        if case.expect not in {"accepted", "blank"}
    }
    actual = {
        (source_file, line_number): (reasons, digest(raw_line))
        for source_file, line_number, reasons, raw_line in build.query(
            "select source_file, line_number, reasons, raw_line from audit.quarantined_events"
        )
    }
    assert actual == expected


def test_accepted_lines_have_their_event_ids(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {
        (f"{events}/{name}", number, case.event_id)
        for name, number, case in all_cases()
        if case.expect == "accepted"
    }
    actual = set(
        build.query(
            "select source_file, line_number, event_id from staging.base_workbench__validated_lines"
            " where is_valid and not is_duplicate"
        )
    )
    assert actual == expected


def test_reconciliation_per_file(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {}
    for name, spec in HOSTILE_FILES.items():
        counted = [case for case in spec.cases if case.expect != "blank"]
        accepted = sum(case.expect == "accepted" for case in counted)
        expected[f"{events}/{name}"] = (len(counted), accepted, 0, len(counted) - accepted)
    actual = {
        row[0]: row[1:]
        for row in build.query(
            "select source_file, lines_read, events_accepted, duplicates_dropped,"
            " events_quarantined from audit.load_reconciliation"
        )
    }
    assert actual == expected
    # The empty, BOM-only and blank-only files are listed with nothing in them.
    assert expected[f"{events}/date=2026-03-04/empty.jsonl.gz"] == (0, 0, 0, 0)


def test_ten_megabyte_lines_are_kept_whole(tmp_path: Path) -> None:
    """The reader keeps a 10 MB line whole (read here, in the table of lines the validation
    reads, before any build judges and forgets it)."""
    name = "date=2026-03-03/big.jsonl"
    events = tmp_path / "events"
    write_events(events, {name: HOSTILE_FILES[name].content()})
    lines, _ = run_reader([events / name])
    lengths = [(number, len(line)) for _, number, line in lines]
    cases = HOSTILE_FILES[name].cases
    assert lengths == [(n, len(case.raw)) for n, case in enumerate(cases, start=1)]
    assert lengths[0][1] > 10 * 1024 * 1024


def test_typed_values_of_hostile_lines(built: tuple[Build, Path]) -> None:
    build, _ = built
    rows = build.query(
        "select event_id, session_id, strftime(occurred_at, '%Y-%m-%d %H:%M:%S.%f'),"
        " cast(duration_ms as varchar), cast(message_length as varchar), referrer"
        " from staging.base_workbench__events"
    )
    by_id = {row[0]: row[1:] for row in rows}
    for event_id, occurred_at in EXPECTED_OCCURRED_AT.items():
        assert by_id[event_id][1] == occurred_at, event_id
    # The largest unsigned 64-bit integer is an id, kept as its decimal text.
    assert by_id["h-id-max"][0] == "18446744073709551615"
    # JSON integers are counts without going through a double.
    assert by_id["h-count-max"][2] == "9223372036854775807"
    assert by_id["h-count-2e53"][3] == "9007199254740993"
    # Text is kept as sent: U+FEFF inside a value, non-ASCII, an escaped \u0000.
    assert by_id["h-feff"][4] == "a\ufeffb"
    assert by_id["h-utf-2"][4] == "café ☕ 🚀"
    assert by_id["h-nul-esc"][4] == "a\x00b"
    # A key at the top level and in `properties` is no duplicate key: the top level wins.
    assert by_id["h-dup-ok"][0] == "s-h-dup"


def test_property_issues(built: tuple[Build, Path]) -> None:
    build, _ = built
    rows = set(build.query("select event_id, property_key, issue from audit.property_issues"))
    assert rows == EXPECTED_PROPERTY_ISSUES


# --- file-level stops ------------------------------------------------------------------------


def write_events(events: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = events / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


GOOD_FILE = event("session_started", session="s-good", eventId="h-good") + b"\n"


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_broken_file_stops_the_build_naming_it(tmp_path: Path, name: str) -> None:
    data, words = BROKEN_FILES[name]
    events = tmp_path / "events"
    write_events(events, {"date=2026-03-05/good.jsonl": GOOD_FILE, f"date=2026-03-05/{name}": data})
    build = run_dbt_build(
        tmp_path, {"raw_events_glob": f"{events}/**/*.jsonl*", **NO_CSV},
        select="+base_workbench__raw_lines",
    )  # fmt: skip
    assert build.returncode != 0
    assert f"{events}/date=2026-03-05/{name} (corrupt_gzip: " in build.output
    for word in words:
        assert word in build.output


def test_the_way_out_of_a_broken_file_works(tmp_path: Path) -> None:
    """The message says: replace the file (or move it away), then build again; the file was
    never loaded, so a plain build reads the new copy."""
    events = tmp_path / "events"
    broken = "date=2026-03-05/truncated.jsonl.gz"
    write_events(events, {"date=2026-03-05/good.jsonl": GOOD_FILE, broken: BROKEN_FILES[
        "truncated.jsonl.gz"][0]})  # fmt: skip
    dbt_vars = {"raw_events_glob": f"{events}/**/*.jsonl*", **NO_CSV}
    db = tmp_path / "wh.duckdb"
    select = "+base_workbench__validated_lines"
    first = run_dbt_build(tmp_path / "one", dbt_vars, db_path=db, select=select)
    assert first.returncode != 0
    assert "truncated" in first.output

    fixed = event("session_started", session="s-fixed", eventId="h-fixed") + b"\n"
    (events / broken).write_bytes(gzip.compress(fixed))
    second = run_dbt_build(tmp_path / "two", dbt_vars, db_path=db, select=select)
    assert second.returncode == 0, second.output[-3000:]
    assert second.query(
        "select source_file, line_number, event_id from staging.base_workbench__validated_lines"
        " order by 1"
    ) == [
        (f"{events}/date=2026-03-05/good.jsonl", 1, "h-good"),
        (f"{events}/{broken}", 1, "h-fixed"),
    ]


def test_an_empty_file_pruned_after_loading_is_not_read_again(tmp_path: Path) -> None:
    """An empty file adds no line, so later builds are handed it again; it is not opened, so a
    landing zone may prune it."""
    events = tmp_path / "events"
    dbt_vars = {"raw_events_glob": f"{events}/**/*.jsonl*", **NO_CSV}
    db = tmp_path / "wh.duckdb"
    select = "+base_workbench__validated_lines"
    write_events(events, {"date=2026-03-05/good.jsonl": GOOD_FILE})
    assert run_dbt_build(tmp_path / "1", dbt_vars, db_path=db, select=select).returncode == 0
    # A blank-only file gives no verdict either; the build judged it all the same.
    write_events(events, {"date=2026-03-06/empty.jsonl": b"", "date=2026-03-06/blank.jsonl": b"\n"})
    assert run_dbt_build(tmp_path / "2", dbt_vars, db_path=db, select=select).returncode == 0
    (events / "date=2026-03-06/empty.jsonl").unlink()
    (events / "date=2026-03-06/blank.jsonl").unlink()
    later = event("session_started", session="s-later", eventId="h-later") + b"\n"
    write_events(events, {"date=2026-03-07/later.jsonl": later})
    third = run_dbt_build(tmp_path / "3", dbt_vars, db_path=db, select=select)
    assert third.returncode == 0, third.output[-3000:]
    assert third.query("select count(*) from staging.base_workbench__validated_lines") == [(2,)]


# --- settings that end up in SQL -------------------------------------------------------------

# The models whose SQL holds each setting: none of them may be built with a refused value.
READERS = {
    "raw_events_glob": {"base_workbench__load_settings", "base_workbench__raw_files"},
    "workflow_creations_glob": {"stg_workflow_creations__files", "stg_workflow_creations__rows"},
}
INJECTIONS = {
    "a quote": ("x'; create schema injected; --", "contains a single quote"),
    "a semicolon": ("x/*.jsonl; create schema injected", "contains a semicolon"),
}


@pytest.mark.parametrize("setting", ["raw_events_glob", "workflow_creations_glob"])
@pytest.mark.parametrize("kind", sorted(INJECTIONS))
def test_setting_with_quote_or_semicolon_is_refused(
    tmp_path: Path, setting: str, kind: str
) -> None:
    events = tmp_path / "events"
    write_events(events, {"date=2026-03-05/good.jsonl": GOOD_FILE})
    value, words = INJECTIONS[kind]
    dbt_vars = {"raw_events_glob": f"{events}/*/*.jsonl", **NO_CSV, setting: f"{tmp_path}/{value}"}
    build = run_dbt_build(tmp_path, dbt_vars, select="+models/audit")
    assert build.returncode != 0
    assert f"Setting {setting} = <{tmp_path}/{value}> {words}" in build.output
    assert "which is not allowed in a path or glob" in build.output
    # Nothing the value says was executed, and no model that reads the setting was built.
    if build.db_path.exists():
        schemas = {row[0] for row in build.query("select schema_name from duckdb_schemas()")}
        assert "injected" not in schemas
        tables = {row[0] for row in build.query("select table_name from duckdb_tables()")}
        assert not tables & READERS[setting]
