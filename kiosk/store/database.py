"""Opens the kiosk database with the settings durability depends on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database


def open_database(path: str | Path, *, busy_timeout_ms: int = 5000) -> Database:
    """SQLite in WAL mode, ``synchronous=FULL`` (a commit survives power loss), foreign keys on.

    Two processes share the file (the UI and the sync daemon), so a busy timeout lets one wait
    for the other's short write instead of failing.
    """
    memory = str(path) == ":memory:"
    if not memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,  # explicit BEGIN/COMMIT only, via Database.atomic()
        check_same_thread=False,  # guarded by the Store's lock; one writer owns it
    )
    db = Database(conn, execute_plugins=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not memory:
        db.enable_wal()
    conn.execute("PRAGMA synchronous = FULL")
    return db
