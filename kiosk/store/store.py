"""The Store: every read and write of the kiosk database, and nothing else.

One Store (one connection) is the only writer in a process; a lock makes each call and each
``atomic()`` block exclusive, so a device thread recording a fault cannot interleave with a
checkout. Times are passed in by the caller, never read here.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.clock import from_text, to_text
from kiosk.models import (
    Fault,
    Hold,
    Item,
    ItemStatus,
    Loan,
    Patron,
    PatronSummary,
    Rotation,
    Security,
    Transaction,
)
from kiosk.ports import TxnReply
from kiosk.store import rows
from kiosk.store.database import open_database
from kiosk.store.migrations import migrate

#: A replicated item's status, unless this kiosk holds a loan of it that the central may not
#: know of yet (its "available" must not undo a local "on_loan" before the return arrives).
_KEEP_LOCAL_LOAN = (
    "CASE WHEN EXISTS (SELECT 1 FROM loans WHERE loans.item_pii = excluded.pii)"
    " THEN items.status ELSE excluded.status END"
)


class StoreError(RuntimeError):
    """A database problem the operator must see (disk full, corrupt file, locked too long)."""


class Store:
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000, migrate_now: bool = True):
        self.path = str(path)
        try:
            self.db = open_database(path, busy_timeout_ms=busy_timeout_ms)
            if migrate_now:
                migrate(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open kiosk database {self.path}: {exc}") from exc
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    # --- plumbing ------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """One SQLite transaction (savepoint when nested); all or nothing, durable on return."""
        with self._lock:
            try:
                with self.db.atomic():
                    yield self
            except sqlite3.OperationalError as exc:
                if "disk" in str(exc) or "full" in str(exc):
                    raise StoreError(f"kiosk database cannot be written: {exc}") from exc
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self.db.conn.cursor()
            cursor.row_factory = sqlite3.Row
            return cursor.execute(sql, params).fetchall()

    def _row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        found = self._rows(sql, params)
        return found[0] if found else None

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.atomic():
            return self.db.conn.execute(sql, params)

    def _write_many(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        with self.atomic():
            self.db.conn.executemany(sql, params)

    # --- catalog and patrons (replicated or imported) --------------------------------------

    def upsert_items(self, items: Iterable[Item]) -> None:
        self._write_many(
            rows.upsert_sql("items", rows.ITEM_COLUMNS, "pii"),
            (rows.item_to_row(i) for i in items),
        )

    def upsert_patrons(self, patrons: Iterable[Patron]) -> None:
        self._write_many(
            rows.upsert_sql("patrons", rows.PATRON_COLUMNS, "card_id"),
            (rows.patron_to_row(p) for p in patrons),
        )

    def item(self, pii: str) -> Item | None:
        row = self._row("SELECT * FROM items WHERE pii = ?", (pii,))
        return rows.item_from_row(row) if row else None

    def patron(self, card_id: str) -> Patron | None:
        row = self._row("SELECT * FROM patrons WHERE card_id = ?", (card_id,))
        return rows.patron_from_row(row) if row else None

    def set_item_status(self, pii: str, status: ItemStatus) -> None:
        self._write("UPDATE items SET status = ? WHERE pii = ?", (status.value, pii))

    # --- loans and holds -----------------------------------------------------------------

    def loan(self, pii: str) -> Loan | None:
        row = self._row("SELECT * FROM loans WHERE item_pii = ?", (pii,))
        return rows.loan_from_row(row) if row else None

    def loans_for(self, card_id: str) -> list[Loan]:
        return [
            rows.loan_from_row(r)
            for r in self._rows(
                "SELECT * FROM loans WHERE patron_card = ? ORDER BY due_at, item_pii", (card_id,)
            )
        ]

    def patron_summary(self, card_id: str, overdue_before: datetime) -> PatronSummary:
        found = self._rows(
            "SELECT items.item_class AS item_class, count(*) AS n,"
            " sum(loans.due_at < ?) AS overdue, sum(loans.offline) AS offline"
            " FROM loans JOIN items ON items.pii = loans.item_pii"
            " WHERE loans.patron_card = ? GROUP BY items.item_class",
            (to_text(overdue_before), card_id),
        )
        return PatronSummary(
            loans=sum(r["n"] for r in found),
            overdue=sum(r["overdue"] for r in found),
            loans_by_class={r["item_class"]: r["n"] for r in found},
            offline_loans=sum(r["offline"] for r in found),
        )

    def insert_loan(self, loan: Loan) -> None:
        self._write(
            "INSERT INTO loans (item_pii, patron_card, loaned_at, due_at, renewals, offline,"
            " txn_id) VALUES (?,?,?,?,?,?,?)",
            (
                loan.item_pii,
                loan.patron_card,
                to_text(loan.loaned_at),
                to_text(loan.due_at),
                loan.renewals,
                int(loan.offline),
                loan.txn_id,
            ),
        )

    def delete_loan(self, pii: str) -> None:
        self._write("DELETE FROM loans WHERE item_pii = ?", (pii,))

    def renew_loan(self, pii: str, due_at: datetime, renewals: int, txn_id: str) -> None:
        self._write(
            "UPDATE loans SET due_at = ?, renewals = ?, txn_id = ? WHERE item_pii = ?",
            (to_text(due_at), renewals, txn_id, pii),
        )

    def first_hold(self, pii: str) -> Hold | None:
        row = self._row(
            "SELECT * FROM holds WHERE item_pii = ? ORDER BY placed_at, id LIMIT 1", (pii,)
        )
        return rows.hold_from_row(row) if row else None

    def add_hold(self, pii: str, card_id: str, placed_at: datetime) -> int:
        cursor = self._write(
            "INSERT INTO holds (item_pii, patron_card, placed_at) VALUES (?,?,?)",
            (pii, card_id, to_text(placed_at)),
        )
        return int(cursor.lastrowid or 0)

    def remove_hold(self, hold_id: int) -> None:
        self._write("DELETE FROM holds WHERE id = ?", (hold_id,))

    # --- the journal (outbox) --------------------------------------------------------------

    def append_journal(self, txn: Transaction) -> Transaction:
        cursor = self._write(
            "INSERT INTO journal (id, kind, patron_card, item_pii, at, due_at, decision, reason,"
            " security, cancels) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                txn.id,
                txn.kind.value,
                txn.patron_card,
                txn.item_pii,
                to_text(txn.at),
                rows.opt_text(txn.due_at),
                txn.decision.value,
                txn.reason,
                txn.security.value,
                txn.cancels,
            ),
        )
        return replace(txn, seq=int(cursor.lastrowid or 0))

    def transaction(self, txn_id: str) -> Transaction | None:
        row = self._row("SELECT * FROM journal WHERE id = ?", (txn_id,))
        return rows.txn_from_row(row) if row else None

    def journal(self, limit: int = 100, item_pii: str | None = None) -> list[Transaction]:
        """Most recent rows first."""
        if item_pii is None:
            found = self._rows("SELECT * FROM journal ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            found = self._rows(
                "SELECT * FROM journal WHERE item_pii = ? ORDER BY seq DESC LIMIT ?",
                (item_pii, limit),
            )
        return [rows.txn_from_row(r) for r in found]

    def set_security(self, txn_id: str, security: Security) -> None:
        self._write("UPDATE journal SET security = ? WHERE id = ?", (security.value, txn_id))

    def pending_journal(self, limit: int, *, after_seq: int = 0) -> list[Transaction]:
        """Unacknowledged rows in the order they were made: what the sync daemon sends next
        (after ``after_seq``: the batch after one that is out but not yet answered)."""
        return [
            rows.txn_from_row(r)
            for r in self._rows(
                "SELECT * FROM journal WHERE acked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            )
        ]

    def outbox_depth(self) -> int:
        row = self._row("SELECT count(*) AS n FROM journal WHERE acked_at IS NULL")
        return int(row["n"]) if row else 0

    def mark_acked(self, replies: Iterable[TxnReply], at: datetime) -> int:
        """Record the upstream's verdicts; only rows named in a reply are acknowledged."""
        params = [(to_text(at), r.status, r.reason, r.txn_id) for r in replies]
        with self.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE journal SET acked_at = ?, upstream_status = ?, upstream_reason = ?"
                " WHERE id = ? AND acked_at IS NULL",
                params,
            )
            return self.db.conn.total_changes - before

    def unreported_conflicts(self, limit: int) -> list[Transaction]:
        """Rows the library system refused that the central has not recorded, oldest first."""
        return [
            rows.txn_from_row(r)
            for r in self._rows(
                "SELECT * FROM journal WHERE upstream_status = 'conflict'"
                " AND conflict_reported_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            )
        ]

    def mark_conflicts_reported(self, txn_ids: Iterable[str], at: datetime) -> int:
        """The central answered for these refused rows (recorded, or already had them)."""
        params = [(to_text(at), txn_id) for txn_id in txn_ids]
        with self.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "UPDATE journal SET conflict_reported_at = ? WHERE id = ?"
                " AND upstream_status = 'conflict' AND conflict_reported_at IS NULL",
                params,
            )
            return self.db.conn.total_changes - before

    # --- replication from the central service (the sync daemon) ------------------------------

    def replicate_items(self, items: Iterable[Item]) -> None:
        """Upsert the central's copy, but keep the status of an item this kiosk has on loan.

        The central may not yet know of a loan made here offline; its "available" must not
        undo the local loan's "on_loan" until the return is replayed.
        """
        self.replicate_item_records(rows.item_to_row(i) for i in items)

    def replicate_item_records(self, records: Iterable[tuple[Any, ...]]) -> None:
        """``replicate_items`` for rows already in ``rows.item_to_row``'s layout (made by
        ``rows.item_row_from_record`` from the central's JSON): a pull of a million items
        need not build an ``Item`` per row only to take it apart again."""
        keep = {"status": _KEEP_LOCAL_LOAN, "cover": rows.KEEP_COVER}
        self._write_many(rows.upsert_sql("items", rows.ITEM_COLUMNS, "pii", keep), records)

    def delete_item(self, pii: str) -> None:
        """Forget an item; one still on loan here stays (its loan needs it) but cannot lend."""
        with self.atomic():
            self.db.conn.execute(
                "UPDATE items SET status = ? WHERE pii = ?"
                " AND EXISTS (SELECT 1 FROM loans WHERE item_pii = ?)",
                (ItemStatus.NOT_FOR_LOAN.value, pii, pii),
            )
            self.db.conn.execute(
                "DELETE FROM items WHERE pii = ?"
                " AND NOT EXISTS (SELECT 1 FROM loans WHERE item_pii = ?)",
                (pii, pii),
            )

    def delete_patron(self, card_id: str) -> None:
        self._write("DELETE FROM patrons WHERE card_id = ?", (card_id,))

    def place_hold_once(self, pii: str, card_id: str, placed_at: datetime) -> None:
        """A replicated hold: replaying the same change twice must not queue the reader twice."""
        self._write(
            "INSERT INTO holds (item_pii, patron_card, placed_at) SELECT ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM holds WHERE item_pii = ? AND patron_card = ?)",
            (pii, card_id, to_text(placed_at), pii, card_id),
        )

    def remove_holds_of(self, pii: str, card_id: str) -> None:
        self._write("DELETE FROM holds WHERE item_pii = ? AND patron_card = ?", (pii, card_id))

    def set_rotation(self, rotation: Rotation) -> None:
        """A replicated rotation record: the latest plan for the item wins."""
        self._write(
            "INSERT INTO rotations (item_pii, to_branch, to_name, plan_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (item_pii) DO UPDATE SET to_branch = excluded.to_branch,"
            " to_name = excluded.to_name, plan_id = excluded.plan_id",
            (rotation.item_pii, rotation.to_branch, rotation.to_name, rotation.plan_id),
        )

    def remove_rotation(self, pii: str) -> None:
        self._write("DELETE FROM rotations WHERE item_pii = ?", (pii,))

    def rotation(self, pii: str) -> Rotation | None:
        row = self._row(
            "SELECT item_pii, to_branch, to_name, plan_id FROM rotations WHERE item_pii = ?", (pii,)
        )
        return Rotation(row[0], row[1], row[2], int(row[3])) if row else None

    def returned_for_rooms(self) -> list[tuple[str, int]]:
        """Books returned here that a rotation plan sends on (in the transfer box until they
        arrive): (room, count), most first."""
        return [
            (row[0], int(row[1]))
            for row in self._rows(
                "SELECT CASE WHEN r.to_name != '' THEN r.to_name ELSE r.to_branch END AS room,"
                " count(*) FROM rotations r JOIN items i ON i.pii = r.item_pii"
                " WHERE i.status = 'in_transit' GROUP BY room ORDER BY 2 DESC, room"
            )
        ]

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap "did the UI write?" probe."""
        row = self._row("PRAGMA data_version")
        return int(row[0]) if row else 0

    # --- fault reports (the sync daemon's heartbeat) -----------------------------------------

    def faults_to_report(self, cleared_after: str | None, limit: int = 200) -> list[Fault]:
        """Faults whose count the central has not seen, and faults cleared after the watermark.

        ``reported_count`` (schema m002) records the count last sent, so each change is sent
        once; a clear does not change the count, so clears are found by their time instead.
        """
        found = self._rows(
            "SELECT * FROM faults WHERE count != reported_count"
            " OR (cleared_at IS NOT NULL AND cleared_at > ?) ORDER BY last_at, id LIMIT ?",
            (cleared_after or "", limit),
        )
        return [rows.fault_from_row(r) for r in found]

    def mark_faults_reported(self, reported: Iterable[tuple[int, int]]) -> None:
        """``(fault id, count sent)`` pairs the central acknowledged."""
        self._write_many(
            "UPDATE faults SET reported_count = ? WHERE id = ?",
            ((count, fault_id) for fault_id, count in reported),
        )

    # --- PIN lockout ---------------------------------------------------------------------

    def pin_attempts(self, card_id: str) -> tuple[int, str | None]:
        row = self._row(
            "SELECT failures, locked_until FROM pin_attempts WHERE card_id = ?", (card_id,)
        )
        return (row["failures"], row["locked_until"]) if row else (0, None)

    def record_pin_failure(
        self, card_id: str, failures: int, locked_until: datetime | None
    ) -> None:
        self._write(
            "INSERT INTO pin_attempts (card_id, failures, locked_until) VALUES (?,?,?)"
            " ON CONFLICT(card_id) DO UPDATE SET failures = excluded.failures,"
            " locked_until = excluded.locked_until",
            (card_id, failures, rows.opt_text(locked_until)),
        )

    def clear_pin_failures(self, card_id: str) -> None:
        self._write("DELETE FROM pin_attempts WHERE card_id = ?", (card_id,))

    def apply_pin_lockout(self, card_id: str, locked_until: datetime) -> None:
        """A lockout from elsewhere in the city (the change feed): kept unless the card is
        already locked here for longer. Stored times are UTC text, so text order is time."""
        self._write(
            "INSERT INTO pin_attempts (card_id, failures, locked_until) VALUES (?,0,?)"
            " ON CONFLICT(card_id) DO UPDATE SET failures = 0, locked_until = excluded.locked_until"
            " WHERE pin_attempts.locked_until IS NULL"
            " OR pin_attempts.locked_until < excluded.locked_until",
            (card_id, to_text(locked_until)),
        )

    def pin_failure_counts(self, now: datetime) -> dict[str, int]:
        """Cards with wrong PINs here and no lockout running: card → wrong PINs in a row."""
        found = self._rows(
            "SELECT card_id, failures FROM pin_attempts WHERE failures > 0"
            " AND (locked_until IS NULL OR locked_until <= ?)",
            (to_text(now),),
        )
        return {row["card_id"]: row["failures"] for row in found}

    def pin_lockouts_after(self, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
        """Cards locked here until after both ``since`` and ``now``: what the sync daemon has
        not reported yet (it remembers the latest end it reported)."""
        found = self._rows(
            "SELECT card_id, locked_until FROM pin_attempts"
            " WHERE locked_until > ? AND locked_until > ? ORDER BY locked_until",
            (to_text(since), to_text(now)),
        )
        return [(row["card_id"], from_text(row["locked_until"])) for row in found]

    # --- faults ---------------------------------------------------------------------------

    def record_fault(
        self, device: str, code: str, severity: str, message: str, at: datetime
    ) -> None:
        """One open record per device and code: a repeat raises its count, never floods."""
        self._write(
            "INSERT INTO faults (device, code, severity, message, first_at, last_at)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT(device, code) WHERE cleared_at IS NULL"
            " DO UPDATE SET count = count + 1, last_at = excluded.last_at,"
            " message = excluded.message, severity = excluded.severity",
            (device, code, severity, message, to_text(at), to_text(at)),
        )

    def clear_fault(self, device: str, code: str, at: datetime) -> None:
        self._write(
            "UPDATE faults SET cleared_at = ? WHERE device = ? AND code = ? AND cleared_at IS NULL",
            (to_text(at), device, code),
        )

    def record_event(self, device: str, code: str, message: str, at: datetime) -> None:
        """An info record that is closed at once: one row per event, never merged by count.

        Diagnostics mode logs each technician action this way, so the fault log shows it and
        the heartbeat reports it like a fault, without a table of its own.
        """
        self._write(
            "INSERT INTO faults (device, code, severity, message, first_at, last_at, cleared_at)"
            " VALUES (?,?,'info',?,?,?,?)",
            (device, code, message, to_text(at), to_text(at), to_text(at)),
        )

    def faults(self, *, open_only: bool = False, limit: int = 200) -> list[Fault]:
        where = "WHERE cleared_at IS NULL" if open_only else ""
        return [
            rows.fault_from_row(r)
            for r in self._rows(
                f"SELECT * FROM faults {where} ORDER BY last_at DESC LIMIT ?", (limit,)
            )
        ]

    # --- key/value state (sync cursors, online flag, out-of-service) -------------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self._row("SELECT value FROM state WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_state(self, key: str, value: str) -> None:
        self._write(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key)"
            " DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- health ----------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """Empty when SQLite's integrity and foreign-key checks both pass."""
        problems = [r[0] for r in self._rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in self._rows("PRAGMA foreign_key_check")]
        return problems

    def counts(self) -> dict[str, int]:
        tables = ("items", "patrons", "loans", "holds", "journal", "faults")
        return {t: int(self._rows(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in tables}

    def schema_steps(self) -> list[str]:
        return [
            r["name"]
            for r in self._rows(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'shufang-kiosk'"
                " ORDER BY id"
            )
        ]

    # --- replicated policy -------------------------------------------------------------------

    def save_policy(self, version: str, document: str, at: datetime) -> None:
        """Store a policy version from the central service and make it the active one."""
        with self.atomic():
            self.db.conn.execute("UPDATE policies SET active = 0 WHERE active = 1")
            self.db.conn.execute(
                "INSERT INTO policies (version, document, received_at, active) VALUES (?,?,?,1)"
                " ON CONFLICT(version) DO UPDATE SET document = excluded.document, active = 1",
                (version, document, to_text(at)),
            )

    def active_policy_document(self) -> str | None:
        row = self._row("SELECT document FROM policies WHERE active = 1")
        return row["document"] if row else None
