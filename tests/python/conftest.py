"""Shared pytest helpers: build the dbt project into a temporary DuckDB file and read it back."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DBT = Path(sys.executable).with_name("dbt")


def load_script(path: Path) -> ModuleType:
    """A script (scripts/, bench/, plugins/) imported as a module, as running it would see itself:
    its folder first on sys.path, so its imports of sibling modules resolve, and registered under
    its file name, since dataclasses look their module up by name."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Build:
    """The result of one `dbt build`: its exit code, output and warehouse file."""

    returncode: int
    output: str
    db_path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def rows(self, sql: str) -> list[dict]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# What a build passes to leave out the dbt unit tests (run_dbt_build does unless asked; a test
# that runs dbt itself passes it too).
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def run_dbt_build(
    work_dir: Path,
    dbt_vars: dict,
    *,
    select: str | None = None,
    extra_args: list[str] | None = None,
    db_path: Path | None = None,
    unit_tests: bool = False,
) -> Build:
    """Run `dbt build` from the project root, as the README and the acceptance checks do. The
    dbt unit tests (about 40, each a query on its own fixture, the same whatever the data) run
    only where `unit_tests` asks: test_golden.py's build runs them, every other build skips
    them, since they would only repeat it."""
    db_path = db_path or work_dir / "warehouse.duckdb"
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = [
        str(DBT),
        "build",
        "--vars",
        json.dumps(dbt_vars),
        # A private target and log folder, so parallel builds do not clobber each other.
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if select:
        # Only the tests whose parents were all built: a partial build must not fail on a
        # relationships test into a model it skipped.
        args += ["--select", select, "--indirect-selection", "cautious"]
    if not unit_tests:
        args += NO_UNIT_TESTS
    args += extra_args or []
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return Build(result.returncode, result.stdout + result.stderr, db_path)


def assert_unit_tests_ran_and_passed(target_path: Path) -> None:
    """The build whose `--target-path` this is ran the dbt unit tests, and all passed (the one
    build of a suite that runs them: test_golden.py's, and the golden Spark build)."""
    run_results = json.loads((target_path / "run_results.json").read_text())
    unit = [r for r in run_results["results"] if r["unique_id"].startswith("unit_test.")]
    assert len(unit) > 30
    assert {r["status"] for r in unit} == {"pass"}, [
        r["unique_id"] for r in unit if r["status"] != "pass"
    ]


@pytest.fixture
def dbt_build(tmp_path: Path) -> Callable[..., Build]:
    def _build(dbt_vars: dict, **kwargs) -> Build:
        return run_dbt_build(tmp_path, dbt_vars, **kwargs)

    return _build


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A generated sample (about 40 days, spanning month and week boundaries, a fifth of the
    sessions as OTLP log files, as `make run`'s) built once with every model, shared by the
    invariant and documentation tests."""
    work = tmp_path_factory.mktemp("sample")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "generate_events.py"),
            "--out",
            str(work / "raw"),
            "--days",
            "40",
            "--start-date",
            "2026-09-20",
            "--sessions-per-day",
            "60",
            "--otlp-share",
            "0.2",
            "--quiet",
        ],
        check=True,
    )
    build = run_dbt_build(
        work,
        {
            "raw_events_glob": str(work / "raw" / "events" / "**" / "*.jsonl*"),
            "otlp_logs_glob": str(work / "raw" / "otlp" / "workbench-*.jsonl*"),
            "workflow_creations_glob": str(work / "raw" / "workflow_creations" / "*.csv"),
        },
    )
    assert build.returncode == 0, build.output[-5000:]
    return build
