"""The messy fixture (messy.py: the labelled ingestion cases plus the hostile-input cases) built on
Spark must match its DuckDB build, public table by public table, row for row, with the same
comparison as the golden fixture (compare.py). So the quarantine, privacy and hostile-input paths
give the same public tables on both engines.

The three inputs docs/spark.md documents as different on Spark are left out of that fixture and
built on their own (the Spark-only fixture); the last tests assert exactly the documented Spark
outcome for each, and the DuckDB one beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import messy
from .compare import (
    assert_build_succeeds,
    assert_same_tables,
    assert_table_matches,
    read_duckdb,
    read_spark,
    requires_java,
)
from .conftest import Build, public_tables

# --- the messy fixture: same public tables on both engines --------------------------------------


@requires_java
def test_messy_spark_build_succeeds(messy_spark_build: Build) -> None:
    assert_build_succeeds(messy_spark_build)


@requires_java
def test_messy_same_tables(messy_duckdb_build: Build, messy_spark_build: Build) -> None:
    assert_same_tables(messy_duckdb_build, messy_spark_build)


@requires_java
@pytest.mark.parametrize("name", public_tables())
def test_messy_table_matches(
    name: str, messy_duckdb_build: Build, messy_spark_build: Build
) -> None:
    assert_table_matches(name, messy_duckdb_build, messy_spark_build)


# --- the Spark-only fixture: what docs/spark.md says Spark does differently -----------------------


def _rows(build: Build, name: str) -> list[dict]:
    """Table `name` of a build as dicts (Spark's read from its Parquet files)."""
    if build.spark_dir is None:
        columns, rows = read_duckdb(build, name)
    else:
        error = build.node_error(name.split(".", 1)[1])
        if error:
            pytest.fail(f"{name}: the Spark model failed.\n{error}", pytrace=False)
        columns, rows = read_spark(build, *name.split(".", 1))
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _reconciliation(build: Build) -> dict[str, tuple]:
    return {
        row["source_file"]: (
            row["lines_read"],
            row["events_accepted"],
            row["duplicates_dropped"],
            row["events_quarantined"],
        )
        for row in _rows(build, "audit.load_reconciliation")
    }


@requires_java
def test_spark_only_build_succeeds(spark_only_spark_build: Build) -> None:
    assert_build_succeeds(spark_only_spark_build)


@requires_java
def test_zero_byte_file_has_no_reconciliation_row_on_spark(
    spark_only_events: Path, spark_only_duckdb_build: Build, spark_only_spark_build: Build
) -> None:
    empty = messy.zero_byte_paths(spark_only_events)
    duck = _reconciliation(spark_only_duckdb_build)
    assert {path: duck.get(path) for path in empty} == dict.fromkeys(empty, (0, 0, 0, 0))
    spark = _reconciliation(spark_only_spark_build)
    assert sorted(empty & set(spark)) == []
    # Every other file has its row on Spark too.
    assert set(spark) == set(duck) - empty


def _deep_quarantine(build: Build, events: Path) -> set[tuple[int, str]]:
    deep = f"{events}/{messy.HOSTILE}/{messy.DEEP_FILE}"
    return {
        (row["line_number"], row["reasons"])
        for row in _rows(build, "audit.quarantined_events")
        if row["source_file"] == deep
    }


@requires_java
def test_json_nested_deeper_than_1000_levels_is_malformed_on_spark(
    spark_only_events: Path, spark_only_duckdb_build: Build, spark_only_spark_build: Build
) -> None:
    cases = messy.deep_cases()
    # DuckDB: each line's fate as tests/python/fixtures/hostile_cases.py labels it.
    assert _deep_quarantine(spark_only_duckdb_build, spark_only_events) == {
        (number, case.expect)
        for number, case in enumerate(cases, start=1)
        if case.expect != "accepted"
    }
    # Spark: every line of the file is malformed JSON.
    assert _deep_quarantine(spark_only_spark_build, spark_only_events) == {
        (number, "malformed_json") for number in range(1, len(cases) + 1)
    }


def _huge_number_issues(build: Build) -> set[tuple[str, str, str]]:
    return {
        (row["event_id"], row["property_key"], row["issue"])
        for row in _rows(build, "audit.property_issues")
        if row["event_id"] == messy.HUGE_NUMBER_EVENT_ID
    }


@requires_java
def test_number_beyond_double_range_is_wrong_type_on_spark(
    spark_only_duckdb_build: Build, spark_only_spark_build: Build
) -> None:
    key = (messy.HUGE_NUMBER_EVENT_ID, messy.HUGE_NUMBER_PROPERTY)
    assert _huge_number_issues(spark_only_duckdb_build) == {(*key, "value_not_allowed")}
    assert _huge_number_issues(spark_only_spark_build) == {(*key, "wrong_type")}
