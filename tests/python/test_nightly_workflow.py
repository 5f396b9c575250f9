"""The nightly GitHub Actions workflow runs commands that exist, fails when they fail, keeps its
outputs, and the raw-event freshness check it runs warns after 1 day and fails after 3."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from conftest import DBT, ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"
MAKEFILE = (ROOT / "Makefile").read_text()
README = (ROOT / "README.md").read_text()
ARTIFACTS = {"warehouse/serving.duckdb", "reports/kpi_report.html", "target/run_results.json"}


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def commands(workflow: dict) -> list[list[str]]:
    """Every shell command of every `run:` step, split into words."""
    found = []
    for step in steps(workflow):
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            for command in re.split(r"&&|;", line):
                words = shlex.split(command, comments=True)
                if words:
                    found.append(words)
    return found


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", MAKEFILE, flags=re.MULTILINE))


def test_runs_on_a_schedule_and_by_hand(workflow: dict) -> None:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) >= {"schedule", "workflow_dispatch"}
    (schedule,) = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5


def test_builds_on_ubuntu_with_python_311(workflow: dict) -> None:
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu")
    (setup_python,) = [
        s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python")
    ]
    assert setup_python["with"]["python-version"] == "3.11"  # a string: 3.10 would read as 3.1


def test_runs_the_readme_commands_and_only_commands_that_exist(workflow: dict) -> None:
    ran = commands(workflow)
    make_targets = [w for words in ran if words[0] == "make" for w in words[1:] if "=" not in w]
    assert make_targets == ["setup", "run", "freshness"], "setup, the README's build, freshness"
    assert "make run" in README
    missing = set(make_targets) - makefile_targets()
    assert not missing, f"make targets the Makefile lacks: {missing}"
    for words in ran:
        if words[0] == "make":
            for name in (w.split("=", 1)[0] for w in words[1:] if "=" in w):
                assert re.search(rf"^(export )?{name} \??[:]?=", MAKEFILE, re.M), name
        dbt = [i for i, w in enumerate(words) if w == "dbt" or w.endswith("/dbt")]
        if dbt:
            subcommand = " ".join(words[dbt[0] + 1 : dbt[0] + 3])
            assert f"dbt {subcommand}" in README + MAKEFILE, subcommand
    # The Makefile's freshness target is dbt's own check.
    assert re.search(r"^freshness:.*\n\t.*dbt source freshness", MAKEFILE, re.M)


def test_sample_options_passed_to_the_generator_exist() -> None:
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_events.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    options = re.findall(r"--[a-z-]+", re.search(r'SAMPLE_ARGS="([^"]*)"', WORKFLOW.read_text())[1])
    assert options and all(option in help_text for option in options), options


def test_a_failing_step_fails_the_job(workflow: dict) -> None:
    text = WORKFLOW.read_text()
    assert "continue-on-error" not in text
    assert "|| true" not in text and "set +e" not in text
    for step in steps(workflow):
        if "run" in step:
            assert "if" not in step, f"{step['name']} must run, and fail, like the others"


def test_uploads_the_serving_file_report_and_run_results(workflow: dict) -> None:
    (upload,) = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-art")]
    assert upload["if"] == "always()", "keep what was built even when a later step failed"
    paths = set(upload["with"]["path"].split())
    assert paths >= ARTIFACTS
    # The same files are checked for after the build, so a missing one fails the job.
    (check,) = [s for s in steps(workflow) if s.get("run", "").startswith("ls ")]
    assert set(check["run"].split()[2:]) == ARTIFACTS


def test_freshness_warns_after_one_day_and_fails_after_three(tmp_path: Path) -> None:
    """`dbt source freshness` on a warehouse whose newest valid event is N hours old."""
    db_path = tmp_path / "fresh.duckdb"
    env = {**os.environ, "WORKBENCH_DB_PATH": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    now = datetime.now(UTC).replace(tzinfo=None)
    outcomes = {}
    for hours_old in (2, 30, 80):
        with duckdb.connect(str(db_path)) as con:
            con.execute("create schema if not exists staging")
            con.execute(
                "create or replace table staging.base_workbench__events (occurred_at timestamp)"
            )
            newest = now - timedelta(hours=hours_old)
            con.execute(
                "insert into staging.base_workbench__events values (?), (?)",
                [newest - timedelta(days=5), newest],
            )
        result = subprocess.run(
            [
                str(DBT),
                "source",
                "freshness",
                "--target-path",
                str(tmp_path / "target"),
                "--log-path",
                str(tmp_path / "logs"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        (source,) = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
        assert source["unique_id"].endswith(".valid_events"), source["unique_id"]
        outcomes[hours_old] = (source["status"], result.returncode)
    assert outcomes == {2: ("pass", 0), 30: ("warn", 0), 80: ("error", 1)}
