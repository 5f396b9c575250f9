"""dbt-duckdb plugin: per-connection set-up the warehouse needs but must not write in SQL text.

It puts the salt for hashing personal identifiers (env WORKBENCH_PII_SALT) into the DuckDB
variable `workbench_pii_salt` of every connection dbt opens, so the salt never appears in
compiled SQL, dbt's artifacts (run_results.json) or logs. SQL reads it with
`getvariable('workbench_pii_salt')` (see macros/engine/privacy.sql).

It also takes the warehouse's build lock (plugins/build_lock.py) before dbt opens the file, so a
second build on the same file stops at once, with one line naming the running one.

And it attaches a scratch database, `build_lines`, holding the table of raw lines the line reader
writes and the validation reads (`build_lines.main.raw_lines`). The text of a raw line so never
reaches the warehouse file: DuckDB does not zero the blocks it frees, so text written there and
deleted later would stay readable in the file's bytes. The scratch database is a file of its own
beside the warehouse (`<warehouse>.build-lines`), not `:memory:`: DuckDB stores a file's text
compressed, and an in-memory table of 10M lines outgrew the memory limit, spilled uncompressed
to the temp folder, and made the validation that reads it 13 s slower (bench/results.md). The
file is created empty on every connection, so any dbt command compiles and runs against it, and
removed when the process ends; one left by a killed build is removed by the next, whose reader
reads those files again (docs/privacy.md).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

from build_lock import BuildRunning, acquire
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb import Error as DuckDBError

SALT_VARIABLE = "WORKBENCH_PII_SALT"
# The columns of a line that the line reader inserts, by name
# (engines/duckdb/staging/workbench/base/base_workbench__raw_lines.py).
RAW_LINES_DDL = (
    "create table if not exists build_lines.main.raw_lines (source_file varchar, line_number"
    " bigint, raw_line varchar, is_valid_utf8 boolean, _batch_at timestamp)"
)
LINES_FILE_SUFFIX = ".build-lines"
# The lock's handle, held until this process ends; one per process, however many times dbt
# creates the plugin.
_held_locks: dict[str, object] = {}
# The scratch files of lines this process has set up (each removed once at start, once at exit).
_scratch_files: set[str] = set()


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict) -> None:
        path = getattr(self.creds, "path", None)
        if path and path != ":memory:" and path not in _held_locks:
            try:
                _held_locks[path] = acquire(path, "build")
            except BuildRunning as busy:
                # One line, not dbt's traceback; exit before dbt opens the warehouse.
                print(f"error: {busy}", file=sys.stderr, flush=True)
                os._exit(2)
        if not os.environ.get(SALT_VARIABLE):
            print(
                f"Warning: {SALT_VARIABLE} is not set, so e-mail identifiers are hashed without a"
                " salt (a dictionary of e-mail addresses could reverse them). Set it to a long"
                " random secret, the same for every build.",
                file=sys.stderr,
            )

    # DuckDB variables belong to one connection, and dbt-duckdb runs each model on a cursor of
    # its own: set the salt on both.
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        _set_salt(conn)
        _attach_lines(conn, getattr(self.creds, "path", None))

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        _set_salt(cursor)


def _attach_lines(conn: DuckDBPyConnection, path: str | None) -> None:
    """Attach the scratch database of lines. Attached databases belong to the database instance,
    so every cursor dbt opens on this connection sees it. A leftover file is removed only the first
    time in a process: dbt keeps the warehouse open for the whole build (keep_open in
    profiles.yml), but were it to open it again, the lines read so far must stay."""
    if not path or path == ":memory:":
        conn.execute("attach if not exists ':memory:' as build_lines")
    else:
        lines = path + LINES_FILE_SUFFIX
        if lines not in _scratch_files:
            _scratch_files.add(lines)
            _remove(lines)  # a killed build's: the next reader reads its files again
            atexit.register(_detach_and_remove, conn, lines)
        conn.execute(f"attach if not exists {_sql_string(lines)} as build_lines")
    conn.execute(RAW_LINES_DDL)


def _detach_and_remove(conn: DuckDBPyConnection, lines: str) -> None:
    # A connection dbt closed already has let go of the file: it is removed all the same.
    with contextlib.suppress(DuckDBError):
        conn.execute("detach build_lines")
    _remove(lines)


def _remove(lines: str) -> None:
    for name in (lines, lines + ".wal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)


def _set_salt(conn: DuckDBPyConnection) -> None:
    salt = os.environ.get(SALT_VARIABLE, "")
    conn.execute("set variable workbench_pii_salt = " + _sql_string(salt))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
