"""Apache Superset reads the serving file (`make test-superset`, docs/serving.md "Apache
Superset"): the golden fixture is built and published with the project's own environment
(.venv), then a headless Superset in this one (.venv-superset: Flask test client, SQLite
metadata, no server) registers the serving file through the documented read-only URI, makes a
dataset of every published table and runs a chart query, whose numbers must equal DuckDB's own
answer from the same file and the hand-computed golden values.

Not collected by `make unit` (pytest's testpaths is tests/python).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import prison
import pytest

ROOT = Path(__file__).resolve().parents[2]
# dbt and the publish run in the project's environment, never in Superset's.
PROJECT_BIN = ROOT / ".venv" / "bin"
GOLDEN = ROOT / "tests" / "python" / "fixtures" / "golden"
CONFIG = Path(__file__).resolve().with_name("superset_config.py")
ADMIN = {"username": "admin", "password": "admin-password", "provider": "db", "refresh": False}

# DuckDB's column types as Superset's generic types (superset.utils.core.GenericDataType).
GENERIC_TYPES = {
    "BIGINT": 0,
    "INTEGER": 0,
    "DOUBLE": 0,
    "VARCHAR": 1,
    "DATE": 2,
    "TIMESTAMP": 2,
    "BOOLEAN": 3,
}


def log(message: str) -> None:
    print(f"test-superset: {message}", flush=True)


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]


@pytest.fixture(scope="module")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden fixture built (no data tests: tests/python runs them) and published."""
    if not (PROJECT_BIN / "dbt").exists():
        pytest.fail(f"{PROJECT_BIN / 'dbt'} not found: run `make setup` first")
    work = tmp_path_factory.mktemp("superset_build")
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(work / "workbench.duckdb"),
        "WORKBENCH_SERVING_PATH": str(work / "serving.duckdb"),
        "WORKBENCH_PARQUET_DIR": str(work / "parquet"),
        "WORKBENCH_TEMP_DIR": str(work / "duckdb_tmp"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    started = time.monotonic()
    golden = {
        "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
        "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
    }
    run(
        [
            str(PROJECT_BIN / "dbt"),
            "build",
            "--vars",
            json.dumps(golden),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        env,
    )
    run([str(PROJECT_BIN / "python"), str(ROOT / "scripts" / "publish.py")], env)
    log(f"golden fixture built and published in {time.monotonic() - started:.1f}s")
    return work / "serving.duckdb"


def direct(serving: Path, sql: str, params: list | None = None) -> list[tuple]:
    """DuckDB's own answer, from the same file, read-only like Superset."""
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@dataclass
class Superset:
    client: Any
    headers: dict[str, str]
    database_id: int

    def call(self, method: str, url: str, expect: int, **kwargs: Any) -> dict:
        response = getattr(self.client, method)(url, headers=self.headers, **kwargs)
        assert response.status_code == expect, (method, url, response.status_code, response.text)
        return response.get_json()

    def sql_lab(self, sql: str) -> dict:
        payload = {"database_id": self.database_id, "sql": sql, "runAsync": False}
        response = self.client.post("/api/v1/sqllab/execute/", headers=self.headers, json=payload)
        return {**response.get_json(), "http_status": response.status_code}


@pytest.fixture(scope="module")
def superset(serving_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Superset:
    """Superset's app with fresh metadata, what `superset db upgrade`, `superset fab
    create-admin` and `superset init` do, then the serving file registered as in the docs."""
    os.environ["SUPERSET_CONFIG_PATH"] = str(CONFIG)
    os.environ["WORKBENCH_SUPERSET_METADATA"] = str(
        tmp_path_factory.mktemp("superset_metadata") / "superset.db"
    )
    started = time.monotonic()
    import superset as superset_package
    from flask_migrate import upgrade
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import appbuilder, security_manager
        from superset.extensions import db

        upgrade(directory=str(Path(superset_package.__file__).with_name("migrations")))
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        security_manager.add_user(
            ADMIN["username"],
            "Ada",
            "Admin",
            "admin@example.com",
            security_manager.find_role("Admin"),
            password=ADMIN["password"],
        )
        db.session.commit()
    log(f"Superset metadata created in {time.monotonic() - started:.1f}s")

    client = app.test_client()
    login = client.post("/api/v1/security/login", json=ADMIN)
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    uri = f"duckdb:///{serving_file}?access_mode=read_only"  # an absolute path: four slashes
    created = client.post(
        "/api/v1/database/",
        headers=headers,
        json={"database_name": "workbench", "sqlalchemy_uri": uri, "expose_in_sqllab": True},
    )
    assert created.status_code == 201, created.text
    return Superset(client, headers, created.get_json()["id"])


def published_tables(serving: Path) -> list[tuple[str, str]]:
    return direct(
        serving,
        "select schema_name, table_name from duckdb_tables() order by schema_name, table_name",
    )


@pytest.fixture(scope="module")
def datasets(superset: Superset, serving_file: Path) -> dict[str, int]:
    """A dataset of every published table, under its plain schema name (`marts`): the
    catalog-qualified one (`serving.marts`) is the file's name and breaks if it is renamed."""
    ids = {}
    for schema, table in published_tables(serving_file):
        body = {"database": superset.database_id, "schema": schema, "table_name": table}
        ids[f"{schema}.{table}"] = superset.call("post", "/api/v1/dataset/", 201, json=body)["id"]
    log(f"{len(ids)} datasets created")
    return ids


def test_superset_lists_the_published_schemas_and_tables(
    superset: Superset, serving_file: Path
) -> None:
    schemas = superset.call("get", f"/api/v1/database/{superset.database_id}/schemas/", 200)
    # duckdb_engine names every schema with its catalog, the file's name without `.duckdb`
    # (docs/serving.md): what the schema picker shows.
    published = {schema for schema, _ in published_tables(serving_file)}
    assert {f"serving.{schema}" for schema in published} <= set(schemas["result"])
    for schema in sorted(published):
        query = prison.dumps({"schema_name": schema, "force": True})
        listed = superset.call(
            "get", f"/api/v1/database/{superset.database_id}/tables/?q={query}", 200
        )
        expected = [t for s, t in published_tables(serving_file) if s == schema]
        assert sorted(row["value"] for row in listed["result"]) == expected, schema


def test_every_published_table_becomes_a_dataset_with_its_columns_and_descriptions(
    superset: Superset, serving_file: Path, datasets: dict[str, int]
) -> None:
    assert "marts.kpi_scorecard" in datasets and "marts.fct_drafts" in datasets
    problems = []
    for name, dataset_id in datasets.items():
        schema, table = name.split(".")
        expected = direct(
            serving_file,
            "select column_name, data_type, comment from duckdb_columns()"
            " where schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        )
        got = superset.call("get", f"/api/v1/dataset/{dataset_id}", 200)["result"]["columns"]
        if [c["column_name"] for c in got] != [c for c, _, _ in expected]:
            problems.append(f"{name}: columns {[c['column_name'] for c in got]}")
            continue
        for column, (_, data_type, comment) in zip(got, expected, strict=True):
            where = f"{name}.{column['column_name']}"
            if column["description"] != comment:
                problems.append(f"{where}: description {column['description']!r}")
            generic = GENERIC_TYPES.get(data_type)
            if generic is not None and column["type_generic"] != generic:
                problems.append(f"{where}: {data_type} seen as {column['type']}")
            # Superset offers a column as a chart's time axis only when it is temporal.
            if column["is_dttm"] != (generic == 2):
                problems.append(f"{where}: is_dttm {column['is_dttm']}")
    assert problems == []


def sum_of(column: str) -> dict:
    return {
        "expressionType": "SIMPLE",
        "column": {"column_name": column},
        "aggregate": "SUM",
        "label": column,
    }


def test_a_chart_query_returns_the_serving_files_numbers(
    superset: Superset, serving_file: Path, datasets: dict[str, int]
) -> None:
    # A weekly bar chart of every KPI's numerator and denominator (what a chart sends to
    # /api/v1/chart/data).
    query_context = {
        "datasource": {"id": datasets["marts.kpi_scorecard"], "type": "table"},
        "force": True,
        "queries": [
            {
                "columns": ["kpi_name", "period_start"],
                "metrics": [sum_of("numerator"), sum_of("denominator")],
                "filters": [{"col": "period_grain", "op": "==", "val": "week"}],
                "orderby": [["numerator", False]],
                "row_limit": 1000,
            }
        ],
        "result_format": "json",
        "result_type": "full",
    }
    (result,) = superset.call("post", "/api/v1/chart/data", 200, json=query_context)["result"]
    assert result["status"] == "success", result
    got = {
        # Superset sends a date as epoch milliseconds.
        (row["kpi_name"], datetime.fromtimestamp(row["period_start"] / 1000, UTC).date()): (
            row["numerator"],
            row["denominator"],
        )
        for row in result["data"]
    }
    assert len(got) == result["rowcount"]
    expected = {
        (kpi, period): (numerator, denominator)
        for kpi, period, numerator, denominator in direct(
            serving_file,
            "select kpi_name, period_start, sum(numerator), sum(denominator)"
            " from marts.kpi_scorecard where period_grain = 'week' group by all",
        )
    }
    assert got == expected
    # Hand-computed (tests/python/test_golden.py): 2 of 3 accepted drafts used a template in the
    # week of Feb 23, 1 of 2 in the week of Mar 2.
    assert got[("template_usage_rate", date(2026, 2, 23))] == (2, 3)
    assert got[("template_usage_rate", date(2026, 3, 2))] == (1, 2)
    assert len({kpi for kpi, _ in got}) == 4


def test_sql_lab_reads_and_the_connection_refuses_writes(
    superset: Superset, serving_file: Path
) -> None:
    (count,) = direct(serving_file, "select count(*) from marts.fct_drafts")[0]
    answer = superset.sql_lab("select count(*) as drafts from marts.fct_drafts")
    assert answer["http_status"] == 200, answer
    assert answer["data"] == [{"drafts": count}]
    assert count == 6  # the golden fixture's drafts (tests/python/test_metrics.py lists them)
    # Let Superset pass DML through, so the refusal below is DuckDB's read-only mode.
    superset.call("put", f"/api/v1/database/{superset.database_id}", 200, json={"allow_dml": True})
    refused = superset.sql_lab("create table marts.written_by_superset (i integer)")
    assert refused["http_status"] != 200, refused
    assert "read-only" in json.dumps(refused).lower(), refused
    assert not Path(f"{serving_file}.wal").exists()
    tables = {t for _, t in published_tables(serving_file)}
    assert "written_by_superset" not in tables
