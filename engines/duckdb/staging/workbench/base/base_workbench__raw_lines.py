"""DuckDB's line reader: every non-blank physical line of each raw event file read since the
last build (gzip decompressed), with its 1-based line number, plus one row per file read with
line_number 0 and no text: the record that the file was read.

Why the text does not stay: base_workbench__validated_lines reads the lines and, once it has
written its verdicts, its post-hook deletes them (forget_raw_text, macros/engine/files.sql). So
the warehouse holds raw text only while a build judges it, and a valid line's text, which may
hold what the privacy rules remove, is never kept. The file rows stay: their `_batch_at` is the
reader's watermark (a build reads only the files listed after the newest row), and a file whose
lines are all blank is recorded too. They are written after all the lines, so the lines fill
whole row groups of their own, which DuckDB drops once they are deleted.

Lines are read here rather than with DuckDB's JSON or CSV readers because those either fail on
schema drift or silently drop and renumber lines; every line must be accounted for with its
physical line number. Splitting is done by Arrow compute, not a Python loop per line.

Memory follows the block size, not the file size: each file is decompressed as a stream and cut
into blocks of about BLOCK_BYTES at line breaks (a line longer than that is kept whole in a block
of its own), and each block goes to DuckDB as one batch of rows.

Hostile bytes are settled here, before any SQL sees them (docs/input.md, "Hostile and broken
input"):

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
"""

import gzip
import itertools
import zlib
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

# "Trimmed" means without leading and trailing spaces, tabs and CRs (docs/input.md), so a line
# of only those is blank.
BLANK_LINE = r"^[ \t\r]*$"
UTF8_BOM = b"\xef\xbb\xbf"
NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"
# Decompressed bytes per block: large enough that per-block overhead is nothing, small enough
# that a 500 MB file costs no more memory than a 16 MB one.
BLOCK_BYTES = 16 * 1024 * 1024

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("raw_line", pa.large_string()),
        ("is_valid_utf8", pa.bool_()),
        ("_batch_at", pa.timestamp("us")),
    ]
)

# A file is listed as delivered (base_workbench__raw_files) before its lines are read, so after a
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


def _gzip_problem(start: bytes, exc: BaseException) -> str:
    """Say in words why a file named .gz, whose first bytes are `start`, could not be read."""
    if not start.startswith(b"\x1f\x8b"):
        return (
            f"it is not a gzip file (it starts with {start[:16]!r}, not the gzip magic bytes 1f 8b)"
        )
    if isinstance(exc, EOFError):
        return (
            "the gzip data is truncated: it ends before the end-of-stream marker (an upload or"
            " copy that did not finish?)"
        )
    if "Not a gzipped file" in str(exc):
        return "the gzip data is followed by bytes that are not gzip (two files joined?)"
    return f"the gzip data is corrupt ({exc})"


def _unreadable(source_file: str, exc: OSError) -> OSError:
    if isinstance(exc, FileNotFoundError):
        fix = (
            " It was listed by this or an earlier build and has gone since: put it back and"
            " run `dbt build`, or run `dbt build --full-refresh` to start over from the files"
            " there are now."
        )
    else:
        fix = " Make it readable by the user running dbt, then run `dbt build` again."
    return OSError(
        f"Raw event file {source_file} cannot be read ({exc.strerror or exc}). "
        + FILE_LEVEL_STOP
        + fix
    )


def _read_chunks(path: str, source_file: str) -> Iterator[bytes]:
    """The file's decompressed bytes in pieces of about BLOCK_BYTES, each ending at a line break
    (but the last), without a leading byte-order mark."""
    is_gzip = path.endswith(".gz")
    try:
        handle = gzip.open(path, "rb") if is_gzip else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise _unreadable(source_file, exc) from None
    pending = b""
    at_start = True
    with handle:
        while True:
            try:
                data = handle.read(BLOCK_BYTES)
            except (OSError, EOFError, zlib.error) as exc:
                if not is_gzip or isinstance(exc, FileNotFoundError | PermissionError):
                    raise _unreadable(source_file, exc) from None
                with open(path, "rb") as raw:
                    start = raw.read(16)
                raise OSError(
                    f"Raw event file {source_file} is named .gz but cannot be decompressed: "
                    f"{_gzip_problem(start, exc)}. " + FILE_LEVEL_STOP + FULL_REFRESH_FIX
                ) from None  # the message says it all; dbt prints the whole chain otherwise
            pending += data
            if at_start and (len(pending) >= len(UTF8_BOM) or not data):
                at_start = False
                if pending.startswith(UTF8_BOM):
                    pending = pending[len(UTF8_BOM) :]
            if not data:
                break
            cut = pending.rfind(b"\n")
            if cut >= 0 and not at_start:
                yield pending[: cut + 1]
                pending = pending[cut + 1 :]
    if pending:
        yield pending


def _split_lines(data: bytes) -> tuple[pa.Array, pa.Array]:
    """Return (lines, is_valid_utf8) for a piece of a file, one element per physical line."""
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


def _batch(source_file: str, batch_at, numbers: pa.Array, lines: pa.Array, valid: pa.Array):
    count = len(numbers)
    return pa.record_batch(
        [
            pa.nulls(count, pa.string()).fill_null(source_file),
            numbers,
            lines,
            valid,
            pa.nulls(count, pa.timestamp("us")).fill_null(batch_at),
        ],
        schema=SCHEMA,
    )


def _file_row(source_file: str, batch_at) -> pa.RecordBatch:
    """The row that records a file as read: line_number 0, no text."""
    empty = pa.nulls(1, pa.large_string()), pa.nulls(1, pa.bool_())
    return _batch(source_file, batch_at, pa.array([0], pa.int64()), *empty)


def _file_batches(path: str, source_file: str, batch_at, size_bytes: int):
    """One file's non-blank lines, a batch per block of about BLOCK_BYTES."""
    first_line = 1
    # A zero-byte file is empty whatever its name: it is not opened (it may be pruned since).
    chunks = _read_chunks(path, source_file) if size_bytes > 0 else iter(())
    for chunk in chunks:
        lines, valid = _split_lines(chunk)
        if chunk.endswith(b"\n"):
            # The split's last element is what follows the final line break: the next piece.
            lines, valid = lines.slice(0, len(lines) - 1), valid.slice(0, len(valid) - 1)
        numbers = pa.array(range(first_line, first_line + len(lines)), pa.int64())
        first_line += len(lines)
        # A CRLF file's lines end in CR: that is the line terminator, not the line's text.
        if b"\r" in chunk:
            lines = pc.utf8_rtrim(lines, "\r")
        # Whitespace-only lines are ignored and counted nowhere.
        keep = pc.invert(pc.match_substring_regex(lines, BLANK_LINE))
        yield _batch(
            source_file, batch_at, numbers.filter(keep), lines.filter(keep), valid.filter(keep)
        )


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    files = dbt.ref("base_workbench__raw_files")
    if dbt.is_incremental:
        newest = session.execute(f"select max(_batch_at) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            files = files.filter(f"_batch_at > '{newest}'::timestamp")
    rows = files.select("source_file, absolute_path, _batch_at, size_bytes").order("source_file")
    files_read = rows.fetchall()
    # A stream, one block at a time: DuckDB pulls the batches as it writes the table, so memory
    # holds one block of lines. A file that cannot be read stops the stream, and DuckDB reports
    # our message (which names the file). The file rows come last (see the top).
    batches = itertools.chain(
        (
            batch
            for source_file, path, batch_at, size_bytes in files_read
            for batch in _file_batches(path, source_file, batch_at, size_bytes)
        ),
        (_file_row(source_file, batch_at) for source_file, _, batch_at, _ in files_read),
    )
    return pa.RecordBatchReader.from_batches(SCHEMA, batches)
