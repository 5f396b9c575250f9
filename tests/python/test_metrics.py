"""The semantic layer (models/semantic/, docs/metrics.md): `mf query` for each persona KPI by
metric_time__day, __week and __month returns exactly the values of marts.kpi_scorecard.

`mf` reads the semantic manifest only from `<project dir>/target/semantic_manifest.json`. So that
this test never touches the repository's target/ (other builds may be running), it points `mf`
(DBT_PROJECT_DIR) at a private project folder: a link to dbt_project.yml, and `target` linked to
the test build's own target folder. It runs from the project root with the project's profile, as
dbt does, so relative paths in profiles.yml resolve the same. The manifest names the warehouse
file's database (its file name without `.duckdb`), so `mf` queries the file of the same build.

Periods: MetricFlow returns a row for a period only when one of the metric's inputs has a row
there, and the count metrics filter out rows whose time is null (drafts never accepted), so each
KPI comes back for exactly the periods the scorecard has (a period with an empty population has
no row in either). The test checks the period sets are equal, not only the values.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, Build, run_dbt_build

GOLDEN = FIXTURES / "golden"
MF = Path(sys.executable).with_name("mf")
KPIS = (
    "template_suggestion_rate",
    "time_to_create_workflow",
    "workbench_adoption",
    "template_usage_rate",
)
GRAINS = ("day", "week", "month")


class SemanticLayer:
    """`mf` run against one build: its warehouse file and its semantic manifest."""

    def __init__(
        self, build: Build, target_dir: Path, work_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        self.build = build
        self.env = env or {"WORKBENCH_DB_PATH": str(build.db_path)}
        self.project = work_dir / "mf_project"
        self.project.mkdir()
        (self.project / "dbt_project.yml").symlink_to(ROOT / "dbt_project.yml")
        # The build's own target folder, which holds the semantic_manifest.json it wrote.
        (self.project / "target").symlink_to(target_dir)
        self.logs = work_dir / "mf_logs"
        self.outputs = work_dir / "mf_output"
        self.outputs.mkdir()

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            **self.env,
            "DBT_PROJECT_DIR": str(self.project),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_LOG_PATH": str(self.logs),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        return subprocess.run(
            [str(MF), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def query(self, metrics: list[str], grain: str) -> dict[date, dict[str, float | None]]:
        """`mf query --metrics ... --group-by metric_time__<grain> --csv`: period -> values."""
        out = self.outputs / f"{'-'.join(metrics)}-{grain}.csv"
        result = self.run(
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            f"metric_time__{grain}",
            "--order",
            f"metric_time__{grain}",
            "--csv",
            str(out),
        )
        output = result.stdout[-3000:] + result.stderr[-3000:]
        assert result.returncode == 0 and out.exists(), output
        with out.open(newline="") as f:
            rows = list(csv.DictReader(f))
        periods = {}
        for row in rows:
            period = row.pop(f"metric_time__{grain}")
            assert period, f"a row without a period: {row}"
            periods[datetime.fromisoformat(period).date()] = {
                name: float(value) if value != "" else None for name, value in row.items()
            }
        assert len(periods) == len(rows), "a period came back twice"
        return periods


def scorecard(build: Build, grain: str, kpi: str) -> dict[date, float | None]:
    return dict(
        build.query(
            "select period_start, value from marts.kpi_scorecard"
            " where period_grain = ? and kpi_name = ?",
            [grain, kpi],
        )
    )


def assert_same_values(got: dict[date, float | None], expected: dict[date, float | None]) -> None:
    assert sorted(got) == sorted(expected)
    for period, value in expected.items():
        assert value is not None, period  # adoption is configured in these builds
        assert got[period] == pytest.approx(value, abs=1e-9), period


@pytest.fixture(scope="module")
def golden_layer(tmp_path_factory: pytest.TempPathFactory) -> SemanticLayer:
    work = tmp_path_factory.mktemp("metrics_golden")
    build = run_dbt_build(
        work,
        {
            "raw_events_glob": str(GOLDEN / "events" / "**" / "*.jsonl"),
            "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
        },
        # test_golden.py runs the data tests on this fixture; here only the tables matter.
        extra_args=["--exclude-resource-type", "test"],
    )
    assert build.returncode == 0, build.output[-5000:]
    return SemanticLayer(build, work / "target", work)


def test_golden_scorecard_is_the_hand_computed_one(golden_layer: SemanticLayer) -> None:
    # The reference is itself pinned: test_golden.py computes these by hand (weeks of Feb 23 and
    # Mar 2; the week of Feb 23 spans two months).
    assert scorecard(golden_layer.build, "week", "template_usage_rate") == {
        date(2026, 2, 23): pytest.approx(2 / 3, abs=1e-9),
        date(2026, 3, 2): pytest.approx(1 / 2, abs=1e-9),
    }


@pytest.mark.parametrize("kpi", KPIS)
@pytest.mark.parametrize("grain", GRAINS)
def test_mf_query_matches_scorecard_on_golden(
    golden_layer: SemanticLayer, kpi: str, grain: str
) -> None:
    got = golden_layer.query([kpi], grain)
    assert_same_values(
        {period: values[kpi] for period, values in got.items()},
        scorecard(golden_layer.build, grain, kpi),
    )


def test_golden_counts_and_conversion(golden_layer: SemanticLayer) -> None:
    # By hand (test_golden.py's fixture), by day: accepted drafts Feb 28 d-a1, d-orphan; Mar 1
    # d-b1; Mar 2 d-b2, d-c1. Other channels: w-1 Feb 28, w-2 Mar 1. Drafts created Feb 28:
    # d-a1, d-orphan, unlinked:a14 (never accepted); Mar 1 d-b1; Mar 2 d-b2, d-c1; each accepted
    # one within minutes of its creation, so 7-day conversion = accepted / created by creation day.
    metrics = [
        "accepted_drafts",
        "other_channel_creations",
        "workflows_created",
        "drafts_created",
        "drafts_accepted_within_7d",
        "draft_acceptance_rate_7d",
        "median_seconds_to_accept",
        "manual_baseline_seconds",
    ]
    got = golden_layer.query(metrics, "day")
    expected = {
        date(2026, 2, 28): [2, 1, 3, 3, 2, 2 / 3, 420, 1800],
        date(2026, 3, 1): [1, 1, 2, 1, 1, 1.0, 480, 1800],
        date(2026, 3, 2): [2, 0, 2, 2, 2, 1.0, 1500, 1800],
    }
    assert sorted(got) == sorted(expected)
    for period, values in expected.items():
        assert [got[period][m] for m in metrics] == pytest.approx(values, abs=1e-9), period


def test_adoption_on_a_day_with_only_other_channel_creations(tmp_path: Path) -> None:
    # Only the Feb 28 events: on Mar 1 nothing is accepted but w-2 was created elsewhere. The
    # scorecard has adoption 0 that day; MetricFlow must too (accepted_drafts filled with 0),
    # not a null or a missing row.
    build = run_dbt_build(
        tmp_path,
        {
            "raw_events_glob": str(GOLDEN / "events" / "date=2026-02-28" / "*.jsonl"),
            "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
        },
        extra_args=["--exclude-resource-type", "test"],
    )
    assert build.returncode == 0, build.output[-5000:]
    layer = SemanticLayer(build, tmp_path / "target", tmp_path)
    got = layer.query(["workbench_adoption"], "day")
    expected = scorecard(build, "day", "workbench_adoption")
    assert expected == {date(2026, 2, 28): pytest.approx(2 / 3), date(2026, 3, 1): 0.0}
    assert_same_values({p: v["workbench_adoption"] for p, v in got.items()}, expected)


def test_mf_query_matches_scorecard_on_sample(sample_build: Build, tmp_path: Path) -> None:
    """About 40 generated days (weeks and months crossing): every KPI, grain and period."""
    # conftest's run_dbt_build writes the target folder next to the warehouse file.
    layer = SemanticLayer(sample_build, sample_build.db_path.parent / "target", tmp_path)
    for grain in GRAINS:
        got = layer.query(list(KPIS), grain)
        for kpi in KPIS:
            expected = scorecard(sample_build, grain, kpi)
            assert_same_values(
                {p: v[kpi] for p, v in got.items() if v[kpi] is not None},
                expected,
            )


@pytest.fixture(scope="module")
def serving_layer(
    golden_layer: SemanticLayer, tmp_path_factory: pytest.TempPathFactory
) -> SemanticLayer:
    """A reader's setup: only the published serving file, under a name of its own, and the
    project's read-only profile target `serving` (docs/metrics.md). The manifest is parsed for
    that target; the build file is out of reach (its path does not exist)."""
    work = tmp_path_factory.mktemp("metrics_serving")
    serving = work / "readers_copy.duckdb"
    no_build = work / "no_build" / "workbench.duckdb"
    published = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py")],
        cwd=ROOT,
        env={
            **os.environ,
            "WORKBENCH_DB_PATH": str(golden_layer.build.db_path),
            "WORKBENCH_SERVING_PATH": str(serving),
            "WORKBENCH_PARQUET_DIR": str(work / "parquet"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    env = {
        "DBT_TARGET": "serving",
        "WORKBENCH_SERVING_PATH": str(serving),
        "WORKBENCH_DB_PATH": str(no_build),
    }
    layer = SemanticLayer(Build(0, "", serving), work / "serving_target", work, env=env)
    parsed = subprocess.run(
        [
            str(MF.with_name("dbt")),
            "parse",
            "--quiet",
            "--target-path",
            str(work / "serving_target"),
        ],
        cwd=ROOT,
        env={**os.environ, **env, "DBT_LOG_PATH": str(work / "parse_logs")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return layer


def test_mf_query_reads_the_serving_file_through_the_read_only_target(
    serving_layer: SemanticLayer,
) -> None:
    serving = serving_layer.build.db_path
    before = hashlib.sha256(serving.read_bytes()).hexdigest()
    got = serving_layer.query([*KPIS, "accepted_drafts"], "week")
    # Hand-computed (test_golden.py): template usage 2 of 3 accepted drafts, then 1 of 2.
    assert {p: v["template_usage_rate"] for p, v in got.items()} == {
        date(2026, 2, 23): pytest.approx(2 / 3, abs=1e-9),
        date(2026, 3, 2): pytest.approx(1 / 2, abs=1e-9),
    }
    assert {p: v["accepted_drafts"] for p, v in got.items()} == {
        date(2026, 2, 23): 3,
        date(2026, 3, 2): 2,
    }
    # Every KPI equals the scorecard as published in the same file.
    for kpi in KPIS:
        assert_same_values(
            {p: v[kpi] for p, v in got.items()}, scorecard(serving_layer.build, "week", kpi)
        )
    # Read-only: the file is unchanged, no write-ahead log appeared, no build file was created.
    assert hashlib.sha256(serving.read_bytes()).hexdigest() == before
    assert not Path(f"{serving}.wal").exists()
    assert not Path(serving_layer.env["WORKBENCH_DB_PATH"]).parent.exists()
