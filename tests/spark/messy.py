"""The messy fixture of the parity harness: the labelled ingestion cases
(tests/python/test_ingestion.py's write_fixture) and the hostile-input cases
(tests/python/fixtures/hostile_cases.py's write_hostile_files) in one events folder, one
subfolder each, built as tests/python/test_hostile_input.py builds its fixture (no CSV source,
max_quarantine_rate 1: the fixture is mostly bad lines, and the default rate stops the build on
purpose; max_id_conflict_rate 1 likewise, for its resends of one eventId with other content).
The hostile BROKEN_FILES, which stop the build on purpose, are never written.

Three inputs give different results on Spark, as docs/spark.md documents ("What changes on Spark"),
so the equality fixture leaves them out and the Spark-only fixture holds just them:

- zero-byte files: Spark's file sources never list an empty file, so it gets no row in
  staging.base_workbench__raw_files nor audit.load_reconciliation;
- JSON nested deeper than 1,000 levels: Spark's JSON parser refuses it (`malformed_json`);
- a count beyond the double range (1e400): Spark makes it the string "Infinity", so
  audit.property_issues says `wrong_type` where DuckDB says `value_not_allowed`.

The fixture dicts are filtered before writing (patch.dict, restored afterwards), so the files are
written by the same functions as in tests/python. Dropping a line from a file renumbers the later
lines of that file; both engines read the same files, so that is fine.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
PYTHON_TESTS = ROOT / "tests" / "python"
# tests/python has no __init__.py: its modules import each other as top-level modules
# (`from conftest import ...`, `from fixtures.hostile_cases import ...`), as pytest's rootdir-less
# "prepend" import mode puts that folder on sys.path. Appended, so it shadows nothing.
if str(PYTHON_TESTS) not in sys.path:
    sys.path.append(str(PYTHON_TESTS))

import test_ingestion  # noqa: E402
from fixtures import hostile_cases  # noqa: E402

INGESTION = "ingestion"
HOSTILE = "hostile"

# (a) Zero-byte files, per subfolder. A file holding only a BOM or only blank lines is not empty
# and stays in the equality fixture.
ZERO_BYTE_FILES = {
    INGESTION: ("date=2026-02-03/part-2.jsonl",),
    HOSTILE: ("date=2026-03-04/empty.jsonl", "date=2026-03-04/empty.jsonl.gz"),
}
# (b) The hostile file of JSON nested 1,000 levels and more.
DEEP_FILE = "date=2026-03-03/deep.jsonl"
# (c) The one case with a count beyond the double range, and its file.
HUGE_NUMBER_FILE = "date=2026-03-03/numbers.jsonl"
HUGE_NUMBER_EVENT_ID = "h-count-1e400"
HUGE_NUMBER_PROPERTY = "messageLength"

# The Spark-only fixture is about staging and audit only, as test_hostile_input.py builds it
# (a handful of events: the marts and their tests have nothing to say about them).
SPARK_ONLY_SELECT = "+models/audit"


def dbt_vars(events: Path) -> dict:
    """As tests/python/test_hostile_input.py and test_ingestion.py build their fixtures."""
    return {
        "raw_events_glob": f"{events}/**/*.jsonl*",
        "workflow_creations_glob": "",
        "max_quarantine_rate": 1,
        "max_id_conflict_rate": 1,
    }


def _only(files: dict, names: set[str]) -> dict:
    missing = names - set(files)
    assert not missing, f"not in the fixture any more (update tests/spark/messy.py): {missing}"
    return {name: value for name, value in files.items() if name in names}


def _split_numbers_file() -> tuple[hostile_cases.HostileFile, hostile_cases.HostileFile]:
    """numbers.jsonl without the 1e400 case, and with it alone."""
    spec = hostile_cases.HOSTILE_FILES[HUGE_NUMBER_FILE]
    huge = [case for case in spec.cases if case.event_id == HUGE_NUMBER_EVENT_ID]
    assert len(huge) == 1, f"expected one {HUGE_NUMBER_EVENT_ID} case in {HUGE_NUMBER_FILE}"
    rest = [case for case in spec.cases if case.event_id != HUGE_NUMBER_EVENT_ID]
    return dataclasses.replace(spec, cases=rest), dataclasses.replace(spec, cases=huge)


@contextmanager
def _fixture_dicts(ingestion: dict, crlf: dict, hostile: dict) -> Iterator[None]:
    """The three fixture dicts hold exactly the given files while the block runs."""
    with ExitStack() as stack:
        for target, values in (
            (test_ingestion.FIXTURE_FILES, ingestion),
            (test_ingestion.CRLF_FILES, crlf),
            (hostile_cases.HOSTILE_FILES, hostile),
        ):
            stack.enter_context(mock.patch.dict(target, values, clear=True))
        yield


def _write(events: Path, ingestion: dict, crlf: dict, hostile: dict) -> None:
    with _fixture_dicts(ingestion, crlf, hostile):
        test_ingestion.write_fixture(events / INGESTION)
        hostile_cases.write_hostile_files(events / HOSTILE)


def write_messy_fixture(events: Path) -> None:
    """Every ingestion and hostile case except the three that differ on Spark."""
    numbers_without_huge, _ = _split_numbers_file()
    zero_ingestion, zero_hostile = set(ZERO_BYTE_FILES[INGESTION]), set(ZERO_BYTE_FILES[HOSTILE])
    _only(test_ingestion.FIXTURE_FILES, zero_ingestion)
    _only(hostile_cases.HOSTILE_FILES, zero_hostile | {DEEP_FILE, HUGE_NUMBER_FILE})
    hostile = {
        name: spec
        for name, spec in hostile_cases.HOSTILE_FILES.items()
        if name not in zero_hostile and name != DEEP_FILE
    }
    hostile[HUGE_NUMBER_FILE] = numbers_without_huge
    ingestion = {
        name: cases
        for name, cases in test_ingestion.FIXTURE_FILES.items()
        if name not in zero_ingestion
    }
    _write(events, ingestion, dict(test_ingestion.CRLF_FILES), hostile)
    # A zero-byte file left in the equality fixture would make it differ by design.
    files = [path for path in events.rglob("*") if path.is_file()]
    empty = sorted(str(path.relative_to(events)) for path in files if path.stat().st_size == 0)
    assert not empty, f"zero-byte files in the messy fixture (add them to ZERO_BYTE_FILES): {empty}"


def write_spark_only_fixture(events: Path) -> None:
    """Just the three inputs that differ on Spark: the zero-byte files, deep.jsonl, and
    numbers.jsonl holding only the 1e400 case (so it is line 1)."""
    _, numbers_only_huge = _split_numbers_file()
    hostile = _only(hostile_cases.HOSTILE_FILES, set(ZERO_BYTE_FILES[HOSTILE]) | {DEEP_FILE})
    hostile[HUGE_NUMBER_FILE] = numbers_only_huge
    ingestion = _only(test_ingestion.FIXTURE_FILES, set(ZERO_BYTE_FILES[INGESTION]))
    _write(events, ingestion, {}, hostile)


def zero_byte_paths(events: Path) -> set[str]:
    """The source_file of each zero-byte file of the Spark-only fixture."""
    return {
        f"{events}/{folder}/{name}" for folder, names in ZERO_BYTE_FILES.items() for name in names
    }


def deep_cases() -> list[hostile_cases.Case]:
    return hostile_cases.HOSTILE_FILES[DEEP_FILE].cases
