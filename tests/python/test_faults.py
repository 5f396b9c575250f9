"""Idempotence and interrupted builds.

One data set, delivered in two batches: batch 1 is the golden fixture, its CSV and the ingestion
fixture (bad lines, duplicates, CRLF, gzip); batch 2 is the hostile fixture (without its 10 MB
lines) and a late resend of a golden file under a name that sorts first, so it takes over as the
kept copy of its events. A fresh, uninterrupted build of both batches is the reference, and:

- building again without new files changes no public table;
- the same file delivered a second time under another name leaves the marts as they were, and
  changes the audit tables only by the new file's row and quarantined lines and by which copy's
  lines count as duplicates;
- a build killed part way (SIGKILL, at three points: during the first build, and twice during
  an incremental one), followed by a normal build, gives the reference's tables.

Raw files live in a different folder for each scenario, so tables are compared with that folder
written as `<raw>`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import DBT, FIXTURES, NO_UNIT_TESTS, ROOT, Build, run_dbt_build
from fixtures.hostile_cases import HOSTILE_FILES, write_hostile_files
from test_incremental import public_tables
from test_ingestion import write_fixture

GOLDEN = FIXTURES / "golden"
LATE_RESEND = "date=2026-02-27/part-0000.jsonl"  # a copy of golden's Feb 28 file


def deliver(raw: Path, batch: int) -> None:
    events = raw / "events"
    if batch == 1:
        shutil.copytree(GOLDEN / "events", events, dirs_exist_ok=True)
        shutil.copytree(GOLDEN / "workflow_creations", raw / "workflow_creations")
        write_fixture(events)
        return
    write_hostile_files(events)
    for name in HOSTILE_FILES:
        if "big" in name:
            (events / name).unlink()
    late = events / LATE_RESEND
    late.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN / "events" / "date=2026-02-28" / "part-0000.jsonl", late)


def dbt_vars(raw: Path) -> dict:
    return {
        "raw_events_glob": f"{raw}/events/**/*.jsonl*",
        "workflow_creations_glob": f"{raw}/workflow_creations/*.csv",
        "max_quarantine_rate": 1,
        # The ingestion fixture resends ids with other content on purpose (event_id_conflicts).
        "max_id_conflict_rate": 1,
    }


def build(work: Path, raw: Path, db: Path) -> Build:
    result = run_dbt_build(work, dbt_vars(raw), db_path=db)
    assert result.returncode == 0, result.output[-4000:]
    return result


def tables(result: Build, raw: Path) -> dict[str, list[tuple]]:
    """Every public table, rows sorted, with the raw folder written as <raw>."""

    def normal(value: object) -> object:
        return value.replace(str(raw), "<raw>") if isinstance(value, str) else value

    return {
        name: sorted(
            (tuple(normal(v) for v in row) for row in rows),
            key=lambda row: tuple((v is None, str(v)) for v in row),
        )
        for name, rows in public_tables(result).items()
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Build, Path]:
    """A fresh, uninterrupted build of both batches: (its tables, the build, its raw folder)."""
    work = tmp_path_factory.mktemp("reference")
    raw = work / "raw"
    deliver(raw, 1)
    deliver(raw, 2)
    result = build(work, raw, work / "wh.duckdb")
    return tables(result, raw), result, raw


def test_building_twice_changes_nothing(
    reference: tuple[dict, Build, Path], tmp_path: Path
) -> None:
    expected, first, raw = reference
    db = tmp_path / "again.duckdb"
    shutil.copy(first.db_path, db)
    assert tables(build(tmp_path, raw, db), raw) == expected


RECONCILIATION = (
    "select source_file, lines_read, events_accepted, duplicates_dropped, events_quarantined"
    " from audit.load_reconciliation"
)
QUARANTINED = "select source_file, line_number, raw_line, reasons from audit.quarantined_events"


def normalized(result: Build, raw: Path, sql: str) -> list[tuple]:
    return [
        tuple(v.replace(str(raw), "<raw>") if isinstance(v, str) else v for v in row)
        for row in result.query(sql)
    ]


def reconciliation(result: Build, raw: Path) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in normalized(result, raw, RECONCILIATION)}


def test_same_file_under_two_names(reference: tuple[dict, Build, Path], tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    deliver(raw, 1)
    deliver(raw, 2)
    db = tmp_path / "wh.duckdb"
    first = build(tmp_path / "a", raw, db)
    before = tables(first, raw)
    # Where the files are does not matter either.
    assert before == reference[0]
    # The quality marts count per file, so they follow the file names, like the audit tables
    # whose rows they count: the copy's lines are read under its own name. The health marts
    # count lines received per event and day, so the copy's lines are received too (checked
    # below: only their line counts change).
    mirrors = {name for name in before if name.startswith(("marts.quality_", "marts.health_"))}
    marts = [name for name in before if name.startswith("marts.") and name not in mirrors]
    recon_before = reconciliation(first, raw)
    quarantine_before = set(normalized(first, raw, QUARANTINED))

    # A copy that sorts after the original: every valid line of it is a duplicate.
    original = "<raw>/events/date=2026-02-02/part-1.jsonl"
    after = "<raw>/events/date=2026-02-02/part-9-resent.jsonl"
    shutil.copy(original.replace("<raw>", str(raw)), after.replace("<raw>", str(raw)))
    second = build(tmp_path / "b", raw, db)
    second_tables = tables(second, raw)
    audit_rest = (
        set(before)
        - set(marts)
        - mirrors
        - {"audit.load_reconciliation", "audit.quarantined_events", "audit.event_id_conflicts"}
    )
    for name in (*marts, *audit_rest):
        assert second_tables[name] == before[name], name
    # Per event and day (columns 3-6: received, kept, duplicate, quarantined): the copy's lines
    # are received, none is kept, and each is a duplicate or quarantined.
    health = "marts.health_event_daily"
    counts = {row[:2]: row[3:7] for row in before[health]}
    counts_after = {row[:2]: row[3:7] for row in second_tables[health]}
    assert counts_after.keys() == counts.keys()
    grown = {
        key: tuple(a - b for a, b in zip(counts_after[key], counts[key], strict=True))
        for key in counts
    }
    assert all(
        kept == 0 and received == duplicate + quarantined
        for received, kept, duplicate, quarantined in grown.values()
    )
    assert sum(delta[0] for delta in grown.values()) > 0
    # Every copy of a line whose id the original's kept line shares with other content is one
    # more conflict, at the copy's position; nothing else changes.
    conflicts = "audit.event_id_conflicts"
    added = set(second_tables[conflicts]) - set(before[conflicts])
    assert set(before[conflicts]) <= set(second_tables[conflicts])
    assert added and all(row[1] == after for row in added), added

    lines_read, accepted, duplicates, quarantined = recon_before[original]
    all_duplicates = (lines_read, 0, accepted + duplicates, quarantined)
    recon = reconciliation(second, raw)
    assert recon.pop(after) == all_duplicates
    assert recon == recon_before
    copied = {(after, *row[1:]) for row in quarantine_before if row[0] == original}
    assert len(copied) == quarantined > 0
    assert set(normalized(second, raw, QUARANTINED)) == quarantine_before | copied

    # A copy that sorts before the original takes over as the kept one: the marts still do not
    # change; the original's counts move to the copy's row.
    first_copy = "<raw>/events/date=2026-02-01/part-0-resent.jsonl"
    path = Path(first_copy.replace("<raw>", str(raw)))
    path.parent.mkdir()
    shutil.copy(original.replace("<raw>", str(raw)), path)
    third = build(tmp_path / "c", raw, db)
    third_tables = tables(third, raw)
    for name in marts:
        assert third_tables[name] == before[name], name
    recon = reconciliation(third, raw)
    assert recon.pop(first_copy) == recon_before.pop(original)
    assert recon.pop(original) == all_duplicates
    assert recon.pop(after) == all_duplicates
    assert recon == recon_before


# --- interrupted builds ----------------------------------------------------------------------


def build_killed_after(work: Path, raw: Path, db: Path, model: str) -> str:
    """Start `dbt build` and SIGKILL it as soon as `model` is reported built; return the output
    so far. Fails if the build ends before that."""
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    args = [
        str(DBT), "build", "--vars", json.dumps(dbt_vars(raw)), *NO_UNIT_TESTS,
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    output = []
    try:
        for line in process.stdout:
            output.append(line)
            if " OK created " in line and f".{model} " in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.stdout.close()
        process.wait()
    text = "".join(output)
    assert process.returncode == -signal.SIGKILL, f"the build ended before {model}:\n{text[-3000:]}"
    return text


@pytest.fixture(scope="module")
def after_batch_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A warehouse built from batch 1 only: (its file, the raw folder, which then gets batch 2)."""
    work = tmp_path_factory.mktemp("batch-one")
    raw = work / "raw"
    deliver(raw, 1)
    db = work / "wh.duckdb"
    build(work, raw, db)
    deliver(raw, 2)
    return db, raw


@pytest.mark.parametrize(
    ("incremental", "kill_after"),
    [
        # The lines are in the build's scratch database only, so the next build has to read
        # those files again.
        (False, "base_workbench__raw_lines"),
        (True, "base_workbench__raw_lines"),
        (True, "base_workbench__validated_lines"),
        (True, "int_sessions_bounded"),
    ],
    ids=[
        "first-build-after-reading-lines",
        "after-reading-lines",
        "after-validation",
        "mid-sessions",
    ],
)
def test_interrupted_build_then_normal_build_equals_uninterrupted(
    reference: tuple[dict, Build, Path],
    after_batch_one: tuple[Path, Path],
    tmp_path: Path,
    incremental: bool,
    kill_after: str,
) -> None:
    expected = reference[0]
    batch_one_db, raw = after_batch_one
    db = tmp_path / "wh.duckdb"
    if incremental:
        shutil.copy(batch_one_db, db)
    output = build_killed_after(tmp_path / "killed", raw, db, kill_after)
    assert "Done." not in output
    # The kill left work undone (so the normal build below really has to finish it).
    assert tables(Build(-signal.SIGKILL, output, db), raw) != expected
    scratch = db.with_name(db.name + ".build-lines")
    assert scratch.exists()  # a killed process cannot remove its scratch file of lines
    resumed = build(tmp_path / "resumed", raw, db)
    assert tables(resumed, raw) == expected
    # The lines read and never judged were read again from their files (they were only ever in
    # the scratch file, which the next build replaced and removed at its end).
    if kill_after == "base_workbench__raw_lines":
        assert "reading again" in resumed.output
    assert not scratch.exists()
