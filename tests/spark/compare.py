"""What the parity tests share: reading a build's public tables back with DuckDB (Spark's from
their Parquet files, so this process never starts a JVM of its own) and comparing them: same
columns in the same order, same rows. Timestamps are compared to the millisecond, doubles within
1e-9 (absolute), everything else exactly (integers whatever their width or decimal wrapping;
dates as dates).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .conftest import PUBLIC_SCHEMAS, Build

# The tests that need the Spark build, so a JVM: without Java they fail (never skip) and say how
# to install it.
requires_java = pytest.mark.usefixtures("java_runtime")

FLOAT_TOLERANCE = 1e-9
SHOWN_DIFFERENCES = 5


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # Timestamps with a time zone come back as UTC datetimes whatever this machine's zone is.
    con.execute("set TimeZone = 'UTC'")
    return con


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def spark_table_dir(build: Build, schema: str, table: str) -> Path:
    assert build.spark_dir is not None
    return build.spark_dir / "tables" / f"{schema}.db" / table


def spark_tables(build: Build) -> set[str]:
    """The tables the Spark build wrote in the public schemas: one folder each."""
    assert build.spark_dir is not None
    found = set()
    for schema in PUBLIC_SCHEMAS:
        folder = build.spark_dir / "tables" / f"{schema}.db"
        if folder.is_dir():
            found |= {f"{schema}.{p.name}" for p in folder.iterdir() if p.is_dir()}
    return found


def duckdb_tables(build: Build) -> set[str]:
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in (select unnest(?::varchar[]))",
            [list(PUBLIC_SCHEMAS)],
        ).fetchall()
    return {r[0] for r in rows}


def read_duckdb(build: Build, name: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return _fetch(con, f"select * from {name}")


def read_spark(build: Build, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    folder = spark_table_dir(build, schema, table)
    files = sorted(folder.glob("*.parquet"))
    if not files:
        contents = sorted(p.name for p in folder.iterdir())
        pytest.fail(
            f"{schema}.{table}: the Spark table folder {folder} holds no *.parquet file"
            f" (it has: {contents[:20]}); cannot read its columns.",
            pytrace=False,
        )
    with _connect() as con:
        return _fetch(con, f"select * from read_parquet({[str(f) for f in files]!r})")


def normalize(value: Any) -> Any:
    """One representation per value, whichever engine and Parquet type produced it."""
    if value is None or isinstance(value, bool | str | bytes):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal):
        # DuckDB sums integers into DECIMAL/HUGEINT where Spark has bigint: whole means int.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, date | time):
        return value
    if isinstance(value, list | tuple):
        return tuple(normalize(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), normalize(v)) for k, v in value.items()))
    return value


def _sort_key(value: Any) -> tuple:
    """Nulls first, then by value; values of different types never compare with each other."""
    if value is None:
        return (0, 0, 0)
    if isinstance(value, bool | int | float):
        return (1, 0, value)
    if isinstance(value, str):
        return (1, 1, value)
    if isinstance(value, datetime):
        return (1, 2, value)
    if isinstance(value, date):
        return (1, 3, value)
    if isinstance(value, bytes):
        return (1, 4, value)
    if isinstance(value, tuple):
        return (1, 5, tuple(_sort_key(v) for v in value))
    return (1, 6, repr(value))


def sorted_rows(rows: list[tuple]) -> list[tuple]:
    normalized = [tuple(normalize(v) for v in row) for row in rows]
    return sorted(normalized, key=lambda row: tuple(_sort_key(v) for v in row))


def values_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, int | float) or not isinstance(b, int | float):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=0, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    # A date never equals a timestamp: type(a) must match (datetime is a subclass of date).
    if isinstance(a, date) or isinstance(b, date):
        return type(a) is type(b) and a == b
    return a == b


def rows_equal(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))


def describe_differences(columns: list[str], duck: list[tuple], spark: list[tuple]) -> str:
    lines = []
    for i in range(max(len(duck), len(spark))):
        left = duck[i] if i < len(duck) else None
        right = spark[i] if i < len(spark) else None
        if left is not None and right is not None and rows_equal(left, right):
            continue
        if left is not None and right is not None:
            differing = [
                c for c, x, y in zip(columns, left, right, strict=True) if not values_equal(x, y)
            ]
            lines.append(f"row {i} (sorted), columns differing: {differing}")
        else:
            lines.append(f"row {i} (sorted): only on {'DuckDB' if right is None else 'Spark'}")
        lines.append(f"  duckdb: {dict(zip(columns, left, strict=True)) if left else None}")
        lines.append(f"  spark:  {dict(zip(columns, right, strict=True)) if right else None}")
        if len(lines) >= 3 * SHOWN_DIFFERENCES:
            break
    return "\n".join(lines)


def assert_build_succeeds(build: Build) -> None:
    if not build.ok:
        pytest.fail(build.report(), pytrace=False)


def assert_same_tables(duckdb_build: Build, spark_build: Build) -> None:
    """Both builds have the same tables in the public schemas."""
    duck, spark = duckdb_tables(duckdb_build), spark_tables(spark_build)
    problems = []
    if duck - spark:
        problems.append(f"built on DuckDB, missing on Spark: {sorted(duck - spark)}")
    if spark - duck:
        problems.append(f"built on Spark only: {sorted(spark - duck)}")
    if problems and not spark_build.ok:
        problems.append("(the Spark build failed: see its test_spark_build_succeeds)")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def assert_table_matches(name: str, duckdb_build: Build, spark_build: Build) -> None:
    """Public table `name` has the same columns (names and order) and rows on both builds;
    a failure names the table and shows the first differing rows."""
    schema, table = name.split(".", 1)
    if name not in duckdb_tables(duckdb_build):
        pytest.fail(
            f"{name}: not in the DuckDB build (a public table of the specification)", pytrace=False
        )
    folder = spark_table_dir(spark_build, schema, table)
    error = spark_build.node_error(table)
    if error:
        # A model can fail after writing its files (e.g. a constraint added by ALTER TABLE after
        # the CTAS), so a folder is no proof of success.
        written = "its folder exists but" if folder.is_dir() else "no folder was written;"
        pytest.fail(
            f"{name}: the Spark model failed ({written} not compared).\n{error}", pytrace=False
        )
    if not folder.is_dir():
        reason = (
            "the Spark build failed before it (see test_spark_build_succeeds)"
            if not spark_build.ok
            else "dbt reported no error for it"
        )
        pytest.fail(f"{name}: not built on Spark (no folder {folder}); {reason}.", pytrace=False)

    duck_columns, duck_rows = read_duckdb(duckdb_build, name)
    spark_columns, spark_rows = read_spark(spark_build, schema, table)
    if spark_columns != duck_columns:
        pytest.fail(
            f"{name}: columns differ (names and order)\n  duckdb: {duck_columns}"
            f"\n  spark:  {spark_columns}",
            pytrace=False,
        )

    duck_sorted, spark_sorted = sorted_rows(duck_rows), sorted_rows(spark_rows)
    mismatched = len(duck_sorted) != len(spark_sorted) or not all(
        rows_equal(a, b) for a, b in zip(duck_sorted, spark_sorted, strict=True)
    )
    if mismatched:
        pytest.fail(
            f"{name}: rows differ (duckdb {len(duck_sorted)} rows, spark {len(spark_sorted)});"
            f" first differences, rows sorted by all columns with nulls first:\n"
            + describe_differences(duck_columns, duck_sorted, spark_sorted),
            pytrace=False,
        )
