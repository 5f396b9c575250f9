"""Tests of scripts/generate_events_fast.py: the same checks as the sample generator's tests
(validity by the specification, the traffic mix, the fault mix), run on the fast generator's output,
plus its own promises: exact determinism, `--events`, and the extra day for incremental loads.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

# The sample generator's tests: their validity rules and checks, applied to this output.
import test_generate_events as sample_tests
from test_generate_events import FAULT_KINDS, NO_FAULTS, option, parse_ts, problems, rate_of

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "generate_events_fast", ROOT / "scripts/generate_events_fast.py"
)
assert _spec and _spec.loader
fast = importlib.util.module_from_spec(_spec)
sys.modules["generate_events_fast"] = fast
_spec.loader.exec_module(fast)

# The sample tests expect 4 days from 2026-10-01 (their START) and a few thousand events.
SMALL = ["--events", "6000", "--days", "4", "--start-date", "2026-10-01", "--seed", "7"]


def run(out: Path, *args: str) -> Path:
    assert fast.main(["--out", str(out), "--quiet", *args]) == 0
    return out


def digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def lines_of(path: Path) -> list[str]:
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode()
    assert text.endswith("\n")
    return text[:-1].split("\n")


def flat(line: str) -> dict:
    """A valid line's event with nested properties lifted (a top-level key wins)."""
    record = json.loads(line)
    return {**record.pop("properties", {}), **record}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("fast-clean"), *SMALL, *NO_FAULTS)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("fast-default"), *SMALL)


@pytest.mark.parametrize(
    "check",
    [
        "test_without_faults_every_line_is_a_valid_event",
        "test_anonymous_creations_and_orphan_draft_ids",
        "test_traffic_looks_like_the_product",
        "test_other_channel_creations",
    ],
)
def test_sample_generator_checks_hold_without_faults(clean_run: Path, check: str) -> None:
    getattr(sample_tests, check)(clean_run)


def test_default_mix_has_every_fault_kind_and_every_timestamp_form(default_run: Path) -> None:
    sample_tests.test_default_mix_has_every_fault_kind_and_every_timestamp_form(default_run)


def test_same_seed_same_bytes_whatever_the_threads(tmp_path: Path) -> None:
    args = ["--events", "3000", "--days", "3", "--gzip-rate", "0.5"]
    first = digests(run(tmp_path / "a", *args, "--threads", "1"))
    again = digests(run(tmp_path / "b", *args, "--threads", "2"))
    other = digests(run(tmp_path / "c", *args, "--seed", "43"))
    assert len(first) >= 7  # 3 days x 2 parts + 1 CSV
    assert first == again
    assert not set(other.values()) & set(first.values())


def test_layout_and_the_asked_number_of_events(tmp_path: Path) -> None:
    out = run(tmp_path, "--events", "20000", "--days", "3", "--start-date", "2026-10-30")
    folders = sorted(p.name for p in (out / "events").iterdir())
    assert folders == ["date=2026-10-30", "date=2026-10-31", "date=2026-11-01"]
    names = [p.name for p in sample_tests.event_files(out)]
    assert all(re.fullmatch(r"part-\d{4}\.jsonl(\.gz)?", n) for n in names), names
    assert len(names) == 6
    csvs = sorted(p.name for p in (out / "workflow_creations").iterdir())
    assert csvs == ["workflow_creations_2026-10.csv", "workflow_creations_2026-11.csv"]
    lines = sample_tests.read_lines(out)
    blank = sum(not line.strip() for _, _, line in lines)
    texts = [line for _, _, line in lines if line.strip()]
    # Resends, unknown events and blank lines come on top of the events asked for.
    assert len(texts) - (len(texts) - len(set(texts))) == pytest.approx(20000, rel=0.03)
    assert 0 < blank < 0.01 * len(lines)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_comes_at_the_asked_rate_and_alone(tmp_path: Path, kind: str) -> None:
    # 10 days: late events and resends of the last days go to the (unwritten) next day.
    args = ["--events", "30000", "--days", "10", "--seed", "3", *NO_FAULTS]
    lines = sample_tests.read_lines(run(tmp_path, *args, option(kind), "0.05"))
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


def test_resends_mostly_in_the_same_or_next_file_half_with_event_id(tmp_path: Path) -> None:
    args = ["--events", "30000", "--days", "6", *NO_FAULTS, "--duplicate-rate", "0.05"]
    lines = sample_tests.read_lines(run(tmp_path, *args))
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


def test_extra_day_adds_one_percent_with_late_events_and_resends_of_old_ones(
    tmp_path: Path,
) -> None:
    args = ["--events", "40000", "--days", "6", "--start-date", "2026-10-01", "--gzip-rate", "0"]
    out = run(tmp_path, *args)
    before = digests(out)
    base_lines = sample_tests.read_lines(out)
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
    monkeypatch.setattr(fast, "EXTRA_DAY_LOOKBACK_DAYS", 1000)
    everything = digests(run(tmp_path / "all", *args, "--duplicate-rate", "0.2"))
    assert quick == everything
    assert len(quick) == 2


def test_cli_reports_progress_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        fast.main(["--help"])
    assert exc.value.code == 0
    assert "--extra-day" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        fast.main(["--out", str(tmp_path), "--late-rate", "2"])
    capsys.readouterr()
    summary = tmp_path / "summary.json"
    args = ["--out", str(tmp_path), "--events", "2000", "--days", "2", "--summary", str(summary)]
    assert fast.main(args) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("wrote ")
    counts = json.loads(summary.read_text())
    assert counts["lines"] == sum(len(lines_of(p)) for p in sample_tests.event_files(tmp_path))
    run(tmp_path, "--events", "2000", "--days", "2")
    assert capsys.readouterr().err == ""
