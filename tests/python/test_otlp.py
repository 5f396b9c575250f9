"""OTLP/JSON log input (docs/otlp.md): the same warehouse from events exported as OpenTelemetry
log records.

- The labelled OTLP fixture (fixtures/otlp_cases.py): every record's fate and position, every
  reason code, exact intValue beyond 2^53, arrays, kvlists, bytes, the observed-time fallback, an
  empty logRecords, whole-line quarantine, the privacy denylist on bodies and attributes, the
  origin columns and the record-level reconciliation.
- The golden fixture's events once as flat JSON, once as OTLP, and both together: the same marts.
- Incremental builds over OTLP files equal a full refresh.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from conftest import FIXTURES, Build, run_dbt_build
from fixtures.otlp_cases import BIG_ID, LABELLED, to_otlp_line
from test_incremental import public_tables
from test_privacy import text_values

GOLDEN = FIXTURES / "golden"


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{text}\n" for text in lines))
    return path


def otlp_vars(otlp_glob: str, flat_glob: str = "") -> dict:
    return {
        "raw_events_glob": flat_glob,
        "otlp_logs_glob": otlp_glob,
        "workflow_creations_glob": "",
        "max_quarantine_rate": 1,
    }


def test_labelled_otlp_fixture(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "otlp" / "date=2026-03-02" / "otlp-0000.jsonl",
                         [line.raw for line in LABELLED])  # fmt: skip
    build = run_dbt_build(tmp_path, otlp_vars(str(tmp_path / "otlp" / "**" / "*.jsonl")))
    assert build.returncode == 0, build.output[-4000:]

    expected = []
    for line_number, line in enumerate(LABELLED, start=1):
        for record_number, record in enumerate(line.records, start=1):
            position = record.position or (None, None, None)
            expected.append(
                (line_number, 0 if record.position is None else record_number, *position,
                 record.expect)
            )  # fmt: skip
    actual = build.query(
        "select line_number, record_number, resource_index, scope_index, record_index,"
        " case when not is_valid then reasons when is_duplicate then 'duplicate'"
        " else 'accepted' end"
        " from staging.base_workbench__validated_lines order by line_number, record_number"
    )
    assert actual == expected

    # Quarantined records are found by (file, line, resource, scope, record index).
    assert build.query(
        "select line_number, resource_index, scope_index, record_index, reasons, input_format"
        " from audit.quarantined_events where reasons like 'missing_event_name%'"
    ) == [(6, 0, 0, 0, "missing_event_name", "otlp_json")]

    # Values as typed: an intValue beyond 2^53 kept exactly, an arrayValue of strings as toolIds,
    # the observed time when timeUnixNano is absent, an OTLP double for a count nulled.
    events = {
        row["event_id"]: row
        for row in build.rows(
            "select event_id, event_name, session_id, user_id, tool_ids, occurred_at,"
            " message_length, has_attachment, node_count, duration_ms, input_format,"
            " origin_service_name, origin_service_version, origin_sdk_name,"
            " origin_sdk_language, origin_sdk_version, record_number"
            " from staging.base_workbench__events"
        )
    }
    assert events["o-1"]["user_id"] == BIG_ID == "9007199254740993"
    assert events["o-1"]["session_id"] == "s-o1"  # from session.id
    assert str(events["o-1"]["occurred_at"]) == "2026-03-02 09:00:00"
    assert (events["o-2"]["message_length"], events["o-2"]["has_attachment"]) == (26, True)
    assert str(events["o-2"]["occurred_at"]) == "2026-03-02 09:00:01.500000"
    assert events["o-3"]["event_name"] == "workbench.approval_requested"  # event.name attribute
    assert events["o-3"]["tool_ids"] == "restartPod,scaleDeployment"
    assert str(events["o-4"]["occurred_at"]) == "2026-03-02 09:00:01.500000"  # observed time
    assert events["o-5"]["node_count"] is None
    assert events["o-4"]["duration_ms"] == 3600000
    assert [
        (e["origin_service_name"], e["origin_service_version"], e["origin_sdk_name"],
         e["origin_sdk_language"], e["origin_sdk_version"], e["input_format"])
        for e in (events["o-1"], events["o-4"])
    ] == [
        ("workbench-web", "2.4.1", "opentelemetry", "webjs", "1.30.0", "otlp_json"),
        ("workbench-api", "7.0.0", None, None, None, "otlp_json"),
    ]  # fmt: skip
    # The record without an eventId got a content hash, the same for its re-export.
    [hashed] = [e for e in events.values() if e["event_name"] == "workbench.draft_edited"]
    assert len(hashed["event_id"]) == 32 and hashed["record_number"] == 2
    assert build.query(
        "select count(*) from staging.base_workbench__validated_lines"
        f" where event_id = '{hashed['event_id']}' and is_duplicate"
    ) == [(1,)]
    assert build.query(
        "select property_key, issue from audit.property_issues where event_id = 'o-5'"
    ) == [("nodeCount", "value_not_allowed")]

    # A quarantined record's stored text is its flat event object: arrays, kvlists and bytes as
    # JSON values; never a denylisted value, the body or an e-mail address.
    raw = dict(build.query(
        "select record_number, raw_line from audit.quarantined_events where line_number = 6"
    ))  # fmt: skip
    assert raw[4] == (
        '{"event":"workbench.draft_accepted","timestamp":"2026-03-02T09:00:00.000000Z",'
        '"sessionId":"s-o2","draftId":["d-1",2],"eventId":"q-4","extra":{"kind":"kv","n":7},'
        '"blob":"AAEC"}'
    )
    assert raw[10] == (
        '{"event":"workbench.session_started","timestamp":"2026-03-02T09:00:00.000000Z",'
        '"body":"[REDACTED]","prompt":"[REDACTED]","eventId":"q-9"}'
    )
    # Nowhere in the build file: every value of every column of every table and view.
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        planted = ("my secret plan", "ann@example.com", "write me a workflow")
        assert [(where, value) for where, value in text_values(con)
                if any(secret in value for secret in planted)] == []  # fmt: skip
    assert build.query("select event_id, property_key, finding from audit.privacy_findings") == [
        ("o-2", "body", "denylisted_key")
    ]

    # Records reconcile; lines count the physical lines that held a record or no OTLP at all
    # (the line with an empty logRecords holds nothing to count).
    assert build.query(
        "select lines_read, records_read, events_accepted, duplicates_dropped,"
        " events_quarantined, input_format from audit.load_reconciliation"
    ) == [(5, 20, 6, 2, 12, "otlp_json")]
    assert (
        str(source.relative_to(tmp_path))
        in build.query("select source_file from audit.load_reconciliation")[0][0]
    )


def golden_events() -> dict[str, list[dict]]:
    days = {}
    for path in sorted((GOLDEN / "events").glob("date=*/part-0000.jsonl")):
        days[path.parent.name] = [json.loads(text) for text in path.read_text().splitlines()]
    return days


def deliver_flat(root: Path) -> str:
    for day, events in golden_events().items():
        write_lines(root / day / "part-0000.jsonl",
                    [json.dumps(e, separators=(",", ":")) for e in events])  # fmt: skip
    return str(root / "**" / "*.jsonl")


def deliver_otlp(root: Path, per_line: int = 4) -> str:
    for day, events in golden_events().items():
        lines = [to_otlp_line(events[i : i + per_line]) for i in range(0, len(events), per_line)]
        write_lines(root / day / "otlp-0000.jsonl", lines)
    return str(root / "**" / "*.jsonl")


def mart_tables(build: Build) -> dict[str, list[tuple]]:
    """The business marts (the quality marts name files and lines, and the health marts count
    lines received, duplicates included, which differ by delivery)."""
    return {
        name: rows
        for name, rows in public_tables(build).items()
        if name.startswith("marts.") and not name.startswith(("marts.quality_", "marts.health_"))
    }


def kept_per_event_day(build: Build) -> list[tuple]:
    """What the health marts say was kept: the same events, whatever the delivery."""
    return build.query(
        "select event_name, event_date, lines_kept from marts.health_event_daily order by 1, 2"
    )


def test_same_events_flat_otlp_or_both_give_the_same_marts(tmp_path: Path) -> None:
    flat_glob = deliver_flat(tmp_path / "flat")
    otlp_glob = deliver_otlp(tmp_path / "otlp")
    golden_vars = {"workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv")}
    builds = {}
    for name, dbt_vars in {
        "flat": {"raw_events_glob": flat_glob, "otlp_logs_glob": ""},
        "otlp": {"raw_events_glob": "", "otlp_logs_glob": otlp_glob},
        "both": {"raw_events_glob": flat_glob, "otlp_logs_glob": otlp_glob},
    }.items():
        builds[name] = run_dbt_build(tmp_path / name, {**dbt_vars, **golden_vars})
        assert builds[name].returncode == 0, builds[name].output[-4000:]
    flat = mart_tables(builds["flat"])
    assert flat["marts.fct_drafts"] and flat["marts.kpi_scorecard"]
    for name in ("otlp", "both"):
        other = mart_tables(builds[name])
        assert other.keys() == flat.keys()
        for table in flat:
            assert other[table] == flat[table], f"{name}: {table} differs"
        assert kept_per_event_day(builds[name]) == kept_per_event_day(builds["flat"]), name
    # Together, every OTLP record is a duplicate of its flat twin, by eventId.
    assert builds["both"].query(
        "select input_format, sum(records_read), sum(events_accepted), sum(duplicates_dropped),"
        " sum(events_quarantined) from audit.load_reconciliation"
        " where source_kind = 'raw_events' group by 1 order by 1"
    ) == [("flat_json", 33, 33, 0, 0), ("otlp_json", 33, 0, 33, 0)]
    assert builds["otlp"].query(
        "select count(*), count(distinct origin_service_name) from staging.base_workbench__events"
        " where input_format = 'otlp_json' and origin_service_name = 'workbench-web'"
    ) == [(33, 1)]


def test_incremental_equals_full_refresh_with_otlp_files(tmp_path: Path) -> None:
    days = golden_events()
    feb28, mar01 = days["date=2026-02-28"], days["date=2026-03-01"]
    resent = {**feb28[1]}  # a02 again, as a later OTLP export
    batches = [
        {"otlp/date=2026-02-28/a.jsonl": [to_otlp_line(feb28[:8])],
         "raw-events/date=2026-03-01/a.jsonl": [json.dumps(e) for e in mar01[:6]]},
        {"otlp/date=2026-02-28/b.jsonl": [to_otlp_line(feb28[8:12]), to_otlp_line(feb28[12:])],
         "otlp/date=2026-03-01/b.jsonl": [to_otlp_line(mar01[6:]), to_otlp_line([resent]),
                                          "not json"]},
        # A late OTLP file that sorts first re-sends flat events: its copies take over.
        {"otlp/date=2026-02-27/z.jsonl": [to_otlp_line(mar01[:2])]},
    ]  # fmt: skip
    dbt_vars = {
        "raw_events_glob": str(tmp_path / "raw" / "raw-events" / "**" / "*.jsonl"),
        "otlp_logs_glob": str(tmp_path / "raw" / "otlp" / "**" / "*.jsonl"),
        "workflow_creations_glob": "",
        "max_quarantine_rate": 1,
    }
    incremental_db = tmp_path / "incremental.duckdb"
    for number, batch in enumerate(batches):
        for name, lines in batch.items():
            write_lines(tmp_path / "raw" / name, lines)
        incremental = run_dbt_build(tmp_path / f"inc-{number}", dbt_vars, db_path=incremental_db)
        assert incremental.returncode == 0, incremental.output[-4000:]
        if number == 0:
            continue  # on an empty warehouse an incremental build is a full one: nothing to compare
        full = run_dbt_build(tmp_path / f"full-{number}", dbt_vars)
        assert full.returncode == 0, full.output[-4000:]
        expected, actual = public_tables(full), public_tables(incremental)
        assert actual.keys() == expected.keys()
        for name in expected:
            assert actual[name] == expected[name], f"batch {number}: {name} differs"
    # The scenarios happened: the resend and the late file's copies are duplicates, and the
    # late file's copies are the kept ones.
    assert incremental.query(
        "select sum(duplicates_dropped), sum(events_quarantined) from audit.load_reconciliation"
    ) == [(3, 1)]
    assert incremental.query(
        "select source_file like '%date=2026-02-27/z.jsonl', input_format, record_number"
        f" from staging.base_workbench__events where event_id = '{mar01[1]['eventId']}'"
    ) == [(True, "otlp_json", 2)]


def test_no_input_at_all_names_both_settings(tmp_path: Path) -> None:
    nothing = run_dbt_build(tmp_path / "a", {"raw_events_glob": "", "workflow_creations_glob": ""})
    assert nothing.returncode != 0
    assert "Both raw_events_glob and otlp_logs_glob are empty" in nothing.output
    unmatched = run_dbt_build(tmp_path / "b", otlp_vars(str(tmp_path / "none" / "*.jsonl")))
    assert unmatched.returncode != 0
    assert f"otlp_logs_glob ({tmp_path}/none/*.jsonl) matched no files" in unmatched.output
