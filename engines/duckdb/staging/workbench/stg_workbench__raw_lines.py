"""Every non-blank physical line of every raw event file, as text, with its 1-based line number.

Lines are read here rather than with DuckDB's JSON or CSV readers because those either fail on
schema drift or silently drop and renumber lines; the contract needs every line accounted for
with its physical line number. Splitting is done by Arrow compute, not a Python loop per line.

Hostile bytes are settled here, before any SQL sees them (README, "Hostile and broken input"):

- A UTF-8 byte-order mark at the very start of a file (after gzip decompression) is an encoding
  marker, not content: it is dropped, so the first line parses like any other. A U+FEFF anywhere
  else is content and is kept (outside a JSON string it makes the line malformed_json).
- A line whose bytes are not valid UTF-8, or that holds a NUL byte, is marked is_valid_utf8 =
  false and so quarantined as malformed_json; its text is kept with each invalid byte and each NUL
  shown as U+FFFD. No JSON text can hold a raw NUL, and a NUL inside a stored string is cut short
  by many C-based readers (ODBC drivers, BI tools).
- A CR before the LF is the line terminator, not text; lines of any length are kept whole.
- A file that cannot be read, or a `.gz` that is not a complete gzip file, stops the build with a
  message naming the file and the way out: skipping it would drop its lines without a trace.

Incremental: a build reads only the files stg_workbench__raw_files added since this model last
ran (their `_batch_at` is newer than the newest here), so every file is read once.
"""

import gzip
import zlib

import pyarrow as pa
import pyarrow.compute as pc

# Contract section 3: "trimmed" means without leading and trailing spaces, tabs and CRs.
TRIM_CHARACTERS = " \t\r"
UTF8_BOM = b"\xef\xbb\xbf"
NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("raw_line", pa.large_string()),
        ("is_valid_utf8", pa.bool_()),
        ("_batch_at", pa.timestamp("us")),
    ]
)

# A file is listed as delivered (stg_workbench__raw_files) before its lines are read, so after a
# file-level stop the listing no longer matches the files and only a full refresh starts over.
FILE_LEVEL_STOP = (
    "The build stopped before loading any line of it or of the other new files, so nothing is"
    " lost or counted twice."
)
FULL_REFRESH_FIX = (
    " To go on, replace it with a complete copy under the same name, or move it out of the"
    " folders raw_events_glob matches; then run `dbt build --full-refresh` (the file is already"
    " listed as delivered, so a plain `dbt build` would stop again)."
)


def _gzip_problem(data: bytes, exc: BaseException) -> str:
    """Say in words why `data`, named .gz, could not be decompressed."""
    if not data.startswith(b"\x1f\x8b"):
        start = data[:16]
        return f"it is not a gzip file (it starts with {start!r}, not the gzip magic bytes 1f 8b)"
    if isinstance(exc, EOFError):
        return (
            "the gzip data is truncated: it ends before the end-of-stream marker (an upload or"
            " copy that did not finish?)"
        )
    if "Not a gzipped file" in str(exc):
        return "the gzip data is followed by bytes that are not gzip (two files joined?)"
    return f"the gzip data is corrupt ({exc})"


def _read_bytes(path: str, source_file: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            fix = (
                " It was listed by this or an earlier build and has gone since: put it back and"
                " run `dbt build`, or run `dbt build --full-refresh` to start over from the files"
                " there are now."
            )
        else:
            fix = " Make it readable by the user running dbt, then run `dbt build` again."
        raise OSError(
            f"Raw event file {source_file} cannot be read ({exc.strerror or exc}). "
            + FILE_LEVEL_STOP
            + fix
        ) from None  # the message says it all; dbt prints the whole chain otherwise
    if path.endswith(".gz") and data:
        # A zero-byte file is empty whatever its name: there is nothing to decompress.
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise OSError(
                f"Raw event file {source_file} is named .gz but cannot be decompressed: "
                f"{_gzip_problem(data, exc)}. " + FILE_LEVEL_STOP + FULL_REFRESH_FIX
            ) from None
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    return data


def _split_lines(data: bytes) -> tuple[pa.Array, pa.Array]:
    """Return (lines, is_valid_utf8) for one file's bytes, one element per physical line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Rare path: decode line by line so one bad line does not cost the rest of the file.
        lines, valid = [], []
        for chunk in data.split(b"\n"):
            try:
                line = chunk.decode("utf-8")
                lines.append(line.replace(NUL, REPLACEMENT_CHARACTER))
                valid.append(NUL not in line)
            except UnicodeDecodeError:
                line = chunk.decode("utf-8", errors="replace")
                lines.append(line.replace(NUL, REPLACEMENT_CHARACTER))
                valid.append(False)
        return pa.array(lines, pa.large_string()), pa.array(valid, pa.bool_())
    lines = pc.list_flatten(pc.split_pattern(pa.array([text], pa.large_string()), "\n"))
    if NUL not in text:
        return lines, pa.nulls(len(lines), pa.bool_()).fill_null(True)
    valid = pc.invert(pc.match_substring(lines, NUL))
    return pc.replace_substring(lines, NUL, REPLACEMENT_CHARACTER), valid


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
    # A file listed as empty adds no row here, so the next build is handed it again: it is not
    # opened (it may have been pruned since), and a change to it stops stg_workbench__raw_files.
    files = files.filter("size_bytes > 0")
    rows = files.select("source_file, absolute_path, _batch_at").order("source_file").fetchall()
    # A stream, one file at a time: DuckDB pulls the batches as it writes the table, so memory
    # holds one file's lines rather than every new file's. A file that cannot be read stops the
    # stream, and DuckDB reports our message (which names the file).
    batches = (
        batch
        for source_file, path, batch_at in rows
        for batch in _file_table(path, source_file, batch_at).to_batches()
    )
    return pa.RecordBatchReader.from_batches(SCHEMA, batches)
