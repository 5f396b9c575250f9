"""Invariants of the marts and the scorecard on a generated sample (docs/specification.md, 'Public
tables' and 'KPI definitions')."""

from __future__ import annotations

import pytest
from conftest import Build

GRAINS = ("day", "week", "month")
RATE_KPIS = ("template_suggestion_rate", "workbench_adoption", "template_usage_rate")


def test_rates_are_in_unit_interval(sample_build: Build) -> None:
    bad = sample_build.query(
        "select period_grain, period_start, kpi_name, value from marts.kpi_scorecard"
        " where kpi_name in ('template_suggestion_rate', 'workbench_adoption',"
        " 'template_usage_rate') and (value < 0 or value > 1)"
    )
    assert bad == []


def test_sample_size_is_positive_and_every_grain_present(sample_build: Build) -> None:
    assert sample_build.query(
        "select count(*) from marts.kpi_scorecard where sample_size <= 0"
    ) == [(0,)]
    present = set(
        sample_build.query("select distinct period_grain, kpi_name from marts.kpi_scorecard")
    )
    kpis = (*RATE_KPIS, "time_to_create_workflow")
    assert present == {(grain, kpi) for grain in GRAINS for kpi in kpis}


@pytest.mark.parametrize("grain", GRAINS)
def test_every_accepted_draft_counted_once_per_grain(sample_build: Build, grain: str) -> None:
    accepted = sample_build.query("select count(*) from marts.fct_drafts where is_accepted")[0][0]
    assert accepted > 0
    in_scorecard = sample_build.query(
        "select sum(sample_size) from marts.kpi_scorecard"
        " where kpi_name = 'template_usage_rate' and period_grain = ?",
        [grain],
    )[0][0]
    assert in_scorecard == accepted


@pytest.mark.parametrize("grain", ("week", "month"))
def test_larger_periods_recomputed_from_rows_not_averaged(sample_build: Build, grain: str) -> None:
    # Recompute the template usage rate and the median time to accept per period straight from
    # fct_drafts and compare: a scorecard that averaged daily values would differ.
    expected = {
        (str(period), kpi): value
        for period, kpi, value in sample_build.query(
            f"""
            select date_trunc('{grain}', first_accepted_at)::date, 'template_usage_rate',
                   avg(case when uses_template then 1.0 else 0.0 end)
            from marts.fct_drafts where is_accepted group by 1
            union all
            select date_trunc('{grain}', first_accepted_at)::date, 'median_seconds',
                   quantile_cont(time_to_accept_ms / 1000.0, 0.5)
            from marts.fct_drafts where time_to_accept_ms is not null group by 1
            """
        )
    }
    actual = {}
    for period, kpi, value, numerator in sample_build.query(
        "select period_start, kpi_name, value, numerator from marts.kpi_scorecard"
        " where period_grain = ?"
        " and kpi_name in ('template_usage_rate', 'time_to_create_workflow')",
        [grain],
    ):
        if kpi == "time_to_create_workflow":
            actual[(str(period), "median_seconds")] = numerator
        else:
            actual[(str(period), kpi)] = value
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, abs=1e-9), key
    # And at least one period where averaging the days would have given another answer.
    averaged = sample_build.query(
        f"""
        select date_trunc('{grain}', period_start)::date, avg(value)
        from marts.kpi_scorecard
        where period_grain = 'day' and kpi_name = 'template_usage_rate'
        group by 1
        """
    )
    assert any(
        abs(avg - expected[(str(period), "template_usage_rate")]) > 1e-9 for period, avg in averaged
    )


def test_no_negative_durations(sample_build: Build) -> None:
    checks = {
        "marts.dim_sessions": ["duration_ms", "active_duration_ms"],
        "marts.fct_drafts": ["time_to_accept_ms"],
        "marts.fct_workflow_runs": ["duration_ms"],
        "marts.fct_approvals": ["latency_ms"],
    }
    for table, columns in checks.items():
        condition = " or ".join(f"{c} < 0" for c in columns)
        assert sample_build.query(f"select count(*) from {table} where {condition}") == [(0,)]


def test_scorecard_value_matches_its_parts(sample_build: Build) -> None:
    rows = sample_build.query(
        "select kpi_name, numerator, denominator, value, target_value, comparison, meets_target"
        " from marts.kpi_scorecard"
    )
    assert rows
    for kpi, numerator, denominator, value, target, comparison, meets in rows:
        if denominator is None:
            assert value is None and meets is None
            continue
        if kpi == "time_to_create_workflow":
            assert value == pytest.approx(numerator / denominator - 1)
        else:
            assert value == pytest.approx(numerator / denominator)
        assert meets == (value >= target if comparison == ">=" else value <= target)


def test_sample_reads_both_formats_and_every_record_reconciles(sample_build: Build) -> None:
    """The sample holds a fifth of its sessions as OTLP log files, as make run's does."""
    rows = sample_build.query(
        "select input_format, count(*), sum(lines_read), sum(records_read),"
        " sum(events_accepted + duplicates_dropped + events_quarantined)"
        " from audit.load_reconciliation where source_kind = 'raw_events' group by 1"
    )
    formats = {fmt: counts for fmt, *counts in rows}
    assert set(formats) == {"flat_json", "otlp_json"}
    for files, _, records, parts in formats.values():
        assert files > 0 and records == parts > 0
    files, lines, records, _ = formats["otlp_json"]
    assert records > 5 * lines  # several records a line
    share = records / (records + formats["flat_json"][2])
    assert share == pytest.approx(0.2, abs=0.05)
    assert sample_build.query(
        "select count(distinct origin_service_name) from staging.base_workbench__events"
        " where input_format = 'otlp_json'"
    ) == [(2,)]
