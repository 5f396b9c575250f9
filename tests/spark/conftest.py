"""Spark parity harness (`make test-spark`): the golden fixture of the KPI tests built twice, on
DuckDB (the reference) and on Spark (dbt-spark's `session` method, PySpark inside dbt), each into
its own temporary folder, then read back with DuckDB only: Spark's tables are Parquet files under
WORKBENCH_SPARK_DIR/tables/<schema>.db/<table>/, so no second JVM is started to read them.

Not collected by `make unit` (pytest's testpaths is tests/python): run it with
`make test-spark` or `.venv/bin/python -m pytest tests/spark`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from . import messy, otlp

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "python" / "fixtures" / "golden"
DBT = Path(sys.executable).with_name("dbt")

# Exactly how tests/python/test_golden.py builds the golden fixture.
GOLDEN_VARS = {
    "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
    "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
}

# The schemas whose tables are public (docs/specification.md, 'Public tables', plus the KPI
# components and the audit tables added by later issues).
PUBLIC_SCHEMAS = ("marts", "audit")

# docs/specification.md, 'Public tables' and the tables later issues added. Every other model dbt
# puts in these schemas is added at collection time (public_tables()), and
# test_every_public_table_is_compared checks the list against what the DuckDB build really has, so a
# new model is never skipped.
CONTRACT_TABLES = (
    "marts.dim_sessions",
    "marts.fct_drafts",
    "marts.fct_workflow_runs",
    "marts.fct_chat_turns",
    "marts.fct_approvals",
    "marts.dim_templates",
    "marts.kpi_scorecard",
    "marts.kpi_daily_components",
    "audit.quarantined_events",
    "audit.load_reconciliation",
    "audit.property_issues",
    "audit.privacy_findings",
    "audit.workflow_creation_rejects",
)

# A Spark build of this small fixture takes minutes; a hung JVM must not hang CI forever.
SPARK_BUILD_TIMEOUT = int(os.environ.get("WORKBENCH_SPARK_TEST_TIMEOUT", "1800"))
OUTPUT_TAIL_LINES = 60
STDERR_TAIL_LINES = 30
SPARK_LOG_LINE = re.compile(r"^\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} (WARN|INFO|DEBUG) ")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _clean(text: str) -> list[str]:
    return [ANSI_ESCAPE.sub("", line) for line in text.splitlines()]


@dataclass(repr=False)
class Build:
    """One `dbt build`: its exit code, output, and the folder holding its target/ and logs/."""

    target: str
    returncode: int
    output: str  # dbt's own output (stdout)
    stderr: str  # the JVM's log lines and Python tracebacks
    work_dir: Path
    db_path: Path | None = None
    spark_dir: Path | None = None
    failures: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # short: pytest prints fixtures' values in failure reports
        return f"Build(target={self.target!r}, returncode={self.returncode}, {self.work_dir})"

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def report(self) -> str:
        """What a failing test shows: the failing nodes and their errors, then the output tail."""
        lines = [f"dbt build --target {self.target} exited with {self.returncode}."]
        if self.failures:
            lines += ["Failing nodes (from run_results.json):", *self.failures]
        tail = _clean(self.output)[-OUTPUT_TAIL_LINES:]
        lines += ["", f"Last {len(tail)} lines of dbt's output:", *tail]
        # Spark logs WARN/INFO lines by the hundred on stderr; keep what else is there (a JVM
        # that would not start, a Python traceback).
        errors = [line for line in _clean(self.stderr) if not SPARK_LOG_LINE.match(line)]
        if errors:
            tail = errors[-STDERR_TAIL_LINES:]
            lines += ["", f"Last {len(tail)} lines of stderr (Spark's WARN/INFO left out):", *tail]
        lines += ["", f"Full log: {self.work_dir / 'logs' / 'dbt.log'}"]
        return "\n".join(lines)

    def node_error(self, table: str) -> str | None:
        """Why the model that builds `table` did not succeed (run_results.json), or None."""
        for result in _run_results(self.work_dir):
            unique_id = result.get("unique_id", "")
            if not unique_id.startswith("model.") or not unique_id.endswith(f".{table}"):
                continue
            if result.get("status") == "skipped":
                return f"{unique_id}: skipped, because a model it depends on failed."
            if result.get("status") == "error":
                return f"{unique_id}: error: {_without_call_stack(result.get('message'))}"
        return None


def _run_results(work_dir: Path) -> list[dict]:
    path = work_dir / "target" / "run_results.json"
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text())["results"]
    except (ValueError, KeyError):
        return []


def _without_call_stack(message: str | None) -> str:
    """dbt's error text without its macro call stack ("> in macro ... > called by ...")."""
    return re.split(r"\n\s*> in macro ", message or "", maxsplit=1)[0].strip()


MAX_FAILURES_SHOWN = 25


def _failures(work_dir: Path) -> list[str]:
    """One line per failed node (model error, failing data test), first MAX_FAILURES_SHOWN."""
    results = _run_results(work_dir)
    failed = [r for r in results if r.get("status") in {"error", "fail", "runtime error"}]
    lines = []
    for result in failed[:MAX_FAILURES_SHOWN]:
        message = " ".join(_without_call_stack(result.get("message")).split())
        lines.append(f"  {result['unique_id']} [{result['status']}]: {message[:600]}")
    if len(failed) > MAX_FAILURES_SHOWN:
        lines.append(f"  ... and {len(failed) - MAX_FAILURES_SHOWN} more failed nodes")
    skipped = sum(1 for r in results if r.get("status") == "skipped")
    if skipped:
        lines.append(f"  ({skipped} nodes skipped because a node they depend on failed)")
    return lines


def run_dbt_build(
    work_dir: Path,
    target: str,
    env_extra: dict[str, str],
    timeout: int,
    dbt_vars: dict | None = None,
    select: str | None = None,
    unit_tests: bool = False,
    data_tests: bool = True,
) -> Build:
    """`dbt build` from the project root (as the README does) into a private target and log
    folder, the way tests/python/conftest.py's run_dbt_build does. `dbt_vars` defaults to the
    golden fixture's. The dbt unit tests (each a query on its own fixture, the same whatever the
    data) run only where `unit_tests` asks: the golden fixture's Spark build. On Spark they take
    about 90 s a build, and on DuckDB make test runs them already. `data_tests=False` leaves out
    the data tests too (about 130 s of a Spark build), for a build whose every public table is
    compared row for row with a DuckDB build that ran them."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env_extra}
    args = [
        str(DBT),
        "build",
        "--target",
        target,
        "--vars",
        json.dumps(GOLDEN_VARS if dbt_vars is None else dbt_vars),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if select:
        # As tests/python/conftest.py: only the tests whose parents were all built.
        args += ["--select", select, "--indirect-selection", "cautious"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if not data_tests:
        args += ["--exclude-resource-type", "test"]
    try:
        result = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=timeout
        )
        returncode, output, stderr = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as exc:
        output, stderr = (
            x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
            for x in (exc.stdout, exc.stderr)
        )
        returncode = -1
        output += f"\n[dbt build timed out after {timeout} s: killed]"
    return Build(target, returncode, output, stderr, work_dir, failures=_failures(work_dir))


def java_problem() -> str | None:
    """Why PySpark cannot start a JVM here, or None. PySpark 4 needs Java 17 or later; it uses
    JAVA_HOME when set, else `java` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    fix = (
        "The Spark parity tests need a Java 17 runtime for PySpark. Install one, e.g. "
        "`sudo apt-get install -y openjdk-17-jre-headless`, or set JAVA_HOME to a Java 17+."
    )
    where = f"JAVA_HOME={java_home}" if java_home else "PATH"
    if not java or not Path(java).exists():
        return f"No `java` found (looked in {where}). {fix}"
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, check=False, timeout=60
        )
    except OSError as exc:
        return f"`{java} -version` could not run: {exc}. {fix}"
    text = result.stdout + result.stderr
    if result.returncode != 0:
        return f"`{java} -version` failed ({result.returncode}): {text.strip()}. {fix}"
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if match:
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0_x" is Java 8
            major = int(match.group(2))
        if major < 17:
            return f"`{java}` is Java {major}; PySpark 4 needs 17 or later. {fix}"
    return None


@cache
def public_tables() -> tuple[str, ...]:
    """CONTRACT_TABLES plus every other table-like model that dbt puts in marts or audit
    (`dbt ls`, no warehouse needed). If listing fails, the specification's list alone is used and
    test_every_public_table_is_compared still names any table it misses."""
    tables = set(CONTRACT_TABLES)
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"workbench-spark-ls-{os.getpid()}"
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "WORKBENCH_DB_PATH": str(scratch / "unused.duckdb"),
    }
    try:
        result = subprocess.run(
            [
                str(DBT),
                "ls",
                "--resource-type",
                "model",
                "--output",
                "json",
                "--output-keys",
                "name schema config",
                "--target-path",
                str(scratch / "target"),
                "--log-path",
                str(scratch / "logs"),
                "--quiet",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired):
        return tuple(sorted(tables))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for line in result.stdout.splitlines():
        try:
            node = json.loads(line)
        except ValueError:
            continue
        config = node.get("config", {})
        if node.get("schema") in PUBLIC_SCHEMAS and config.get("materialized") != "ephemeral":
            tables.add(f"{node['schema']}.{config.get('alias') or node['name']}")
    return tuple(sorted(tables))


@pytest.fixture(scope="session")
def java_runtime() -> None:
    """Fails (never skips: CI must not pass silently) when PySpark has no Java to start."""
    problem = java_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


def build_on_duckdb(work: Path, dbt_vars: dict | None = None, select: str | None = None) -> Build:
    """A DuckDB build into work/warehouse.duckdb."""
    db_path = work / "warehouse.duckdb"
    build = run_dbt_build(
        work,
        "duckdb",
        {"WORKBENCH_DB_PATH": str(db_path), "WORKBENCH_TEMP_DIR": str(work / "duckdb_tmp")},
        timeout=SPARK_BUILD_TIMEOUT,
        dbt_vars=dbt_vars,
        select=select,
    )
    build.db_path = db_path
    return build


def build_on_spark(
    work: Path,
    dbt_vars: dict | None = None,
    select: str | None = None,
    unit_tests: bool = False,
    data_tests: bool = True,
) -> Build:
    """A Spark build into a fresh WORKBENCH_SPARK_DIR (tables + metastore) under work/."""
    spark_dir = work / "spark"
    build = run_dbt_build(
        work,
        "spark",
        {
            "WORKBENCH_SPARK_DIR": str(spark_dir),
            # Not used by the spark target; set so nothing can touch the repository's warehouse.
            "WORKBENCH_DB_PATH": str(work / "unused.duckdb"),
        },
        timeout=SPARK_BUILD_TIMEOUT,
        dbt_vars=dbt_vars,
        select=select,
        unit_tests=unit_tests,
        data_tests=data_tests,
    )
    build.spark_dir = spark_dir
    return build


def _reference(build: Build, what: str) -> Build:
    """A DuckDB build is the reference: it must succeed (make test checks it)."""
    if not build.ok:
        pytest.fail(
            f"The DuckDB reference build of {what} failed.\n" + build.report(), pytrace=False
        )
    return build


@pytest.fixture(scope="session")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The reference: the golden fixture built on DuckDB."""
    return _reference(build_on_duckdb(tmp_path_factory.mktemp("duckdb")), "the golden fixture")


@pytest.fixture(scope="session")
def spark_build(tmp_path_factory: pytest.TempPathFactory, java_runtime: None) -> Build:
    """The golden fixture built on Spark. Returned even when dbt fails:
    test_spark_build_succeeds reports the failure, and each table test still compares what did
    get built (or names the model's error). The one Spark build that runs the dbt unit tests."""
    return build_on_spark(tmp_path_factory.mktemp("spark"), unit_tests=True)


# --- the messy fixture (messy.py): one events folder read by both engines, so source_file paths
# are the same strings in both builds ----------------------------------------------------------


@pytest.fixture(scope="session")
def messy_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = tmp_path_factory.mktemp("messy-input") / "events"
    messy.write_messy_fixture(events)
    return events


@pytest.fixture(scope="session")
def messy_duckdb_build(tmp_path_factory: pytest.TempPathFactory, messy_events: Path) -> Build:
    work = tmp_path_factory.mktemp("messy-duckdb")
    return _reference(build_on_duckdb(work, messy.dbt_vars(messy_events)), "the messy fixture")


@pytest.fixture(scope="session")
def messy_spark_build(
    tmp_path_factory: pytest.TempPathFactory, java_runtime: None, messy_events: Path
) -> Build:
    """Compared table by table with messy_duckdb_build, which runs the data tests: here they would
    only repeat it (the golden Spark build runs them on Spark)."""
    work = tmp_path_factory.mktemp("messy-spark")
    return build_on_spark(work, messy.dbt_vars(messy_events), data_tests=False)


@pytest.fixture(scope="session")
def spark_only_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = tmp_path_factory.mktemp("spark-only-input") / "events"
    messy.write_spark_only_fixture(events)
    return events


@pytest.fixture(scope="session")
def spark_only_duckdb_build(
    tmp_path_factory: pytest.TempPathFactory, spark_only_events: Path
) -> Build:
    work = tmp_path_factory.mktemp("spark-only-duckdb")
    build = build_on_duckdb(work, messy.dbt_vars(spark_only_events), select=messy.SPARK_ONLY_SELECT)
    return _reference(build, "the inputs that differ on Spark")


@pytest.fixture(scope="session")
def spark_only_spark_build(
    tmp_path_factory: pytest.TempPathFactory, java_runtime: None, spark_only_events: Path
) -> Build:
    work = tmp_path_factory.mktemp("spark-only-spark")
    return build_on_spark(work, messy.dbt_vars(spark_only_events), select=messy.SPARK_ONLY_SELECT)


# --- the OTLP fixture (otlp.py): OTLP/JSON log files read by both engines -----------------------


@pytest.fixture(scope="session")
def otlp_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("otlp-input") / "otlp"
    otlp.write_otlp_fixture(logs)
    return logs


@pytest.fixture(scope="session")
def otlp_duckdb_build(tmp_path_factory: pytest.TempPathFactory, otlp_logs: Path) -> Build:
    work = tmp_path_factory.mktemp("otlp-duckdb")
    return _reference(build_on_duckdb(work, otlp.dbt_vars(otlp_logs)), "the OTLP fixture")


@pytest.fixture(scope="session")
def otlp_spark_build(
    tmp_path_factory: pytest.TempPathFactory, java_runtime: None, otlp_logs: Path
) -> Build:
    """Compared table by table with otlp_duckdb_build, which runs the data tests (as the messy
    fixture's Spark build)."""
    work = tmp_path_factory.mktemp("otlp-spark")
    return build_on_spark(work, otlp.dbt_vars(otlp_logs), data_tests=False)
