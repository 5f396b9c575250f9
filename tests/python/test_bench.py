"""Tests of bench/bench.py at a tiny size: it runs every step and writes its table (not timed)."""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, load_script

bench = load_script(ROOT / "bench" / "bench.py")

STEPS = ["floor", "full build", "incremental build", "full build, OTLP"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    args = ["--sizes", "2000", "--days", "5", "--large-file", "3000"]
    args += ["--work-dir", str(tmp / "work")]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/bench.py"), *args, "--output", str(tmp / "out.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, tmp


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_runs_every_step_and_writes_the_table(tiny_run: tuple) -> None:
    result, tmp = tiny_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = (tmp / "out.md").read_text()
    rows = table_rows(section(text, "Results"))
    assert list(rows[0]) == bench.COLUMNS
    *rows, one_file = rows
    assert [row["step"] for row in rows] == STEPS
    # The large-file run: one gzip file, one full build, its size in the note.
    assert one_file["size"] == "3,000 in one file"
    assert re.fullmatch(r"full build \([\d,.]+ MiB gzip\)", one_file["step"]), one_file["step"]
    assert number(one_file["events"]) > 2900 and one_file["x floor"] == "-"
    for row in rows:
        assert row["size"] == "2,000"
        assert number(row["events"]) > 0
        assert number(row["seconds"]) > 0
        assert number(row["events/s"]) > 0
        assert number(row["peak MiB"]) > 10
        assert number(row["CPU s"]) > 0
        assert re.fullmatch(r"[\d.]+-[\d.]+", row["load 1m"])
    floor, full, incremental, otlp = rows
    assert number(floor["x floor"]) == 1
    assert number(full["x floor"]) == pytest.approx(
        number(full["seconds"]) / number(floor["seconds"]), rel=0.05
    )
    assert number(floor["events"]) == number(full["events"]) > 1900  # the same files
    assert 0 < number(incremental["events"]) < number(full["events"]) / 5
    # The same events as OTLP records: about as many records as flat lines (no blank lines).
    assert number(otlp["events"]) == pytest.approx(number(full["events"]), rel=0.02)
    assert number(otlp["x floor"]) == pytest.approx(
        number(otlp["seconds"]) / number(floor["seconds"]), rel=0.05
    )
    otlp_files = list((tmp / "work").rglob("otlp/raw/otlp/workbench-*"))
    assert otlp_files == []  # removed with the rest
    # The printed table has the same rows.
    printed = re.findall(
        r"^ *2,000 +(floor|full build, OTLP|full build|incremental build) ", result.stdout, re.M
    )
    assert printed == STEPS


def test_reports_machine_targets_and_generation(tiny_run: tuple) -> None:
    _, tmp = tiny_run
    text = (tmp / "out.md").read_text()
    machine = dict((row["what"], row["value"]) for row in table_rows(section(text, "Machine")))
    assert {"CPUs (nproc)", "CPU model", "memory", "Python", "DuckDB", "commit"} <= set(machine)
    assert int(machine["CPUs (nproc)"]) >= 1
    # Each build is the nightly job's: no dbt unit tests (their rows are fixed, not the data's).
    assert machine["each build"] == "`dbt build --exclude-resource-type unit_test`"
    targets = section(text, "Targets")
    for target in ("the floor", "of the full build", "peak memory", "on OTLP"):
        line = next(line for line in targets.splitlines() if target in line)
        assert re.search(r": (met|\*\*missed\*\*) - ", line), line
    generation = table_rows(section(text, "Data generation (not a target)"))
    assert [row["step"] for row in generation] == [
        "base days",
        "extra day",
        "base days, OTLP",
        "base days",
    ]
    assert re.search(r"^Run \d{4}-\d\d-\d\d \d\d:\d\d UTC with `bench/bench.py --sizes", text, re.M)
    profiles = section(text, "Where the dbt builds spent their time")
    assert profiles.count("memory peaked (sampled) at") == 4
    assert "2,000 events, full build, OTLP:" in profiles
    assert "3,000 events in one file, full build:" in profiles
    assert re.search(r"nodes run in [\d.]+s .* \d+ models [\d.]+s", profiles)
    assert "unit_test" not in profiles


def test_work_files_removed_without_keep_data(tiny_run: tuple) -> None:
    _, tmp = tiny_run
    assert not (tmp / "work" / "size-2000").exists()
    assert not (tmp / "work" / "one-file-3000").exists()


def test_generated_data_is_reused_when_it_matches(tmp_path: Path) -> None:
    args = argparse.Namespace(days=3, start_date=date(2026, 7, 1), seed=1)
    work = tmp_path / "size-500"
    first = bench.SizeResult(500)
    bench.generate(500, args, work, first)
    assert first.generation[0].note == ""
    extra = bench.generate_extra_day(500, args, work, first)
    assert extra["events"] > 0
    assert (work / "raw/events/date=2026-07-04").is_dir()
    again = bench.SizeResult(500)
    bench.generate(500, args, work, again)
    assert again.generation[0].note == "reused"
    assert not (work / "raw/events/date=2026-07-04").exists()  # the base days only
    other = bench.SizeResult(500)
    bench.generate(
        500, argparse.Namespace(days=3, start_date=date(2026, 7, 1), seed=2), work, other
    )
    assert other.generation[0].note == ""


def test_floor_reads_every_line_and_extracts_every_property(tmp_path: Path) -> None:
    events = tmp_path / "events" / "date=2026-10-01"
    events.mkdir(parents=True)
    lines = [
        '{"event":"workbench.draft_created","sessionId":"s-1","timestamp":"2026-10-01T10:00:00Z",'
        '"source":"chat","draftId":"d-1","eventId":"e-1"}',
        '{"event":"workbench.approval_requested","sessionId":"s-top","properties":'
        '{"sessionId":"s-inner","timestamp":1790000000000,"toolIds":["a","b"],"contextType":"x"}}',
        '{"event":"workbench.chat_message_sent","sessionId":"s-2", "timest',
        "   ",
        "",
    ]
    (events / "part-0000.jsonl").write_text("\n".join(lines[:3]) + "\n")
    (events / "part-0001.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    db = tmp_path / "floor.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(bench.floor_sql(f"{tmp_path}/events/**/*.jsonl*"))
        rows = con.execute(
            'select "event", "eventId", "sessionId", "timestamp", "toolIds", "source"'
            " from floor_events order by filename, event nulls last"
        ).fetchall()
        columns = [c[0] for c in con.execute("describe floor_events").fetchall()]
    assert len(rows) == 6  # 3 lines in each file, blank lines skipped, the broken one kept
    assert rows[0] == (
        "workbench.approval_requested",
        None,
        "s-top",
        "1790000000000",
        '["a","b"]',
        None,
    )
    assert rows[1] == (
        "workbench.draft_created",
        "e-1",
        "s-1",
        "2026-10-01T10:00:00Z",
        None,
        "chat",
    )
    assert rows[2] == (None,) * 6
    assert set(bench.taxonomy_keys()) | {"filename", "event", "eventId"} == set(columns)


def measured(seconds: float) -> bench.Measure:
    return bench.Measure(seconds, seconds, 100 * bench.MIB, 0, (0.5, 0.5))


@pytest.mark.parametrize(
    ("otlp_seconds", "otlp_records", "expected"),
    [
        (60.0, 1_000_000, "met - 60.0s for 1,000,000 records = 60.0 us/event against 50.0"
         " us/event = 1.20x"),
        (74.0, 990_000, "met - 74.0s for 990,000 records = 74.7 us/event against 50.0"
         " us/event = 1.49x"),
        (76.0, 1_000_000, "**missed** - 76.0s for 1,000,000 records = 76.0 us/event against"
         " 50.0 us/event = 1.52x"),
    ],
)  # fmt: skip
def test_otlp_target_is_per_event_against_the_flat_build(
    otlp_seconds: float, otlp_records: int, expected: str
) -> None:
    result = bench.SizeResult(1_000_000)
    result.rows = [
        bench.Row(1_000_000, "floor", 1_000_000, measured(10.0)),
        bench.Row(1_000_000, "full build", 1_000_000, measured(50.0)),
        bench.Row(1_000_000, "full build, OTLP", otlp_records, measured(otlp_seconds)),
    ]
    (line,) = [line for line in bench.checks([result]) if "on OTLP" in line]
    assert line == f"- full build per event on OTLP <= 1.5x flat JSON, 1,000,000 events: {expected}"
    result.rows[2].note = "FAILED"
    assert "- full build of the OTLP files, 1,000,000 events: **failed**" in bench.checks([result])
