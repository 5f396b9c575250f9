"""End to end: the labelled fixture through `dbt build`, asserting exact audit and staging rows."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from conftest import Build, run_dbt_build
from fixtures.ingestion_cases import CRLF_FILES, EXPECTED_PROPERTY_ISSUES, FIXTURE_FILES, Case

# These tests are about the event files; the other-channel CSV source is left unconfigured.
NO_CSV = {"workflow_creations_glob": ""}


def write_fixture(events_dir: Path) -> None:
    for files, line_end in ((FIXTURE_FILES, "\n"), (CRLF_FILES, "\r\n")):
        for name, cases in files.items():
            path = events_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = "".join(case.raw + line_end for case in cases).encode()
            path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)


def all_cases() -> list[tuple[str, int, Case]]:
    return [
        (name, number, case)
        for files in (FIXTURE_FILES, CRLF_FILES)
        for name, cases in files.items()
        for number, case in enumerate(cases, start=1)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    work = tmp_path_factory.mktemp("ingestion")
    events = work / "events"
    write_fixture(events)
    build = run_dbt_build(
        work,
        {"raw_events_glob": f"{events}/**/*.jsonl*", "max_quarantine_rate": 1,
         "max_id_conflict_rate": 1, **NO_CSV},
    )  # fmt: skip
    assert build.returncode == 0, build.output[-4000:]
    return build, events


def test_quarantined_lines_have_exact_reasons(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {
        (f"{events}/{name}", number, case.raw.strip(" \t"), case.expect)
        for name, number, case in all_cases()
        if case.expect not in {"accepted", "duplicate", "blank"}
    }
    actual = set(
        build.query(
            "select source_file, line_number, raw_line, reasons from audit.quarantined_events"
        )
    )
    assert {row[:2] + row[3:] for row in actual} == {row[:2] + row[3:] for row in expected}
    # The raw line is kept as read (leading/trailing blanks included, line terminator excluded).
    raw_by_line = {(f, n): raw for f, n, raw, _ in actual}
    for name, number, case in all_cases():
        if (f"{events}/{name}", number) in raw_by_line:
            assert raw_by_line[(f"{events}/{name}", number)] == case.raw


def test_event_name_kept_when_readable(built: tuple[Build, Path]) -> None:
    build, _ = built
    names = dict(build.query("select reasons, event_name from audit.quarantined_events"))
    assert names["unknown_event"] == "Workbench.session_started"
    assert names["missing_event_name"] is None
    assert names["invalid_required_property:source"] == "workbench.draft_created"


def test_accepted_events_with_times_and_sessions(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {
        (f"{events}/{name}", number, case.occurred_at, case.session_id)
        for name, number, case in all_cases()
        if case.expect == "accepted"
    }
    actual = set(
        build.query(
            "select source_file, line_number, strftime(occurred_at, '%Y-%m-%d %H:%M:%S.%f'),"
            " session_id from staging.base_workbench__events"
        )
    )
    normalized = {
        (f, n, (ts[:-7] if ts.endswith(".000000") else ts.rstrip("0")), s) for f, n, ts, s in actual
    }
    assert normalized == expected


def test_event_ids(built: tuple[Build, Path]) -> None:
    build, events = built
    ids = dict(
        build.query(
            "select line_number, event_id from staging.base_workbench__events"
            " where source_file = ?",
            [f"{events}/date=2026-02-02/part-1.jsonl"],
        )
    )
    assert ids[1] == "e-1"
    # Without an eventId, the id is the md5 hex of the trimmed raw line.
    import hashlib

    raw = FIXTURE_FILES["date=2026-02-02/part-1.jsonl"][1].raw
    assert ids[2] == hashlib.md5(raw.encode()).hexdigest()


def test_reconciliation_per_file(built: tuple[Build, Path]) -> None:
    build, events = built
    expected = {}
    for files in (FIXTURE_FILES, CRLF_FILES):
        for name, cases in files.items():
            counted = [c for c in cases if c.expect != "blank"]
            accepted = sum(c.expect == "accepted" for c in counted)
            duplicates = sum(c.expect == "duplicate" for c in counted)
            expected[f"{events}/{name}"] = (
                len(counted),
                accepted,
                duplicates,
                len(counted) - accepted - duplicates,
            )
    actual = {
        row[0]: row[1:]
        for row in build.query(
            "select source_file, lines_read, events_accepted, duplicates_dropped,"
            " events_quarantined from audit.load_reconciliation"
        )
    }
    assert actual == expected
    assert expected[f"{events}/date=2026-02-03/part-2.jsonl"] == (0, 0, 0, 0)


def test_id_conflicts(built: tuple[Build, Path]) -> None:
    """The two later copies of e-1 differ from the kept one (which has userId and referrer); the
    identical and the trimmed resends are no conflicts."""
    build, events = built
    kept = (f"{events}/date=2026-02-02/part-1.jsonl", 1)
    assert sorted(
        build.query(
            "select source_file, line_number, event_id, kept_source_file, kept_line_number,"
            " differing_fields from audit.event_id_conflicts"
        )
    ) == [
        (f"{events}/date=2026-02-02/part-1.jsonl", 10, "e-1", *kept, "referrer;timestamp;userId"),
        (f"{events}/date=2026-02-03/part-1.jsonl.gz", 1, "e-1", *kept, "referrer;userId"),
    ]


def test_property_issues(built: tuple[Build, Path]) -> None:
    build, _ = built
    rows = set(build.query("select event_id, property_key, issue from audit.property_issues"))
    assert rows == EXPECTED_PROPERTY_ISSUES


def test_typed_values(built: tuple[Build, Path]) -> None:
    build, _ = built
    assert build.query(
        "select source, template_id, node_count, session_id"
        " from staging.stg_workbench__draft_created where event_id = 'e-enum'"
    ) == [("template", "tpl-7", None, "42")]
    assert build.query(
        "select message_length from staging.stg_workbench__chat_message_sent"
        " where event_id = 'e-long'"
    ) == [(None,)]
    assert build.query(
        "select approved, tool_ids from staging.stg_workbench__approval_completed"
        " where event_id = 'e-tools'"
    ) == [(True, None)]
    assert build.query("select duration_ms from staging.stg_workbench__session_ended") == [(5,)]


def test_second_copy_of_a_file_only_adds_duplicates(tmp_path: Path) -> None:
    events = tmp_path / "events"
    write_fixture(events)
    vars_ = {"raw_events_glob": f"{events}/**/*.jsonl*", "max_quarantine_rate": 1,
             "max_id_conflict_rate": 1, **NO_CSV}  # fmt: skip
    first = run_dbt_build(tmp_path / "one", vars_, select="+models/audit")
    assert first.returncode == 0, first.output[-3000:]
    original = events / "date=2026-02-02/part-1.jsonl"
    shutil.copy(original, events / "date=2026-02-02/part-9-resent.jsonl")
    second = run_dbt_build(tmp_path / "two", vars_, select="+models/audit")
    assert second.returncode == 0, second.output[-3000:]
    totals = (
        "select sum(lines_read), sum(events_accepted), sum(duplicates_dropped),"
        " sum(events_quarantined) from audit.load_reconciliation"
    )
    (read1, acc1, dup1, q1) = first.query(totals)[0]
    resent = second.query(
        "select lines_read, events_accepted, duplicates_dropped, events_quarantined"
        " from audit.load_reconciliation where source_file like '%part-9-resent.jsonl'"
    )[0]
    (read2, acc2, dup2, q2) = second.query(totals)[0]
    # The copy sorts after the original, so every valid line of it is a duplicate; its bad lines
    # are quarantined again (with their own file and line), and nothing else changes.
    assert acc2 == acc1
    assert resent[1] == 0
    assert dup2 - dup1 == resent[2]
    assert q2 - q1 == resent[3]
    assert read2 - read1 == resent[0]


def test_glob_matching_nothing_names_the_setting(tmp_path: Path) -> None:
    build = run_dbt_build(tmp_path, {"raw_events_glob": f"{tmp_path}/none/*.jsonl", **NO_CSV})
    assert build.returncode != 0
    assert "raw_events_glob" in build.output
    assert "matched no files" in build.output


def test_quarantine_share_above_limit_fails_with_a_useful_message(tmp_path: Path) -> None:
    events = tmp_path / "events"
    write_fixture(events)
    build = run_dbt_build(
        tmp_path, {"raw_events_glob": f"{events}/**/*.jsonl*", **NO_CSV}, select="+models/audit"
    )
    assert build.returncode != 0
    assert "quarantine_rate_within_limit" in build.output
    assert "were quarantined; reason codes:" in build.output
    assert "malformed_json=3" in build.output
    assert "audit.quarantined_events" in build.output


def test_quarantine_below_limit_warns_only(built: tuple[Build, Path]) -> None:
    build, _ = built
    assert "Warning in test quarantine_present" in build.output
