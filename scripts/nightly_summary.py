"""Explain a failed nightly run in the job's summary: which dbt steps failed, their messages, and
what to do first (docs/operations.md), so whoever is on call does not start from a raw log.

Reads the dbt artifacts given as arguments (the build's run_results.json, the freshness check's
sources.json; either may be missing); writes Markdown to $GITHUB_STEP_SUMMARY (stdout outside
GitHub Actions)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

RUNBOOK = "docs/operations.md"

# First words of advice for the failures the runbook covers, matched on the error text (lower
# case). The runbook's section names, so the summary and the runbook cannot drift apart silently
# (tests/python/test_nightly_workflow.py checks each section exists).
ADVICE = [
    (
        (
            "changed after",
            "replaced",
            "cannot be read",
            "cannot be loaded",
            "cannot name",
            "unreadable",
        ),
        "A raw file changed, vanished or cannot be read",
    ),
    (("quarantine",), "Too many lines quarantined"),
    (("another build", "in use by", "lock"), "Another build holds the warehouse"),
    (("freshness", "max_loaded_at"), "Landing events are stale"),
]
FALLBACK = "Any other failure"


def failures(paths: list[Path]) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        if not path.exists():
            continue
        for result in json.loads(path.read_text()).get("results", []):
            if result.get("status") not in {"error", "fail", "runtime error"}:
                continue
            message = (result.get("message") or "").strip()
            if "max_loaded_at" in result:  # sources.json: a freshness result has no message
                message = (
                    f"freshness: newest valid event {result['max_loaded_at']},"
                    f" {result.get('max_loaded_at_time_ago_in_s', 0) / 3600:.0f} hours old"
                )
            found.append((result["unique_id"], message))
    return found


def advice_for(messages: list[str]) -> list[str]:
    text = " ".join(messages).lower()
    found = [section for words, section in ADVICE if any(w in text for w in words)]
    return found or [FALLBACK]


def summary(paths: list[Path]) -> str:
    failed = failures(paths)
    lines = ["## Nightly build failed: nothing was published", ""]
    lines.append(
        "Readers keep yesterday's serving file (the last successful run's `serving` artifact);"
        " yesterday's build file stays in the cache untouched."
    )
    lines.append("")
    if failed:
        lines.append(f"Failed dbt steps ({len(failed)}):")
        lines.append("")
        for unique_id, message in failed[:10]:
            # dbt's first line only names the node ("Compilation Error in model x"); the cause
            # follows it.
            lines_ = [line.strip() for line in message.splitlines() if line.strip()]
            first = " ".join(lines_[:3])[:500] if lines_ else "(no message)"
            lines.append(f"- `{unique_id}`: {first}")
        if len(failed) > 10:
            lines.append(f"- ... and {len(failed) - 10} more (see the step log)")
    else:
        lines.append(
            "No dbt step recorded a failure: dbt stopped before running any (a configuration or"
            " parsing error), or a later step (publish, report) failed. The failed step's log"
            " says which."
        )
    lines.append("")
    lines.append(f"What to do first ({RUNBOOK}):")
    lines.append("")
    for section in advice_for([m for _, m in failed]):
        lines.append(f"- {RUNBOOK}, section '{section}'")
    return "\n".join(lines) + "\n"


def main() -> int:
    paths = [Path(arg) for arg in sys.argv[1:]] or [Path("target/run_results.json")]
    text = summary(paths)
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
