"""Tests of scripts/generate_events.py, the project's one traffic model: determinism, layout,
validity, the traffic and fault mix, the size options, the extra day for incremental loads and the
share written as OTLP/JSON log files.

Validity is checked against the project's taxonomy seed and docs/specification.md, 'Raw input',
written out here independently of the generator, so a generator that drifts from either fails.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import ROOT, load_script

gen = load_script(ROOT / "scripts" / "generate_events.py")

FAULT_KINDS = [
    "duplicate",
    "truncated",
    "missing_required",
    "invalid_value",
    "late",
    "nested",
    "unknown_event",
    "blank_line",
]


def option(kind: str) -> str:
    return f"--{kind.replace('_', '-')}-rate"


NO_FAULTS = [arg for kind in FAULT_KINDS for arg in (option(kind), "0")]
SMALL = ["--days", "4", "--sessions-per-day", "120", "--seed", "7"]  # ~4,000 events
# Enough days that most late events and resends land inside the written days.
LONG = ["--events", "30000", "--days", "10", "--seed", "3"]
START = date(2026, 10, 1)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$")
TS_FORMS = {
    "iso_z_fraction": re.compile(r"T\d{2}:\d{2}:\d{2}\.\d{3}Z$"),
    "iso_z_whole": re.compile(r"T\d{2}:\d{2}:\d{2}Z$"),
    "space_separator": re.compile(r"^\d{4}-\d{2}-\d{2} \d"),
    "t_no_zone": re.compile(r"T\d{2}:\d{2}:\d{2}(\.\d+)?$"),
    "offset": re.compile(r"[+-]\d{2}:\d{2}$"),
}


def load_taxonomy() -> dict[str, dict[str, tuple[bool, str, set[str]]]]:
    taxonomy: dict[str, dict[str, tuple[bool, str, set[str]]]] = defaultdict(dict)
    with (ROOT / "seeds/event_taxonomy.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            allowed = set(filter(None, row["allowed_values"].split("|")))
            required = row["is_required"] == "true"
            taxonomy[row["event_name"]][row["property_key"]] = (
                required,
                row["value_type"],
                allowed,
            )
    return dict(taxonomy)


TAXONOMY = load_taxonomy()


def parse_ts(value: Any) -> datetime | None:
    """docs/specification.md, 'Raw input': ISO-8601 (T or space, optional fraction,
    Z/offset/none) or epoch ms."""
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
    if not isinstance(value, str) or not ISO.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def is_valid(value: Any, value_type: str, allowed: set[str]) -> bool:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if value_type == "id":
        return isinstance(value, str) or is_int
    if value_type == "string":
        return isinstance(value, str)
    if value_type == "enum":
        return isinstance(value, str) and value.strip().lower() in allowed
    if value_type == "count":
        return is_int and value >= 0
    if value_type == "boolean":
        return isinstance(value, bool)
    if value_type == "id_list":
        ok = isinstance(value, list) and value
        return bool(ok) and all(isinstance(v, str) and v.strip() for v in value)
    if value_type == "timestamp":
        parsed = parse_ts(value)
        return parsed is not None and parsed.year >= 2000
    raise AssertionError(value_type)


def problems(line: str) -> list[str]:
    """What is wrong with one raw line, by the specification; [] for a clean event."""
    if not line.strip():
        return ["blank"]
    try:
        record = json.loads(line)
    except ValueError:
        return ["malformed_json"]
    if not isinstance(record, dict):
        return ["malformed_json"]
    if not isinstance(record.get("event"), str):
        return ["missing_event_name"]
    if record["event"] not in TAXONOMY:
        return ["unknown_event"]
    spec = TAXONOMY[record["event"]]
    props = {**record.get("properties", {}), **record}
    found = [
        f"unexpected_key:{k}" for k in props if k not in {*spec, "event", "eventId", "properties"}
    ]
    for key, (required, value_type, allowed) in spec.items():
        value = props.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            found += [f"missing_required:{key}"] if required else []
        elif not is_valid(value, value_type, allowed):
            found.append(f"invalid_{'required' if required else 'optional'}:{key}")
    return found


def run(out: Path, *args: str) -> Path:
    assert gen.main(["--out", str(out), "--quiet", *args]) == 0
    return out


def event_files(out: Path) -> list[Path]:
    return sorted((out / "events").glob("date=*/part-*"))


def lines_of(path: Path) -> list[str]:
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode()
    assert text.endswith("\n")
    return text[:-1].split("\n")


def read_lines(out: Path) -> list[tuple[int, str, str]]:
    """(file index, date folder, text) of every physical line, in file and line order."""
    return [
        (index, path.parent.name[5:], text)
        for index, path in enumerate(event_files(out))
        for text in lines_of(path)
    ]


def flat(line: str) -> dict[str, Any]:
    """A valid line's event with nested properties lifted (a top-level key wins)."""
    record = json.loads(line)
    return {**record.pop("properties", {}), **record}


def dated(lines: list[tuple[int, str, str]]) -> list[tuple[str, dict[str, Any]]]:
    """(date folder, flat record with `at`) of every clean line."""
    return [
        (folder, record | {"at": parse_ts(record["timestamp"])})
        for _, folder, line in lines
        if line.strip() and not problems(line)
        for record in [flat(line)]
    ]


def records(out: Path) -> list[dict[str, Any]]:
    """Clean lines as flat dicts (nested properties lifted), timestamps as datetimes."""
    return [record for _, record in dated(read_lines(out))]


def digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("clean"), *SMALL, *NO_FAULTS)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("default"), *SMALL)


def test_same_seed_same_bytes_whatever_the_threads_other_seed_other_bytes(tmp_path: Path) -> None:
    args = ["--days", "3", "--sessions-per-day", "40", "--gzip-rate", "0.5"]
    first = digests(run(tmp_path / "a", *args, "--threads", "1"))
    again = digests(run(tmp_path / "b", *args, "--threads", "2"))
    other = digests(run(tmp_path / "c", *args, "--seed", "43"))
    assert len(first) >= 7  # 3 days x 2 parts + 1 CSV
    assert first == again
    assert len(other) == len(first)  # which parts are gzipped depends on the seed too
    assert not set(other.values()) & set(first.values())


def test_layout_folders_parts_gzip_and_monthly_csv(tmp_path: Path) -> None:
    args = ["--start-date", "2026-10-30", "--days", "3", "--sessions-per-day", "60"]
    out = run(tmp_path, *args, "--gzip-rate", "0.5")
    folders = sorted(p.name for p in (out / "events").iterdir())
    assert folders == ["date=2026-10-30", "date=2026-10-31", "date=2026-11-01"]
    names = [p.name for p in event_files(out)]
    assert all(re.fullmatch(r"part-\d{4}\.jsonl(\.gz)?", n) for n in names), names
    assert len(names) == 6
    assert {n.endswith(".gz") for n in names} == {True, False}
    for path in event_files(out):
        if path.suffix == ".gz":
            assert problems(lines_of(path)[0]) == []
    csvs = sorted(p.name for p in (out / "workflow_creations").iterdir())
    assert csvs == ["workflow_creations_2026-10.csv", "workflow_creations_2026-11.csv"]
    for name in csvs:
        first_line = (out / "workflow_creations" / name).read_text().split("\n")[0]
        assert first_line == "workflow_id,created_at,creation_source"
    plain = run(tmp_path / "plain", "--days", "2", "--sessions-per-day", "30", "--gzip-rate", "0")
    assert not [p for p in event_files(plain) if p.suffix == ".gz"]


def test_sessions_per_day_weekdays_and_weekends(clean_run: Path) -> None:
    sessions: dict[str, set[str]] = defaultdict(set)
    for record in records(clean_run):
        sessions[record["at"].date().isoformat()].add(record["sessionId"])
    # 2026-10-01 and 10-02 are a Thursday and a Friday, 10-03 and 10-04 a weekend: 120 sessions
    # on a weekday, about a third of that on a weekend day, each +-10%, give or take the few that
    # start before midnight and the days they run into.
    weekday = [len(sessions[d]) for d in ("2026-10-01", "2026-10-02")]
    weekend = [len(sessions[d]) for d in ("2026-10-03", "2026-10-04")]
    assert all(100 <= n <= 140 for n in weekday), weekday
    assert all(33 <= n <= 55 for n in weekend), weekend


def test_events_asks_for_about_that_many_events(tmp_path: Path) -> None:
    out = run(tmp_path, "--events", "20000", "--days", "3")
    lines = read_lines(out)
    blank = sum(not line.strip() for _, _, line in lines)
    texts = [line for _, _, line in lines if line.strip()]
    # Resends, unknown events and blank lines come on top of the events asked for.
    assert len(texts) - (len(texts) - len(set(texts))) == pytest.approx(20000, rel=0.03)
    assert 0 < blank < 0.01 * len(lines)


def test_rerun_replaces_previous_output_only(tmp_path: Path) -> None:
    run(tmp_path, "--days", "3", "--sessions-per-day", "20")
    (tmp_path / "events" / "notes.txt").write_text("kept")
    run(tmp_path, "--days", "2", "--sessions-per-day", "20")
    assert sorted(p.name for p in (tmp_path / "events").glob("date=*")) == [
        "date=2026-10-01",
        "date=2026-10-02",
    ]
    assert (tmp_path / "events" / "notes.txt").read_text() == "kept"


def test_without_faults_every_line_is_a_valid_event(clean_run: Path) -> None:
    lines = read_lines(clean_run)
    assert len(lines) > 3000
    bad = [(line, problems(line)) for _, _, line in lines if problems(line)]
    assert bad == []
    texts = [line for _, _, line in lines]
    assert len(set(texts)) == len(texts)  # no resends
    ids = [json.loads(t)["eventId"] for t in texts if '"eventId"' in t]
    assert len(set(ids)) == len(ids)
    assert not any('"properties"' in t for t in texts)
    for _, folder, line in lines:  # no late events: each sits in the folder of its UTC day
        assert parse_ts(json.loads(line)["timestamp"]).date().isoformat() == folder, line


def rate_of(kind: str, lines: list[tuple[int, str, str]]) -> tuple[float, Counter[str]]:
    """The measured rate of one fault kind, and the count of every problem seen."""
    seen = Counter(p.split(":")[0] for _, _, line in lines for p in set(problems(line)))
    texts = [line for _, _, line in lines if line.strip()]
    unknown = seen["unknown_event"] + seen["missing_event_name"]
    events = len(texts) - unknown
    if kind == "duplicate":
        return (len(texts) - len(set(texts))) / len(set(texts)), seen
    if kind == "nested":
        return sum('"properties"' in t for t in texts) / len(texts), seen
    if kind == "late":
        last = max(folder for _, folder, _ in lines)
        days = [(folder, parse_ts(json.loads(t)["timestamp"]).date()) for _, folder, t in lines]
        late = [date.fromisoformat(f) - d for f, d in days if date.fromisoformat(f) > d]
        assert all(timedelta(days=1) <= lag <= timedelta(days=3) for lag in late)
        return len(late) / sum(d.isoformat() < last for _, d in days), seen
    if kind == "invalid_value":
        return (seen["invalid_required"] + seen["invalid_optional"]) / len(texts), seen
    if kind in {"blank_line", "unknown_event"}:  # extra lines, per event
        return (seen["blank"] if kind == "blank_line" else unknown) / events, seen
    return seen["malformed_json" if kind == "truncated" else kind] / len(texts), seen


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_comes_at_the_asked_rate_and_alone(
    tmp_path: Path, clean_run: Path, kind: str
) -> None:
    lines = read_lines(run(tmp_path, *LONG, *NO_FAULTS, option(kind), "0.05"))  # the last one wins
    measured, seen = rate_of(kind, lines)
    assert measured == pytest.approx(0.05, abs=0.015), (kind, measured)
    allowed = {
        "truncated": {"malformed_json"},
        "missing_required": {"missing_required"},
        "invalid_value": {"invalid_required", "invalid_optional"},
        "unknown_event": {"unknown_event", "missing_event_name"},
        "blank_line": {"blank"},
    }.get(kind, set())
    assert set(seen) <= allowed, seen
    assert rate_of(kind, read_lines(clean_run))[0] == 0


def test_resends_mostly_in_the_same_or_next_file_half_with_event_id(tmp_path: Path) -> None:
    args = ["--events", "30000", "--days", "6", *NO_FAULTS, "--duplicate-rate", "0.05"]
    lines = read_lines(run(tmp_path, *args))
    first_file: dict[str, int] = {}
    gaps, resends = [], []
    for file_index, _, line in lines:
        if line in first_file:
            gaps.append(file_index - first_file[line])
            resends.append(line)
        first_file.setdefault(line, file_index)
    assert len(gaps) > 500
    assert min(gaps) >= 0  # always after the original
    assert sum(g in (0, 1) for g in gaps) / len(gaps) > 0.75  # the rest: 1-3 days later
    assert max(gaps) <= 7  # 2 files a day
    with_id = sum('"eventId"' in line for line in resends) / len(resends)
    assert with_id == pytest.approx(0.5, abs=0.12)


def test_default_mix_has_every_fault_kind_and_every_timestamp_form(default_run: Path) -> None:
    lines = read_lines(default_run)
    seen = Counter(p.split(":")[0] for _, _, line in lines for p in set(problems(line)))
    assert {"malformed_json", "missing_required", "blank"} <= set(seen)
    assert seen["invalid_required"] + seen["invalid_optional"] > 0
    texts = [line for _, _, line in lines if line.strip()]
    assert len(texts) > len(set(texts))  # resends
    assert any('"properties"' in text for text in texts)
    folders = [(folder, record["at"].date().isoformat()) for folder, record in dated(lines)]
    assert any(day < folder for folder, day in folders)  # late events
    forms: Counter[str] = Counter()
    stamps = [record["timestamp"] for record in records(default_run)]
    for ts in stamps:
        if isinstance(ts, int):
            forms["epoch_ms"] += 1
        else:
            forms.update(name for name, pattern in TS_FORMS.items() if pattern.search(ts))
    assert set(forms) == {*TS_FORMS, "epoch_ms"}, forms
    assert forms["iso_z_fraction"] / len(stamps) > 0.5  # most, as sent by current clients


@pytest.mark.parametrize("form", ["iso_ms_z", "iso_z", "space", "no_zone", "offset", "epoch_ms"])
@pytest.mark.parametrize("tz_min", [0, 120, -300, 330])
def test_every_timestamp_form_carries_the_exact_instant(form: str, tz_min: int) -> None:
    con = duckdb.connect()
    con.execute(gen.MACROS)
    for ms in (1_790_812_799_000, 1_790_812_799_123, 946_684_800_001):
        if form in gen.WHOLE_SECOND_FORMS:
            ms -= ms % 1000  # the generator floors the instant for these forms
        sql = f"select {gen.TIMESTAMP_TEXT_SQL} from (select ?::bigint, ?, ?) t(ts, form, tz_min)"
        (text,) = con.execute(sql, [ms, gen.FORMS.index(form), tz_min]).fetchone()
        parsed = parse_ts(json.loads(text))
        assert parsed == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms), text


def test_anonymous_creations_and_orphan_draft_ids(clean_run: Path) -> None:
    events = records(clean_run)
    created = [e for e in events if e["event"] == "workbench.draft_created"]
    anonymous = [e for e in created if "draftId" not in e]
    assert 0.05 <= len(anonymous) / len(created) <= 0.15
    carried = {e["draftId"] for e in created if "draftId" in e}
    later = {"draft_accepted", "draft_rejected", "draft_edited", "template_inserted"}
    first_reference: dict[str, tuple[datetime, str]] = {}
    for e in sorted(events, key=lambda e: e["at"]):
        if e["event"][10:] in later and e["draftId"] not in carried:
            first_reference.setdefault(e["draftId"], (e["at"], e["sessionId"]))
    assert len(first_reference) >= len(anonymous) // 2
    for at, session in first_reference.values():  # each orphan has a creation to link to
        assert any(e["sessionId"] == session and e["at"] <= at for e in anonymous)


def test_traffic_looks_like_the_product(clean_run: Path) -> None:
    events = records(clean_run)
    names = Counter(e["event"][10:] for e in events)
    assert set(names) == {name[10:] for name in TAXONOMY}
    assert 0.28 <= names["template_suggested"] / names["chat_message_sent"] <= 0.38
    assert 0.5 <= names["draft_accepted"] / names["draft_created"] <= 0.75
    assert names["approval_completed"] < names["approval_requested"]  # some stay pending
    assert 0.75 <= sum("eventId" in e for e in events) / len(events) <= 0.85
    statuses = Counter(e["status"] for e in events if e["event"].endswith("run_completed"))
    assert 0.7 <= statuses["completed"] / statuses.total() <= 0.9
    assert statuses["failed"] > statuses["cancelled"] > 0
    completions = [e for e in events if e["event"].endswith("approval_completed")]
    assert any("toolIds" not in e for e in completions)

    by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_session[e["sessionId"]].append(e)
    for name, low, high in [("session_started", 0.9, 0.99), ("session_ended", 0.75, 0.95)]:
        having = sum(any(e["event"][10:] == name for e in s) for s in by_session.values())
        assert low <= having / len(by_session) <= high, name
    away = 0  # gaps longer than any wait inside a task (accepting a draft takes up to 40 min)
    for session in by_session.values():
        times = sorted(e["at"] for e in session)
        away += any(b - a > timedelta(minutes=45) for a, b in pairwise(times))
    assert 0.005 <= away / len(by_session) <= 0.1

    created = [e for e in events if e["event"].endswith("draft_created") and "draftId" in e]
    created_at = {e["draftId"]: e["at"] for e in created}
    accepted_at: dict[str, datetime] = {}
    for e in sorted(events, key=lambda e: e["at"]):
        if e["event"].endswith("draft_accepted") and e["draftId"] in created_at:
            accepted_at.setdefault(e["draftId"], e["at"])
    minutes = [(accepted_at[d] - created_at[d]).total_seconds() / 60 for d in accepted_at]
    assert 3 <= statistics.median(minutes) <= 15
    assert sum(1 <= m <= 45 for m in minutes) / len(minutes) >= 0.9

    text = "\n".join(line for _, _, line in read_lines(clean_run))
    assert "@" not in text  # no emails
    assert not re.search(r'"(message|content|text|prompt|token|password)"', text)


def test_every_property_of_the_taxonomy_is_sent(clean_run: Path) -> None:
    sent: dict[str, set[str]] = defaultdict(set)
    for record in records(clean_run):
        sent[record["event"]].update(record)
    for name, spec in TAXONOMY.items():
        assert set(spec) <= sent[name], (name, set(spec) - sent[name])


def test_other_channel_creations(clean_run: Path) -> None:
    with (clean_run / "workflow_creations/workflow_creations_2026-10.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    accepted = {e["draftId"] for e in records(clean_run) if e["event"].endswith("draft_accepted")}
    assert 0.15 <= len(rows) / len(accepted) <= 0.25
    sources = Counter(row["creation_source"] for row in rows)
    assert {s for s in sources if s.strip().lower() != "workbench"} == {"api", "import", "manual"}
    assert any(s.strip().lower() == "workbench" and s != "workbench" for s in sources)
    assert any(row["workflow_id"] == "" for row in rows)
    assert any(parse_ts(row["created_at"]) is None for row in rows)
    ids = Counter(row["workflow_id"] for row in rows if row["workflow_id"])
    assert max(ids.values()) > 1
    days = {parse_ts(r["created_at"]).date() for r in rows if parse_ts(r["created_at"])}
    assert min(days) >= START and max(days) < START + timedelta(days=4)


def test_extra_day_adds_one_percent_with_late_events_and_resends_of_old_ones(
    tmp_path: Path,
) -> None:
    args = ["--events", "40000", "--days", "6", "--start-date", "2026-10-01", "--gzip-rate", "0"]
    out = run(tmp_path, *args)
    before = digests(out)
    base_lines = read_lines(out)
    run(out, *args, "--extra-day")
    after = digests(out)
    assert {k: v for k, v in after.items() if k in before} == before  # base files untouched
    added = sorted(set(after) - set(before))
    assert added == [f"events/date=2026-10-07/part-000{i}.jsonl" for i in (0, 1)]

    extra = [line for name in added for line in lines_of(out / name)]
    base_texts = {line for _, _, line in base_lines if line.strip()}
    base_sessions = {flat(line)["sessionId"] for line in base_texts if not problems(line)}
    valid = [flat(line) for line in extra if line.strip() and not problems(line)]
    new_sessions = [e for e in valid if e["sessionId"] not in base_sessions]
    assert len(new_sessions) == pytest.approx(0.01 * len(base_texts), rel=0.5)  # ~30 sessions
    first_day = date(2026, 10, 7)
    late = [e for e in valid if parse_ts(e["timestamp"]).date() < first_day]
    old_session = [e for e in valid if e["sessionId"] in base_sessions]
    resent = [line for line in extra if line in base_texts]
    assert late and resent
    assert len(old_session) >= len(late) // 2
    assert all(parse_ts(e["timestamp"]).date() >= first_day - timedelta(days=3) for e in late)
    # Nothing of the extra day was in the base files, except resends.
    assert len(resent) < 0.05 * len(extra)


def test_extra_day_needs_only_the_last_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--events", "30000", "--days", "14", "--extra-day", "--late-rate", "0.2"]
    quick = digests(run(tmp_path / "quick", *args, "--duplicate-rate", "0.2"))
    monkeypatch.setattr(gen, "EXTRA_DAY_LOOKBACK_DAYS", 1000)
    everything = digests(run(tmp_path / "all", *args, "--duplicate-rate", "0.2"))
    assert quick == everything
    assert len(quick) == 2


def test_cli_rejects_bad_options_and_reports_progress_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in (
        ["--truncated-rate", "1.5"],
        ["--days", "0"],
        ["--events", "100", "--sessions-per-day", "10"],  # one size or the other
        ["--otlp-share", "1.5"],
        ["--otlp-batch", "0"],
    ):
        with pytest.raises(SystemExit) as exc:
            gen.main(["--out", str(tmp_path), *bad])
        assert exc.value.code == 2, bad
    with pytest.raises(SystemExit) as exc:
        gen.main(["--help"])
    assert exc.value.code == 0
    help_text = capsys.readouterr().out
    assert {"--duplicate-rate", "--extra-day", "--sessions-per-day", "--otlp-share"} <= set(
        help_text.split()
    )
    summary = tmp_path / "summary.json"
    args = ["--out", str(tmp_path), "--days", "2", "--sessions-per-day", "10"]
    assert gen.main([*args, "--summary", str(summary)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "simulating 10 sessions a weekday over 2 days from 2026-10-01"
    assert re.fullmatch(r"  sessions: \d+\.\ds", err[1])
    assert err[-1].startswith("wrote ") and "truncated=" in err[-1]
    counts = json.loads(summary.read_text())
    assert counts["lines"] == sum(len(lines_of(p)) for p in event_files(tmp_path))
    assert set(counts["faults"]) == set(FAULT_KINDS)
    run(tmp_path, "--days", "1", "--sessions-per-day", "10")
    assert capsys.readouterr().err == ""


# --- the OTLP share (--otlp-share; docs/otlp.md) -------------------------------------------------

# The attribute spellings the warehouse reads as taxonomy keys (seed otlp_attribute_names).
OTLP_KEYS = {"session.id": "sessionId", "user.id": "userId", "enduser.id": "userId"}
OTLP_NAME = re.compile(r"workbench-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.000\.jsonl(\.gz)?")
NANOS = re.compile(r"\d{1,19}")


def otlp_files(out: Path) -> list[Path]:
    return sorted((out / "otlp").glob("workbench-*"))


def otlp_lines(out: Path) -> list[tuple[Path, str]]:
    return [(path, text) for path in otlp_files(out) for text in lines_of(path)]


def parsed_otlp(out: Path) -> tuple[list[tuple[Path, dict, str, dict]], int]:
    """(file, resource attributes, scope name, log record) of every record of every line that
    is JSON, and the number of lines that are not."""
    found, broken = [], 0
    for path, text in otlp_lines(out):
        try:
            data = json.loads(text)
        except ValueError:
            broken += 1
            continue
        for resource_logs in data["resourceLogs"]:
            resource = {
                a["key"]: decode(a["value"]) for a in resource_logs["resource"]["attributes"]
            }
            for scope_logs in resource_logs["scopeLogs"]:
                for record in scope_logs["logRecords"]:
                    found.append((path, resource, scope_logs["scope"]["name"], record))
    return found, broken


def decode(value: dict) -> Any:
    """An OTLP AnyValue as the JSON value it stands for; an empty one is null."""
    if not value:
        return None
    ((kind, inner),) = value.items()
    if kind == "intValue":
        assert isinstance(inner, str) and re.fullmatch(r"-?\d+", inner), value
        return int(inner)
    if kind == "arrayValue":
        return [decode(v) for v in inner.get("values", [])]
    if kind == "kvlistValue":
        return {kv["key"]: decode(kv["value"]) for kv in inner.get("values", [])}
    assert kind in {"stringValue", "boolValue", "doubleValue"}, value
    return inner


def otlp_event(record: dict) -> dict[str, Any]:
    """The flat event a log record stands for, read as docs/otlp.md says the warehouse reads it."""
    attributes = {
        OTLP_KEYS.get(a["key"], a["key"]): decode(a["value"]) for a in record["attributes"]
    }
    name = record.get("eventName") or attributes.pop("event.name", None)
    attributes.pop("event.name", None)
    event: dict[str, Any] = {} if name is None else {"event": name}
    time = record.get("timeUnixNano")
    time = time if time not in (None, "0") else record.get("observedTimeUnixNano")
    if time is not None and NANOS.fullmatch(time):
        at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(time) // 1000)
        event["timestamp"] = f"{at:%Y-%m-%dT%H:%M:%S.%f}Z"
    elif time is not None:
        event["timestamp"] = time
    return event | attributes


def canonical(event: dict[str, Any]) -> tuple[str, datetime, str]:
    """An event by name, instant and every other property, whatever its format."""
    rest = {k: v for k, v in event.items() if k not in {"event", "timestamp", "at"}}
    return event["event"], parse_ts(event["timestamp"]), json.dumps(rest, sort_keys=True)


def test_otlp_share_writes_whole_sessions_as_otlp_files_and_loses_nothing(
    tmp_path: Path, clean_run: Path
) -> None:
    summary = tmp_path / "summary.json"
    out = run(
        tmp_path / "raw", *SMALL, *NO_FAULTS, "--otlp-share", "0.3", "--summary", str(summary)
    )
    names = [path.name for path in otlp_files(out)]
    assert len(names) == 8 and all(OTLP_NAME.fullmatch(n) for n in names), names  # 4 days x 2
    assert names[0].startswith("workbench-2026-10-01T12-00-00.000.jsonl")  # rotated at midday
    found, broken = parsed_otlp(out)
    assert broken == 0
    lines = otlp_lines(out)
    counts = json.loads(summary.read_text())["otlp"]
    assert (counts["lines"], counts["records"], counts["files"]) == (len(lines), len(found), 8)
    assert 10 < len(found) / len(lines) <= 20  # --otlp-batch 20: several records a line
    resources = {tuple(sorted(r.items())) for _, r, _, _ in found}
    assert {dict(r)["service.name"] for r in resources} == {"workbench-web", "workbench-api"}
    for resource in map(dict, resources):
        assert set(resource) == {
            "service.name",
            "service.version",
            "telemetry.sdk.name",
            "telemetry.sdk.language",
            "telemetry.sdk.version",
        }
    for _, _, scope, record in found:
        assert NANOS.fullmatch(record["timeUnixNano"]), record
        assert int(record["observedTimeUnixNano"]) > int(record["timeUnixNano"])
        assert record.get("eventName") or record["attributes"][0]["key"] == "event.name"
        server = scope != "workbench.analytics"
        keys = {a["key"] for a in record["attributes"]}
        assert ("sessionId" in keys) == server and ("session.id" in keys) != server, record
        assert ("traceId" in record) == server
    otlp = [otlp_event(record) for _, _, _, record in found]
    assert all(problems(json.dumps(event)) == [] for event in otlp)
    flat_events = records(out)
    share = len(otlp) / (len(otlp) + len(flat_events))
    assert share == pytest.approx(0.3, abs=0.08)
    # Whole sessions: none in both formats.
    assert not {e["sessionId"] for e in otlp} & {e["sessionId"] for e in flat_events}
    # The same events as the flat-only run of the same seed, each once in one format; the flat
    # lines unchanged.
    before = Counter(canonical(e) for e in records(clean_run))
    assert Counter(canonical(e) for e in flat_events + otlp) == before
    all_flat = Counter(line for _, _, line in read_lines(clean_run))
    assert Counter(line for _, _, line in read_lines(out)) <= all_flat


def test_otlp_faults_come_at_the_flat_rates(tmp_path: Path) -> None:
    kinds = ["duplicate", "truncated", "missing_required", "invalid_value", "late", "unknown_event"]
    faults = [arg for kind in kinds for arg in (option(kind), "0.05")]
    no_otlp_form = [arg for kind in ("nested", "blank_line") for arg in (option(kind), "0.05")]
    out = run(tmp_path, *LONG, *NO_FAULTS, *faults, *no_otlp_form, "--otlp-share", "1")
    assert event_files(out) == []  # every session as OTLP
    found, broken = parsed_otlp(out)
    lines = otlp_lines(out)
    assert broken / len(lines) == pytest.approx(0.05, abs=0.02)  # cut lines, whole
    assert all(text.strip() for _, text in lines)  # an exporter writes no blank lines
    # A resend is the same record observed again, later.
    first: dict[str, tuple[Path, dict]] = {}
    resends = []
    for path, _, _, record in found:
        content = json.dumps({k: v for k, v in record.items() if k != "observedTimeUnixNano"})
        if content in first:
            observed = (
                record.get("observedTimeUnixNano"),
                first[content][1].get("observedTimeUnixNano"),
            )
            assert observed == (None, None) or int(observed[0]) > int(observed[1])
            assert path >= first[content][0]
            resends.append(record)
        else:
            first[content] = (path, record)
    assert len(resends) / len(first) == pytest.approx(0.05, abs=0.015)
    originals = [record for _, record in first.values()]
    events = [otlp_event(record) for record in originals]
    seen = Counter(p.split(":")[0] for e in events for p in set(problems(json.dumps(e))))
    unknown = seen["unknown_event"] + seen["missing_event_name"]
    assert unknown / (len(events) - unknown) == pytest.approx(0.05, abs=0.015)
    measured = {
        "missing_required": seen["missing_required"] / len(events),
        "invalid_value": (seen["invalid_required"] + seen["invalid_optional"]) / len(events),
    }
    for kind, value in measured.items():
        assert value == pytest.approx(0.05, abs=0.015), (kind, value)
    assert set(seen) == {
        "missing_required",
        "invalid_required",
        "invalid_optional",
        "unknown_event",
        "missing_event_name",
    }
    # A timestamp removed or blanked leaves both times out; a wrong one is no usable time.
    no_time = [r for r in originals if "timeUnixNano" not in r]
    assert no_time and all("observedTimeUnixNano" not in r for r in no_time)
    wrong = {
        r["timeUnixNano"] for r in originals if not NANOS.fullmatch(r.get("timeUnixNano", "0"))
    }
    assert wrong == {"yesterday", "20261301000000000000"}
    assert not any(e.get("properties") for e in events)  # no nested properties in OTLP
    # Late: in a file of a day 1-3 days after the event's own day.
    lags = []
    for path, record in first.values():
        event = otlp_event(record)
        at = parse_ts(event.get("timestamp"))
        if at is None or at.year < 2000 or "T00-00-00" in path.name:
            continue  # no usable time, or a file that closes at midnight: its day is the one before
        file_day = date.fromisoformat(path.name[10:20])
        lags.append((file_day - at.date()).days)
    late = [lag for lag in lags if lag > 0]
    assert all(1 <= lag <= 3 for lag in late) and min(lags) == 0
    assert len(late) / len(lags) == pytest.approx(0.05, abs=0.02)


def test_otlp_same_seed_same_bytes_and_extra_day_leaves_the_base_files(tmp_path: Path) -> None:
    args = ["--events", "6000", "--days", "4", "--otlp-share", "0.5", "--gzip-rate", "0.5"]
    first = digests(run(tmp_path / "a", *args, "--threads", "1"))
    again = digests(run(tmp_path / "b", *args, "--threads", "2"))
    other = digests(run(tmp_path / "c", *args, "--seed", "43"))
    assert first == again
    otlp = [name for name in first if name.startswith("otlp/")]
    assert len(otlp) == 8 and any(name.endswith(".gz") for name in otlp)
    assert not {first[n] for n in otlp} & {other.get(n) for n in otlp}
    run(tmp_path / "a", *args, "--threads", "1", "--extra-day")
    after = digests(tmp_path / "a")
    assert {k: v for k, v in after.items() if k in first} == first
    added = sorted(set(after) - set(first))
    assert [n.removesuffix(".gz") for n in added if n.startswith("otlp/")] == [
        "otlp/workbench-2026-10-05T12-00-00.000.jsonl",
        "otlp/workbench-2026-10-06T00-00-00.000.jsonl",
    ]
    run(tmp_path / "a", *args, "--otlp-share", "0")  # a flat-only run removes the OTLP files
    assert not otlp_files(tmp_path / "a")
