#!/usr/bin/env python3
"""Publish the marts of the last build for readers: a serving DuckDB file and a Parquet set.

Readers (BI tools, notebooks) never open the build file, so a build never meets their locks and
they never see a half-built warehouse. Both outputs are written completely under temporary names
next to their final place, then swapped in with one atomic rename each:

- WORKBENCH_SERVING_PATH (default warehouse/serving.duckdb): every table of schema `marts`, and
  nothing else, with its column types, constraints, primary key (which the build lists in
  staging.mart_primary_keys but does not create: macros/primary_keys.sql) and the table and
  column comments dbt wrote from the model descriptions, checkpointed (no .wal beside it).
- WORKBENCH_PARQUET_DIR (default warehouse/parquet): a symlink to a complete version folder
  `<parquet dir>-versions/<UTC time>-<pid>/<table>.parquet`; the previous version is kept because
  a reader may still be reading it, older ones are pruned.

The build file (WORKBENCH_DB_PATH, default warehouse/workbench.duckdb) is only opened read-only.
Any failure before the swap deletes the temporary files and leaves the previous serving file and
Parquet set untouched. See docs/serving.md for how each reader connects.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

# The build lock is shared with the dbt plugin (plugins/build_lock.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from build_lock import BuildRunning, acquire

SCHEMA = "marts"
# Readers bundle older DuckDB releases (Metabase's driver, Evidence, a distro's CLI): the oldest
# storage format that holds our types keeps the serving file readable by DuckDB >= 0.10.
DEFAULT_STORAGE_VERSION = "v1.0.0"


class PublishError(Exception):
    """A failure explained in words; printed without a traceback."""


class PartlyPublished(PublishError):
    """The serving file was replaced but a later step failed."""


@dataclass(frozen=True)
class Paths:
    build: Path
    serving: Path
    parquet: Path
    storage_version: str
    memory_limit: str

    @classmethod
    def from_env(cls) -> Paths:
        env = os.environ.get
        return cls(
            build=Path(env("WORKBENCH_DB_PATH") or "warehouse/workbench.duckdb"),
            serving=Path(env("WORKBENCH_SERVING_PATH") or "warehouse/serving.duckdb"),
            parquet=Path(env("WORKBENCH_PARQUET_DIR") or "warehouse/parquet"),
            storage_version=env("WORKBENCH_SERVING_STORAGE_VERSION") or DEFAULT_STORAGE_VERSION,
            memory_limit=env("WORKBENCH_MEMORY_LIMIT") or "4GB",
        )

    @property
    def versions(self) -> Path:
        return self.parquet.with_name(self.parquet.name + "-versions")

    def temp(self, path: Path, suffix: str = "") -> Path:
        """A hidden name beside `path` (same filesystem, so a rename is atomic) owned by us."""
        return path.with_name(f".{path.name}.publish-{os.getpid()}{suffix}")

    def leftovers(self) -> list[Path]:
        """Temporary files of publishes that died half way (only called under the lock)."""
        return [
            *self.serving.parent.glob(f".{self.serving.name}.publish-*"),
            *self.parquet.parent.glob(f".{self.parquet.name}.publish-*"),
        ]


def log(message: str) -> None:
    print(f"publish: {message}", flush=True)


def sql_string(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def publish_lock(paths: Paths) -> Iterator[None]:
    """One publish at a time, so a second one never deletes the first one's temporary files."""
    lock_path = paths.serving.with_name(f".{paths.serving.name}.publish.lock")
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish of {paths.serving} is running") from None
        yield


def check_paths(paths: Paths) -> None:
    if not paths.build.is_file():
        raise PublishError(f"no build file at {paths.build}: run `make build` first")
    if paths.serving.resolve() == paths.build.resolve():
        raise PublishError("WORKBENCH_SERVING_PATH must not be the build file WORKBENCH_DB_PATH")
    if Path(f"{paths.serving}.wal").exists():
        raise PublishError(
            f"{paths.serving}.wal exists: something opened the serving file read-write. Close "
            "it, then delete the .wal; readers must connect read-only (docs/serving.md)"
        )
    if paths.parquet.exists() and not paths.parquet.is_dir():
        raise PublishError(f"{paths.parquet} exists and is not a folder or a symlink to one")


def open_build(paths: Paths, serving_temp: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": paths.memory_limit})
    try:
        con.execute(f"attach {sql_string(paths.build)} as build (read_only)")
    except duckdb.Error as error:
        con.close()
        hint = " (a dbt build still running?)" if "lock" in str(error).lower() else ""
        raise PublishError(f"cannot open the build file {paths.build}{hint}: {error}") from None
    con.execute(
        f"attach {sql_string(serving_temp)} as serving "
        f"(storage_version {sql_string(paths.storage_version)})"
    )
    return con


def marts_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table name, create statement) of every table of schema marts in the build file."""
    return con.execute(
        "select table_name, sql from duckdb_tables()"
        " where database_name = 'build' and schema_name = ? order by table_name",
        [SCHEMA],
    ).fetchall()


def primary_keys(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each mart's primary key columns. The build writes them to staging.mart_primary_keys at its
    end and creates its tables without them (macros/primary_keys.sql: an index the build never
    reads costs seconds per mart); a build file from before that keeps them on its tables."""
    listed = con.execute(
        "select count(*) from duckdb_tables()"
        " where database_name = 'build' and schema_name = 'staging'"
        " and table_name = 'mart_primary_keys'"
    ).fetchone()[0]
    if not listed:
        return indexed_keys(con, "build")
    rows = con.execute("select table_name, key_columns from build.staging.mart_primary_keys")
    return {table: list(key) for table, key in rows.fetchall()}


def indexed_keys(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[str]]:
    """The primary key columns of each table of schema marts that has one, in that database."""
    rows = con.execute(
        "select table_name, constraint_column_names from duckdb_constraints()"
        " where database_name = ? and schema_name = ? and constraint_type = 'PRIMARY KEY'",
        [database, SCHEMA],
    ).fetchall()
    return {table: list(key) for table, key in rows}


def copy_table(con: duckdb.DuckDBPyConnection, table: str, create_sql: str, key: list[str]) -> None:
    """Recreate the table with its contract's types and constraints, copy its rows, add its
    primary key (BI tools find their join keys through it), then its comments."""
    target = f"serving.{SCHEMA}.{ident(table)}"
    source = f"build.{SCHEMA}.{ident(table)}"
    try:
        con.execute(create_sql)  # `create table marts.x(...)`: resolves in serving, the default
    except duckdb.Error as error:
        log(f"{table}: cannot replay its create statement ({error}); copying the data only")
        # A create-table-as keeps names and types only; the key is added below all the same.
        con.execute(f"create table {target} as select * from {source}")
    else:
        con.execute(f"insert into {target} select * from {source}")
    # After the rows: building the index once is cheaper than keeping it up to date row by row.
    # A replayed statement of an older build file may carry the key already.
    if key and table not in indexed_keys(con, "serving"):
        try:
            con.execute(f"alter table {target} add primary key ({', '.join(map(ident, key))})")
        except duckdb.Error as key_error:
            log(f"{table}: cannot add its primary key {key} ({key_error})")
    copy_comments(con, table)


def copy_comments(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Give the table and its columns the build's comments (dbt's persist_docs writes the model
    descriptions there): a replayed create statement, like a create-table-as, carries none."""
    target = f"serving.{SCHEMA}.{ident(table)}"
    (comment,) = con.execute(
        "select comment from duckdb_tables()"
        " where database_name = 'build' and schema_name = ? and table_name = ?",
        [SCHEMA, table],
    ).fetchone()
    if comment:
        con.execute(f"comment on table {target} is {sql_string(comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns()"
        " where database_name = 'build' and schema_name = ? and table_name = ?"
        " and comment is not null and comment <> '' order by column_index",
        [SCHEMA, table],
    ).fetchall()
    for column, column_comment in columns:
        con.execute(f"comment on column {target}.{ident(column)} is {sql_string(column_comment)}")


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> None:
    out = folder / f"{table}.parquet"
    con.execute(f"copy serving.{SCHEMA}.{ident(table)} to {sql_string(out)} (format parquet)")
    fsync(out)


def verify(paths: Paths, serving_temp: Path, expected: dict[str, int]) -> None:
    """Reopen the closed temporary file as a reader would and check every table is complete."""
    if Path(f"{serving_temp}.wal").exists():
        raise PublishError(f"{serving_temp} still has a .wal after its checkpoint")
    with duckdb.connect(str(serving_temp), read_only=True) as con:
        found = {
            name: con.execute(f"select count(*) from {SCHEMA}.{ident(name)}").fetchone()[0]
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = ?", [SCHEMA]
            ).fetchall()
        }
        others = con.execute(
            "select count(*) from duckdb_tables() where schema_name <> ?", [SCHEMA]
        ).fetchone()[0]
    if found != expected or others:
        raise PublishError(f"the new serving file does not match the build: {found} != {expected}")


def build_new_version(paths: Paths, serving_temp: Path, version: Path) -> dict[str, int]:
    con = open_build(paths, serving_temp)
    try:
        tables = marts_tables(con)
        if not tables:
            raise PublishError(
                f"the build file {paths.build} has no table in schema {SCHEMA}: "
                "the last build failed before the marts, or built only a selection"
            )
        views = con.execute(
            "select view_name from duckdb_views()"
            " where database_name = 'build' and schema_name = ? order by view_name",
            [SCHEMA],
        ).fetchall()
        for (view,) in views:
            log(f"skipped the view {SCHEMA}.{view}: only tables are published")
        con.execute("use serving")
        con.execute(f"create schema {SCHEMA}")
        counts: dict[str, int] = {}
        keys = primary_keys(con)
        for table, create_sql in tables:
            copy_table(con, table, create_sql, keys.get(table, []))
            counts[table] = con.execute(
                f"select count(*) from serving.{SCHEMA}.{ident(table)}"
            ).fetchone()[0]
            log(f"copied {SCHEMA}.{table}: {counts[table]:,} rows")
        con.execute("checkpoint serving")
        version.mkdir(parents=True)
        for table, _ in tables:
            write_parquet(con, table, version)
        log(f"wrote {len(tables)} Parquet files to {version}")
        con.execute("use memory")
        con.execute("detach serving")
    finally:
        con.close()
    fsync(serving_temp)
    fsync(version)
    verify(paths, serving_temp, counts)
    return counts


def swap_parquet(paths: Paths, version: Path) -> Path | None:
    """Point the Parquet symlink at `version`; return the folder it pointed at before."""
    previous: Path | None = None
    if paths.parquet.is_symlink():
        previous = paths.parquet.resolve()
    elif paths.parquet.is_dir():
        # First publish over a real folder: a directory cannot be swapped atomically, so it
        # becomes the "previous" version (readers briefly find no folder, never a partial one).
        previous = paths.versions / f"original-{version.name}"
        os.rename(paths.parquet, previous)
        log(f"moved the existing folder {paths.parquet} to {previous}")
    link = paths.temp(paths.parquet)
    link.symlink_to(os.path.relpath(version, paths.parquet.parent))
    os.replace(link, paths.parquet)
    fsync(paths.parquet.parent)
    return previous


def prune_versions(paths: Paths, keep: list[Path]) -> None:
    """Delete every version but the new one and the one before it (a reader may still be reading
    it), including folders half-written by interrupted publishes."""
    kept = {p.resolve() for p in keep}
    versions = sorted(p for p in paths.versions.iterdir() if p.resolve() not in kept)
    for old in versions:
        remove(old)
    if versions:
        log(f"pruned {len(versions)} older Parquet version(s)")


def publish(paths: Paths) -> None:
    check_paths(paths)
    # Not while a build writes the build file: the copy would mix two loads. Held to the end.
    try:
        build_lock = acquire(paths.build, "publish")
    except BuildRunning as busy:
        raise PublishError(str(busy)) from None
    with build_lock:
        _publish(paths)


def _publish(paths: Paths) -> None:
    paths.serving.parent.mkdir(parents=True, exist_ok=True)
    paths.versions.mkdir(parents=True, exist_ok=True)
    with publish_lock(paths):
        for leftover in paths.leftovers():
            remove(leftover)
            log(f"removed {leftover}, left by an interrupted publish")
        started = time.monotonic()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        serving_temp = paths.temp(paths.serving)
        version = paths.versions / f"{stamp}-{os.getpid()}"
        try:
            counts = build_new_version(paths, serving_temp, version)
        except BaseException:
            for path in (serving_temp, Path(f"{serving_temp}.wal"), version):
                remove(path)
            raise
        os.replace(serving_temp, paths.serving)
        log(f"published {paths.serving}: {len(counts)} tables of schema {SCHEMA}")
        try:
            fsync(paths.serving.parent)
            previous = swap_parquet(paths, version)
            log(f"published {paths.parquet} -> {version}")
            prune_versions(paths, [version, *([previous] if previous else [])])
        except OSError as error:
            raise PartlyPublished(
                f"{paths.serving} is published, but then: {error}. If the Parquet symlink was "
                f"not swapped, {paths.parquet} still holds the previous set"
            ) from None
        log(f"done in {time.monotonic() - started:.2f}s")


def main() -> int:
    paths = Paths.from_env()
    try:
        publish(paths)
    except (PublishError, duckdb.Error, OSError) as error:
        print(f"publish failed: {error}", file=sys.stderr)
        if not isinstance(error, PartlyPublished):
            print(
                f"publish: nothing was replaced; {paths.serving} and {paths.parquet} still hold "
                "the previous version (if there was one)",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
