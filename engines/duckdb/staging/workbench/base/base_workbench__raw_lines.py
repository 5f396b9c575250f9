"""DuckDB's line reader: every non-blank physical line of each raw event file read since the
last build (gzip decompressed), with its 1-based line number, written to the table
build_lines.main.raw_lines of the build's scratch database; and one row per file read, with
line_number 0 and no text, the record that the file was read, which is this model's table in the
warehouse.

Why the text never reaches the warehouse file: a raw line may hold what the privacy rules remove
(chat text, a password, an e-mail address), and DuckDB does not zero the blocks it frees, so a
line written to the file and deleted later stays readable in the file's bytes. The lines go to
a scratch database the plugin attaches for the process and removes when it ends
(plugins/workbench_duckdb.py); the validation reads them there, and once it has written its
verdicts its post-hook empties the table (forget_raw_text, macros/engine/files.sql). Only a
quarantined line's redacted text is kept, in the verdicts.

The file rows stay: their `_batch_at` is the reader's watermark (a build reads only the files
listed after the newest row), and a file whose lines are all blank is recorded too. A build that
stopped after reading and before judging took its lines with it, so a build first reads again
every loaded file whose row is newer than the validation's last run (_unjudged_files): such a
file was read but not judged, and nothing is lost.

Lines are read here rather than with DuckDB's JSON or CSV readers because those either fail on
schema drift or silently drop and renumber lines; every line must be accounted for with its
physical line number. Splitting is done by Arrow compute, not a Python loop per line.

Memory follows the block size, not the file size: each file is decompressed as a stream and cut
into blocks of about BLOCK_BYTES at line breaks (a line longer than that is kept whole in a block
of its own), and the lines go to DuckDB about BLOCK_BYTES at a time, ordered by event (see
EVENT_PREFIX_CHARS).

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
- A file that is not gzip or UTF-8 JSON text gets a file-level verdict instead of lines: compressed
  in another format (zstd, bzip2, xz, zip), gzip under a name without `.gz`, a `.gz` that is not
  a complete gzip file, not UTF-8 text (UTF-16 with or without a byte-order mark, or mostly bytes
  that are not UTF-8 or are NUL), or unreadable. Its file row carries the reason
  (file_reason, audit.quarantined_files) and its lines, if any were read, are never judged. The
  build stops, naming every such file and the ways out, unless the var allow_bad_files is true:
  then the rest loads and the file stays recorded.

Each file row also records the SHA-256 of the file's bytes as stored (compressed, for a `.gz`),
computed while the bytes stream past, so it costs one pass of hashing and no extra read. With the
var verify_files, the files read by earlier builds are hashed again and compared (docs/recovery.md).
"""

import gzip
import hashlib
import itertools
import zlib
from collections.abc import Iterator
from pathlib import Path

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
# The lines go to DuckDB about BLOCK_BYTES at a time (of one file or several), ordered by their
# first characters without spaces, which name the event in the lines of every client seen so far
# ({"event":"workbench....). The validation's per-property `case` expressions then see whole
# vectors of one event and skip the other events' properties. Only the order of the rows changes
# (each keeps its file and line number); a line that starts otherwise is judged the same, in a
# less useful place.
EVENT_PREFIX_CHARS = 48
# The first bytes of a file (decompressed) that decide whether it is text at all. UTF-16 text is
# about half NUL bytes; a UTF-8 file with a few bad lines is far below a quarter.
SAMPLE_BYTES = 64 * 1024
NOT_TEXT_SHARE = 0.25
COMPRESSION_MAGIC = {
    b"\x28\xb5\x2f\xfd": "zstd",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
}
GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = {b"\xff\xfe": "little-endian", b"\xfe\xff": "big-endian"}

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("raw_line", pa.large_string()),
        ("is_valid_utf8", pa.bool_()),
        ("_batch_at", pa.timestamp("us")),
        ("content_sha256", pa.string()),
        ("file_reason", pa.string()),
        ("file_detail", pa.string()),
    ]
)


class FileRejected(Exception):
    """A whole file that cannot be loaded as JSON lines: a reason code and words for a person."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class _HashingReader:
    """Reads a binary file and hashes every byte read, so the hash costs no second pass."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data

    def finish(self) -> str:
        """The hash of the whole file: bytes after the point a reader stopped count too."""
        while self.read(BLOCK_BYTES):
            pass
        return self.digest.hexdigest()


def file_sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return _HashingReader(handle).finish()


def _gzip_problem(start: bytes, exc: BaseException) -> str:
    """Say in words why a file named .gz, whose first bytes are `start`, could not be read."""
    if isinstance(exc, EOFError):
        return (
            "the gzip data is truncated: it ends before the end-of-stream marker (an upload or"
            " copy that did not finish?)"
        )
    if "Not a gzipped file" in str(exc):
        return "the gzip data is followed by bytes that are not gzip (two files joined?)"
    return f"the gzip data is corrupt ({exc})"


def _sniff_container(path: str, head: bytes) -> None:
    """Reject a file whose first stored bytes say it is not (gzip of) text."""
    for magic, name in COMPRESSION_MAGIC.items():
        if head.startswith(magic):
            raise FileRejected(
                "unsupported_compression",
                f"{name}-compressed data; only gzip (.gz) is read: decompress it, or recompress"
                " it with gzip",
            )
    is_gzip = head.startswith(GZIP_MAGIC)
    if is_gzip and not path.endswith(".gz"):
        raise FileRejected(
            "gzip_not_named_gz", "gzip data in a file whose name does not end in .gz: rename it"
        )
    if path.endswith(".gz") and not is_gzip:
        raise FileRejected(
            "corrupt_gzip",
            f"named .gz but not a gzip file (it starts with {head[:16]!r}, not the gzip magic"
            " bytes 1f 8b)",
        )


def _sniff_text(sample: bytes) -> None:
    """Reject decompressed content that is not UTF-8 text."""
    for bom, order in UTF16_BOMS.items():
        if sample.startswith(bom):
            raise FileRejected(
                "not_utf8_text",
                f"UTF-16 text ({order} byte-order mark); save it as UTF-8",
            )
    if not sample:
        return
    invalid = len(sample) - len(sample.decode("utf-8", errors="ignore").encode("utf-8"))
    share = (invalid + sample.count(b"\x00")) / len(sample)
    if share >= NOT_TEXT_SHARE:
        guess = "UTF-16 text without a byte-order mark?" if sample.count(b"\x00") else "binary?"
        raise FileRejected(
            "not_utf8_text",
            f"{share:.0%} of its first {len(sample)} bytes are NUL or not UTF-8 ({guess});"
            " save it as UTF-8",
        )


def _read_chunks(path: str, raw: _HashingReader | None = None) -> Iterator[bytes]:
    """The file's decompressed bytes in pieces of about BLOCK_BYTES, each ending at a line break
    (but the last), without a leading byte-order mark. Raises FileRejected, or OSError."""
    if raw is None:
        with open(path, "rb") as handle:
            yield from _read_chunks(path, _HashingReader(handle))
        return
    head = raw.handle.peek(16)[:16]
    if not head:
        return  # a zero-byte file is empty whatever its name
    _sniff_container(path, head)
    is_gzip = path.endswith(".gz")
    handle = gzip.GzipFile(fileobj=raw, mode="rb") if is_gzip else raw
    pending = b""
    at_start = True
    sniffed = False
    while True:
        try:
            data = handle.read(BLOCK_BYTES)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileRejected("corrupt_gzip", _gzip_problem(head, exc)) from None
        pending += data
        if not sniffed:  # the first block (all of a small file)
            sniffed = True
            _sniff_text(pending[:SAMPLE_BYTES])
        if at_start and (len(pending) >= len(UTF8_BOM) or not data):
            at_start = False
            if pending.startswith(UTF8_BOM):
                pending = pending[len(UTF8_BOM) :]
        if not data:
            break
        cut = pending.rfind(b"\n")
        if cut >= 0 and sniffed and not at_start:
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


def _constant(value, count: int, kind: pa.DataType) -> pa.Array:
    return pa.nulls(count, kind).fill_null(value) if value is not None else pa.nulls(count, kind)


def _batch(source_file: str, batch_at, numbers: pa.Array, lines: pa.Array, valid: pa.Array):
    count = len(numbers)
    return pa.record_batch(
        [
            _constant(source_file, count, pa.string()),
            numbers,
            lines,
            valid,
            _constant(batch_at, count, pa.timestamp("us")),
            pa.nulls(count, pa.string()),
            pa.nulls(count, pa.string()),
            pa.nulls(count, pa.string()),
        ],
        schema=SCHEMA,
    )


def _file_row(source_file: str, batch_at, verdict: dict) -> pa.RecordBatch:
    """The row that records a file as read: line_number 0, no text; its hash and verdict."""
    return pa.record_batch(
        [
            pa.array([source_file], pa.string()),
            pa.array([0], pa.int64()),
            pa.nulls(1, pa.large_string()),
            pa.nulls(1, pa.bool_()),
            pa.array([batch_at], pa.timestamp("us")),
            pa.array([verdict.get("sha256")], pa.string()),
            pa.array([verdict.get("reason")], pa.string()),
            pa.array([verdict.get("detail")], pa.string()),
        ],
        schema=SCHEMA,
    )


def _file_batches(
    path: str, source_file: str, batch_at, size_bytes: int, verdict: dict | None = None
):
    """One file's non-blank lines, a batch per block of about BLOCK_BYTES. Fills `verdict` with
    the file's hash and, for a file that cannot be loaded, its reason (its lines already sent
    are then never judged: base_workbench__parsed_lines skips them)."""
    verdict = {} if verdict is None else verdict
    if size_bytes == 0:
        # Empty whatever its name, and not opened: a landing zone may have pruned it since.
        verdict["sha256"] = hashlib.sha256(b"").hexdigest()
        return
    first_line = 1
    try:
        with open(path, "rb") as handle:
            raw = _HashingReader(handle)
            for chunk in _read_chunks(path, raw):
                lines, valid = _split_lines(chunk)
                if chunk.endswith(b"\n"):
                    # The split's last element is what follows the final line break.
                    lines, valid = lines.slice(0, len(lines) - 1), valid.slice(0, len(valid) - 1)
                numbers = pa.array(range(first_line, first_line + len(lines)), pa.int64())
                first_line += len(lines)
                # A CRLF file's lines end in CR: that is the line terminator, not the text.
                if b"\r" in chunk:
                    lines = pc.utf8_rtrim(lines, "\r")
                # Whitespace-only lines are ignored and counted nowhere.
                keep = pc.invert(pc.match_substring_regex(lines, BLANK_LINE))
                yield _batch(
                    source_file,
                    batch_at,
                    numbers.filter(keep),
                    lines.filter(keep),
                    valid.filter(keep),
                )
            verdict["sha256"] = raw.finish()
    except FileRejected as rejected:
        verdict.update(reason=rejected.reason, detail=rejected.detail)
        verdict.setdefault("sha256", _try_hash(path))
    except OSError as exc:
        verdict.update(reason="unreadable", detail=f"cannot be read: {exc.strerror or exc}")


def _grouped_by_event(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The lines of `batches`, about BLOCK_BYTES at a time, ordered by event (see
    EVENT_PREFIX_CHARS)."""
    pending, size = [], 0
    for batch in itertools.chain(batches, [None]):
        if batch is not None:
            pending.append(batch)
            size += batch["raw_line"].nbytes
        if pending and (batch is None or size >= BLOCK_BYTES):
            lines = pa.Table.from_batches(pending, SCHEMA).combine_chunks()
            prefix = pc.utf8_slice_codeunits(lines["raw_line"], 0, EVENT_PREFIX_CHARS)
            order = pc.sort_indices(pc.replace_substring(prefix, " ", ""))
            yield from lines.take(order).to_batches()
            pending, size = [], 0


def _try_hash(path: str) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def _is_true(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _rejected_message(rejected: list[tuple[str, dict]]) -> str:
    shown = "; ".join(f"{name} ({v['reason']}: {v['detail']})" for name, v in rejected[:10])
    more = f" and {len(rejected) - 10} more" if len(rejected) > 10 else ""
    return (
        f"{len(rejected)} raw event file(s) cannot be loaded as JSON lines: {shown}{more}. The"
        " build stopped before loading any line of the new files, so nothing is lost or counted"
        " twice. To go on without losing anything: replace each file with a UTF-8 .jsonl or gzip"
        " .jsonl.gz copy (or move it out of the landing zone) and run `dbt build` again; it is"
        " read afresh. Or load the other files and record these as quarantined"
        " (audit.quarantined_files): add allow_bad_files: true to --vars (docs/recovery.md)."
    )


def _verify_loaded(session, this, files) -> None:
    """Hash every file read by earlier builds that is still there and stop on any difference."""
    loaded = session.execute(
        f"select lines.source_file, files.absolute_path, lines.content_sha256 from {this} as lines"
        f" inner join ({files.sql_query()}) as files on lines.source_file = files.source_file"
        " where lines.line_number = 0 and lines.content_sha256 is not null"
        " order by lines.source_file"
    ).fetchall()
    changed = []
    for count, (source_file, path, expected) in enumerate(loaded, start=1):
        if Path(path).exists() and _try_hash(path) not in (expected, None):
            changed.append(source_file)
        if count % 1000 == 0:
            print(f"verify_files: {count} of {len(loaded)} files hashed", flush=True)
    print(f"verify_files: {len(loaded)} loaded files hashed, {len(changed)} changed", flush=True)
    if changed:
        names = ", ".join(f"'{name}'" for name in changed[:10])
        raise OSError(
            f"{len(changed)} raw file(s) read by an earlier build now hold other bytes (same size"
            f" and modification time, another SHA-256): {names}"
            f"{' ...' if len(changed) > 10 else ''}. Nothing was changed. To load them as they"
            f" are now, keeping every other file's events: add reload_files: [{names}] to --vars"
            " (docs/recovery.md)."
        )


def _table_exists(session, this, table: str) -> bool:
    return session.execute(
        "select count(*) > 0 from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_name = ?",
        [this.database, this.schema, table],
    ).fetchall()[0][0]


def _unjudged_files(session, this, files) -> list[tuple]:
    """(source_file, absolute_path, _batch_at, size_bytes, content_sha256) of the files an earlier
    build read but whose lines it did not judge (it stopped between this model and
    base_workbench__validated_lines, or ran only this model), with the `_batch_at` and hash of
    their file rows; absolute_path is null for a file no longer listed. Their file rows are newer
    than the stamp the validation records in staging.mart_watermarks each time it runs, or, in a
    warehouse of an earlier version without that row, than the newest verdict. A file with a
    file-level verdict has no lines to judge. Both are read by name: a ref() would make the
    reader depend on what depends on it."""
    stamps = []
    validation = "model_name = 'base_workbench__validated_lines'"
    for table, newest in (
        ("mart_watermarks", f"max(batch_at) filter ({validation})"),
        ("base_workbench__validated_lines", "max(_batch_at)"),
    ):
        if _table_exists(session, this, table):
            relation = f'"{this.database}"."{this.schema}"."{table}"'
            stamps.append(session.execute(f"select {newest} from {relation}").fetchall()[0][0])
    judged_through = max((stamp for stamp in stamps if stamp is not None), default=None)
    return session.execute(
        "select lines.source_file, files.absolute_path, lines._batch_at, files.size_bytes,"
        f" lines.content_sha256 from {this} as lines"
        f" left join ({files.sql_query()}) as files on lines.source_file = files.source_file"
        " where lines.line_number = 0 and lines.file_reason is null"
        " and (? is null or lines._batch_at > ?) order by lines.source_file",
        [judged_through, judged_through],
    ).fetchall()


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    files = dbt.ref("base_workbench__raw_files")
    again = []
    if dbt.is_incremental:
        if _is_true(dbt.config.get("verify_files")):
            _verify_loaded(session, dbt.this, files)
        again = _unjudged_files(session, dbt.this, files)
        # A warehouse of an earlier version kept the lines in this table; the unjudged ones are
        # read again.
        session.execute(f"delete from {dbt.this} where line_number > 0")
        newest = session.execute(f"select max(_batch_at) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            files = files.filter(f"_batch_at > '{newest}'::timestamp")
    rows = files.select("source_file, absolute_path, _batch_at, size_bytes").order("source_file")
    files_read = rows.fetchall()
    allow_bad_files = _is_true(dbt.config.get("allow_bad_files"))
    verdicts = {source_file: {} for source_file, *_ in files_read}
    _stop_if_gone(again)
    if again:
        print(
            f"reading again {len(again)} file(s) an earlier build read but did not judge",
            flush=True,
        )

    # A stream, one block at a time: DuckDB pulls the batches as it writes the table, so memory
    # holds one block of lines. A file read again keeps its file row, and with it its
    # `_batch_at`, newer than the verdicts, so the validation judges its lines.
    read_again = {name: {} for name, *_ in again}
    verdict_of = {**verdicts, **read_again}
    lines = pa.RecordBatchReader.from_batches(
        SCHEMA,
        _grouped_by_event(
            batch
            for name, path, batch_at, size_bytes, *_ in again + files_read
            for batch in _file_batches(path, name, batch_at, size_bytes, verdict_of[name])
        ),
    )
    session.register("workbench_lines_read", lines)
    try:
        session.execute(
            "insert into build_lines.main.raw_lines by name select source_file, line_number,"
            " raw_line, is_valid_utf8, _batch_at from workbench_lines_read"
        )
    finally:
        session.unregister("workbench_lines_read")
    rejected = [(name, v) for name, v in verdicts.items() if v.get("reason")]
    if rejected and not allow_bad_files:
        raise OSError(_rejected_message(rejected))  # the message says it all
    unreadable = [f"{name} ({v['detail']})" for name, v in read_again.items() if v.get("reason")]
    changed = [
        f"'{name}'"
        for name, _, _, _, sha256 in again
        if sha256 and read_again[name].get("sha256") not in (sha256, None)
    ]
    if unreadable or changed:
        raise OSError(
            "raw file(s) read by an earlier build that stopped before judging their lines cannot"
            f" be read again as they were: {'; '.join(unreadable[:10] + changed[:10])}"
            " (unreadable, or other bytes than when first read). The warehouse never kept their"
            " text. Restore each file as it was and run `dbt build` again, or load it as it is"
            " now with reload_files, or give up its lines with forget_files, in --vars"
            " (docs/recovery.md)."
        )
    file_rows = [
        _file_row(source_file, batch_at, verdicts[source_file])
        for source_file, _, batch_at, _ in files_read
    ]
    return pa.Table.from_batches(file_rows, SCHEMA)


def _stop_if_gone(unjudged: list[tuple]) -> None:
    """Stop when an unjudged file (_unjudged_files) to read again is gone: its lines were never
    judged, so going on would lose them. An empty one is never opened (see _file_batches), so it
    may be gone."""
    gone = [
        name
        for name, path, _, size, _ in unjudged
        if path is None or (size and not Path(path).exists())
    ]
    if gone:
        names = ", ".join(f"'{name}'" for name in gone[:10])
        raise OSError(
            f"{len(gone)} raw file(s) read by an earlier build that stopped before judging their"
            f" lines are gone: {names}{' ...' if len(gone) > 10 else ''}. The warehouse never"
            " kept their text, so they must be read again: put them back where they were and run"
            f" `dbt build` again. Or give up their lines: add forget_files: [{names}] to --vars"
            " (docs/recovery.md)."
        )
