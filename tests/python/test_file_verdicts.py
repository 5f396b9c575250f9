"""File-level verdicts: a file that is not gzip or UTF-8 JSON text, a temporary file and a file the
glob cannot name each get one row in audit.quarantined_files (file, reason, size); the unloadable
ones stop the build, naming each, unless allow_bad_files is true; none adds a line anywhere."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
from pathlib import Path

import pytest
from conftest import Build, run_dbt_build
from fixtures.hostile_cases import event
from test_hostile_input import reader

GOOD = event("session_started", session="s-good", eventId="v-good") + b"\n"
TEXT = b"".join(
    event("session_started", session=f"s-{n}", eventId=f"v-{n}") + b"\n" for n in range(20)
)
# A real zstd frame of TEXT's first line would need a zstd package; the magic bytes and a
# frame header are what the reader looks at.
ZSTD = b"\x28\xb5\x2f\xfd\x24\x3e\xf1\x01\x00" + TEXT[:40]

# file name -> (bytes, reason)
UNLOADABLE = {
    "day/zstd.jsonl.zst": (ZSTD, "unsupported_compression"),
    "day/bzip2.jsonl.bz2": (bz2.compress(TEXT), "unsupported_compression"),
    "day/xz.jsonl.xz": (lzma.compress(TEXT), "unsupported_compression"),
    "day/misnamed-gzip.jsonl": (gzip.compress(TEXT), "gzip_not_named_gz"),
    "day/utf16-bom.jsonl": (TEXT.decode().encode("utf-16"), "not_utf8_text"),
    "day/utf16-no-bom.jsonl": (TEXT.decode().encode("utf-16-le"), "not_utf8_text"),
    "day/binary.jsonl": (bytes(range(128, 256)) * 40, "not_utf8_text"),
    "day/truncated.jsonl.gz": (gzip.compress(TEXT * 50)[:-30], "corrupt_gzip"),
}
TEMPORARY = ["day/upload.jsonl.tmp", "day/upload.jsonl.part", "day/.part-4.jsonl.Xk3p9Q"]
# Names DuckDB's glob never lists: bytes that are not UTF-8, a backslash, upper case.
UNNAMED = {
    b"day/bad-\xff-name.jsonl": "unreadable_name",
    b"day/back\\slash.jsonl": "unreadable_name",
    b"day/part.JSONL.GZ": "name_case_mismatch",
}


def write(events: Path, name: str | bytes, data: bytes) -> Path:
    path = Path(
        events, name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(bytes(path) if isinstance(name, bytes) else path, "wb") as handle:
        handle.write(data)
    return path


def build(work: Path, events: Path, **extra: object) -> Build:
    return run_dbt_build(
        work,
        {"raw_events_glob": f"{events}/**/*.jsonl*", "workflow_creations_glob": "", **extra},
        select="+models/audit",
    )


def quarantined_files(result: Build, events: Path) -> set[tuple]:
    return {
        (name.replace(f"{events}/", ""), reason, size, disposition)
        for name, reason, size, disposition in result.query(
            "select source_file, reason, size_bytes, disposition from audit.quarantined_files"
        )
    }


def test_unloadable_files_stop_the_build_or_are_recorded(tmp_path: Path) -> None:
    events = tmp_path / "events"
    write(events, "day/good.jsonl", GOOD)
    for name, (data, _) in UNLOADABLE.items():
        write(events, name, data)
    for name in TEMPORARY:
        write(events, name, GOOD[:-10])  # cut off, as a copy still being written

    stopped = build(tmp_path / "1", events)
    assert stopped.returncode != 0
    assert f"{len(UNLOADABLE)} raw event file(s) cannot be loaded as JSON lines" in stopped.output
    for name, (_, reason) in UNLOADABLE.items():
        assert f"{events}/{name} ({reason}: " in stopped.output
    assert "Note: skipped 3 temporary or partial file(s)" in stopped.output

    allowed = build(tmp_path / "2", events, allow_bad_files=True, max_quarantine_rate=1)
    assert allowed.returncode == 0, allowed.output[-4000:]
    assert quarantined_files(allowed, events) == {
        *((name, reason, len(data), "quarantined") for name, (data, reason) in UNLOADABLE.items()),
        *((name, "temporary_file", len(GOOD) - 10, "skipped") for name in TEMPORARY),
    }
    # Only the good file's line reached the verdicts; the bad files are listed, with no line.
    assert allowed.query(
        "select source_file, count(*) from staging.base_workbench__validated_lines group by 1"
    ) == [(f"{events}/day/good.jsonl", 1)]
    assert allowed.query("select count(*) from audit.quarantined_events") == [(0,)]
    assert allowed.query(
        "select count(*) from staging.base_workbench__raw_files where source_file like '%tmp'"
        " or source_file like '%.part' or source_file like '%Xk3p9Q'"
    ) == [(0,)]
    hashes = dict(allowed.query("select source_file, content_sha256 from audit.quarantined_files"))
    assert hashes[f"{events}/day/xz.jsonl.xz"] == reader.file_sha256(
        str(events / "day/xz.jsonl.xz")
    )


def test_files_the_glob_cannot_name_are_found(tmp_path: Path) -> None:
    events = tmp_path / "events"
    write(events, "day/good.jsonl", GOOD)
    for name in UNNAMED:
        write(events, name, GOOD)

    stopped = build(tmp_path / "1", events)
    assert stopped.returncode != 0
    assert "3 file(s) under raw_events_glob cannot be listed by name" in stopped.output
    for name, reason in UNNAMED.items():
        assert f"{events}/{name.decode('utf-8', 'backslashreplace')} ({reason}: " in stopped.output

    # DuckDB cannot list a folder holding a name that is not UTF-8: that one always stops.
    still = build(tmp_path / "2", events, allow_bad_files=True)
    assert still.returncode != 0
    assert "1 file(s) under raw_events_glob cannot be listed by name" in still.output
    assert "bad-\\xff-name.jsonl (unreadable_name: " in still.output

    os.unlink(bytes(events) + b"/day/bad-\xff-name.jsonl")
    allowed = build(tmp_path / "3", events, allow_bad_files=True)
    assert allowed.returncode == 0, allowed.output[-4000:]
    assert quarantined_files(allowed, events) == {
        (name.decode(), reason, len(GOOD), "quarantined")
        for name, reason in UNNAMED.items()
        if b"\xff" not in name
    }
    assert allowed.query("select count(*) from staging.base_workbench__events") == [(1,)]


def test_reader_records_an_unreadable_file(tmp_path: Path) -> None:
    """A path that cannot be opened as a file (here a folder; as root, permissions never stop a
    read) gets the verdict `unreadable`, and no line."""
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    verdict: dict = {}
    assert list(reader._file_batches(str(folder), "folder.jsonl", None, 4096, verdict)) == []
    assert verdict["reason"] == "unreadable"
    assert "Is a directory" in verdict["detail"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(data, reason) for data, reason in UNLOADABLE.values()]
    + [(TEXT.replace(b"s-1", b"s-\xff"), None), (b"\xef\xbb\xbf" + TEXT, None)],
    ids=[*UNLOADABLE, "a-few-bad-bytes", "utf8-bom"],
)
def test_reader_verdicts_by_content(tmp_path: Path, data: bytes, reason: str | None) -> None:
    """By content, not name, except that gzip must be named .gz; a UTF-8 file with a few bad
    bytes is read line by line (its bad lines are quarantined one by one)."""
    name = next((n for n, (d, _) in UNLOADABLE.items() if d == data), "day/text.jsonl")
    path = write(tmp_path, name, data)
    verdict: dict = {}
    batches = list(reader._file_batches(str(path), name, None, len(data), verdict))
    assert verdict.get("reason") == reason
    if reason is None:
        assert sum(len(batch) for batch in batches) == 20
