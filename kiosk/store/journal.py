"""The journal: every transaction made here, append-only, and the outbox of those unsent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from kiosk.clock import to_text
from kiosk.models import Security, Transaction
from kiosk.ports import TxnReply
from kiosk.store import rows
from kiosk.store.connection import Repository


class Journal(Repository):
    """Rows are appended by lending and acknowledged by the sync daemon, never rewritten."""

    def append(self, txn: Transaction) -> Transaction:
        cursor = self._c.write(
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

    def get(self, txn_id: str) -> Transaction | None:
        row = self._c.row("SELECT * FROM journal WHERE id = ?", (txn_id,))
        return rows.txn_from_row(row) if row else None

    def recent(self, limit: int = 100, item_pii: str | None = None) -> list[Transaction]:
        """Most recent rows first."""
        if item_pii is None:
            found = self._c.rows("SELECT * FROM journal ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            found = self._c.rows(
                "SELECT * FROM journal WHERE item_pii = ? ORDER BY seq DESC LIMIT ?",
                (item_pii, limit),
            )
        return [rows.txn_from_row(r) for r in found]

    def set_security(self, txn_id: str, security: Security) -> None:
        self._c.write("UPDATE journal SET security = ? WHERE id = ?", (security.value, txn_id))

    def pending(self, limit: int, *, after_seq: int = 0) -> list[Transaction]:
        """Unacknowledged rows in the order they were made: what the sync daemon sends next
        (after ``after_seq``: the batch after one that is out but not yet answered)."""
        return [
            rows.txn_from_row(r)
            for r in self._c.rows(
                "SELECT * FROM journal WHERE acked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            )
        ]

    def outbox_depth(self) -> int:
        row = self._c.row("SELECT count(*) AS n FROM journal WHERE acked_at IS NULL")
        return int(row["n"]) if row else 0

    def mark_acked(self, replies: Iterable[TxnReply], at: datetime) -> int:
        """Record the upstream's verdicts; only rows named in a reply are acknowledged."""
        return self._c.changes_from_many(
            "UPDATE journal SET acked_at = ?, upstream_status = ?, upstream_reason = ?"
            " WHERE id = ? AND acked_at IS NULL",
            [(to_text(at), r.status, r.reason, r.txn_id) for r in replies],
        )

    def unreported_conflicts(self, limit: int) -> list[Transaction]:
        """Rows the library system refused that the central has not recorded, oldest first."""
        return [
            rows.txn_from_row(r)
            for r in self._c.rows(
                "SELECT * FROM journal WHERE upstream_status = 'conflict'"
                " AND conflict_reported_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            )
        ]

    def mark_conflicts_reported(self, txn_ids: Iterable[str], at: datetime) -> int:
        """The central answered for these refused rows (recorded, or already had them)."""
        return self._c.changes_from_many(
            "UPDATE journal SET conflict_reported_at = ? WHERE id = ?"
            " AND upstream_status = 'conflict' AND conflict_reported_at IS NULL",
            [(to_text(at), txn_id) for txn_id in txn_ids],
        )
