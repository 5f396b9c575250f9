"""Every non-blank physical line of every raw event file, as text, with its 1-based line number.

Lines are read here rather than with DuckDB's JSON or CSV readers because those either fail on
schema drift or silently drop and renumber lines; the contract needs every line accounted for
with its physical line number. Splitting is done by Arrow compute, not a Python loop per line.

Incremental: a build reads only the files stg_workbench__raw_files added since this model last
ran (their `_batch_at` is newer than the newest here), so every file is read once.
"""

import gzip
import zlib

import pyarrow as pa
import pyarrow.compute as pc

# Contract section 3: "trimmed" means without leading and trailing spaces, tabs and CRs.
TRIM_CHARACTERS = " \t\r"

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("raw_line", pa.large_string()),
        ("is_valid_utf8", pa.bool_()),
        ("_batch_at", pa.timestamp("us")),
    ]
)


def _read_bytes(path: str, source_file: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise OSError(f"raw event file {source_file} is unreadable: {exc}") from exc
    if not path.endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise OSError(
            f"raw event file {source_file} is named .gz but cannot be decompressed ({exc}). "
            "Re-deliver the file or remove it from raw_events_glob."
        ) from exc


def _split_lines(data: bytes) -> tuple[pa.Array, pa.Array]:
    """Return (lines, is_valid_utf8) for one file's bytes, one element per physical line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Rare path: decode line by line so one bad line does not cost the rest of the file.
        raw = data.split(b"\n")
        lines, valid = [], []
        for chunk in raw:
            try:
                lines.append(chunk.decode("utf-8"))
                valid.append(True)
            except UnicodeDecodeError:
                lines.append(chunk.decode("utf-8", errors="replace"))
                valid.append(False)
        return pa.array(lines, pa.large_string()), pa.array(valid, pa.bool_())
    lines = pc.list_flatten(pc.split_pattern(pa.array([text], pa.large_string()), "\n"))
    return lines, pa.nulls(len(lines), pa.bool_()).fill_null(True)


def _file_table(path: str, source_file: str, batch_at) -> pa.Table:
    lines, valid = _split_lines(_read_bytes(path, source_file))
    count = len(lines)
    table = pa.table(
        {
            "source_file": pa.nulls(count, pa.string()).fill_null(source_file),
            "line_number": pa.array(range(1, count + 1), pa.int64()),
            # A CRLF file's lines end in CR: that is the line terminator, not the line's text.
            "raw_line": pc.utf8_rtrim(lines, "\r"),
            "is_valid_utf8": valid,
            "_batch_at": pa.nulls(count, pa.timestamp("us")).fill_null(batch_at),
        },
        schema=SCHEMA,
    )
    # Whitespace-only lines are ignored and counted nowhere (contract section 2).
    keep = pc.not_equal(pc.utf8_trim(table["raw_line"], TRIM_CHARACTERS), "")
    return table.filter(keep)


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    files = dbt.ref("stg_workbench__raw_files")
    if dbt.is_incremental:
        newest = session.execute(f"select max(_batch_at) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            files = files.filter(f"_batch_at > '{newest}'::timestamp")
    rows = files.select("source_file, absolute_path, _batch_at").order("source_file").fetchall()
    tables = [_file_table(path, source_file, batch_at) for source_file, path, batch_at in rows]
    if not tables:
        return pa.table({name: [] for name in SCHEMA.names}, schema=SCHEMA)
    return pa.concat_tables(tables)
