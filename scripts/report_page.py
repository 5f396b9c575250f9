"""What the HTML pages of scripts/ share: which warehouse file they read, how they read it, and
their command line.

The KPI report (kpi_report.py) and the instrumentation-health page (health_report.py) each read
marts read-only and write one self-contained HTML file. They read the serving file when it exists
(what BI tools read, swapped in whole by scripts/publish.py, so never half-built), else the dbt
build file; and they stop with the command that builds what is missing, not a traceback.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import duckdb

T = TypeVar("T")


def default_db_path() -> Path:
    """The serving file when it exists (what BI tools read), else the dbt build file."""
    serving = Path(os.environ.get("WORKBENCH_SERVING_PATH") or "warehouse/serving.duckdb")
    if serving.is_file():
        return serving
    return Path(os.environ.get("WORKBENCH_DB_PATH") or "warehouse/workbench.duckdb")


def read_marts(tool: str, db_path: Path, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """`read(connection)` on `db_path` opened read-only (a nightly build may hold the build file;
    DuckDB lets many readers or one writer in). A missing file, table or column stops `tool`
    with what to run."""
    if not db_path.is_file():
        raise SystemExit(f"{tool}: warehouse file {db_path} not found; run `make run` first")
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return read(con)
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise SystemExit(
            f"{tool}: {db_path} lacks a mart or column the page reads ({exc}); "
            "run `make run` (or `dbt build`, then `make publish`) first"
        ) from exc


def parse_args(description: str, default_output: Path, argv: Sequence[str] | None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path, help="DuckDB file (default: serving, else build file)")
    parser.add_argument("--output", type=Path, default=default_output, help="HTML file to write")
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    return args


def write_page(output: Path, page: str, title: str, source: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    print(f"{title} written: {output} ({output.stat().st_size / 1e3:,.0f} kB, from {source})")
