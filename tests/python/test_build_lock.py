"""One build at a time: a second build, and a publish, on a warehouse that a build is using stop
at once with one line naming the running build, before touching anything; a read-only reader is
refused while the build runs instead of breaking it; the first build ends equal to a fresh one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from conftest import DBT, FIXTURES, NO_UNIT_TESTS, ROOT, run_dbt_build
from test_incremental import public_tables

GOLDEN = FIXTURES / "golden"
DBT_VARS = {
    "raw_events_glob": f"{GOLDEN}/events/**/*.jsonl",
    "workflow_creations_glob": f"{GOLDEN}/workflow_creations/*.csv",
}


def parse(work: Path, db: Path) -> None:
    """Parse into the target folder a build will use, so its own parse is short and the builds
    overlap however loaded the machine is."""
    args = [str(DBT), "parse", "--vars", json.dumps(DBT_VARS), "--target-path",
            str(work / "target"), "--log-path", str(work / "logs")]  # fmt: skip
    env = {**os.environ, "WORKBENCH_DB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)


def start_build(work: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WORKBENCH_DB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    args = [str(DBT), "build", "--vars", json.dumps(DBT_VARS), "--target-path",
            str(work / "target"), "--log-path", str(work / "logs"), *NO_UNIT_TESTS]  # fmt: skip
    work.mkdir(parents=True, exist_ok=True)
    # To a file, not a pipe: nobody reads a pipe while the build runs, and a full one stalls it.
    with open(work / "output.txt", "w") as output:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def output_of(work: Path) -> str:
    return (work / "output.txt").read_text()


def reader_is_refused(db: Path, hold: float = 0) -> bool:
    """Try to open the build file read-only; when that works, keep it open `hold` seconds (what
    would make a build's next step fail if the build let go of the file between steps)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as error:
        assert "lock" in str(error).lower()
        return True
    time.sleep(hold)
    con.close()
    return False


def test_second_build_and_publish_stop_while_a_build_runs(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    lock = tmp_path / "wh.duckdb.build.lock"
    parse(tmp_path / "first", db)
    parse(tmp_path / "second", db)
    first = start_build(tmp_path / "first", db)
    try:
        deadline = time.monotonic() + 180
        while not (db.exists() and reader_is_refused(db)):
            assert first.poll() is None, output_of(tmp_path / "first")[-3000:]
            assert time.monotonic() < deadline, "the first build never opened its warehouse"
            time.sleep(0.5)
        assert f"pid {first.pid} (`dbt build" in lock.read_text()

        second = run_dbt_build(tmp_path / "second", DBT_VARS, db_path=db)
        assert second.returncode != 0
        refusals = [text for text in second.output.splitlines() if "is in use by" in text]
        assert refusals == [
            f"error: {db} is in use by pid {first.pid} (`{lock.read_text().split('(`')[1].strip()}."
            " Nothing was touched: wait for it to finish (or stop it), then run this build again."
        ]
        assert "Traceback" not in second.output
        # Stopped before its first step (dbt parses the project first, which takes a while).
        assert "START" not in second.output and "hook" not in second.output

        env = {**os.environ, "WORKBENCH_DB_PATH": str(db),
               "WORKBENCH_SERVING_PATH": str(tmp_path / "serving.duckdb"),
               "WORKBENCH_PARQUET_DIR": str(tmp_path / "parquet")}  # fmt: skip
        publish = subprocess.run([sys.executable, str(ROOT / "scripts" / "publish.py")], cwd=ROOT,
                                 env=env, capture_output=True, text=True, check=False)  # fmt: skip
        assert publish.returncode == 1
        assert f"is in use by pid {first.pid}" in publish.stderr
        assert not (tmp_path / "serving.duckdb").exists()

        # A reader that keeps trying during the build is refused, and never breaks it (it may
        # get in once the build has closed the file, before its process ends).
        refused = 0
        while first.poll() is None:
            refused += reader_is_refused(db, hold=1)
            time.sleep(0.3)
        assert refused > 10
    finally:
        if first.poll() is None:
            first.kill()
    first.wait()
    output = output_of(tmp_path / "first")
    assert first.returncode == 0, output[-4000:]

    fresh = run_dbt_build(tmp_path / "fresh", DBT_VARS)
    assert fresh.returncode == 0, fresh.output[-4000:]
    assert public_tables(fresh) == public_tables(type(fresh)(first.returncode, output, db))
    # The lock died with its build: the next one runs.
    again = run_dbt_build(tmp_path / "again", DBT_VARS, db_path=db)
    assert again.returncode == 0, again.output[-4000:]
