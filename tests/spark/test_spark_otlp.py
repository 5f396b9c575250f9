"""OTLP/JSON log input (docs/otlp.md) built on Spark must match its DuckDB build, public table by
public table, row for row (compare.py): the labelled OTLP cases and the golden events exported as
OTLP beside their flat copies (otlp.py)."""

from __future__ import annotations

import pytest

from .compare import (
    assert_build_succeeds,
    assert_same_tables,
    assert_table_matches,
    read_duckdb,
    requires_java,
)
from .conftest import Build, public_tables


def test_otlp_reference_reads_records(otlp_duckdb_build: Build) -> None:
    """The fixture exercises the OTLP path: its records are read, kept, dropped and quarantined."""
    columns, rows = read_duckdb(otlp_duckdb_build, "audit.load_reconciliation")
    by_format: dict[str, list[int]] = {}
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        totals = by_format.setdefault(record["input_format"], [0, 0, 0, 0])
        for i, name in enumerate(
            ("records_read", "events_accepted", "duplicates_dropped", "events_quarantined")
        ):
            totals[i] += record[name]
    assert by_format["otlp_json"] == [53, 6, 35, 12]
    assert by_format["flat_json"] == [33, 33, 0, 0]


@requires_java
def test_otlp_spark_build_succeeds(otlp_spark_build: Build) -> None:
    assert_build_succeeds(otlp_spark_build)


@requires_java
def test_otlp_same_tables(otlp_duckdb_build: Build, otlp_spark_build: Build) -> None:
    assert_same_tables(otlp_duckdb_build, otlp_spark_build)


@requires_java
@pytest.mark.parametrize("name", public_tables())
def test_otlp_table_matches(name: str, otlp_duckdb_build: Build, otlp_spark_build: Build) -> None:
    assert_table_matches(name, otlp_duckdb_build, otlp_spark_build)
