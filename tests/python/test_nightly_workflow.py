"""The GitHub Actions workflows: the nightly job runs its steps in order on a local landing folder
across nights (incremental on the previous night's build file, a failure publishes nothing and
says how to recover), pull requests run the tests and a slim build, and the raw-event freshness
check warns after 1 day and fails after 3."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import yaml
from conftest import DBT, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
NIGHTLY = WORKFLOWS / "nightly.yml"
PULL_REQUEST = WORKFLOWS / "pull_request.yml"
RUNBOOK = (ROOT / "docs" / "operations.md").read_text()
PYTHON = Path(sys.executable)


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the bare key `on` as true


class Context(dict):
    """An expression context (`env`, `steps`, ...): missing names read as '' as in Actions."""

    def __getattr__(self, name: str) -> Any:
        value = self.get(name, Context())
        return Context(value) if isinstance(value, dict) else value

    def __eq__(self, other: object) -> bool:  # a missing object (null) equals nothing but null
        return isinstance(other, Context) and dict(self) == dict(other)

    __hash__ = None  # type: ignore[assignment]


def evaluate(expression: str, contexts: dict[str, Any], status: str) -> Any:
    """The few Actions expressions the workflows use: context lookups, ==, &&, ||, status checks."""
    python = expression.replace("&&", " and ").replace("||", " or ")
    names = {name: Context(value) for name, value in contexts.items()}
    names |= {
        "success": lambda: status == "success",
        "failure": lambda: status == "failure",
        "always": lambda: True,
    }
    return eval(python, {"__builtins__": {}}, names)


def substitute(text: str, contexts: dict[str, Any], status: str) -> str:
    def render(match: re.Match) -> str:
        value = evaluate(match[1], contexts, status)
        return "" if isinstance(value, Context) else str(value)  # null renders as ''

    return re.sub(r"\$\{\{(.*?)\}\}", render, text)


@dataclass
class Night:
    """One run of the nightly job: each step's outcome, the artifacts it uploaded, its summary."""

    outcomes: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""
    log: str = ""


def checkout(tmp_path: Path, name: str) -> Path:
    """A fresh runner's checkout: the repository's tracked files, and the shared virtualenv."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    work = tmp_path / name
    for relative in files:
        source = ROOT / relative
        if source.is_file():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / relative)
    (work / ".venv").symlink_to(PYTHON.parents[1])
    # The shared virtualenv is current for this checkout: keep `make setup` from reinstalling
    # into it because the copies are newer than its stamp (a real runner installs from nothing).
    stamp = PYTHON.parents[1] / ".requirements-installed"
    for requirements in work.glob("requirements*.txt"):
        os.utime(requirements, (stamp.stat().st_mtime - 1,) * 2)
    return work


def run_workflow(
    path: Path,
    job: str,
    work: Path,
    cache: Path,
    *,
    variables: dict,
    run_id: int,
    inputs: dict | None = None,
) -> Night:
    """Run a workflow job's steps in order in `work`, as Actions would: `run:` steps in bash with
    the job's env, GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STEP_SUMMARY honoured, `if:` evaluated; the
    cache actions copy to and from the folder `cache`, upload-artifact checks its files exist."""
    spec = load(path)["jobs"][job]
    github = {"ref_name": "main", "base_ref": "main", "run_id": str(run_id), "run_attempt": "1"}
    contexts: dict[str, Any] = {
        "vars": variables,
        "secrets": {},
        "github": github,
        "steps": {},
        "inputs": inputs or {},
    }
    env = {key: substitute(str(value), contexts, "success") for key, value in spec["env"].items()}
    env |= {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(work)), "CI": "true"}
    files = {name: work / f".github_{name.lower()}" for name in ("OUTPUT", "ENV", "STEP_SUMMARY")}
    night, status = Night(), "success"
    for step in spec["steps"]:
        name = step["name"]
        contexts["env"] = env
        condition = step.get("if", "success()")
        if not re.search(r"\b(success|failure|always|cancelled)\(\)", condition):
            condition = f"success() && ({condition})"  # what Actions adds to such a condition
        if not evaluate(condition, contexts, status):
            night.outcomes[name] = "skipped"
            continue
        with_ = {k: substitute(str(v), contexts, status) for k, v in step.get("with", {}).items()}
        ok = True
        if "run" in step:
            assert "${{" not in step["run"], f"{name}: pass values through env, not ${{{{ }}}}"
            for file in files.values():
                file.write_text("") if not file.exists() else None
            before = files["OUTPUT"].read_text()
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=work,
                env=env | {f"GITHUB_{k}": str(v) for k, v in files.items()},
                capture_output=True,
                text=True,
                check=False,
            )
            night.log += f"\n== {name} (rc {result.returncode})\n{result.stdout}{result.stderr}"
            ok = result.returncode == 0
            outputs = dict(
                line.split("=", 1)
                for line in files["OUTPUT"].read_text()[len(before) :].splitlines()
            )
            if "id" in step:
                contexts["steps"][step["id"]] = {"outputs": outputs}
                night.outputs[step["id"]] = outputs
            for line in files["ENV"].read_text().splitlines():
                key, value = line.split("=", 1)
                env[key] = value
        else:
            action = step["uses"].split("@")[0]
            paths = [p for p in with_.get("path", "").splitlines() if p.strip()]
            if action in {"actions/cache/restore", "actions/cache/save"}:
                key = with_["key"]
                if action == "actions/cache/save":
                    for relative in paths:
                        target = cache / key / relative
                        target.parent.mkdir(parents=True, exist_ok=True)
                        copy = shutil.copytree if (work / relative).is_dir() else shutil.copy2
                        copy(work / relative, target)
                else:
                    prefix = with_.get("restore-keys", key)
                    saved = sorted(p for p in cache.glob("*") if p.name.startswith(prefix))
                    night.outputs[name] = {"restored": saved[-1].name if saved else ""}
                    for relative in paths if saved else []:
                        source = saved[-1] / relative
                        (work / relative).parent.mkdir(parents=True, exist_ok=True)
                        if source.is_dir():
                            shutil.copytree(source, work / relative, dirs_exist_ok=True)
                        elif source.exists():
                            shutil.copy2(source, work / relative)
            elif action == "actions/upload-artifact":
                present = [p for p in paths if (work / p).exists()]
                ok = present == paths or with_.get("if-no-files-found") != "error"
                night.artifacts[with_["name"]] = present
        night.outcomes[name] = "success" if ok else "failure"
        status = status if ok else "failure"
    night.summary = files["STEP_SUMMARY"].read_text() if files["STEP_SUMMARY"].exists() else ""
    return night


def generate_day(out: Path, day: date, seed: int) -> None:
    options = ["--start-date", day.isoformat(), "--days", "1", "--sessions-per-day", "12"]
    script = ROOT / "scripts" / "generate_events.py"
    subprocess.run(
        [PYTHON, script, "--out", out, "--quiet", *options, "--seed", str(seed)], check=True
    )


def test_nightly_runs_on_the_previous_build_file_two_nights_then_a_failure(
    tmp_path: Path,
) -> None:
    landing, cache = tmp_path / "landing", tmp_path / "cache"
    today = datetime.now(UTC).date()
    variables = {
        "WORKBENCH_LANDING_EVENTS": f"{landing}/events/**/*.jsonl*",
        "WORKBENCH_LANDING_CREATIONS": f"{landing}/workflow_creations/*.csv",
    }
    generate_day(landing, today - timedelta(days=2), seed=1)

    def night(number: int, **inputs: str) -> tuple[Night, Path]:
        work = checkout(tmp_path, f"night-{number}")
        night = run_workflow(
            NIGHTLY, "build", work, cache, variables=variables, run_id=number, inputs=inputs
        )
        return night, work

    first, work = night(1)
    assert set(first.outcomes.values()) == {"success", "skipped"}, first.log
    assert first.outputs["input"] == {"mode": "production"}
    assert first.outcomes["Say what failed and how to recover"] == "skipped"
    assert sorted(first.artifacts) == ["dbt-1", "serving"]
    assert "demonstration" not in first.summary.lower()
    first_files = sorted((landing / "events").rglob("*.jsonl*"))

    # The next day lands (another client's files), and a new runner starts from the cache.
    second_day = tmp_path / "second-day"
    generate_day(second_day, today - timedelta(days=1), seed=2)
    shutil.copytree(second_day / "events", landing / "events", dirs_exist_ok=True)
    second, work = night(2)
    assert set(second.outcomes.values()) == {"success", "skipped"}, second.log
    assert second.outputs["Restore the build file of the previous night"]["restored"].endswith(
        "-1-1"
    )
    with duckdb.connect(str(work / "warehouse" / "workbench.duckdb"), read_only=True) as con:
        batches = dict(
            con.execute(
                "select absolute_path, _batch_at from staging.base_workbench__raw_files"
            ).fetchall()
        )
        days = con.execute(
            "select count(distinct started_at::date) from marts.dim_sessions"
        ).fetchone()[0]
    assert len(batches) == len(list((landing / "events").rglob("*.jsonl*")))
    # Incremental: the first night's files keep the batch that first read them.
    first_batches = {batches[str(p)] for p in first_files}
    assert len(first_batches) == 1 and len(set(batches.values())) == 2, batches
    assert days == 2

    # A file already loaded changes: the build stops, nothing is published, nothing is cached,
    # and the summary says what failed and where the runbook explains the way out.
    loaded = first_files[0]
    loaded.write_bytes(loaded.read_bytes() + b"\n")
    third, _ = night(3)
    assert third.outcomes["Build (incremental on the restored build file)"] == "failure"
    assert third.outcomes["Save the build file for the next night"] == "skipped"
    assert third.outcomes["Say what failed and how to recover"] == "success", third.log
    assert "serving" not in third.artifacts
    assert sorted(p.name for p in cache.iterdir()) == [
        "workbench-build-main-1-1",
        "workbench-build-main-2-1",
    ]
    assert "Nightly build failed: nothing was published" in third.summary
    assert "docs/operations.md, section 'A raw file changed" in third.summary, third.summary

    # The runbook's way out, through the workflow: a run by hand that reloads the file.
    fourth, work = night(4, repair_vars=f'reload_files: ["{loaded}"]')
    assert set(fourth.outcomes.values()) == {"success", "skipped"}, fourth.log
    assert "serving" in fourth.artifacts

    # A pull request's slim build, on the last night's state: only the changed model and its
    # children are built.
    pull = checkout(tmp_path, "pull-request")
    changed = pull / "models" / "marts" / "core" / "fct_workflow_runs.sql"
    changed.write_text(changed.read_text() + "\n-- a change under review\n")
    slim = run_workflow(PULL_REQUEST, "slim-build", pull, cache, variables=variables, run_id=4)
    assert set(slim.outcomes.values()) == {"success"}, slim.log
    assert "building state:modified+" in slim.log
    built = {
        r["unique_id"].split(".")[-1]
        for r in json.loads((pull / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("model.")
    }
    assert "fct_workflow_runs" in built and "base_workbench__validated_lines" not in built, built


def test_without_a_landing_zone_the_night_is_a_labelled_demonstration(tmp_path: Path) -> None:
    files = {name: tmp_path / name for name in ("output", "env", "summary")}
    result = subprocess.run(
        ["bash", ROOT / "scripts" / "nightly_input.sh"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "PYTHON_BIN": str(PYTHON),
            "RAW_DIR": str(tmp_path / "raw"),
            "SAMPLE_ARGS": "--days 1 --sessions-per-day 3",
            "GITHUB_OUTPUT": str(files["output"]),
            "GITHUB_ENV": str(files["env"]),
            "GITHUB_STEP_SUMMARY": str(files["summary"]),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert files["output"].read_text() == "mode=demonstration\n"
    assert "::warning title=Demonstration build::" in result.stdout
    assert "DEMONSTRATION, not production" in files["summary"].read_text()
    assert f"{tmp_path}/raw/events/**/*.jsonl*" in files["env"].read_text()
    assert list((tmp_path / "raw" / "events").rglob("*.jsonl*"))


def test_nightly_triggers_permissions_and_artifacts() -> None:
    workflow = load(NIGHTLY)
    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["build"]["steps"]
    uploaded = " ".join(s["with"]["path"] for s in steps if "upload-artifact" in s.get("uses", ""))
    for name in ("manifest.json", "run_results.json", "sources.json", "static_index.html"):
        assert name in uploaded, name
    assert "WORKBENCH_SERVING_PATH" in uploaded and "REPORT_PATH" in uploaded
    text = NIGHTLY.read_text()
    assert "continue-on-error" not in text and "|| true" not in text


def test_pull_requests_run_the_tests_and_a_slim_build() -> None:
    workflow = load(PULL_REQUEST)
    assert set(triggers(workflow)) == {"pull_request"}
    runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert "make test" in runs
    slim = (ROOT / "scripts" / "slim_ci.sh").read_text()
    assert "--select state:modified+ --defer --state" in slim
    assert "full build on a generated sample" in slim


def test_the_failure_summary_points_at_runbook_sections_that_exist() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import nightly_summary

    headings = set(re.findall(r"^#+ (.+)$", RUNBOOK, flags=re.MULTILINE))
    sections = {section for _, section in nightly_summary.ADVICE} | {nightly_summary.FALLBACK}
    assert sections <= headings, sections - headings


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


def test_exposures_name_what_each_consumer_reads(tmp_path: Path) -> None:
    """The serving file's exposure depends on every table published from schema marts (so a new
    mart cannot be published without naming who reads it), and `dbt ls` lists each exposure's
    upstream models."""
    env = {**os.environ, "WORKBENCH_DB_PATH": str(tmp_path / "parse.duckdb")}
    target = tmp_path / "target"
    subprocess.run(
        [DBT, "parse", "--quiet", "--target-path", target, "--log-path", tmp_path / "logs"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"kpi_report", "serving_file", "semantic_layer"}
    assert all(e["owner"]["email"] for e in exposures.values())
    published = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["schema"] == "marts"
    }
    assert set(exposures["serving_file"]["depends_on"]["nodes"]) == published
    select = ["--select", "+exposure:kpi_report", "--resource-type", "model", "--output", "name"]
    listed = subprocess.run(
        [DBT, "ls", "--quiet", *select, "--target-path", target, "--log-path", tmp_path / "logs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {"kpi_scorecard", "fct_drafts", "base_workbench__validated_lines"} <= set(listed)
