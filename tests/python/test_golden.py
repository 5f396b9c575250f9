"""Golden test: a fixture small enough that every mart row and every scorecard value is computed
by hand here (docs/specification.md, 'Public tables' and 'KPI definitions'). The fixture is
tests/python/fixtures/golden/.

Dates: 2026-02-28 is a Saturday, 2026-03-01 a Sunday, 2026-03-02 a Monday. So the ISO week of
Monday 2026-02-23 holds Feb 28 and Mar 1 (it crosses the month boundary), and Mar 2 starts the
next week. Three sessions:
  s-a (Feb 28): a template draft d-a1 accepted and run; an anonymous creation linked to the orphan
      id d-orphan (edited, accepted, then a template inserted *after* acceptance); a second
      anonymous creation left unlinked; a 65-minute gap.
  s-b (Mar 1 23:50 -> Mar 2 00:26): no start or end event; d-b1 (template inserted before
      acceptance) accepted on Sunday, d-b2 accepted on Monday and run, never completed.
  s-c (Mar 2): d-c1 created from chat *with* a templateId; approvals: a pair whose completion has
      no toolIds, a completion earlier than its key's request (unmatched) and a pending request.
Other-channel CSV: w-1 (Feb 28), w-2 twice (earliest Mar 1 counts), w-3 'Workbench' (ignored),
a row without id and a row with a bad time (both left out).
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import FIXTURES, Build, assert_unit_tests_ran_and_passed, run_dbt_build

GOLDEN = FIXTURES / "golden"
MIN = 60_000  # ms in a minute


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work: Path = tmp_path_factory.mktemp("golden")
    build = run_dbt_build(
        work,
        {
            "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
            "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
        },
        unit_tests=True,
    )
    assert build.returncode == 0, build.output[-5000:]
    return build


def test_the_dbt_unit_tests_ran_and_passed(golden: Build) -> None:
    """This build is where the dbt unit tests run (conftest.run_dbt_build skips them elsewhere)."""
    assert_unit_tests_ran_and_passed(golden.db_path.parent / "target")


def test_nothing_quarantined(golden: Build) -> None:
    assert golden.query(
        "select sum(lines_read), sum(events_accepted), sum(events_quarantined)"
        " from audit.load_reconciliation where source_file like '%.jsonl'"
    ) == [(33, 33, 0)]


def test_dim_sessions(golden: Build) -> None:
    rows = golden.rows(
        "select session_id, started_at, ended_at, is_start_inferred, is_end_inferred,"
        " duration_ms, reported_duration_ms, active_duration_ms, activity_segments, user_id,"
        " referrer, events, chat_messages, template_suggestions, drafts_created,"
        " drafts_accepted, templates_inserted, runs_started, approvals_requested"
        " from marts.dim_sessions order by session_id"
    )
    assert rows == [
        {
            "session_id": "s-a",
            "started_at": ts("2026-02-28 09:00:00"),
            "ended_at": ts("2026-02-28 10:31:00"),
            "is_start_inferred": False,
            "is_end_inferred": False,
            "duration_ms": 91 * MIN,  # 09:00 -> 10:31
            "reported_duration_ms": 5_460_000,
            # gaps (s): 10,10,10,30,240,60,60,180,60,240,360,60,180,[3900],60; all but the
            # 65-minute gap are <= 30 min: sum = 1560 s; segments = 1 + 1 large gap.
            "active_duration_ms": 1_560_000,
            "activity_segments": 2,
            "user_id": "u-1",
            "referrer": "https://intra.example/home",
            "events": 16,
            "chat_messages": 2,
            "template_suggestions": 1,
            "drafts_created": 3,
            "drafts_accepted": 2,
            "templates_inserted": 1,
            "runs_started": 1,
            "approvals_requested": 0,
        },
        {
            "session_id": "s-b",
            "started_at": ts("2026-03-01 23:50:00"),  # no session_started: earliest event
            "ended_at": ts("2026-03-02 00:26:00"),  # no session_ended: latest event
            "is_start_inferred": True,
            "is_end_inferred": True,
            "duration_ms": 36 * MIN,
            "reported_duration_ms": None,
            # gaps (s): 60,60,420,360,900,5,295,60 = 2160 s, none over 30 min
            "active_duration_ms": 2_160_000,
            "activity_segments": 1,
            "user_id": None,
            "referrer": None,
            "events": 9,
            "chat_messages": 2,
            "template_suggestions": 1,
            "drafts_created": 2,
            "drafts_accepted": 2,
            "templates_inserted": 1,
            "runs_started": 1,
            "approvals_requested": 0,
        },
        {
            "session_id": "s-c",
            "started_at": ts("2026-03-02 10:00:00"),
            "ended_at": ts("2026-03-02 10:56:00"),
            "is_start_inferred": False,
            "is_end_inferred": False,
            "duration_ms": 56 * MIN,
            "reported_duration_ms": None,  # session_ended without durationMs
            # gaps (s): 60,1800,540,300,300,300,60; exactly 30 min still counts: 3360 s
            "active_duration_ms": 3_360_000,
            "activity_segments": 1,
            "user_id": "u-2",
            "referrer": None,
            "events": 8,
            "chat_messages": 0,
            "template_suggestions": 0,
            "drafts_created": 1,
            "drafts_accepted": 1,
            "templates_inserted": 0,
            "runs_started": 0,
            "approvals_requested": 2,
        },
    ]


def test_fct_drafts(golden: Build) -> None:
    columns = (
        "draft_id, draft_id_source, created_at, creation_source, creation_template_id,"
        " session_id, node_count, first_accepted_at, first_rejected_at, is_accepted, status,"
        " edits, edits_chat, edits_canvas, edits_template_insert, templates_inserted,"
        " uses_template, time_to_accept_ms, runs_started, runs_failed"
    )
    rows = golden.query(f"select {columns} from marts.fct_drafts order by created_at")
    acc = ts
    assert rows == [
        # d-a1: template source -> uses_template; 09:01 -> 09:05 = 4 min; one completed run
        ("d-a1", "event", ts("2026-02-28 09:01:00"), "template", "tpl-1", "s-a", 4,
         acc("2026-02-28 09:05:00"), None, True, "accepted", 0, 0, 0, 0, 0, True, 4 * MIN, 1, 0),
        # anonymous creation #1 of s-a links to orphan #1 (d-orphan, first referenced 09:15 >=
        # 09:11); the insert at 09:22 is after acceptance (09:21): no template use; 10 min
        ("d-orphan", "linked", ts("2026-02-28 09:11:00"), "chat", None, "s-a", 2,
         acc("2026-02-28 09:21:00"), None, True, "accepted", 2, 1, 1, 0, 1, False, 10 * MIN, 0, 0),
        # anonymous creation #2 of s-a: no orphan #2 -> its own row
        ("unlinked:a14", "unlinked", ts("2026-02-28 09:25:00"), "blank", None, "s-a", None,
         None, None, False, "open", 0, 0, 0, 0, 0, False, None, 0, 0),
        # d-b1: tpl-3 inserted 23:52, before acceptance 23:59 -> uses_template; 8 min
        ("d-b1", "event", ts("2026-03-01 23:51:00"), "blank", None, "s-b", None,
         acc("2026-03-01 23:59:00"), None, True, "accepted", 0, 0, 0, 0, 1, True, 8 * MIN, 0, 0),
        # d-b2: 00:05 -> 00:25 = 20 min; one run, still running
        ("d-b2", "event", ts("2026-03-02 00:05:00"), "chat", None, "s-b", None,
         acc("2026-03-02 00:25:00"), None, True, "accepted", 0, 0, 0, 0, 0, False, 20 * MIN, 1, 0),
        # d-c1: chat source but the creation carries a templateId -> uses_template; 30 min
        ("d-c1", "event", ts("2026-03-02 10:01:00"), "chat", "tpl-1", "s-c", None,
         acc("2026-03-02 10:31:00"), None, True, "accepted", 0, 0, 0, 0, 0, True, 30 * MIN, 0, 0),
    ]  # fmt: skip


def test_fct_workflow_runs(golden: Build) -> None:
    rows = golden.query(
        "select run_id, started_at, draft_id, session_id, completed_at, status, duration_ms,"
        " uses_template from marts.fct_workflow_runs order by run_id"
    )
    assert rows == [
        ("r-1", ts("2026-02-28 09:06:00"), "d-a1", "s-a", ts("2026-02-28 09:07:00"),
         "completed", 50_000, True),  # durationMs reported wins over the 60 s between events
        ("r-2", ts("2026-03-02 00:26:00"), "d-b2", "s-b", None, "running", None, False),
    ]  # fmt: skip


def test_fct_chat_turns(golden: Build) -> None:
    rows = golden.query(
        "select turn_id, session_id, sent_at, message_length, has_attachment, turn_number,"
        " template_suggestions, tools_invoked, has_template_suggestion"
        " from marts.fct_chat_turns order by sent_at"
    )
    assert rows == [
        # a03 (suggestion) and a04 (tool call) follow a02 before the next message a09
        ("a02", "s-a", ts("2026-02-28 09:00:10"), 10, False, 1, 1, 1, True),
        ("a09", "s-a", ts("2026-02-28 09:10:00"), 20, True, 2, 0, 0, False),
        ("b01", "s-b", ts("2026-03-01 23:50:00"), 5, None, 1, 0, 0, False),
        ("b06", "s-b", ts("2026-03-02 00:20:00"), 7, None, 2, 1, 0, True),
    ]


def test_fct_approvals(golden: Build) -> None:
    rows = golden.rows(
        "select approval_id, requested_at, completed_at, tool_ids, context_type, incident_id,"
        " workflow_id, draft_id, approved, approver_id, latency_ms, status, session_id"
        " from marts.fct_approvals order by approval_id"
    )
    assert rows == [
        {  # c05 has no toolIds: it takes the key of c04 (latest request at or before it)
            "approval_id": "c04",
            "requested_at": ts("2026-03-02 10:40:00"),
            "completed_at": ts("2026-03-02 10:45:00"),
            "tool_ids": "pageOncall,restartService",
            "context_type": "incident",
            "incident_id": "inc-1",
            "workflow_id": None,
            "draft_id": None,
            "approved": True,
            "approver_id": "u-9",
            "latency_ms": 5 * MIN,
            "status": "approved",
            "session_id": "s-c",
        },
        {  # completion #1 of key scaleDeployment (10:50) is before request #1 (10:55)
            "approval_id": "c06",
            "requested_at": None,
            "completed_at": ts("2026-03-02 10:50:00"),
            "tool_ids": "scaleDeployment",
            "context_type": None,
            "incident_id": None,
            "workflow_id": None,
            "draft_id": None,
            "approved": False,
            "approver_id": None,
            "latency_ms": None,
            "status": "unmatched_completion",
            "session_id": "s-c",
        },
        {
            "approval_id": "c07",
            "requested_at": ts("2026-03-02 10:55:00"),
            "completed_at": None,
            "tool_ids": "scaleDeployment",
            "context_type": "workflow",
            "incident_id": None,
            "workflow_id": None,
            "draft_id": None,
            "approved": None,
            "approver_id": None,
            "latency_ms": None,
            "status": "pending",
            "session_id": "s-c",
        },
    ]


def test_dim_templates(golden: Build) -> None:
    rows = golden.query(
        "select template_id, times_viewed, times_suggested, suggestions_accepted,"
        " times_inserted, drafts_created_from, first_seen_at, last_seen_at"
        " from marts.dim_templates order by template_id"
    )
    assert rows == [
        # suggested a03 (accepted), created from a05 and c02
        ("tpl-1", 0, 1, 1, 0, 2, ts("2026-02-28 09:00:20"), ts("2026-03-02 10:01:00")),
        ("tpl-2", 0, 0, 0, 1, 0, ts("2026-02-28 09:22:00"), ts("2026-02-28 09:22:00")),
        # inserted b03, suggested b07 (accepted false)
        ("tpl-3", 0, 1, 0, 1, 0, ts("2026-03-01 23:52:00"), ts("2026-03-02 00:20:05")),
    ]


# (grain, period_start, kpi) -> (numerator, denominator, value, meets_target, sample_size)
FEB23, MAR02 = date(2026, 2, 23), date(2026, 3, 2)
FEB28, MAR01 = date(2026, 2, 28), date(2026, 3, 1)
FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)
EXPECTED_SCORECARD = {
    # Turns by sent_at: a02 (suggestion) and a09 on Feb 28; b01 on Mar 1; b06 (suggestion) Mar 2.
    ("day", FEB28, "template_suggestion_rate"): (1, 2, 1 / 2, True, 2),
    ("day", MAR01, "template_suggestion_rate"): (0, 1, 0.0, False, 1),
    ("day", MAR02, "template_suggestion_rate"): (1, 1, 1.0, True, 1),
    ("week", FEB23, "template_suggestion_rate"): (1, 3, 1 / 3, True, 3),
    ("week", MAR02, "template_suggestion_rate"): (1, 1, 1.0, True, 1),
    ("month", FEB, "template_suggestion_rate"): (1, 2, 1 / 2, True, 2),
    ("month", MAR, "template_suggestion_rate"): (1, 2, 1 / 2, True, 2),
    # Accepted drafts by first_accepted_at, seconds to accept: Feb 28 d-a1 240, d-orphan 600;
    # Mar 1 d-b1 480; Mar 2 d-b2 1200, d-c1 1800. Baseline 1800 s. value = median / 1800 - 1.
    ("day", FEB28, "time_to_create_workflow"): (420, 1800, 420 / 1800 - 1, True, 2),
    ("day", MAR01, "time_to_create_workflow"): (480, 1800, 480 / 1800 - 1, True, 1),
    ("day", MAR02, "time_to_create_workflow"): (1500, 1800, 1500 / 1800 - 1, False, 2),
    # week of Feb 23: median(240, 480, 600) = 480, not the mean of the daily medians (450)
    ("week", FEB23, "time_to_create_workflow"): (480, 1800, 480 / 1800 - 1, True, 3),
    ("week", MAR02, "time_to_create_workflow"): (1500, 1800, 1500 / 1800 - 1, False, 2),
    ("month", FEB, "time_to_create_workflow"): (420, 1800, 420 / 1800 - 1, True, 2),
    # March: median(480, 1200, 1800) = 1200
    ("month", MAR, "time_to_create_workflow"): (1200, 1800, 1200 / 1800 - 1, False, 3),
    # Adoption: accepted drafts / (accepted + other-channel creations); other: w-1 Feb 28,
    # w-2 Mar 1 (its earliest row).
    ("day", FEB28, "workbench_adoption"): (2, 3, 2 / 3, False, 3),
    ("day", MAR01, "workbench_adoption"): (1, 2, 1 / 2, False, 2),
    ("day", MAR02, "workbench_adoption"): (2, 2, 1.0, True, 2),
    ("week", FEB23, "workbench_adoption"): (3, 5, 3 / 5, False, 5),
    ("week", MAR02, "workbench_adoption"): (2, 2, 1.0, True, 2),
    ("month", FEB, "workbench_adoption"): (2, 3, 2 / 3, False, 3),
    ("month", MAR, "workbench_adoption"): (3, 4, 3 / 4, False, 4),
    # Template usage among accepted drafts: d-a1 yes, d-orphan no (Feb 28); d-b1 yes (Mar 1);
    # d-b2 no, d-c1 yes (Mar 2). Week of Feb 23: 2/3, not the mean of days (0.5 + 1) / 2.
    ("day", FEB28, "template_usage_rate"): (1, 2, 1 / 2, True, 2),
    ("day", MAR01, "template_usage_rate"): (1, 1, 1.0, True, 1),
    ("day", MAR02, "template_usage_rate"): (1, 2, 1 / 2, True, 2),
    ("week", FEB23, "template_usage_rate"): (2, 3, 2 / 3, True, 3),
    ("week", MAR02, "template_usage_rate"): (1, 2, 1 / 2, True, 2),
    ("month", FEB, "template_usage_rate"): (1, 2, 1 / 2, True, 2),
    ("month", MAR, "template_usage_rate"): (2, 3, 2 / 3, True, 3),
}
PERSONAS = {
    "template_suggestion_rate": ("Agent", 0.30, ">="),
    "time_to_create_workflow": ("End User", -0.50, "<="),
    "workbench_adoption": ("Leadership", 0.80, ">="),
    "template_usage_rate": ("Domain Expert", 0.50, ">="),
}


def test_kpi_scorecard(golden: Build) -> None:
    rows = golden.query(
        "select period_grain, period_start, kpi_name, numerator, denominator, value,"
        " meets_target, sample_size, persona, target_value, comparison from marts.kpi_scorecard"
    )
    actual = {(g, p, k): rest for g, p, k, *rest in rows}
    assert set(actual) == set(EXPECTED_SCORECARD)
    for key, (numerator, denominator, value, meets, sample) in EXPECTED_SCORECARD.items():
        got = actual[key]
        assert got[0] == pytest.approx(numerator, abs=1e-9), key
        assert got[1] == pytest.approx(denominator, abs=1e-9), key
        assert got[2] == pytest.approx(value, abs=1e-9), key
        assert tuple(got[3:5]) == (meets, sample), key
        assert tuple(got[5:]) == PERSONAS[key[2]], key


def test_kpi_scorecard_periods_complete_and_small(golden: Build) -> None:
    """The fixture's data runs from Saturday 2026-02-28 to Monday 2026-03-02 (the latest day, taken
    as partly loaded): only the two full days before it are complete periods; its weeks and
    months start before the data or end after it. Every sample is below the default 30."""
    rows = golden.query(
        "select distinct period_grain, period_start, period_end, is_complete_period"
        " from marts.kpi_scorecard order by period_grain, period_start"
    )
    assert rows == [
        ("day", date(2026, 2, 28), date(2026, 2, 28), True),
        ("day", date(2026, 3, 1), date(2026, 3, 1), True),
        ("day", date(2026, 3, 2), date(2026, 3, 2), False),
        ("month", date(2026, 2, 1), date(2026, 2, 28), False),
        ("month", date(2026, 3, 1), date(2026, 3, 31), False),
        ("week", date(2026, 2, 23), date(2026, 3, 1), False),
        ("week", date(2026, 3, 2), date(2026, 3, 8), False),
    ]
    assert golden.query("select distinct is_small_sample from marts.kpi_scorecard") == [(True,)]


# (grain, period_start) -> member_count of steps 1-4: chat turns, drafts created, drafts accepted,
# runs completed. Turns by sent_at: a02, a09 (Feb 28), b01 (Mar 1), b06 (Mar 2). Created:
# d-a1, d-orphan, unlinked:a14 (Feb 28), d-b1 (Mar 1), d-b2, d-c1 (Mar 2). Accepted: d-a1,
# d-orphan (Feb 28), d-b1 (Mar 1), d-b2, d-c1 (Mar 2). Completed: r-1 (Feb 28); r-2 is running.
EXPECTED_FUNNEL = {
    ("day", FEB28): (2, 3, 2, 1),
    ("day", MAR01): (1, 1, 1, 0),  # no run completes: a 0 row, not a missing one
    ("day", MAR02): (1, 2, 2, 0),
    ("week", FEB23): (3, 4, 3, 1),
    ("week", MAR02): (1, 2, 2, 0),
    ("month", FEB): (2, 3, 2, 1),
    ("month", MAR): (2, 3, 3, 0),
}
STAGES = ("chat_turns", "drafts_created", "drafts_accepted", "runs_completed")


def test_kpi_funnel(golden: Build) -> None:
    rows = golden.query(
        "select period_grain, period_start, step_number, stage, member_count,"
        " ratio_to_previous_step from marts.kpi_funnel"
        " order by period_grain, period_start, step_number"
    )
    actual: dict[tuple[str, date], list[tuple]] = {}
    for grain, start, *rest in rows:
        actual.setdefault((grain, start), []).append(tuple(rest))
    assert set(actual) == set(EXPECTED_FUNNEL)
    for key, counts in EXPECTED_FUNNEL.items():
        got = actual[key]
        expected = zip(range(1, 5), STAGES, counts, strict=True)
        assert [(step, stage, n) for step, stage, n, _ in got] == list(expected), key
        # Each step over the one before it in the same period; none for the first step or after
        # a step with no member.
        ratios = [None] + [n / m if m else None for m, n in pairwise(counts)]
        assert [ratio for *_, ratio in got] == [
            None if r is None else pytest.approx(r, abs=1e-9) for r in ratios
        ], key
    # The week of Feb 23 holds more drafts created (4) than chat turns (3): a volume funnel.
    assert actual[("week", FEB23)][1][3] == pytest.approx(4 / 3)


def test_adoption_without_other_channel_is_null(tmp_path: Path) -> None:
    build = run_dbt_build(
        tmp_path,
        {
            "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
            "workflow_creations_glob": "",
        },
    )
    assert build.returncode == 0, build.output[-5000:]
    rows = build.query(
        "select numerator, denominator, value, meets_target, sample_size from marts.kpi_scorecard"
        " where kpi_name = 'workbench_adoption' and period_grain = 'week' order by period_start"
    )
    # Accepted drafts still counted in the numerator; without the other channel there is no rate.
    assert [r[:4] for r in rows] == [(3, None, None, None), (2, None, None, None)]


def test_baseline_var_overrides_seed(tmp_path: Path) -> None:
    build = run_dbt_build(
        tmp_path,
        {
            "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
            "workflow_creations_glob": "",
            "manual_workflow_creation_baseline_seconds": 960,
        },
        select="+kpi_scorecard",
    )
    assert build.returncode == 0, build.output[-5000:]
    # week of Feb 23: median 480 s against 960 s -> 480 / 960 - 1 = -0.5, which meets <= -0.5
    assert build.query(
        "select denominator, value, meets_target from marts.kpi_scorecard"
        " where kpi_name = 'time_to_create_workflow' and period_grain = 'week'"
        " and period_start = '2026-02-23'"
    ) == [(960, -0.5, True)]
