#!/usr/bin/env python3
"""Benchmark the warehouse: the floor, a full `dbt build` and an incremental one, at each size.

For each size (events in the base data): generate the data with scripts/generate_events.py (the
project's one traffic model; timed, not a target), then in separate processes on the same files

- floor: one DuckDB query reads every line (gzip too), parses its JSON and extracts every
  taxonomy property into a table - the least work any warehouse must do;
- full build: `dbt build` into a fresh warehouse file, as the nightly job runs it (`make build`:
  no dbt unit tests; `--unit-tests` runs them too);
- incremental build: the next day's delivery is added (about 1% of the total, with late events of
  old sessions and resends of old events) and `dbt build` runs again on the same warehouse;
- full build, OTLP: the same events generated again, every session written as OTLP/JSON log files
  (`--otlp-share 1`), and a full `dbt build` of those alone, against the same floor;

and once, a full `dbt build` of a single large gzip file (--large-file events in one file), whose
peak memory must not follow the file's size;

recording wall seconds, CPU seconds and peak resident memory (the child's ru_maxrss, which
covers the processes it waited for). Prints a table and writes it, with the machine and the
target checks, to the output file (rewritten after each size, so a partial run leaves results).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_events.py"
TAXONOMY_CSV = ROOT / "seeds" / "event_taxonomy.csv"
BIN = Path(sys.executable).parent
MIB = 1024 * 1024
GIB = 1024 * MIB


def profile_memory_limit() -> str:
    """The DuckDB memory limit dbt uses when WORKBENCH_MEMORY_LIMIT is unset, read from the
    profile so that the floor and the report never name another default than the build's."""
    text = (ROOT / "profiles.yml").read_text()
    match = re.search(r"env_var\('WORKBENCH_MEMORY_LIMIT', '([^']+)'\)", text)
    if match is None:
        sys.exit(
            f"{ROOT / 'profiles.yml'}: no env_var('WORKBENCH_MEMORY_LIMIT', '<default>') found;"
            " the benchmark reads the build's default memory limit from it"
        )
    return match.group(1)


# Targets on the reference machine (2 cores; bench/README.md).
FLOOR_RATIO_TARGET = 4.0  # full build <= 4x the floor ...
FLOOR_RATIO_STRETCH = 3.0  # ... (stretch: 3x) ...
FLOOR_RATIO_SIZE = 10_000_000  # ... at 10M events
INCREMENTAL_SHARE_TARGET = 0.10  # incremental build of a 1% day <= 10% of the full build
# The incremental day costs what the new data costs, not what the history costs: at 10M events
# of history at most this many times what it costs at 1M.
INCREMENTAL_HISTORY_RATIO_TARGET = 1.3
# The OTLP reader: a full build costs at most this many times per event what it costs on flat JSON.
OTLP_PER_EVENT_TARGET = 1.5
PEAK_MEMORY_TARGET = 3 * GIB  # up to 10M events
LARGE_SIZE_PEAK_MEMORY_TARGET = 4 * GIB  # above 10M events (the 30M row, run by hand)

# The floor runs in its own Python process, like dbt, so its memory is measured alone.
FLOOR_SCRIPT = """
import sys, duckdb
db, sql, memory_limit = sys.argv[1:4]
con = duckdb.connect(db, config={"memory_limit": memory_limit})
print(con.execute(sql).fetchone()[0])
"""


@dataclass
class Measure:
    """One timed child process."""

    seconds: float
    cpu_seconds: float
    peak_bytes: int
    returncode: int
    load: tuple[float, float]  # 1-minute load average before and after
    output: str = ""
    peak_at: datetime | None = None  # when the sampled RSS was highest


@dataclass
class Row:
    size: int
    step: str
    events: int
    measure: Measure
    note: str = ""


@dataclass
class SizeResult:
    size: int
    label: str = ""  # "in one file": the large-file run
    rows: list[Row] = field(default_factory=list)
    generation: list[Row] = field(default_factory=list)
    profiles: dict[str, list[str]] = field(default_factory=dict)

    def row(self, step: str) -> Row | None:
        return next((r for r in self.rows if r.step == step), None)


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def run_measured(args: list[str], *, env: dict[str, str] | None = None, log: Path) -> Measure:
    """Run a child to completion; wall time, CPU time and peak RSS of it (and what it reaped).
    The RSS is also sampled twice a second, to tell when the peak came (which dbt node)."""
    load_before = os.getloadavg()[0]
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    peak_sample: list[tuple[int, datetime]] = [(0, datetime.now(UTC))]
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                rss = rss_bytes(proc.pid)
                if rss and rss > peak_sample[0][0]:
                    peak_sample[0] = (rss, datetime.now(UTC))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measure(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_bytes=usage.ru_maxrss * 1024,  # kilobytes on Linux
        returncode=proc.returncode,
        load=(load_before, os.getloadavg()[0]),
        output=log.read_text(errors="replace"),
        peak_at=peak_sample[0][1] if peak_sample[0][0] else None,
    )


# --- the steps -----------------------------------------------------------------------------------


def taxonomy_keys() -> list[str]:
    with TAXONOMY_CSV.open(newline="") as f:
        keys = [row["property_key"] for row in csv.DictReader(f)]
    return list(dict.fromkeys(keys))


def floor_sql(events_glob: str) -> str:
    """Every non-blank line once (read as text, gzip by extension), its JSON parsed, the event
    name, eventId and every taxonomy property (top level, else inside `properties`) extracted."""
    keys = taxonomy_keys()
    top = ["event", "eventId", *keys]
    paths = [f"$.{k}" for k in top] + [f"$.properties.{k}" for k in keys]
    columns = ['values[1] as "event"', 'values[2] as "eventId"'] + [
        f'coalesce(values[{3 + i}], values[{3 + len(keys) + i}]) as "{k}"'
        for i, k in enumerate(keys)
    ]
    path_list = ", ".join(f"'{p}'" for p in paths)
    return f"""
create or replace table floor_events as
select filename, {", ".join(columns)}
from (
    select
        filename,
        -- all paths in one call; a line that is not JSON keeps nulls
        case when json_valid(line) then json_extract_string(line, [{path_list}]) end as values
    from read_csv('{events_glob}', columns = {{'line': 'VARCHAR'}}, header = false,
        delim = '\\x1f', quote = '', escape = '', auto_detect = false, filename = true)
    where trim(line, ' \t\r') <> ''
)
"""


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# The large-file run: all its events in one day folder, one gzip file.
ONE_FILE = ["--days", "1", "--files-per-day", "1", "--gzip-rate", "1"]


def generator_args(
    size: int, args: argparse.Namespace, layout: list[str] | None = None
) -> list[str]:
    return [
        "--events",
        str(size),
        "--days",
        str(args.days),
        "--start-date",
        args.start_date.isoformat(),
        "--seed",
        str(args.seed),
        *(layout or []),
    ]


def generate(
    size: int,
    args: argparse.Namespace,
    work: Path,
    result: SizeResult,
    layout: list[str] | None = None,
    step: str = "base days",
) -> dict:
    """The base days, reused when an earlier --keep-data run left the same ones."""
    raw = work / "raw"
    manifest_path = work / "manifest.json"
    wanted = {
        "generator_args": generator_args(size, args, layout),
        "generator": file_digest(GENERATOR),
    }
    extra_day = args.start_date + timedelta(days=args.days)
    extra_folder = raw / "events" / f"date={extra_day.isoformat()}"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        generated = (raw / "events").is_dir() or (raw / "otlp").is_dir()
        if {k: manifest.get(k) for k in wanted} == wanted and generated:
            shutil.rmtree(extra_folder, ignore_errors=True)  # an earlier run's extra day
            print(f"  reusing the data generated earlier in {raw}", flush=True)
            summary = manifest["summary"]
            result.generation.append(
                Row(size, step, summary["events"], manifest_measure(manifest), "reused")
            )
            return summary
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    summary, measure = run_generator(size, args, work, result, step, layout or [], "generate")
    manifest_path.write_text(
        json.dumps(
            {
                **wanted,
                "summary": summary,
                "measure": {
                    "seconds": measure.seconds,
                    "cpu_seconds": measure.cpu_seconds,
                    "peak_bytes": measure.peak_bytes,
                    "load": measure.load,
                },
            },
            indent=2,
        )
    )
    return summary


def manifest_measure(manifest: dict) -> Measure:
    m = manifest["measure"]
    return Measure(m["seconds"], m["cpu_seconds"], m["peak_bytes"], 0, tuple(m["load"]))


def generate_extra_day(size: int, args: argparse.Namespace, work: Path, result: SizeResult) -> dict:
    summary, _ = run_generator(
        size, args, work, result, "extra day", ["--extra-day"], "generate-extra-day"
    )
    return summary


def run_generator(
    size: int,
    args: argparse.Namespace,
    work: Path,
    result: SizeResult,
    step: str,
    extra_args: list[str],
    name: str,
) -> tuple[dict, Measure]:
    """One generator run into work/raw, measured and recorded in `result` as `step`; returns its
    summary (events written) and measure."""
    summary_path = work / f"{name}-summary.json"
    measure = run_measured(
        [
            sys.executable,
            str(GENERATOR),
            "--out",
            str(work / "raw"),
            *generator_args(size, args),
            *extra_args,
            "--summary",
            str(summary_path),
        ],
        log=work / "logs" / f"{name}.log",
    )
    if measure.returncode:
        raise SystemExit(f"generation of the {step} failed:\n{measure.output[-3000:]}")
    summary = json.loads(summary_path.read_text())
    result.generation.append(Row(size, step, summary["events"], measure))
    return summary, measure


def run_floor(size: int, work: Path, memory_limit: str) -> tuple[Measure, int]:
    db = work / "floor.duckdb"
    for path in (db, db.with_suffix(".duckdb.wal")):
        path.unlink(missing_ok=True)
    glob = f"{work / 'raw' / 'events'}/**/*.jsonl*"
    measure = run_measured(
        [sys.executable, "-c", FLOOR_SCRIPT, str(db), floor_sql(glob), memory_limit],
        log=work / "logs" / "floor.log",
    )
    if measure.returncode:
        raise SystemExit(f"the floor query failed:\n{measure.output[-3000:]}")
    lines = int(measure.output.strip().splitlines()[-1])
    db.unlink(missing_ok=True)  # only its time matters; keep the disk for the builds
    return measure, lines


def dbt_build_args(unit_tests: bool) -> list[str]:
    """`dbt build` as the nightly job runs it (`make build` leaves out the unit tests: fixed rows,
    about 20 node-seconds a build, whatever the data), or with them."""
    return ["build"] if unit_tests else ["build", "--exclude-resource-type", "unit_test"]


def run_dbt(
    work: Path, label: str, *, fresh: bool, unit_tests: bool, otlp: bool = False
) -> Measure:
    db = work / "warehouse.duckdb"
    if fresh:
        for path in (db, db.with_suffix(".duckdb.wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(work / "target", ignore_errors=True)
    raw = work / "raw"
    dbt_vars = {
        "raw_events_glob": "" if otlp else f"{raw}/events/**/*.jsonl*",
        "otlp_logs_glob": f"{raw}/otlp/workbench-*.jsonl*" if otlp else "",
        "workflow_creations_glob": f"{raw}/workflow_creations/*.csv",
    }
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    measure = run_measured(
        [
            str(BIN / "dbt"),
            *dbt_build_args(unit_tests),
            "--vars",
            json.dumps(dbt_vars),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        env=env,
        log=work / "logs" / f"dbt-{label}.out",
    )
    results = work / "target" / "run_results.json"
    if results.exists():
        shutil.copy(results, work / "logs" / f"run_results-{label}.json")
    return measure


def build_profile(work: Path, label: str, measure: Measure, count: int = 8) -> list[str]:
    """Where a build spent its time, from its run_results.json: per resource type, the slowest
    nodes, and the nodes running when its memory peaked."""
    path = work / "logs" / f"run_results-{label}.json"
    if not path.exists():
        return []
    run = json.loads(path.read_text())
    nodes = [(n["unique_id"], float(n.get("execution_time") or 0)) for n in run.get("results", [])]
    by_type: dict[str, list[float]] = {}
    for unique_id, seconds in nodes:
        by_type.setdefault(unique_id.split(".", 1)[0], []).append(seconds)
    elapsed = float(run.get("elapsed_time") or 0)
    wall = measure.seconds
    types = ", ".join(
        f"{len(times)} {kind}s {sum(times):.1f}s" for kind, times in sorted(by_type.items())
    )
    slowest = sorted(nodes, key=lambda t: -t[1])[:count]
    lines = [
        f"{len(nodes)} nodes run in {elapsed:.1f}s (the other {wall - elapsed:.1f}s of the"
        f" {wall:.1f}s: start-up and parsing); node seconds, summed over dbt's threads: {types}",
        "slowest: " + ", ".join(f"`{short(uid)}` {sec:.1f}s" for uid, sec in slowest),
    ]
    if measure.peak_at:
        running = nodes_running_at(run.get("results", []), measure.peak_at)
        seconds = dict(nodes)
        running.sort(key=lambda uid: -seconds.get(uid, 0))
        named = ", ".join(f"`{short(uid)}`" for uid in running[:3])
        more = f" and {len(running) - 3} more" if len(running) > 3 else ""
        lines.append(
            f"memory peaked (sampled) at {measure.peak_at:%H:%M:%S} UTC, while running: "
            + (named + more if running else "no node (dbt itself)")
        )
    return lines


def short(unique_id: str) -> str:
    return unique_id.split(".", 2)[-1]


def nodes_running_at(results: list[dict], moment: datetime) -> list[str]:
    running = []
    for node in results:
        for step in node.get("timing", []):
            if step.get("name") != "execute" or not step.get("started_at"):
                continue
            start = datetime.fromisoformat(step["started_at"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(step["completed_at"].replace("Z", "+00:00"))
            if start.tzinfo is None:
                start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
            # The RSS is sampled every 0.5s: a node that ended just before counts too.
            if start <= moment <= end + timedelta(seconds=0.5):
                running.append(node["unique_id"])
    return running


def bench_size(size: int, args: argparse.Namespace) -> SizeResult:
    result = SizeResult(size)
    work = args.work_dir / f"size-{size}"
    print(f"\n== {size:,} events: generating", flush=True)
    base = generate(size, args, work, result)
    print(
        f"  {base['events']:,} events in {result.generation[-1].measure.seconds:.1f}s", flush=True
    )

    print("== floor query", flush=True)
    floor, lines = run_floor(size, work, args.memory_limit)
    result.rows.append(Row(size, "floor", lines, floor))
    print(f"  {lines:,} lines in {floor.seconds:.1f}s", flush=True)

    print("== full dbt build", flush=True)
    full = run_dbt(work, "full", fresh=True, unit_tests=args.unit_tests)
    if not record_build(result, work, "full", lines, full):
        return result

    print("== extra day + incremental dbt build", flush=True)
    extra = generate_extra_day(size, args, work, result)
    extra_lines = extra["lines"] - extra["blank_lines"]
    incremental = run_dbt(work, "incremental", fresh=False, unit_tests=args.unit_tests)
    record_build(result, work, "incremental", extra_lines, incremental)
    if args.otlp:
        bench_otlp(size, args, work, result)
    if not args.keep_data:
        shutil.rmtree(work, ignore_errors=True)
    return result


def bench_otlp(size: int, args: argparse.Namespace, work: Path, result: SizeResult) -> None:
    """The same events (same seed and size), every session written as OTLP/JSON log files, and a
    full build of those alone: `events` is the log records written."""
    if not args.keep_data:  # the flat warehouse is measured; keep the disk for this one
        for path in (work / "warehouse.duckdb", work / "warehouse.duckdb.wal"):
            path.unlink(missing_ok=True)
    print("== the same events as OTLP log files: generating", flush=True)
    otlp_work = work / "otlp"
    summary = generate(size, args, otlp_work, result, ["--otlp-share", "1"], "base days, OTLP")
    print(f"  {summary['otlp']['records']:,} log records", flush=True)
    print("== full dbt build of the OTLP files", flush=True)
    full = run_dbt(otlp_work, "full", fresh=True, unit_tests=args.unit_tests, otlp=True)
    record_build(
        result, otlp_work, "full", summary["otlp"]["records"], full, step="full build, OTLP"
    )


def record_build(
    result: SizeResult,
    work: Path,
    label: str,
    events: int,
    measure: Measure,
    note: str = "",
    step: str | None = None,
) -> bool:
    """The `<label> build` row (or `step`), its profile and its printed time (the log's tail when
    it failed); True when it succeeded."""
    step = step or f"{label} build"
    result.rows.append(
        Row(result.size, step, events, measure, note if not measure.returncode else "FAILED")
    )
    result.profiles[step] = build_profile(work, label, measure)
    print(f"  {measure.seconds:.1f}s{' FAILED' if measure.returncode else ''}", flush=True)
    if measure.returncode:
        print(measure.output[-3000:], file=sys.stderr)
    return not measure.returncode


def bench_large_file(events: int, args: argparse.Namespace) -> SizeResult:
    """A full build of one large .jsonl.gz: the line reader streams it in blocks, so the peak
    should stay near the one of many small files of the same total."""
    result = SizeResult(events, label="in one file")
    work = args.work_dir / f"one-file-{events}"
    print(f"\n== {events:,} events in one gzip file: generating", flush=True)
    summary = generate(events, args, work, result, ONE_FILE)
    (path,) = (work / "raw" / "events").rglob("*.jsonl*")
    mib = path.stat().st_size / MIB
    note = f"{mib:,.1f} MiB gzip" if mib < 10 else f"{mib:,.0f} MiB gzip"
    print(f"  {path.name}: {note}", flush=True)
    print("== full dbt build of the one file", flush=True)
    full = run_dbt(work, "full", fresh=True, unit_tests=args.unit_tests)
    record_build(result, work, "full", summary["lines"] - summary["blank_lines"], full, note)
    if not args.keep_data:
        shutil.rmtree(work, ignore_errors=True)
    return result


# --- reporting -----------------------------------------------------------------------------------

COLUMNS = [
    "size",
    "step",
    "events",
    "seconds",
    "events/s",
    "x floor",
    "peak MiB",
    "CPU s",
    "load 1m",
]


def secs(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def per_second(events: int, seconds: float) -> str:
    """Events a second; three significant digits when small, so a tiny day does not read 0."""
    if not seconds:
        return "-"
    rate = events / seconds
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}"


def table(results: list[SizeResult]) -> list[list[str]]:
    rows = []
    for result in results:
        floor = result.row("floor")
        for row in result.rows:
            m = row.measure
            ratio = f"{m.seconds / floor.measure.seconds:.2f}" if floor else "-"
            rows.append(
                [
                    f"{row.size:,}" + (f" {result.label}" if result.label else ""),
                    row.step + (f" ({row.note})" if row.note else ""),
                    f"{row.events:,}",
                    secs(m.seconds),
                    per_second(row.events, m.seconds),
                    ratio,
                    f"{m.peak_bytes / MIB:,.0f}",
                    f"{m.cpu_seconds:.1f}",
                    f"{m.load[0]:.1f}-{m.load[1]:.1f}",
                ]
            )
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def plain_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join(fmt.format(*r) for r in [header, *rows])


def checks(results: list[SizeResult]) -> list[str]:
    """One line per target and size: met / missed, with the numbers."""
    out = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for result in results:
        floor, full = result.row("floor"), result.row("full build")
        incremental = result.row("incremental build")
        size = f"{result.size:,} events" + (f" {result.label}" if result.label else "")
        failed = full is not None and full.note == "FAILED"
        if floor and full and not failed:
            ratio = full.measure.seconds / floor.measure.seconds
            scope = "" if result.size == FLOOR_RATIO_SIZE else " (the target is set at 10M)"
            stretch = " (stretch 3x: met)" if ratio <= FLOOR_RATIO_STRETCH else ""
            out.append(
                f"- full build <= {FLOOR_RATIO_TARGET:g}x the floor, {size}{scope}: "
                f"{verdict(ratio <= FLOOR_RATIO_TARGET)} - {full.measure.seconds:.1f}s ="
                f" {ratio:.2f}x the floor's {floor.measure.seconds:.1f}s{stretch}"
            )
        elif failed:
            out.append(f"- full build, {size}: **failed** (see {full.step} log)")
        if full and incremental and not failed and not incremental.note:
            share = incremental.measure.seconds / full.measure.seconds
            out.append(
                f"- incremental build of one more day <= {INCREMENTAL_SHARE_TARGET:.0%} of the"
                f" full build, {size}: {verdict(share <= INCREMENTAL_SHARE_TARGET)} -"
                f" {incremental.measure.seconds:.1f}s = {share:.1%} of {full.measure.seconds:.1f}s"
            )
        elif incremental:
            out.append(f"- incremental build, {size}: **failed**")
        otlp = result.row("full build, OTLP")
        if otlp and full and not failed and not otlp.note:
            flat_cost = full.measure.seconds / full.events * 1e6
            otlp_cost = otlp.measure.seconds / otlp.events * 1e6
            ratio = otlp_cost / flat_cost
            out.append(
                f"- full build per event on OTLP <= {OTLP_PER_EVENT_TARGET:g}x flat JSON, {size}:"
                f" {verdict(ratio <= OTLP_PER_EVENT_TARGET)} - {otlp.measure.seconds:.1f}s for"
                f" {otlp.events:,} records = {otlp_cost:.1f} us/event against"
                f" {flat_cost:.1f} us/event = {ratio:.2f}x"
            )
        elif otlp:
            out.append(f"- full build of the OTLP files, {size}: **failed**")
        peaks = [(r.step, r.measure.peak_bytes) for r in result.rows]
        if peaks:
            step, peak = max(peaks, key=lambda p: p[1])
            limit = (
                PEAK_MEMORY_TARGET
                if result.size <= FLOOR_RATIO_SIZE and not result.label
                else LARGE_SIZE_PEAK_MEMORY_TARGET
            )
            out.append(
                f"- peak memory <= {limit / GIB:g} GiB, {size}: {verdict(peak <= limit)} -"
                f" highest {peak / MIB:,.0f} MiB ({step})"
            )
    if not any(r.size == FLOOR_RATIO_SIZE for r in results):
        out.append(
            "- the floor-ratio target is set at 10,000,000 events, which this run did not measure"
        )
    by_size = {r.size: r.row("incremental build") for r in results if not r.label}
    small, large = by_size.get(1_000_000), by_size.get(FLOOR_RATIO_SIZE)
    if small and large and not small.note and not large.note:
        ratio = large.measure.seconds / small.measure.seconds
        out.append(
            f"- incremental day with 10M events of history <= {INCREMENTAL_HISTORY_RATIO_TARGET:g}x"
            f" the same with 1M: {verdict(ratio <= INCREMENTAL_HISTORY_RATIO_TARGET)} -"
            f" {large.measure.seconds:.1f}s / {small.measure.seconds:.1f}s = {ratio:.2f}x"
        )
    return out


def machine(unit_tests: bool) -> list[tuple[str, str]]:
    def meminfo() -> str:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        return "?"

    def cpu_model() -> str:
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or "?"

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    changed = git("status", "--porcelain", "--untracked-files=no")
    commit = git("log", "-1", "--format=%h %s")
    if changed and changed != "?":
        commit += f" (+ {len(changed.splitlines())} uncommitted changed files)"
    return [
        ("CPUs (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU model", cpu_model()),
        ("memory", meminfo()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("DuckDB", version("duckdb")),
        ("dbt-core / dbt-duckdb", f"{version('dbt-core')} / {version('dbt-duckdb')}"),
        (
            "WORKBENCH_MEMORY_LIMIT",
            os.environ.get(
                "WORKBENCH_MEMORY_LIMIT", f"not set (profile default {profile_memory_limit()})"
            ),
        ),
        ("commit", commit),
        ("each build", f"`dbt {' '.join(dbt_build_args(unit_tests))}`"),
    ]


def report(results: list[SizeResult], args: argparse.Namespace, started: datetime) -> str:
    header = COLUMNS
    gen_rows = [
        [
            f"{r.size:,}",
            r.step + (f" ({r.note})" if r.note else ""),
            f"{r.events:,}",
            secs(r.measure.seconds),
            per_second(r.events, r.measure.seconds),
            f"{r.measure.peak_bytes / MIB:,.0f}",
            f"{r.measure.cpu_seconds:.1f}",
        ]
        for result in results
        for r in result.generation
    ]
    profiles = [
        f"- {result.size:,} events{' ' + result.label if result.label else ''}, {step}:"
        + "".join(f"\n  - {line}" for line in lines)
        for result in results
        for step, lines in result.profiles.items()
        if lines
    ]
    parts = [
        "# Benchmark results",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC with `{' '.join(['bench/bench.py', *args.argv])}`;"
        " how to read it: [README.md](README.md).",
        "",
        "## Machine",
        "",
        markdown_table(["what", "value"], [[k, v] for k, v in machine(args.unit_tests)]),
        "",
        "## Results",
        "",
        "`events`: non-blank lines read (floor, full build: the base days; incremental: the added"
        " day). `x floor`: seconds / the floor's seconds at the same size. `peak MiB`: maximum"
        " resident set of the process. `load 1m`: the machine's load average before and after"
        " (above the CPU count means other work competed for the cores).",
        "",
        markdown_table(header, table(results)),
        "",
        "## Targets",
        "",
        *checks(results),
        "",
        "## Data generation (not a target)",
        "",
        markdown_table(
            ["size", "step", "events", "seconds", "events/s", "peak MiB", "CPU s"], gen_rows
        ),
        "",
        "## Where the dbt builds spent their time",
        "",
        *(profiles or ["- (no run_results.json)"]),
        "",
    ]
    return "\n".join(parts)


def sizes(text: str) -> list[int]:
    try:
        values = [int(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of sizes"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--sizes",
        type=sizes,
        default=[1_000_000, 10_000_000],
        help="comma-separated sizes (events in the base days)",
    )
    add(
        "--large-file",
        type=int,
        default=2_640_000,
        help="events of the one-large-file run (one gzip file, full build; 0: skip it)",
    )
    add("--days", type=int, default=100, help="base days of data (the extra day is one more)")
    add("--start-date", type=date.fromisoformat, default=date(2026, 7, 1), help="first UTC day")
    add("--seed", type=int, default=42, help="generator seed")
    add("--work-dir", type=Path, default=ROOT / "bench" / "data", help="data and warehouse files")
    add("--output", type=Path, default=ROOT / "bench" / "results.md", help="results file")
    add(
        "--keep-data",
        action="store_true",
        help="keep the generated data and warehouse; a later run with the same options reuses"
        " the data instead of generating it again",
    )
    add(
        "--no-otlp",
        dest="otlp",
        action="store_false",
        help="skip the OTLP row (the same events as OTLP/JSON log files, full build), which runs"
        " unless this is given (run it: %(default)s)",
    )
    add(
        "--unit-tests",
        action="store_true",
        help="run the dbt unit tests in every build too (the nightly job, `make build`, leaves"
        " them out; earlier rounds of results.md ran them)",
    )
    add(
        "--memory-limit",
        default=os.environ.get("WORKBENCH_MEMORY_LIMIT", profile_memory_limit()),
        help="DuckDB memory limit of the floor query (dbt reads WORKBENCH_MEMORY_LIMIT)",
    )
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.work_dir = args.work_dir.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    results: list[SizeResult] = []
    runs = [lambda size=size: bench_size(size, args) for size in args.sizes]
    if args.large_file:
        runs.append(lambda: bench_large_file(args.large_file, args))
    for run in runs:
        results.append(run())
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report(results, args, started))
    print()
    print(plain_table(COLUMNS, table(results)))
    print()
    print("\n".join(line.replace("**", "") for line in checks(results)))
    print(f"\nwritten to {args.output}")
    failed = any(row.note == "FAILED" for result in results for row in result.rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
