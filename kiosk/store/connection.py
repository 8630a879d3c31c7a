"""The store's one connection: its lock, and the few ways a repository reads and writes.

Every repository of a ``Store`` shares one ``SharedConnection``, so there is still one
writer per process; the lock makes each call and each ``atomic()`` block exclusive, so a
device thread recording a fault cannot interleave with a checkout.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database


class StoreError(RuntimeError):
    """A database problem the operator must see (disk full, corrupt file, locked too long)."""


class SharedConnection:
    """One sqlite-utils ``Database`` and the lock that guards it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.RLock()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One SQLite transaction (savepoint when nested); all or nothing, durable on return."""
        with self.lock:
            try:
                with self.db.atomic():
                    yield
            except sqlite3.OperationalError as exc:
                if "disk" in str(exc) or "full" in str(exc):
                    raise StoreError(f"kiosk database cannot be written: {exc}") from exc
                raise

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            cursor = self.db.conn.cursor()
            cursor.row_factory = sqlite3.Row
            return cursor.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.atomic():
            return self.db.conn.execute(sql, params)

    def write_many(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        with self.atomic():
            self.db.conn.executemany(sql, params)

    def changes_from_many(self, sql: str, params: Iterable[Sequence[Any]]) -> int:
        """``write_many`` that returns how many rows it changed."""
        with self.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(sql, params)
            return self.db.conn.total_changes - before

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()


class Repository:
    """What every repository is: a view of some tables through the store's one connection."""

    def __init__(self, connection: SharedConnection) -> None:
        self._c = connection
