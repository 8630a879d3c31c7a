"""The Store: the kiosk database's one connection and its repositories, one per kind of row.

One Store (one connection) is the only writer in a process. Its repositories share that
connection and its lock, in sqlite-utils' idiom of one object per table: ``store.loans``,
``store.journal``, ``store.state`` and so on, each named for what it holds. ``atomic()``
spans them all, so a checkout's loan, item status and journal row commit together. Times
are passed in by the caller, never read here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.store.catalog import Items, Patrons
from kiosk.store.connection import SharedConnection, StoreError
from kiosk.store.database import open_database
from kiosk.store.faults import Faults
from kiosk.store.journal import Journal
from kiosk.store.loans import Holds, Loans
from kiosk.store.migrations import migrate
from kiosk.store.pins import PinAttempts
from kiosk.store.policies import Policies
from kiosk.store.rotations import Rotations
from kiosk.store.state import State

__all__ = ["Store", "StoreError"]


class Store:
    """The kiosk database: open (and migrate) it, then read and write through the repositories.

    ``items``/``patrons`` hold the catalog and readers, ``loans``/``holds`` who has and who
    waits, ``journal`` every transaction and the outbox, ``faults`` device faults and events,
    ``pin_attempts`` wrong PINs and lockouts, ``rotations`` items sent on to other rooms,
    ``policies`` the replicated lending policy, and ``state`` the typed facts the UI process
    and the sync daemon leave each other.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000, migrate_now: bool = True):
        self.path = str(path)
        try:
            self.db = open_database(path, busy_timeout_ms=busy_timeout_ms)
            if migrate_now:
                migrate(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open kiosk database {self.path}: {exc}") from exc
        self._c = SharedConnection(self.db)
        self.items = Items(self._c)
        self.patrons = Patrons(self._c)
        self.loans = Loans(self._c)
        self.holds = Holds(self._c)
        self.journal = Journal(self._c)
        self.faults = Faults(self._c)
        self.pin_attempts = PinAttempts(self._c)
        self.rotations = Rotations(self._c)
        self.policies = Policies(self._c)
        self.state = State(self._c)

    def close(self) -> None:
        self._c.close()

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """One SQLite transaction (savepoint when nested); all or nothing, durable on return."""
        with self._c.atomic():
            yield self

    # --- the file as a whole -----------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap "did the UI write?" probe."""
        row = self._c.row("PRAGMA data_version")
        return int(row[0]) if row else 0

    def integrity_problems(self) -> list[str]:
        """Empty when SQLite's integrity and foreign-key checks both pass."""
        problems = [r[0] for r in self._c.rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in self._c.rows("PRAGMA foreign_key_check")]
        return problems

    def counts(self) -> dict[str, int]:
        tables = ("items", "patrons", "loans", "holds", "journal", "faults")
        return {t: int(self._c.rows(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in tables}

    def schema_steps(self) -> list[str]:
        return [
            r["name"]
            for r in self._c.rows(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'shufang-kiosk'"
                " ORDER BY id"
            )
        ]
