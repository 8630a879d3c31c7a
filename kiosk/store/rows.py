"""Conversions between stored rows and the core's dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kiosk.clock import from_text, to_text
from kiosk.models import (
    CardKind,
    Decision,
    Fault,
    Hold,
    Item,
    ItemStatus,
    Loan,
    Patron,
    Security,
    Severity,
    Transaction,
    TxnKind,
)


def upsert_sql(
    table: str, columns: tuple[str, ...], key: str, overrides: Mapping[str, str] | None = None
) -> str:
    """INSERT of ``columns`` (in the order the ``*_to_row`` function lays them out) that updates
    every other column from the new row when ``key`` exists; ``overrides`` gives a column an
    expression of its own instead of ``excluded.<column>``. One place writes upserts, so a
    column added to a row layout cannot be left out of its update."""
    overrides = overrides or {}
    updates = ", ".join(
        f"{column}={overrides.get(column, f'excluded.{column}')}"
        for column in columns
        if column != key
    )
    marks = ",".join("?" * len(columns))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        f" ON CONFLICT({key}) DO UPDATE SET {updates}"
    )


#: The items table's columns in ``item_to_row``'s order.
ITEM_COLUMNS = (
    "pii",
    "title",
    "author",
    "call_number",
    "owner_isil",
    "branch",
    "item_class",
    "set_size",
    "status",
    "cover",
)
#: The patrons table's columns in ``patron_to_row``'s order.
PATRON_COLUMNS = (
    "card_id",
    "category",
    "card_kind",
    "initials",
    "pin_hash",
    "expires_on",
    "blocks",
    "fines_cents",
)


def item_from_row(row: Any) -> Item:
    return Item(
        pii=row["pii"],
        title=row["title"],
        author=row["author"],
        call_number=row["call_number"],
        owner_isil=row["owner_isil"],
        branch=row["branch"],
        item_class=row["item_class"],
        set_size=row["set_size"],
        status=ItemStatus(row["status"]),
        cover=row["cover"] or "",
    )


def item_to_row(item: Item) -> tuple[Any, ...]:
    return (
        item.pii,
        item.title,
        item.author,
        item.call_number,
        item.owner_isil,
        item.branch,
        item.item_class,
        item.set_size,
        item.status.value,
        item.cover,
    )


#: Item status values, for checking a replicated record without building the enum.
_ITEM_STATUSES = frozenset(s.value for s in ItemStatus)


def item_row_from_record(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """A replicated item record (field names as in ``Item``, missing or null fields at their
    defaults) as ``item_to_row`` lays it out; an unknown status is refused as ``Item`` would.
    A record that says nothing of the cover (``cover`` missing or null: a rotation's move, an
    older central) gives None, which ``KEEP_COVER`` turns into the cover already stored."""
    get = record.get
    status = get("status") or "available"
    if status not in _ITEM_STATUSES:
        raise ValueError(f"{status!r} is not a valid ItemStatus")
    return (
        record["pii"],
        get("title") or "",
        get("author") or "",
        get("call_number") or "",
        get("owner_isil") or "",
        get("branch") or "",
        get("item_class") or "book",
        int(get("set_size") or 1),
        status,
        get("cover"),
    )


#: A replicated item's cover, unless the record said nothing of it (None): then the stored one.
KEEP_COVER = "COALESCE(excluded.cover, items.cover)"


def patron_from_row(row: Any) -> Patron:
    return Patron(
        card_id=row["card_id"],
        category=row["category"],
        card_kind=CardKind(row["card_kind"]),
        initials=row["initials"],
        pin_hash=row["pin_hash"],
        expires_on=date.fromisoformat(row["expires_on"]) if row["expires_on"] else None,
        blocks=tuple(b for b in row["blocks"].split(",") if b),
        fines_cents=row["fines_cents"],
    )


def patron_to_row(patron: Patron) -> tuple[Any, ...]:
    return (
        patron.card_id,
        patron.category,
        patron.card_kind.value,
        patron.initials,
        patron.pin_hash,
        patron.expires_on.isoformat() if patron.expires_on else None,
        ",".join(patron.blocks),
        patron.fines_cents,
    )


def loan_from_row(row: Any) -> Loan:
    return Loan(
        item_pii=row["item_pii"],
        patron_card=row["patron_card"],
        loaned_at=from_text(row["loaned_at"]),
        due_at=from_text(row["due_at"]),
        renewals=row["renewals"],
        offline=bool(row["offline"]),
        txn_id=row["txn_id"],
    )


def hold_from_row(row: Any) -> Hold:
    return Hold(
        id=row["id"],
        item_pii=row["item_pii"],
        patron_card=row["patron_card"],
        placed_at=from_text(row["placed_at"]),
    )


def txn_from_row(row: Any) -> Transaction:
    return Transaction(
        id=row["id"],
        seq=row["seq"],
        kind=TxnKind(row["kind"]),
        patron_card=row["patron_card"],
        item_pii=row["item_pii"],
        at=from_text(row["at"]),
        due_at=from_text(row["due_at"]) if row["due_at"] else None,
        decision=Decision(row["decision"]),
        reason=row["reason"],
        security=Security(row["security"]),
        cancels=row["cancels"],
        acked_at=from_text(row["acked_at"]) if row["acked_at"] else None,
        upstream_status=row["upstream_status"],
        upstream_reason=row["upstream_reason"],
    )


def fault_from_row(row: Any) -> Fault:
    return Fault(
        id=row["id"],
        device=row["device"],
        code=row["code"],
        severity=Severity(row["severity"]),
        message=row["message"],
        first_at=from_text(row["first_at"]),
        last_at=from_text(row["last_at"]),
        count=row["count"],
        cleared_at=from_text(row["cleared_at"]) if row["cleared_at"] else None,
    )


def opt_text(value: Any) -> str | None:
    return to_text(value) if value is not None else None
