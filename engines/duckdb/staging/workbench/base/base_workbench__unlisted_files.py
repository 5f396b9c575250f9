"""Files raw_events_glob or otlp_logs_glob should name but DuckDB's glob never lists, one row each.

DuckDB's glob silently skips a file whose name holds a backslash, fails with an obscure
"invalid UTF-8" error on a folder holding a name that is not UTF-8, and matches case-sensitively,
so `part.JSONL.GZ` is not matched by `*.jsonl*`. This model runs first (before any glob) and walks
the folders under the glob itself, names as bytes, recording every file that matches the glob
ignoring case and that DuckDB would not list:

- unreadable_name: the name holds bytes that are not UTF-8, or a backslash; rename the file;
- name_case_mismatch: it matches only when case is ignored (an upper-case extension); rename it
  to the lower-case extension (docs/input.md says why upper case is not read).

Like a file that cannot be read, such a file stops the build, naming it, unless the var
allow_bad_files is true; it is then in audit.quarantined_files. A name that is not UTF-8 stops
the build even then: DuckDB cannot list the folder that holds it.
"""

import os
import re
import stat

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("size_bytes", pa.int64()),
    ]
)
WILDCARDS = "*?["


def glob_regex(glob: str, flags: int = 0) -> re.Pattern:
    """DuckDB's glob syntax as a regex over whole paths: `**/` is any number of folders."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 1 :]:
            end = glob.index("]", i + 1)
            body = glob[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z", flags | re.DOTALL)


def walk_root(glob: str) -> str:
    """The deepest folder of the glob without wildcards: everything it can match is below."""
    parts = glob.split("/")
    for index, part in enumerate(parts):
        if any(c in part for c in WILDCARDS):
            return "/".join(parts[:index]) or "/"
    return os.path.dirname(glob) or "/"


def relative(path: str, root: str) -> str:
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def unlisted_files(glob: str, project_root: str) -> list[tuple]:
    loose, exact = glob_regex(glob, re.IGNORECASE), glob_regex(glob)
    found = []
    for folder, _, names in os.walk(os.fsencode(walk_root(glob))):
        for name in names:
            raw_path = os.path.join(folder, name)
            path = os.fsdecode(raw_path)  # undecodable bytes become lone surrogates
            if not loose.match(path):
                continue
            try:
                info = os.stat(raw_path)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            shown = raw_path.decode("utf-8", errors="backslashreplace")
            try:
                raw_path.decode("utf-8")
                odd_bytes = False
            except UnicodeDecodeError:
                odd_bytes = True
            if odd_bytes or "\\" in os.fsdecode(name):
                reason = "unreadable_name"
                detail = (
                    "its name holds bytes that are not UTF-8 (shown as \\x..)"
                    if odd_bytes
                    else "its name holds a backslash"
                ) + ", which DuckDB's glob skips: rename the file"
            elif not exact.match(path):
                reason = "name_case_mismatch"
                detail = (
                    "matches its glob only when case is ignored (extensions are read in"
                    " lower case): rename it, e.g. to .jsonl or .jsonl.gz"
                )
            else:
                continue  # DuckDB lists it
            found.append((relative(shown, project_root), reason, detail, info.st_size))
    return sorted(found)


def model(dbt, session):
    dbt.config(materialized="table")
    paths = dbt.ref("base_workbench__load_paths")
    [(project_root, *globs)] = paths.select(
        "project_root, resolved_raw_events_glob, resolved_otlp_logs_glob"
    ).fetchall()
    # Both formats' globs (an unset one is null); a file under both is one row.
    rows = sorted({row for glob in globs if glob for row in unlisted_files(glob, project_root)})
    allowed = str(dbt.config.get("allow_bad_files")).strip().lower() in ("true", "1", "yes")
    blocking = [row for row in rows if not allowed or "not UTF-8" in row[2]]
    if blocking:
        shown = "; ".join(
            f"{name} ({reason}: {detail})" for name, reason, detail, _ in blocking[:10]
        )
        allow = (
            ""
            if allowed
            else "; or load the other files and record these in audit.quarantined_files: add"
            " allow_bad_files: true to --vars (not for a name that is not UTF-8: DuckDB cannot"
            " list a folder holding one)"
        )
        # Name only the settings in use, so a flat-only project is not told about OTLP.
        settings = " / ".join(
            name for name, glob in zip(("raw_events_glob", "otlp_logs_glob"), globs, strict=True)
            if glob
        )  # fmt: skip
        raise OSError(
            f"{len(blocking)} file(s) under {settings} cannot be listed by"
            f" name, so they would never be loaded: {shown}{' ...' if len(blocking) > 10 else ''}."
            f" Nothing was loaded by this build. Rename them (or move them away) and run"
            f" `dbt build` again{allow}."
        )
    columns = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return pa.table([pa.array(c, f.type) for c, f in zip(columns, SCHEMA, strict=True)], SCHEMA)
