"""Event id conflicts (docs/input.md, "Event id conflicts"): a later copy of an eventId whose
content differs from the kept copy is still dropped, but it is listed in audit.event_id_conflicts
with both positions and the fields that differ, every build warns with the count, and the build
fails when their share of valid lines exceeds max_id_conflict_rate.

The labelled fixture: a client that reuses one id for 30 chat messages, a draft_created that
shares its id with a session_started, a retry that re-stamped its time, and a resend that is the
same event written differently (another offset form, key order, nesting), which is no conflict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Build, run_dbt_build

NO_CSV = {"workflow_creations_glob": ""}


def line(name: str, ts: str, event_id: str, **props: object) -> str:
    event = {"event": f"workbench.{name}", "sessionId": "s-c", "timestamp": ts, "eventId": event_id}
    return json.dumps({**event, **props}, separators=(",", ":"))


# file a: the kept copies, and the client that reuses one id for 30 messages
FILE_A = [
    line("session_started", "2026-02-02T09:00:00Z", "c-start", userId="u-c"),
    *(
        line("chat_message_sent", f"2026-02-02T09:00:{second:02d}Z", "c-reused",
             messageLength=10 + second)
        for second in range(1, 31)
    ),
    line("session_ended", "2026-02-02T09:10:00Z", "c-end"),
]  # fmt: skip
FILE_B = [
    # a draft_created that shares its id with the session_started (userId is no property of a
    # draft_created, so it differs too)
    line("draft_created", "2026-02-02T09:00:00Z", "c-start", userId="u-c", draftId="d-c",
         source="chat"),
    # the same session_started again: another offset form, other key order, nested: no conflict
    json.dumps({"properties": {"userId": "u-c"}, "eventId": "c-start",
                "timestamp": "2026-02-02T10:00:00+01:00", "sessionId": "s-c",
                "event": "workbench.session_started"}),
    # a retry that re-stamped its time
    line("session_ended", "2026-02-02T09:10:05Z", "c-end"),
]  # fmt: skip


def write(events: Path) -> tuple[str, str]:
    events.mkdir(parents=True)
    (events / "a.jsonl").write_text("".join(f"{text}\n" for text in FILE_A))
    (events / "b.jsonl").write_text("".join(f"{text}\n" for text in FILE_B))
    return str(events / "a.jsonl"), str(events / "b.jsonl")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, str, str]:
    work = tmp_path_factory.mktemp("id_conflicts")
    a, b = write(work / "events")
    build = run_dbt_build(
        work, {"raw_events_glob": f"{work}/events/*.jsonl", "max_id_conflict_rate": 1, **NO_CSV}
    )
    assert build.returncode == 0, build.output[-4000:]
    return build, a, b


def test_conflicts_are_recorded_with_both_positions_and_the_differing_fields(
    built: tuple[Build, str, str],
) -> None:
    build, a, b = built
    rows = build.query(
        "select event_id, source_file, line_number, event_name, kept_source_file,"
        " kept_line_number, kept_event_name, differing_fields from audit.event_id_conflicts"
    )
    reused = [
        ("c-reused", a, number, "workbench.chat_message_sent", a, 2,
         "workbench.chat_message_sent", "messageLength;timestamp")
        for number in range(3, 32)
    ]  # fmt: skip
    assert sorted(rows) == sorted([
        *reused,
        ("c-start", b, 1, "workbench.draft_created", a, 1, "workbench.session_started",
         "draftId;event;source;userId"),
        ("c-end", b, 3, "workbench.session_ended", a, 32, "workbench.session_ended", "timestamp"),
    ])  # fmt: skip


def test_the_conflicting_copies_are_dropped_and_counted_as_duplicates(
    built: tuple[Build, str, str],
) -> None:
    build, a, b = built
    assert build.query(
        "select source_file, lines_read, events_accepted, duplicates_dropped, events_quarantined"
        " from audit.load_reconciliation order by 1"
    ) == [(a, 32, 3, 29, 0), (b, 3, 0, 3, 0)]
    assert build.query("select count(*) from marts.fct_chat_turns") == [(1,)]
    assert build.query("select count(*) from marts.fct_drafts") == [(0,)]


def test_the_build_warns_with_the_count(built: tuple[Build, str, str]) -> None:
    build, _, _ = built
    assert "Warning in test id_conflicts_present" in build.output
    assert (
        "Event id conflicts: 31 of 35 valid lines (88.57%) repeat one of 3 eventIds with other"
        " content and were dropped as duplicates; differing fields: timestamp=30,"
        " messageLength=29, draftId=1, event=1, source=1, userId=1. See audit.event_id_conflicts"
    ) in build.output


def test_a_share_above_the_limit_fails_the_build(tmp_path: Path) -> None:
    write(tmp_path / "events")
    # 31 of 35 valid lines conflict: above the default 0.01, below 0.9.
    for limit, fails in ((None, True), (0.9, False)):
        limit_var = {} if limit is None else {"max_id_conflict_rate": limit}
        build = run_dbt_build(
            tmp_path / f"limit-{limit}",
            {"raw_events_glob": f"{tmp_path}/events/*.jsonl", **limit_var, **NO_CSV},
            select="+event_id_conflicts",
        )
        assert (build.returncode != 0) == fails, build.output[-3000:]
        assert ("Failure in test id_conflict_rate_within_limit" in build.output) == fails
        assert f"fails above max_id_conflict_rate={limit or 0.01}" in build.output
