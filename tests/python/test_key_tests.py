"""The key test for keys of several columns (tests/generic/unique_combination_of_columns.sql) finds
what it must: a duplicated key and a key with a null are planted in a built mart, and the test is
run against it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from conftest import Build, run_dbt_build

SELECT = "fct_chat_turns,test_name:unique_combination_of_columns"


def run_key_test(db_path: Path, work: Path) -> dict:
    """The one key test's result in run_results.json: status and number of failing rows."""
    done = run_dbt_build(work, {"test_every_row": True}, select=SELECT, db_path=db_path)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    assert len(tests) == 1, done.output
    return {
        "returncode": done.returncode,
        "status": tests[0]["status"],
        "failures": tests[0]["failures"],
    }


def test_key_test_fails_on_a_duplicated_key_and_on_a_null(
    sample_build: Build, tmp_path: Path
) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_build.db_path, db_path)

    assert run_key_test(db_path, tmp_path / "clean") == {
        "returncode": 0,
        "status": "pass",
        "failures": 0,
    }

    with duckdb.connect(str(db_path)) as con:
        # A second row for an existing (session_id, turn_number), and a turn with no number.
        con.execute("insert into marts.fct_chat_turns select * from marts.fct_chat_turns limit 1")
        con.execute(
            "insert into marts.fct_chat_turns"
            " select * replace (cast(null as bigint) as turn_number, turn_id || '-x' as turn_id)"
            " from marts.fct_chat_turns limit 1"
        )

    # One failing row for the duplicated key, one for the key with a null.
    assert run_key_test(db_path, tmp_path / "planted") == {
        "returncode": 1,
        "status": "fail",
        "failures": 2,
    }
