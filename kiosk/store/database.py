"""Opens the kiosk database with the settings durability depends on."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

T = TypeVar("T")


def retry_while_locked(action: Callable[[], T], timeout_s: float) -> T:
    """Run ``action`` again while SQLite says the database is locked, up to ``timeout_s``.

    SQLite skips its busy handler where waiting could deadlock (switching to WAL, two
    deferred transactions both upgrading to write), so the UI process and the sync daemon
    starting together on a new file can see "database is locked" at once. Backing off and
    retrying is the documented remedy.
    """
    deadline, pause = time.monotonic() + timeout_s, 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


#: Who may read a new database file: it holds patrons' cards and PIN hashes (issue 14).
PRIVATE_MODE = 0o600


def create_private(path: str | Path) -> None:
    """Create ``path`` empty with mode 0600 when it does not exist yet (umask or not).

    SQLite gives its -wal and -shm files the mode of the database file, so they follow.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    except FileExistsError:
        return
    os.fchmod(fd, PRIVATE_MODE)
    os.close(fd)


def open_database(path: str | Path, *, busy_timeout_ms: int = 5000) -> Database:
    """SQLite in WAL mode, ``synchronous=FULL`` (a commit survives power loss), foreign keys on.

    Two processes share the file (the UI and the sync daemon), so a busy timeout lets one wait
    for the other's short write instead of failing.
    """
    memory = str(path) == ":memory:"
    if not memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,  # explicit BEGIN/COMMIT only, via Database.atomic()
        check_same_thread=False,  # guarded by the Store's lock; one writer owns it
    )
    db = Database(conn, execute_plugins=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten rows (a PIN hash the central withdrew, an old e-card secret, a
    # returned loan's card number) are zeroed on disk, not left in free space for whoever
    # takes the disk. Debian builds SQLite with this on; other builds (Python wheels, other
    # distributions) do not, so it is asked for here (issue #14, "secrets on every kiosk").
    conn.execute("PRAGMA secure_delete = ON")
    if not memory:
        retry_while_locked(db.enable_wal, busy_timeout_ms / 1000)
    conn.execute("PRAGMA synchronous = FULL")
    return db
