"""The items and patrons tables: the catalog and the readers, replicated or imported."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kiosk.models import Item, ItemStatus, Patron
from kiosk.store import rows
from kiosk.store.connection import Repository

#: A replicated item's status, unless this kiosk holds a loan of it that the central may not
#: know of yet (its "available" must not undo a local "on_loan" before the return arrives).
_KEEP_LOCAL_LOAN = (
    "CASE WHEN EXISTS (SELECT 1 FROM loans WHERE loans.item_pii = excluded.pii)"
    " THEN items.status ELSE excluded.status END"
)


class Items(Repository):
    """The catalog: one row per copy, keyed by its PII (the tag's item number)."""

    def upsert(self, items: Iterable[Item]) -> None:
        self._c.write_many(
            rows.upsert_sql("items", rows.ITEM_COLUMNS, "pii"),
            (rows.item_to_row(i) for i in items),
        )

    def get(self, pii: str) -> Item | None:
        row = self._c.row("SELECT * FROM items WHERE pii = ?", (pii,))
        return rows.item_from_row(row) if row else None

    def set_status(self, pii: str, status: ItemStatus) -> None:
        self._c.write("UPDATE items SET status = ? WHERE pii = ?", (status.value, pii))

    def replicate(self, items: Iterable[Item]) -> None:
        """Upsert the central's copy, but keep the status of an item this kiosk has on loan.

        The central may not yet know of a loan made here offline; its "available" must not
        undo the local loan's "on_loan" until the return is replayed.
        """
        self.replicate_records(rows.item_to_row(i) for i in items)

    def replicate_records(self, records: Iterable[tuple[Any, ...]]) -> None:
        """``replicate`` for rows already in ``rows.item_to_row``'s layout (made by
        ``rows.item_row_from_record`` from the central's JSON): a pull of a million items
        need not build an ``Item`` per row only to take it apart again."""
        keep = {"status": _KEEP_LOCAL_LOAN, "cover": rows.KEEP_COVER}
        self._c.write_many(rows.upsert_sql("items", rows.ITEM_COLUMNS, "pii", keep), records)

    def delete(self, pii: str) -> None:
        """Forget an item; one still on loan here stays (its loan needs it) but cannot lend."""
        with self._c.atomic():
            self._c.db.conn.execute(
                "UPDATE items SET status = ? WHERE pii = ?"
                " AND EXISTS (SELECT 1 FROM loans WHERE item_pii = ?)",
                (ItemStatus.NOT_FOR_LOAN.value, pii, pii),
            )
            self._c.db.conn.execute(
                "DELETE FROM items WHERE pii = ?"
                " AND NOT EXISTS (SELECT 1 FROM loans WHERE item_pii = ?)",
                (pii, pii),
            )


class Patrons(Repository):
    """The readers this kiosk may serve offline, keyed by card number."""

    def upsert(self, patrons: Iterable[Patron]) -> None:
        self._c.write_many(
            rows.upsert_sql("patrons", rows.PATRON_COLUMNS, "card_id"),
            (rows.patron_to_row(p) for p in patrons),
        )

    def get(self, card_id: str) -> Patron | None:
        row = self._c.row("SELECT * FROM patrons WHERE card_id = ?", (card_id,))
        return rows.patron_from_row(row) if row else None

    def delete(self, card_id: str) -> None:
        self._c.write("DELETE FROM patrons WHERE card_id = ?", (card_id,))
