"""Instrumentation health (models/marts/health, tests/health): a labelled fixture of ten days in
which every violation, unplanned event, unplanned property and a volume drop is placed by hand,
so every count of the health marts is known; the alerts fire on it, as warnings (the build
succeeds), and stay silent on the clean golden fixture."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, Build, load_script, run_dbt_build
from test_report import chromium_path, decode_png, open_page

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
MAR08, MAR09, MAR10 = date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)
PER_DAY = 10  # lines of each of the four events a normal day has


def line(name: str, day: date, eid: str, **props: object) -> str:
    event = {
        "event": name if "." in name else f"workbench.{name}",
        "eventId": eid,
        "sessionId": f"s-{day.isoformat()}",
        "timestamp": f"{day.isoformat()}T09:00:00Z",
    }
    event.update(props)
    return json.dumps(event, separators=(",", ":"))


def day_lines(day: date) -> list[str]:
    """The day's lines; the comments are the labels the assertions below count."""
    d = day.isoformat()
    lines: list[str] = []
    chats = 2 if day == MAR09 else PER_DAY  # volume drop: chat_message_sent on Mar 9
    for i in range(chats):
        extra = {"legacyFlag": True} if (day == DAYS[0] and i == 0) else {}  # unplanned, old
        lines.append(line("chat_message_sent", day, f"c-{d}-{i}", messageLength=5, **extra))
    for i in range(PER_DAY):
        props: dict[str, object] = {"source": "chat", "draftId": f"d-{d}-{i}", "nodeCount": 3}
        if day == MAR08 and i in (0, 1):
            props["nodeCount"] = "four"  # wrong_type, optional, matters to no KPI
        if day == MAR08 and i == 2:
            props["nodeCount"] = None  # JSON null: no issue
        if day == MAR08 and i == 3:
            props["templateId"] = True  # wrong_type, matters to template_usage_rate
        if day == MAR08 and i == 4:
            props["source"] = " "  # blank required: missing_required_property:source
        if day == MAR10 and i < 5:
            props["clientBuild"] = "1.2.3"  # unplanned property, new
        lines.append(line("draft_created", day, f"dc-{d}-{i}", **props))
    for i in range(PER_DAY):
        props = {"draftId": f"d-{d}-{i}"}
        if day == MAR08 and i < 3:
            props = {}  # missing_required_property:draftId
        if day == MAR10 and i == 0:
            props["password"] = "hunter2"  # forbidden key: counted, never stored
        timestamp = {"timestamp": "yesterday"} if (day == MAR09 and i == 9) else {}
        lines.append(line("draft_accepted", day, f"da-{d}-{i}", **props, **timestamp))
    for i in range(PER_DAY):
        props = {"templateId": "tpl-1", "draftId": f"d-{d}-{i}"}
        if day == MAR09 and i == 0:
            del props["templateId"]  # missing_required_property:templateId
        if day == MAR09 and i in (1, 2):
            props["properties"] = {"sessionID": "typo"}  # unplanned property (nested), new
        lines.append(line("template_inserted", day, f"ti-{d}-{i}", **props))
    if day == MAR08:
        lines.append('{"sessionId":"s-x","timestamp":"2026-03-08T09:00:00Z"}')  # missing_event_name
    if day == MAR09:
        for i in range(6):  # unknown_event, new, with an e-mail address to redact
            lines.append(line("draft_exported", day, f"x-{i}", owner="ann@example.com"))
    if day == MAR10:
        lines.append(line("bob@example.com clicked", day, "x-bob"))  # unknown, name redacted
        lines += lines[:2]  # identical resends: 2 duplicates of chat_message_sent
    return lines


def write_fixture(root: Path) -> None:
    for day in DAYS:
        path = root / "events" / f"date={day.isoformat()}" / "part-0000.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(day_lines(day)) + "\n")


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("health")
    write_fixture(work)
    build = run_dbt_build(
        work,
        {"raw_events_glob": str(work / "events" / "**" / "*.jsonl"), "workflow_creations_glob": ""},
    )
    assert build.returncode == 0, build.output[-4000:]
    return build


def test_event_daily_counts_every_line_as_labelled(labelled: Build) -> None:
    rows = labelled.query(
        "select event_name, event_date, lines_received, lines_kept, lines_duplicate,"
        " lines_quarantined, lines_kept_with_property_issue, lines_with_unplanned_property"
        " from marts.health_event_daily"
        " where lines_received <> 10 or lines_kept <> 10 or lines_with_unplanned_property > 0"
        " order by event_name, event_date"
    )
    unused = 11 * len(DAYS)  # the 11 taxonomy events the fixture never sends: rows of zeros
    zero_rows = [r for r in rows if r[2] == 0]
    assert len(zero_rows) == unused
    assert [r for r in rows if r[2] != 0] == [
        ("workbench.chat_message_sent", DAYS[0], 10, 10, 0, 0, 0, 1),
        ("workbench.chat_message_sent", MAR09, 2, 2, 0, 0, 0, 0),
        ("workbench.chat_message_sent", MAR10, 12, 10, 2, 0, 0, 0),
        ("workbench.draft_accepted", MAR08, 10, 7, 0, 3, 0, 0),
        ("workbench.draft_accepted", MAR09, 10, 9, 0, 1, 0, 0),
        ("workbench.draft_created", MAR08, 10, 9, 0, 1, 3, 0),
        ("workbench.draft_created", MAR10, 10, 10, 0, 0, 0, 5),
        ("workbench.template_inserted", MAR09, 10, 9, 0, 1, 0, 2),
    ]
    assert labelled.query(
        "select cast(min(first_seen_at) as varchar), cast(max(last_seen_at) as varchar),"
        " count(*) filter (where is_latest_day) from marts.health_event_daily"
    ) == [("2026-03-01 09:00:00", "2026-03-10 09:00:00", 15)]


def test_reasons_are_counted_per_day_and_event(labelled: Build) -> None:
    assert labelled.query(
        "select event_date, reason_code, event_name, lines from marts.health_event_reasons_daily"
        " order by event_date, reason_code, event_name"
    ) == [
        (MAR08, "missing_event_name", "", 1),
        (MAR08, "missing_required_property:draftId", "workbench.draft_accepted", 3),
        (MAR08, "missing_required_property:source", "workbench.draft_created", 1),
        (MAR09, "invalid_timestamp", "workbench.draft_accepted", 1),
        (MAR09, "missing_required_property:templateId", "workbench.template_inserted", 1),
        (MAR09, "unknown_event", "", 6),
        (MAR10, "unknown_event", "", 1),
    ]


def test_property_states_are_counted_per_property(labelled: Build) -> None:
    rows = labelled.query(
        "select event_name, property_key, event_date, is_required, lines_received,"
        " lines_present, lines_absent, lines_null, lines_blank, lines_wrong"
        " from marts.health_property_daily"
        " where lines_present <> lines_received and not (lines_absent = lines_received)"
        " order by event_name, property_key, event_date"
    )
    assert rows == [
        ("workbench.draft_accepted", "draftId", MAR08, True, 10, 7, 3, 0, 0, 0),
        ("workbench.draft_accepted", "timestamp", MAR09, True, 10, 9, 0, 0, 0, 1),
        ("workbench.draft_created", "nodeCount", MAR08, False, 10, 7, 0, 1, 0, 2),
        ("workbench.draft_created", "source", MAR08, True, 10, 9, 0, 0, 1, 0),
        ("workbench.draft_created", "templateId", MAR08, False, 10, 0, 9, 0, 0, 1),
        ("workbench.template_inserted", "templateId", MAR09, True, 10, 9, 1, 0, 0, 0),
    ]
    # Every property of a sent event has a row per day; hasAttachment, draft_accepted's source and
    # nodeCount are never sent, draft_created's templateId on all days but Mar 8.
    assert labelled.query(
        "select count(*), count(*) filter (where lines_absent = lines_received)"
        " from marts.health_property_daily"
    ) == [((4 + 6 + 5 + 4) * len(DAYS), 3 * len(DAYS) + 9)]


def test_unplanned_events_are_named_redacted_with_an_example(labelled: Build) -> None:
    rows = labelled.rows("select * from marts.health_unplanned_events order by event_name")
    assert [
        (r["event_name"], r["lines"], r["first_seen_date"], r["last_seen_date"]) for r in rows
    ] == [
        ("[REDACTED_EMAIL] clicked", 1, MAR10, MAR10),
        ("workbench.draft_exported", 6, MAR09, MAR09),
    ]
    exported = rows[1]
    first_line = day_lines(MAR09).index(
        line("draft_exported", MAR09, "x-0", owner="ann@example.com")
    )
    assert exported["example_source_file"].endswith("date=2026-03-09/part-0000.jsonl")
    assert exported["example_line_number"] == first_line + 1
    # The example's text, redacted, is in the build file's audit schema, not in the mart.
    example = labelled.query(
        "select raw_line from audit.quarantined_events where source_file = ? and line_number = ?",
        [exported["example_source_file"], exported["example_line_number"]],
    )
    assert len(example) == 1 and '"event":"workbench.draft_exported"' in example[0][0]
    assert "ann@example.com" not in example[0][0] and "[REDACTED" in example[0][0]


def test_unplanned_and_denylisted_properties_are_counted_without_values(labelled: Build) -> None:
    assert labelled.query(
        "select event_name, property_key, is_denylisted, lines, first_seen_date, last_seen_date"
        " from marts.health_unplanned_properties order by event_name, property_key"
    ) == [
        ("workbench.chat_message_sent", "legacyFlag", False, 1, DAYS[0], DAYS[0]),
        ("workbench.draft_accepted", "password", True, 1, MAR10, MAR10),
        ("workbench.draft_created", "clientBuild", False, 5, MAR10, MAR10),
        ("workbench.template_inserted", "sessionID", False, 2, MAR09, MAR09),
    ]
    # The forbidden value and the unplanned values are in no health mart.
    for (table,) in labelled.query(
        "select table_name from information_schema.tables"
        " where table_schema = 'marts' and table_name like 'health%'"
    ):
        text = str(labelled.query(f"select * from marts.{table}"))
        assert "hunter2" not in text and "1.2.3" not in text and "typo" not in text, table


def test_kpi_exposure_counts_lost_inputs_and_flags_untrustworthy_periods(labelled: Build) -> None:
    rows = labelled.query(
        "select period_start, kpi_name, input_lines, lines_quarantined,"
        " lines_with_property_issue, lines_lost, round(lost_share, 4), is_trustworthy"
        " from marts.health_kpi_exposure where period_grain = 'day' and period_start >= ?"
        " order by period_start, kpi_name",
        [MAR08],
    )
    assert rows == [
        (MAR08, "template_suggestion_rate", 10, 0, 0, 0, 0.0, True),
        (MAR08, "template_usage_rate", 30, 4, 1, 5, round(5 / 30, 4), False),
        (MAR08, "time_to_create_workflow", 20, 4, 0, 4, 0.2, False),
        (MAR08, "workbench_adoption", 20, 4, 0, 4, 0.2, False),
        (MAR09, "template_suggestion_rate", 2, 0, 0, 0, 0.0, True),
        (MAR09, "template_usage_rate", 30, 2, 0, 2, round(2 / 30, 4), False),
        (MAR09, "time_to_create_workflow", 20, 1, 0, 1, 0.05, False),
        (MAR09, "workbench_adoption", 20, 1, 0, 1, 0.05, False),
        (MAR10, "template_suggestion_rate", 10, 0, 0, 0, 0.0, True),
        (MAR10, "template_usage_rate", 30, 0, 0, 0, 0.0, True),
        (MAR10, "time_to_create_workflow", 20, 0, 0, 0, 0.0, True),
        (MAR10, "workbench_adoption", 20, 0, 0, 0, 0.0, True),
    ]
    # Weeks and months are aggregated from their lines (Mar 1, a Sunday, ends ISO week Feb 23).
    assert labelled.query(
        "select period_grain, period_start, input_lines, lines_lost, is_trustworthy"
        " from marts.health_kpi_exposure where kpi_name = 'template_usage_rate'"
        " and period_grain <> 'day' order by period_grain, period_start"
    ) == [
        ("month", date(2026, 3, 1), 300, 7, False),
        ("week", date(2026, 2, 23), 30, 0, True),
        ("week", date(2026, 3, 2), 210, 5, False),
        ("week", date(2026, 3, 9), 60, 2, False),
    ]


ALERTS = [
    "Health alert (new unplanned): new unplanned event [REDACTED_EMAIL] clicked"
    " since 2026-03-10: 1 lines",
    "Health alert (new unplanned): new unplanned event workbench.draft_exported"
    " since 2026-03-09: 6 lines",
    "Health alert (new unplanned): new unplanned property clientBuild on workbench.draft_created"
    " since 2026-03-10: 5 lines",
    "Health alert (new unplanned): new unplanned property sessionID on workbench.template_inserted"
    " since 2026-03-09: 2 lines",
    "Health alert (quarantine rise): unknown_event on 2026-03-09: 6 quarantined lines, over 3 times"
    " its trailing 7-day median of 0.0",
    "Health alert (volume drop): workbench.chat_message_sent on 2026-03-09: 2 lines, below 0.5 of"
    " its trailing 7-day median of 10.0",
]


def printed_alerts(output: str) -> list[str]:
    return sorted(
        re.sub(r" \((marts|an instrumentation)[^)]*\)$", "", m.group(1).strip())
        for m in re.finditer(r"^\S*\s*(Health alert .*)$", output, re.MULTILINE)
    )


def test_alerts_warn_naming_event_day_and_number(labelled: Build) -> None:
    assert printed_alerts(labelled.output) == sorted(ALERTS)
    for test, rows in [
        ("health_alert_new_unplanned", 4),
        ("health_alert_quarantine_rise", 1),
        ("health_alert_volume_drop", 1),
    ]:
        assert re.search(rf"WARN {rows} {test} ", labelled.output), test
    assert "ERROR=0" in labelled.output


def test_alerts_stay_silent_on_the_clean_golden_fixture(tmp_path: Path) -> None:
    golden = FIXTURES / "golden"
    build = run_dbt_build(
        tmp_path,
        {
            "raw_events_glob": str(golden / "events" / "**" / "*.jsonl"),
            "workflow_creations_glob": str(golden / "workflow_creations" / "*.csv"),
        },
        select="+path:tests/health",
    )
    assert build.returncode == 0, build.output[-4000:]
    assert printed_alerts(build.output) == []
    for test in [
        "health_alert_new_unplanned",
        "health_alert_quarantine_rise",
        "health_alert_volume_drop",
    ]:
        assert re.search(rf"PASS {test} ", build.output), test


def docs_query(title: str) -> str:
    """The SQL block of docs/health.md whose first line is the comment `-- <title>`."""
    text = (ROOT / "docs" / "health.md").read_text(encoding="utf-8")
    match = re.search(rf"```sql\n(-- {re.escape(title)}.*?)```", text, re.DOTALL)
    assert match, f"docs/health.md has no sql block starting with -- {title}"
    return match.group(1)


def test_which_client_change_broke_which_kpi_is_one_query(labelled: Build) -> None:
    rows = labelled.query(docs_query("Which client change broke which KPI, since when?"))
    usage8, usage9 = round(5 / 30, 4), round(2 / 30, 4)
    assert [(*r[:6], round(r[6], 4)) for r in rows] == [
        ("template_usage_rate", "workbench.draft_accepted", "missing_required_property:draftId",
         MAR08, MAR08, 3, usage8),
        ("template_usage_rate", "workbench.draft_created", "missing_required_property:source",
         MAR08, MAR08, 1, usage8),
        ("template_usage_rate", "workbench.draft_created", "templateId: wrong or blank",
         MAR08, MAR08, 1, usage8),
        ("time_to_create_workflow", "workbench.draft_accepted",
         "missing_required_property:draftId", MAR08, MAR08, 3, 0.2),
        ("time_to_create_workflow", "workbench.draft_created",
         "missing_required_property:source", MAR08, MAR08, 1, 0.2),
        ("workbench_adoption", "workbench.draft_accepted", "missing_required_property:draftId",
         MAR08, MAR08, 3, 0.2),
        ("workbench_adoption", "workbench.draft_created", "missing_required_property:source",
         MAR08, MAR08, 1, 0.2),
        ("template_usage_rate", "workbench.draft_accepted", "invalid_timestamp",
         MAR09, MAR09, 1, usage9),
        ("template_usage_rate", "workbench.template_inserted",
         "missing_required_property:templateId", MAR09, MAR09, 1, usage9),
        ("time_to_create_workflow", "workbench.draft_accepted", "invalid_timestamp",
         MAR09, MAR09, 1, 0.05),
        ("workbench_adoption", "workbench.draft_accepted", "invalid_timestamp",
         MAR09, MAR09, 1, 0.05),
    ]  # fmt: skip


health_report = load_script(ROOT / "scripts" / "health_report.py")


@pytest.fixture(scope="module")
def page(labelled: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("health_page") / "health_report.html"
    assert health_report.main(["--db", str(labelled.db_path), "--output", str(out)]) == 0
    return out


def test_health_page_shows_the_labelled_counts(page: Path) -> None:
    text = html.unescape(page.read_text(encoding="utf-8"))
    # The heat map: one cell per taxonomy event and day, its colour from the valid share.
    assert text.count('<rect class="point"') == 15 * len(DAYS)
    assert (
        "workbench.draft_accepted on 2026-03-08: 10 lines received, 7 kept, 0 duplicates,"
        " 3 quarantined (70.0% valid)" in text
    )
    cell = re.search(
        r'<rect [^>]*fill="(#\w+)"><title>workbench.draft_accepted on 2026-03-08', text
    )
    assert cell and cell.group(1) == health_report.SCALE[3][1]
    assert (
        "workbench.chat_message_sent on 2026-03-10: 12 lines received, 10 kept, 2 duplicates"
        in text
    )
    # Top violations, most lines first; the unplanned events and properties; the exposure.
    violations = re.search(r'id="violations".*?<tbody>(.*?)</tbody>', text, re.DOTALL)
    assert violations
    first_rows = re.findall(r"<tr>(.*?)</tr>", violations.group(1))[:2]
    assert [re.findall(r"<td>(.*?)</td>", row) for row in first_rows] == [
        ["(no taxonomy event)", "quarantined", "unknown_event", "7", "2026-03-09", "2026-03-10"],
        ["workbench.draft_accepted", "quarantined", "missing_required_property:draftId", "3",
         "2026-03-08", "2026-03-08"],
    ]  # fmt: skip
    assert "<td>workbench.draft_exported</td><td>6</td>" in text
    assert "<td>workbench.template_inserted</td><td>sessionID</td><td>no</td><td>2</td>" in text
    assert "<td>workbench.draft_accepted</td><td>password</td><td>yes</td><td>1</td>" in text
    assert text.count('data-trustworthy="false"') == 6
    assert "hunter2" not in text and "ann@example.com" not in text


def test_health_page_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    result = open_page(chromium_path(), page, tmp_path / "profile")
    assert result.problems == []
    assert [(c["id"], c["svgs"], c["traces"]) for c in result.charts] == [
        ("chart-health-heatmap", 1, 15 * len(DAYS))
    ]
    image = decode_png(result.screenshot)
    box = result.charts[0]["box"]
    assert image.ink_share(box) > 0.02, "the heat map is blank on screen"
    for colour in (health_report.SCALE[0][1], health_report.SCALE[3][1], health_report.NO_LINES):
        assert image.has_colour(box, colour), colour
