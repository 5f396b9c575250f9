"""The golden fixture built on Spark must match its DuckDB build, public table by public table, row
for row: same columns in the same order, same rows. Timestamps are compared to the millisecond,
doubles within 1e-9 (absolute), everything else exactly (integers whatever their width or
decimal wrapping; dates as dates). The comparison itself is in compare.py, shared with the messy
fixture's tests (test_spark_messy.py).

Spark's tables are read with DuckDB straight from their Parquet files, so this process never
starts a JVM of its own.
"""

from __future__ import annotations

import duckdb
import pytest

# tests/python's conftest, importable once .conftest (through messy.py) put that folder on sys.path.
from conftest import assert_unit_tests_ran_and_passed

from .compare import (
    assert_build_succeeds,
    assert_same_tables,
    assert_table_matches,
    duckdb_tables,
    requires_java,
    spark_table_dir,
)
from .conftest import Build, public_tables


@requires_java
def test_spark_build_succeeds(spark_build: Build) -> None:
    assert_build_succeeds(spark_build)


@requires_java
def test_the_dbt_unit_tests_ran_and_passed_on_spark(spark_build: Build) -> None:
    """This build is where the dbt unit tests run on Spark (the other builds here skip them)."""
    assert_unit_tests_ran_and_passed(spark_build.work_dir / "target")


def test_every_public_table_is_compared(duckdb_build: Build) -> None:
    """The parametrized list below covers every table the DuckDB build has in marts and audit."""
    missing = sorted(duckdb_tables(duckdb_build) - set(public_tables()))
    assert not missing, f"public tables not compared (add them to CONTRACT_TABLES): {missing}"


@requires_java
def test_same_tables(duckdb_build: Build, spark_build: Build) -> None:
    assert_same_tables(duckdb_build, spark_build)


@requires_java
@pytest.mark.parametrize("name", public_tables())
def test_table_matches(name: str, duckdb_build: Build, spark_build: Build) -> None:
    assert_table_matches(name, duckdb_build, spark_build)


@requires_java
def test_no_line_text_stays_on_spark(spark_build: Build) -> None:
    """Spark keeps the build's lines in the reader's own table; forget_raw_text empties it once
    the verdicts are written, as DuckDB empties its scratch table."""
    folder = spark_table_dir(spark_build, "staging", "base_workbench__raw_lines")
    assert folder.is_dir()
    files = [str(path) for path in sorted(folder.glob("*.parquet"))]
    rows = duckdb.sql(f"select count(*) from read_parquet({files!r})").fetchall() if files else []
    assert rows in ([], [(0,)])
