"""dbt-duckdb plugin: per-connection set-up the warehouse needs but must not write in SQL text.

It puts the salt for hashing personal identifiers (env WORKBENCH_PII_SALT) into the DuckDB
variable `workbench_pii_salt` of every connection dbt opens, so the salt never appears in
compiled SQL, dbt's artifacts (run_results.json) or logs. SQL reads it with
`getvariable('workbench_pii_salt')` (see macros/engine/privacy.sql).

It also takes the warehouse's build lock (plugins/build_lock.py) before dbt opens the file, so a
second build on the same file stops at once, with one line naming the running one.
"""

from __future__ import annotations

import os
import sys

from build_lock import BuildRunning, acquire
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

SALT_VARIABLE = "WORKBENCH_PII_SALT"
# The lock's handle, held until this process ends; one per process, however many times dbt
# creates the plugin.
_held_locks: dict[str, object] = {}


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

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        _set_salt(cursor)


def _set_salt(conn: DuckDBPyConnection) -> None:
    salt = os.environ.get(SALT_VARIABLE, "")
    conn.execute("set variable workbench_pii_salt = " + _sql_string(salt))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
