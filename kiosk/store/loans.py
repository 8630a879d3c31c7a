"""The loans and holds tables: who has which copy, and who waits for it."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import to_text
from kiosk.models import Hold, Loan, PatronSummary
from kiosk.store import rows
from kiosk.store.connection import Repository


class Loans(Repository):
    """Open loans made or known here, one per item."""

    def get(self, pii: str) -> Loan | None:
        row = self._c.row("SELECT * FROM loans WHERE item_pii = ?", (pii,))
        return rows.loan_from_row(row) if row else None

    def of_patron(self, card_id: str) -> list[Loan]:
        return [
            rows.loan_from_row(r)
            for r in self._c.rows(
                "SELECT * FROM loans WHERE patron_card = ? ORDER BY due_at, item_pii", (card_id,)
            )
        ]

    def summary(self, card_id: str, overdue_before: datetime) -> PatronSummary:
        found = self._c.rows(
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

    def insert(self, loan: Loan) -> None:
        self._c.write(
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

    def delete(self, pii: str) -> None:
        self._c.write("DELETE FROM loans WHERE item_pii = ?", (pii,))

    def renew(self, pii: str, due_at: datetime, renewals: int, txn_id: str) -> None:
        self._c.write(
            "UPDATE loans SET due_at = ?, renewals = ?, txn_id = ? WHERE item_pii = ?",
            (to_text(due_at), renewals, txn_id, pii),
        )


class Holds(Repository):
    """Readers waiting for an item, first come first served."""

    def first(self, pii: str) -> Hold | None:
        row = self._c.row(
            "SELECT * FROM holds WHERE item_pii = ? ORDER BY placed_at, id LIMIT 1", (pii,)
        )
        return rows.hold_from_row(row) if row else None

    def add(self, pii: str, card_id: str, placed_at: datetime) -> int:
        cursor = self._c.write(
            "INSERT INTO holds (item_pii, patron_card, placed_at) VALUES (?,?,?)",
            (pii, card_id, to_text(placed_at)),
        )
        return int(cursor.lastrowid or 0)

    def remove(self, hold_id: int) -> None:
        self._c.write("DELETE FROM holds WHERE id = ?", (hold_id,))

    def place_once(self, pii: str, card_id: str, placed_at: datetime) -> None:
        """A replicated hold: replaying the same change twice must not queue the reader twice."""
        self._c.write(
            "INSERT INTO holds (item_pii, patron_card, placed_at) SELECT ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM holds WHERE item_pii = ? AND patron_card = ?)",
            (pii, card_id, to_text(placed_at), pii, card_id),
        )

    def remove_of(self, pii: str, card_id: str) -> None:
        self._c.write("DELETE FROM holds WHERE item_pii = ? AND patron_card = ?", (pii, card_id))
