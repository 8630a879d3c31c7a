"""The rows a kiosk's journal row becomes at the central: its ``transactions`` row, the
conflict staff see when it was refused, and the loan a checkout opens.

Shared by the ledger (rows pushed by kiosks) and the conflict records (refusals reported
from a library system, and conflicts staff apply).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from sync import wire
from sync.central.auth import KioskIdentity
from sync.central.database import insert_row
from sync.central.schema import loans

#: Who refused a conflict's transaction: the central's own ledger, unless a kiosk reported
#: a refusal from its library system (``conflict_records.record_upstream_conflicts``).
CENTRAL = "central"


def open_loan(conn: Connection, kiosk_id: str, row: Any) -> int:
    return insert_row(
        conn,
        loans.insert().values(
            item_pii=row.item_pii,
            patron_card=row.patron_card,
            loaned_at=row.at,
            due_at=row.due_at,
            txn_id=row.id,
            kiosk_id=kiosk_id,
        ),
    )


def journal_row(
    kiosk: KioskIdentity,
    row: wire.TransactionIn | wire.UpstreamConflictIn,
    status: str,
    reason: str | None,
    applied: bool,
    applied_seq: int | None,
    now: datetime,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A ``transactions`` row for a kiosk's journal row, counted on its local day."""
    return {
        "id": row.id,
        "kiosk_id": kiosk.kiosk_id,
        "branch": kiosk.branch,
        "seq": row.seq,
        "applied_seq": applied_seq,
        "kind": row.kind,
        "patron_card": row.patron_card,
        "item_pii": row.item_pii,
        "at": row.at,
        "due_at": row.due_at,
        "decision": row.decision,
        "cancels": row.cancels,
        "status": status,
        "reason": reason,
        "applied": applied,
        "cancelled_by": None,
        "received_at": now,
        "day": row.at.astimezone(tz).date().isoformat(),
    }


def conflict_row(
    kiosk: KioskIdentity,
    row: wire.TransactionIn | wire.UpstreamConflictIn,
    reason: str | None,
    detail: str,
    now: datetime,
    source: str = CENTRAL,
) -> dict[str, Any]:
    """A ``conflicts`` row for staff; ``source`` says who refused the transaction."""
    return {
        "txn_id": row.id,
        "kiosk_id": kiosk.kiosk_id,
        "branch": kiosk.branch,
        "kind": row.kind,
        "patron_card": row.patron_card,
        "item_pii": row.item_pii,
        "at": row.at,
        "reason": reason,
        "detail": detail,
        "created_at": now,
        "source": source,
    }


def duplicate_reason(first: Any) -> str:
    """What a repeated transaction id is told: what its first copy got, if stored."""
    return f"already received: {first.status}" if first else "repeated in batch"
