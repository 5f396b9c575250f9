"""Incremental builds equal a full refresh (docs/incremental.md).

The golden fixture's events plus late and resent ones are delivered in three batches. After each
batch the same warehouse is built incrementally, and a fresh one from scratch over the same files;
every public table must be equal row for row. The batches cover: late events for old sessions, a
session spanning batches, cross-batch duplicates (by eventId and by identical line), a late file
that sorts before an already loaded one and so takes over as the kept copy of an event, an
anonymous creation whose orphan id (and its acceptance) only arrive later, an anonymous creation
that loses its orphan id to a creation in another session carrying it, one paired again with a
late orphan used earlier, a late copy that moves a draft's only event to another draft, an
approval completed in a later batch, a chat message whose suggestion arrives later, a late copy
that moves a run's only event to another run, a run completed in a later batch, a run whose
draft takes a template later, a late copy that moves a session's only event to another session,
a late copy of a creation that is another event, and other-channel CSV rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, Build, run_dbt_build

GOLDEN = FIXTURES / "golden"
PUBLIC_SCHEMAS = ("marts", "audit")


def line(event_id: str, name: str, session: str, ts: str, **props: object) -> str:
    event = {"event": f"workbench.{name}", "sessionId": session, "timestamp": ts}
    if event_id:
        event["eventId"] = event_id
    event.update(props)
    return json.dumps(event, separators=(",", ":"))


def golden_lines(day: str) -> list[str]:
    path = GOLDEN / "events" / f"date={day}" / "part-0000.jsonl"
    return path.read_text().splitlines()


def batches() -> list[dict[str, list[str]]]:
    feb28, mar01 = golden_lines("2026-02-28"), golden_lines("2026-03-01")
    resent_a05 = line("a05", "draft_created", "s-a", "2026-02-28T08:59:00Z", source="blank",
                      draftId="d-a1", nodeCount=9)  # fmt: skip
    return [
        {  # batch 1: Feb 28 up to the anonymous creations; the start of s-b
            "date=2026-02-28/part-0000.jsonl": feb28[:14],
            "date=2026-03-01/part-0000.jsonl": mar01[:4],
        },
        {  # batch 2: the rest, a late orphan id for a14, resends, a late completion, CSV
            "date=2026-02-28/part-0001.jsonl": [
                *feb28[14:],
                line("late-1", "draft_edited", "s-a", "2026-02-28T09:30:00Z",
                     draftId="d-late-orphan", editType="canvas"),
                feb28[1],  # identical resend of a02 (no new eventId)
            ],
            "date=2026-03-01/part-0001.jsonl": [
                *mar01[4:],
                line("b02", "draft_created", "s-b", "2026-03-01T23:51:00Z", source="blank",
                     draftId="d-b1"),  # resend of b02 by eventId
                line("late-2", "template_suggested", "s-b", "2026-03-01T23:50:30Z",
                     templateId="tpl-9", accepted=True),
                # s-d: an anonymous creation paired with the orphan d-x
                line("d01", "draft_created", "s-d", "2026-03-01T12:00:00Z", source="chat"),
                line("d02", "draft_accepted", "s-d", "2026-03-01T12:05:00Z", draftId="d-x"),
                # s-f: an anonymous creation paired with the orphan d-f2
                line("f01", "draft_created", "s-f", "2026-03-01T10:00:00Z", source="chat"),
                line("f02", "draft_edited", "s-f", "2026-03-01T10:30:00Z", draftId="d-f2",
                     editType="chat"),
                # s-g: the one event of draft d-g1 (a late copy will name d-g2 instead)
                line("g01", "draft_edited", "s-g", "2026-03-01T11:00:00Z", draftId="d-g1",
                     editType="chat"),
                # s-h: the one event of run r-h1 (a late copy will name r-h2 instead), and a
                # run r-h3 that completes in the next batch
                line("h01", "workflow_run_started", "s-h", "2026-03-01T13:00:00Z",
                     draftId="d-h", runId="r-h1"),
                line("h03", "workflow_run_started", "s-h", "2026-03-01T13:10:00Z",
                     draftId="d-h", runId="r-h3"),
                # a run of d-h5, whose draft gets a template in the next batch
                line("h05", "workflow_run_started", "s-h", "2026-03-01T13:20:00Z",
                     draftId="d-h5", runId="r-h5"),
                # s-i: a session of one chat message (a late copy will name s-j instead)
                line("i01", "chat_message_sent", "s-i", "2026-03-01T14:00:00Z",
                     messageLength=5),
                # the creation of d-k (a late copy will be another event)
                line("k01", "draft_created", "s-k", "2026-03-01T15:00:00Z", source="blank",
                     draftId="d-k"),
            ],
        },
        {  # batch 3: a late file that sorts first, acceptance of the late orphan, more events
            "date=2026-02-27/part-0009.jsonl": [
                resent_a05,  # same eventId as a05, different content: now the kept copy
                # a copy of g01 naming another draft, kept from now on: d-g1 has no event left
                line("g01", "draft_edited", "s-g", "2026-03-01T11:00:00Z", draftId="d-g2",
                     editType="chat"),
                line("late-3", "draft_accepted", "s-a", "2026-02-28T09:45:00Z",
                     draftId="d-late-orphan"),
                line("late-4", "approval_completed", "s-c", "2026-03-02T11:00:00Z",
                     approved=True, toolIds=["scaleDeployment"]),
                line("late-5", "chat_message_sent", "s-c", "2026-03-02T10:02:00Z",
                     messageLength=3),
                "{\"event\":\"workbench.session_started\"",  # truncated
                # a creation in another session carries d-x: no orphan in s-d any more
                line("e01", "draft_created", "s-e", "2026-03-02T08:00:00Z", source="blank",
                     draftId="d-x"),
                # a late orphan of s-f, used before d-f2: f01 is paired with it now, and d-f2,
                # which no new line names, is a draft nobody saw created
                line("f03", "draft_edited", "s-f", "2026-03-01T10:10:00Z", draftId="d-f1",
                     editType="canvas"),
                # a copy of h01 naming another run: r-h1 has no event left
                line("h01", "workflow_run_started", "s-h", "2026-03-01T13:00:00Z",
                     draftId="d-h", runId="r-h2"),
                line("h04", "workflow_run_completed", "s-h", "2026-03-01T13:12:00Z",
                     runId="r-h3", status="failed"),
                # d-h5 now uses a template, and so does its run r-h5, which no line names
                line("h06", "template_inserted", "s-h", "2026-03-01T13:25:00Z",
                     draftId="d-h5", templateId="tpl-9"),
                # a copy of i01 in another session: s-i has no event left
                line("i01", "chat_message_sent", "s-j", "2026-03-01T14:00:00Z",
                     messageLength=5),
                # a copy of k01 that is no creation: d-k has no event left
                line("k01", "session_started", "s-k", "2026-03-01T15:00:00Z"),
            ],
        },
    ]  # fmt: skip


CSV_HEADER = "workflow_id,created_at,creation_source\n"
CSV_BATCHES = [
    [],
    ["w-1,2026-02-28T12:00:00Z,api", "w-2,2026-03-02T08:00:00Z,manual"],
    ["w-2,2026-03-01T08:00:00Z,import", "w-3,2026-03-02T09:00:00Z,Workbench"],
]


def deliver(raw: Path, batch: int) -> None:
    for name, lines in batches()[batch].items():
        path = raw / "events" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{text}\n" for text in lines))
    if CSV_BATCHES[batch]:
        path = raw / "workflow_creations" / f"batch-{batch}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CSV_HEADER + "".join(f"{row}\n" for row in CSV_BATCHES[batch]))


def public_tables(build: Build) -> dict[str, list[tuple]]:
    names = build.query(
        "select table_schema || '.' || table_name from information_schema.tables"
        f" where table_schema in {PUBLIC_SCHEMAS} order by 1"
    )
    tables = {}
    for (name,) in names:
        rows = build.query(f"select * from {name}")
        tables[name] = sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))
    return tables


def test_incremental_equals_full_refresh(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "workflow_creations").mkdir(parents=True)
    dbt_vars = {
        "raw_events_glob": str(raw / "events" / "**" / "*.jsonl"),
        "workflow_creations_glob": str(raw / "workflow_creations" / "*.csv"),
        "max_quarantine_rate": 1,
        "max_id_conflict_rate": 1,
    }
    incremental_db = tmp_path / "incremental.duckdb"
    for batch in range(len(batches())):
        deliver(raw, batch)
        incremental = run_dbt_build(tmp_path / f"inc-{batch}", dbt_vars, db_path=incremental_db)
        assert incremental.returncode == 0, incremental.output[-4000:]
        if batch == 0:
            continue  # on an empty warehouse an incremental build is a full one: nothing to compare
        full = run_dbt_build(tmp_path / f"full-{batch}", dbt_vars)
        assert full.returncode == 0, full.output[-4000:]
        expected, actual = public_tables(full), public_tables(incremental)
        assert actual.keys() == expected.keys()
        for name in expected:
            assert actual[name] == expected[name], f"batch {batch}: {name} differs"

    # The scenarios really happened: the late file's copy of a05 is the kept one, the late
    # orphan linked the second anonymous creation, d01 lost d-x to the creation that carries it
    # (in a session no later line touched), f01 took the earlier orphan d-f1 from d-f2, the late
    # copies of g01, h01, i01 and k01 left d-g1, r-h1, s-i and d-k without events, and the
    # resends were dropped.
    assert incremental.query(
        "select creation_source, node_count from marts.fct_drafts where draft_id = 'd-a1'"
    ) == [("blank", 9)]
    assert incremental.query(
        "select draft_id_source, is_accepted from marts.fct_drafts where draft_id = 'd-late-orphan'"
    ) == [("linked", True)]
    assert incremental.query(
        "select draft_id, draft_id_source, session_id, is_accepted from marts.fct_drafts"
        " where draft_id in ('d-x', 'unlinked:d01') order by draft_id"
    ) == [("d-x", "event", "s-e", True), ("unlinked:d01", "unlinked", "s-d", False)]
    assert incremental.query(
        "select draft_id, draft_id_source, created_at is not null from marts.fct_drafts"
        " where draft_id like 'd-f%' order by draft_id"
    ) == [("d-f1", "linked", True), ("d-f2", "event", False)]
    assert incremental.query(
        "select draft_id from marts.fct_drafts where draft_id like 'd-g%'"
    ) == [("d-g2",)]
    assert incremental.query(
        "select run_id, status, uses_template from marts.fct_workflow_runs"
        " where run_id like 'r-h%' order by run_id"
    ) == [("r-h2", "running", False), ("r-h3", "failed", False), ("r-h5", "running", True)]
    assert incremental.query(
        "select session_id, chat_messages from marts.dim_sessions"
        " where session_id in ('s-i', 's-j') order by session_id"
    ) == [("s-j", 1)]
    assert incremental.query(
        "select session_id from marts.fct_chat_turns where session_id in ('s-i', 's-j')"
    ) == [("s-j",)]
    assert incremental.query(
        "select count(*) from marts.fct_drafts where draft_id in ('d-k', 'unlinked:k01')"
    ) == [(0,)]
    assert incremental.query(
        "select sum(duplicates_dropped) from audit.load_reconciliation"
        " where source_kind = 'raw_events'"
    ) == [(7,)]
    # The late copies of a05, g01, h01, i01 and k01 took over, so the first-loaded ones are now the
    # conflicting later copies; the resend of b02 has the same content and is no conflict.
    assert incremental.query(
        "select event_id, source_file, line_number, kept_source_file, kept_line_number,"
        " differing_fields from audit.event_id_conflicts order by event_id"
    ) == [
        ("a05", str(raw / "events" / "date=2026-02-28" / "part-0000.jsonl"), 5,
         str(raw / "events" / "date=2026-02-27" / "part-0009.jsonl"), 1,
         "nodeCount;source;templateId;timestamp"),
        ("g01", str(raw / "events" / "date=2026-03-01" / "part-0001.jsonl"), 20,
         str(raw / "events" / "date=2026-02-27" / "part-0009.jsonl"), 2, "draftId"),
        ("h01", str(raw / "events" / "date=2026-03-01" / "part-0001.jsonl"), 21,
         str(raw / "events" / "date=2026-02-27" / "part-0009.jsonl"), 9, "runId"),
        ("i01", str(raw / "events" / "date=2026-03-01" / "part-0001.jsonl"), 24,
         str(raw / "events" / "date=2026-02-27" / "part-0009.jsonl"), 12, "sessionId"),
        ("k01", str(raw / "events" / "date=2026-03-01" / "part-0001.jsonl"), 25,
         str(raw / "events" / "date=2026-02-27" / "part-0009.jsonl"), 13, "draftId;event;source"),
    ]  # fmt: skip


def test_changed_file_stops_an_incremental_build(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    deliver(raw, 0)
    dbt_vars = {"raw_events_glob": str(raw / "events" / "**" / "*.jsonl"),
                "workflow_creations_glob": ""}  # fmt: skip
    db = tmp_path / "wh.duckdb"
    first = run_dbt_build(tmp_path / "one", dbt_vars, db_path=db, select="+models/audit")
    assert first.returncode == 0, first.output[-3000:]
    changed = raw / "events" / "date=2026-03-01" / "part-0000.jsonl"
    changed.write_text(changed.read_text() + line("x-1", "session_started", "s-x",
                                                  "2026-03-01T10:00:00Z") + "\n")  # fmt: skip
    second = run_dbt_build(tmp_path / "two", dbt_vars, db_path=db, select="+models/audit")
    assert second.returncode != 0
    assert "changed after they were loaded" in second.output
    assert "date=2026-03-01/part-0000.jsonl" in second.output
    assert f"add reload_files: ['{changed}'] to --vars" in second.output
    # The way out works: reloading that one file reads it as it is now.
    third = run_dbt_build(
        tmp_path / "three", {**dbt_vars, "reload_files": [str(changed)]}, db_path=db,
        select="+models/audit",
    )  # fmt: skip
    assert third.returncode == 0, third.output[-3000:]
    assert third.query(
        "select count(*) from staging.base_workbench__events where event_id = 'x-1'"
    ) == [(1,)]


def test_second_build_without_new_files_changes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for batch in range(len(batches())):
        deliver(raw, batch)
    dbt_vars = {"raw_events_glob": str(raw / "events" / "**" / "*.jsonl"),
                "workflow_creations_glob": str(raw / "workflow_creations" / "*.csv"),
                "max_quarantine_rate": 1, "max_id_conflict_rate": 1}  # fmt: skip
    db = tmp_path / "wh.duckdb"
    first = run_dbt_build(tmp_path / "one", dbt_vars, db_path=db)
    assert first.returncode == 0, first.output[-3000:]
    before = public_tables(first)
    shutil.copy(db, tmp_path / "before.duckdb")
    second = run_dbt_build(tmp_path / "two", dbt_vars, db_path=db)
    assert second.returncode == 0, second.output[-3000:]
    assert public_tables(second) == before
