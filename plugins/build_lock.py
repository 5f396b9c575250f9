"""One build or publish at a time per warehouse file (docs/operations.md).

A build takes an exclusive lock on `<warehouse>.build.lock` before it opens the warehouse and
holds it until its process ends; a second build, or a publish, that finds the lock taken stops at
once with one line naming the holder, having touched nothing. The lock is an flock, so the
kernel drops it when its holder dies, even by kill -9: a stale lock file never blocks anything.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class BuildRunning(RuntimeError):
    """Another process holds the warehouse's build lock."""


def lock_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.name}.build.lock")


def acquire(warehouse: str | Path, what: str) -> IO[str]:
    """Take the lock or raise BuildRunning; keep the returned handle open to hold it."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held for the caller's lifetime)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise BuildRunning(
            f"{warehouse} is in use by {holder}. Nothing was touched: wait for it to finish (or"
            f" stop it), then run this {what} again."
        ) from None
    handle.seek(0)
    handle.truncate()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    command = shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])
    command = command if len(command) <= 120 else command[:117] + "..."
    handle.write(f"pid {os.getpid()} (`{command}`, started {started})\n")
    handle.flush()
    return handle
