"""File-level recovery keeps history: a landing zone that prunes files, a broken delivery, a
changed or replaced file and a file to drop are each fixed per file, and no step (a plain build,
--full-refresh, reload_files, forget_files) loses the events of files that are gone.

The files are the golden fixture's two days: A (Feb 28, session s-a) and B (Mar 1, s-b, s-c).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

from conftest import FIXTURES, Build, run_dbt_build
from test_incremental import line, public_tables

GOLDEN = FIXTURES / "golden" / "events"
A = "date=2026-02-28/part-0000.jsonl"
B = "date=2026-03-01/part-0000.jsonl"
SELECT = "+dim_sessions +load_reconciliation +quarantined_files"


def dbt_vars(events: Path, **extra: object) -> dict:
    return {"raw_events_glob": f"{events}/**/*.jsonl*", "workflow_creations_glob": "", **extra}


def deliver(events: Path, name: str) -> Path:
    path = events / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN / name, path)
    return path


def build(work: Path, db: Path, events: Path, *args: str, **extra: object) -> Build:
    return run_dbt_build(
        work,
        dbt_vars(events, **extra),
        db_path=db,
        select=SELECT,
        extra_args=list(args),
    )


def sessions(result: Build) -> list[str]:
    return [row[0] for row in result.query("select session_id from marts.dim_sessions order by 1")]


def event_count(result: Build) -> int:
    return result.query("select count(*) from staging.base_workbench__events")[0][0]


def test_prune_then_recover_keeps_every_event(tmp_path: Path) -> None:
    """The sequence that used to delete s-a for good: build; prune A; build; a truncated C.gz
    stops the build; move C away; plain build; --full-refresh."""
    events, db = tmp_path / "events", tmp_path / "wh.duckdb"
    deliver(events, A)
    deliver(events, B)
    first = build(tmp_path / "1", db, events)
    assert first.returncode == 0, first.output[-3000:]
    assert sessions(first) == ["s-a", "s-b", "s-c"]
    everything = event_count(first)

    (events / A).unlink()
    second = build(tmp_path / "2", db, events)
    assert second.returncode == 0, second.output[-3000:]
    assert "their events stay in the warehouse" in second.output

    broken = events / "date=2026-03-02" / "C.jsonl.gz"
    broken.parent.mkdir()
    broken.write_bytes(gzip.compress((GOLDEN / B).read_bytes())[:-40])
    third = build(tmp_path / "3", db, events)
    assert third.returncode != 0
    assert f"{broken} (corrupt_gzip: the gzip data is truncated" in third.output
    # The way out that loses nothing comes first; none mentions --full-refresh.
    message = third.output[third.output.index("cannot be loaded as JSON lines") :]
    assert message.index("replace each file") < message.index("allow_bad_files: true")
    assert "--full-refresh" not in message

    shutil.move(broken, tmp_path / "C.jsonl.gz")
    fourth = build(tmp_path / "4", db, events)
    assert fourth.returncode == 0, fourth.output[-3000:]
    assert sessions(fourth) == ["s-a", "s-b", "s-c"]

    fifth = build(tmp_path / "5", db, events, "--full-refresh")
    assert fifth.returncode == 0, fifth.output[-3000:]
    assert sessions(fifth) == ["s-a", "s-b", "s-c"]
    assert event_count(fifth) == everything
    assert fifth.query(
        "select count(*) from audit.load_reconciliation where source_file like '%2026-02-28%'"
    ) == [(1,)]

    # Rebuilding the history itself from what is left is refused, with the count of the loss.
    sixth = build(tmp_path / "6", db, events, rebuild_history=True)
    assert sixth.returncode != 0
    lost = fifth.query(
        "select count(*) from staging.base_workbench__events where source_file like '%02-28%'"
    )[0][0]
    assert f"lose {lost} event(s) of 1 loaded file(s)" in sixth.output
    assert event_count(sixth) == everything


def test_reload_and_forget_one_file_equal_a_fresh_build(tmp_path: Path) -> None:
    """A changed file stops the build naming reload_files; reloading it, then forgetting a file
    taken out of the landing zone, leaves the same tables as a fresh build of the files there
    are then. B2 repeats an event of A under the same eventId, so forgetting A makes B2's copy
    the kept one."""
    events, db = tmp_path / "events", tmp_path / "wh.duckdb"
    deliver(events, A)
    b = deliver(events, B)
    first_line_of_a = (GOLDEN / A).read_text().splitlines()[0]
    b2 = events / "date=2026-03-01" / "part-0001.jsonl"
    b2.write_text(first_line_of_a + "\n")
    first = build(tmp_path / "1", db, events)
    assert first.returncode == 0, first.output[-3000:]

    b.write_text(
        b.read_text() + line("x-1", "session_started", "s-x", "2026-03-01T10:00:00Z") + "\n"
    )
    second = build(tmp_path / "2", db, events)
    assert second.returncode != 0
    assert f"add reload_files: ['{b}'] to --vars" in second.output

    third = build(tmp_path / "3", db, events, reload_files=[str(b)])
    assert third.returncode == 0, third.output[-3000:]
    assert sessions(third) == ["s-a", "s-b", "s-c", "s-x"]

    # forget_files refuses a file that is still there (the build would read it again).
    refused = build(tmp_path / "4", db, events, forget_files=[str(events / A)])
    assert refused.returncode != 0
    assert "still matched by raw_events_glob" in refused.output
    (events / A).unlink()
    fourth = build(tmp_path / "5", db, events, forget_files=[str(events / A)])
    assert fourth.returncode == 0, fourth.output[-3000:]
    assert fourth.query(
        "select source_file from staging.base_workbench__events where source_file like '%02-28%'"
        " or event_id = (select event_id from staging.base_workbench__validated_lines"
        f" where source_file = '{b2}')"
    ) == [(str(b2),)]

    fresh = run_dbt_build(tmp_path / "fresh", dbt_vars(events), select=SELECT)
    assert fresh.returncode == 0, fresh.output[-3000:]
    expected, actual = public_tables(fresh), public_tables(fourth)
    assert actual.keys() == expected.keys()
    for name in expected:
        assert actual[name] == expected[name], name


def test_replaced_file_of_same_size_and_time_is_found_by_its_hash(tmp_path: Path) -> None:
    events, db = tmp_path / "events", tmp_path / "wh.duckdb"
    a = deliver(events, A)
    first = build(tmp_path / "1", db, events)
    assert first.returncode == 0, first.output[-3000:]
    assert first.query(
        "select content_sha256 from staging.base_workbench__raw_lines where line_number = 0"
    ) == [(hashlib.sha256(a.read_bytes()).hexdigest(),)]

    before = a.stat()
    text = a.read_text()
    a.write_text(text.replace('"s-a"', '"s-z"'))  # same length
    os.utime(a, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert a.stat().st_size == before.st_size

    # A normal build compares size and time only (no re-hash of the landing zone).
    plain = build(tmp_path / "2", db, events)
    assert plain.returncode == 0, plain.output[-3000:]
    assert sessions(plain) == ["s-a"]

    verified = build(tmp_path / "3", db, events, verify_files=True)
    assert verified.returncode != 0
    assert "now hold other bytes" in verified.output
    assert f"add reload_files: ['{a}'] to --vars" in verified.output

    reloaded = build(tmp_path / "4", db, events, reload_files=[str(a)])
    assert reloaded.returncode == 0, reloaded.output[-3000:]
    assert sessions(reloaded) == ["s-z"]
