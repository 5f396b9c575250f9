"""Privacy rules (docs/privacy.md): forbidden keys dropped, e-mail identifiers hashed with the
salt, e-mails in text and referrer query strings removed, quarantined lines redacted, and no
planted value anywhere once the build is done: not in any column of any table or view of any
schema of the build file (the raw lines included), not in the serving file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, Build, run_dbt_build

SALT = "test-salt-4f1c"
PLANTED_SECRETS = [
    "my secret plan",
    "draft the outage memo",
    "hunter2",
    "tok-zz9",
    "sk-live-123",
    "cookie-crumb",
    "alice@example.com",
    "Bob@Example.org",
    "carol@example.net",
    "dave@example.com",
    "erin@example.com",
    "frank@example.com",
    "gina@example.com",
    "user=erin",
    "pw-nested-valid",
    "nested.valid@example.com",
    "pw-nested-quarantined",
    "quarantined.nested@example.com",
    "chat text in a quarantined line",
    "jane.doe",
    "jane.roe",
    "esc-pw-777",
    "tok-esc-555",
    "key-esc-313",
]


def event(name: str, ts: str, **props: object) -> str:
    return json.dumps({"event": f"workbench.{name}", "sessionId": "s-p", "timestamp": ts, **props})


LINES = [
    event("session_started", "2026-02-02T09:00:00Z", eventId="p-start", userId="alice@example.com",
          referrer="https://intra.example/home?user=erin@example.com&token=tok-zz9#frag"),
    event("chat_message_sent", "2026-02-02T09:00:05Z", eventId="p-chat", messageLength=14,
          message="my secret plan", Password="hunter2",
          properties={"prompt": "draft the outage memo", "Cookie": "cookie-crumb"}),
    event("draft_created", "2026-02-02T09:00:10Z", eventId="p-draft", source="chat", draftId="d-p"),
    event("draft_edited", "2026-02-02T09:00:20Z", eventId="p-edit", draftId="d-p",
          editType="chat", intent="ask carol@example.net please"),
    event("approval_requested", "2026-02-02T09:01:00Z", eventId="p-req", toolIds=["restartService"],
          contextType="incident for dave@example.com"),
    event("approval_completed", "2026-02-02T09:02:00Z", eventId="p-done", approved=True,
          approverId="Bob@Example.org"),
    event("template_viewed", "2026-02-02T09:03:00Z", eventId="p-view", templateId="tpl-1",
          source="gina@example.com"),
    # quarantined (no draftId): its stored text must be redacted
    event("draft_accepted", "2026-02-02T09:04:00Z", apiKey="sk-live-123", note="frank@example.com"),
    '{"event":"workbench.draft_accepted","token":"tok-zz9","sessionId":"frank@example.com"',
    # forbidden keys and e-mails inside `properties`, of a valid and of a quarantined line
    event("template_inserted", "2026-02-02T09:05:00Z", eventId="p-ins", templateId="tpl-1",
          properties={"draftId": "d-p", "password": "pw-nested-valid",
                      "email": "nested.valid@example.com"}),
    event("draft_rejected", "2026-02-02T09:06:00Z",
          properties={"secret": "pw-nested-quarantined",
                      "content": "chat text in a quarantined line",
                      "emailAddress": "quarantined.nested@example.com"}),
    # a percent-encoded e-mail in a referrer's path
    event("session_started", "2026-02-02T09:07:00Z", eventId="p-start-2",
          referrer="https://intra.example/users/jane.doe%40corp.example/profile"),
    # quarantined (no draftId), keys and e-mails written with JSON escapes: json.dumps would
    # decode them, so the text is written by hand
    '{"event":"workbench.draft_accepted","sessionId":"s-p","timestamp":"2026-02-02T09:08:00Z",'
    '"pass\\u0077ord":"esc-pw-777","note":"jane.roe\\u0040corp.example",'
    '"properties":{"\\u0054oken":"tok-esc-555","\\u0061\\u0070\\u0069key":"key-esc-313",'
    '"who":"j\\u002eesc\\u0040corp\\u002eexample"}}',
]  # fmt: skip


def sha(value: str) -> str:
    return "sha256:" + hashlib.sha256((SALT + value).encode()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("privacy")
    events = work / "events"
    events.mkdir()
    (events / "part-1.jsonl").write_text("\n".join(LINES) + "\n")
    os.environ["WORKBENCH_PII_SALT"] = SALT
    try:
        build = run_dbt_build(
            work,
            {"raw_events_glob": str(events / "*.jsonl"), "workflow_creations_glob": "",
             "max_quarantine_rate": 1},
        )  # fmt: skip
    finally:
        del os.environ["WORKBENCH_PII_SALT"]
    assert build.returncode == 0, build.output[-4000:]
    return build


def test_findings_name_the_keys_never_the_values(built: Build) -> None:
    rows = set(built.query("select event_id, property_key, finding from audit.privacy_findings"))
    assert rows == {
        ("p-start", "userId", "email_hashed"),
        ("p-start", "referrer", "email_redacted"),
        ("p-start-2", "referrer", "email_redacted"),
        ("p-chat", "message", "denylisted_key"),
        ("p-chat", "Password", "denylisted_key"),
        ("p-chat", "prompt", "denylisted_key"),
        ("p-chat", "Cookie", "denylisted_key"),
        ("p-edit", "intent", "email_redacted"),
        ("p-req", "contextType", "email_redacted"),
        ("p-done", "approverId", "email_hashed"),
        ("p-view", "source", "email_redacted"),
        ("p-ins", "password", "denylisted_key"),
        ("p-ins", "email", "denylisted_key"),
    }


def test_stored_values(built: Build) -> None:
    assert built.query(
        "select user_id, referrer from staging.stg_workbench__session_started order by occurred_at"
    ) == [
        (sha("alice@example.com"), "https://intra.example/home"),
        (None, "https://intra.example/users/[REDACTED_EMAIL]/profile"),
    ]
    assert built.query("select approver_id from staging.stg_workbench__approval_completed") == [
        (sha("Bob@Example.org"),)
    ]
    assert built.query("select intent from staging.stg_workbench__draft_edited") == [
        ("ask [REDACTED_EMAIL] please",)
    ]
    assert built.query("select context_type from marts.fct_approvals") == [
        ("incident for [REDACTED_EMAIL]",)
    ]
    assert built.query("select user_id from marts.dim_sessions") == [(sha("alice@example.com"),)]


def test_quarantined_lines_are_redacted(built: Build) -> None:
    raw = [r for (r,) in built.query("select raw_line from audit.quarantined_events order by 1")]
    assert len(raw) == 4
    assert all("[REDACTED]" in r for r in raw)
    assert any('"apiKey": "[REDACTED]"' in r for r in raw)
    assert any('"token":"[REDACTED]"' in r for r in raw)
    # Keys and e-mail addresses written with JSON escapes are found all the same.
    assert (
        '{"event":"workbench.draft_accepted","sessionId":"s-p","timestamp":"2026-02-02T09:08:00Z",'
        '"pass\\u0077ord":"[REDACTED]","note":"[REDACTED]",'
        '"properties":{"\\u0054oken":"[REDACTED]","\\u0061\\u0070\\u0069key":"[REDACTED]",'
        '"who":"[REDACTED]"}}'
    ) in raw


def text_values(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every non-null value of every column (lists and JSON included, as text) of every table and
    view in every schema, as (schema.table.column, value). A view over the lines of the build
    (in the scratch database only a dbt process attaches) holds nothing outside a build: it is
    skipped; base_workbench__parsed_lines is the only one."""
    columns = con.execute(
        "select c.table_schema || '.' || c.table_name, c.column_name"
        " from information_schema.columns c join information_schema.tables t"
        " using (table_catalog, table_schema, table_name)"
        " where t.table_type in ('BASE TABLE', 'VIEW')"
    ).fetchall()
    over_build_lines = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, view_name from duckdb_views() where sql like '%build_lines.%'"
        ).fetchall()
    }
    assert over_build_lines <= {"staging.base_workbench__parsed_lines"}
    found = []
    for table, column in columns:
        if table in over_build_lines:
            continue
        for (value,) in con.execute(
            f'select distinct cast("{column}" as varchar) from {table} where "{column}" is not null'
        ).fetchall():
            found.append((f"{table}.{column}", value))
    return found


def test_no_planted_value_anywhere_in_the_build_file(built: Build) -> None:
    with duckdb.connect(str(built.db_path), read_only=True) as con:
        values = text_values(con)
        # The reader's table is searched too: it records the one file read, and holds no line
        # (the lines were in the scratch database only).
        assert con.execute(
            "select count(*) filter (line_number = 0), count(*) filter (line_number > 0)"
            " from staging.base_workbench__raw_lines"
        ).fetchall() == [(1, 0)]
    assert any(where.startswith("staging.base_workbench__raw_lines.") for where, _ in values)
    leaks = [
        (where, v)
        for where, v in values
        for secret in PLANTED_SECRETS
        if secret.lower() in v.lower()
    ]
    assert leaks == []


@pytest.fixture(scope="module")
def published(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder that scripts/publish.py filled from the build: serving.duckdb and parquet/."""
    folder = tmp_path_factory.mktemp("published")
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(built.db_path),
        "WORKBENCH_SERVING_PATH": str(folder / "serving.duckdb"),
        "WORKBENCH_PARQUET_DIR": str(folder / "parquet"),
    }
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py")], env=env, check=True, cwd=ROOT
    )
    return folder


def test_serving_file_holds_none_of_them(published: Path) -> None:
    serving = published / "serving.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        values = text_values(con)
        # The quality marts reach readers: where each quarantined line is and why, not its text.
        quarantined = con.execute(
            "select event_name, reasons from marts.quality_quarantined_lines order by line_number"
        ).fetchall()
    assert quarantined == [
        ("workbench.draft_accepted", ["missing_required_property:draftId"]),
        (None, ["malformed_json"]),
        ("workbench.draft_rejected", ["missing_required_property:draftId"]),
        # the line with JSON-escaped keys and e-mails
        ("workbench.draft_accepted", ["missing_required_property:draftId"]),
    ]
    assert any(where.startswith("marts.quality_privacy_finding_counts.") for where, _ in values)
    # The Parquet set holds the same tables: searched the same way.
    with duckdb.connect() as con:
        con.execute("create schema marts")
        for parquet in sorted((published / "parquet").glob("*.parquet")):
            con.execute(f"create view marts.{parquet.stem} as from read_parquet('{parquet}')")
        parquet_values = text_values(con)
    assert sorted(parquet_values) == sorted(values)
    leaks = [
        (where, v)
        for where, v in values + parquet_values
        for secret in PLANTED_SECRETS
        if secret.lower() in v.lower()
    ]
    assert leaks == []


def planted_in_bytes(path: Path) -> list[str]:
    """The planted values written anywhere in a file's bytes as plain text, in any case: also in
    what no table shows any more (deleted rows, freed pages). Compressed bytes can hide a value
    from this search, so it complements the column search above, never replaces it."""
    data = path.read_bytes().lower()
    return [secret for secret in PLANTED_SECRETS if secret.lower().encode() in data]


def test_serving_file_bytes_hold_none_of_them(published: Path) -> None:
    """Readers open the serving file, which publish writes afresh from the marts: it carries no
    deleted row and no freed page of the build file."""
    serving = published / "serving.duckdb"
    assert serving.stat().st_size > 0
    assert planted_in_bytes(serving) == []


def test_build_file_bytes_hold_none_of_them(built: Build) -> None:
    """DuckDB does not overwrite what it deletes, so a line written to the build file would stay
    in its bytes after the table forgot it: the lines never reach the file. The scratch file that
    held them is gone once dbt has ended."""
    assert list(built.db_path.parent.glob("*.build-lines*")) == []
    # The write-ahead log too, when the build left one.
    wal = built.db_path.with_name(built.db_path.name + ".wal")
    files = [built.db_path, *([wal] if wal.exists() else [])]
    found = {path.name: planted_in_bytes(path) for path in files}
    assert found == {path.name: [] for path in files}


def test_raw_lines_of_an_earlier_version_are_dropped(tmp_path: Path) -> None:
    """A warehouse of an earlier version kept every raw line in staging.stg_workbench__raw_lines:
    the next build drops it (and its views), so the secret in it is gone."""
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_workbench__raw_lines as select 'hunter2' as raw_line")
        con.execute(
            "create view staging.stg_workbench__parsed_lines as"
            " select * from staging.stg_workbench__raw_lines"
        )
    events = tmp_path / "events"
    events.mkdir()
    (events / "part-1.jsonl").write_text(LINES[0] + "\n")
    build = run_dbt_build(
        tmp_path, {"raw_events_glob": str(events / "*.jsonl"), "workflow_creations_glob": ""},
        db_path=db,
    )  # fmt: skip
    assert build.returncode == 0, build.output[-3000:]
    assert "Dropped " in build.output
    with duckdb.connect(str(db), read_only=True) as con:
        legacy = con.execute(
            "select table_name from information_schema.tables"
            " where table_name like 'stg_workbench__%lines'"
        ).fetchall()
        values = text_values(con)
    assert legacy == []
    assert not [v for _, v in values if "hunter2" in v]
