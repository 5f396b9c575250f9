"""The OTLP fixture of the parity harness: the labelled OTLP cases
(tests/python/fixtures/otlp_cases.py: every reason code, every value kind, every position) and the
golden fixture's events exported as OTLP log records, in one folder, with the golden events also
as flat lines beside them, so the cross-format de-duplication is compared too. Built as
tests/python/test_otlp.py builds it (max_quarantine_rate 1: the labelled cases are mostly bad).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_TESTS = ROOT / "tests" / "python"
GOLDEN = PYTHON_TESTS / "fixtures" / "golden"
# As messy.py: tests/python's modules import each other as top-level modules.
if str(PYTHON_TESTS) not in sys.path:
    sys.path.append(str(PYTHON_TESTS))

from fixtures.otlp_cases import LABELLED, to_otlp_line  # noqa: E402


def write_otlp_fixture(root: Path) -> None:
    labelled = root / "otlp" / "date=2026-03-02" / "labelled.jsonl"
    labelled.parent.mkdir(parents=True, exist_ok=True)
    labelled.write_text("".join(f"{line.raw}\n" for line in LABELLED))
    for path in sorted((GOLDEN / "events").glob("date=*/part-0000.jsonl")):
        events = [json.loads(text) for text in path.read_text().splitlines()]
        day = path.parent.name
        exported = root / "otlp" / day / "export.jsonl"
        exported.parent.mkdir(parents=True, exist_ok=True)
        exported.write_text("".join(f"{to_otlp_line(events[i : i + 5])}\n"
                                    for i in range(0, len(events), 5)))  # fmt: skip
        flat = root / "flat" / day / "part-0000.jsonl"
        flat.parent.mkdir(parents=True, exist_ok=True)
        flat.write_text(path.read_text())


def dbt_vars(root: Path) -> dict:
    return {
        "raw_events_glob": str(root / "flat" / "**" / "*.jsonl"),
        "otlp_logs_glob": str(root / "otlp" / "**" / "*.jsonl"),
        "workflow_creations_glob": str(GOLDEN / "workflow_creations" / "*.csv"),
        "max_quarantine_rate": 1,
    }
