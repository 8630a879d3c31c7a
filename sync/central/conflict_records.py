"""The conflicts staff settle: refusals reported from a library system, listing, resolving.

The central's own conflicts are raised by ``ledger.apply_batch``; those a kiosk's library
system refused (SIP2 sites) are recorded here. Either kind is listed and resolved here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import rollup, staff_accounts, staff_wire
from sync.central.auth import KioskIdentity
from sync.central.database import rows_by_key
from sync.central.journal_rows import (
    CENTRAL,
    conflict_row,
    duplicate_reason,
    journal_row,
    open_loan,
)
from sync.central.schema import conflicts, items, loans, transactions


class ResolutionError(ValueError):
    """A conflict cannot be resolved the way staff asked."""


def record_upstream_conflicts(
    conn: Connection,
    kiosk: KioskIdentity,
    rows: Sequence[wire.UpstreamConflictIn],
    now: datetime,
    tz: ZoneInfo,
) -> list[wire.UpstreamConflictResult]:
    """Keep each refused row once, as a transaction that was not applied and its conflict.

    The central is not the system of record here, so nothing touches loans: the row goes
    into ``transactions`` with status ``conflict`` and ``applied`` false (statistics count
    applied rows only), which also makes its id the dedupe key shared with ``apply_batch``.
    No ``applied_seq``: the seq is the kiosk's, not a place in the central's order. Rows are
    recorded in seq order, so conflict ids follow the kiosk's order; a resend, or a row the
    central already received any other way, is answered ``duplicate`` and changes nothing.
    A concurrent insert of the same id fails on the primary key and the caller's retry then
    finds it.
    """
    ids = [r.id for r in rows]
    seen = rows_by_key(conn, transactions.c.id, ids)
    kept = rows_by_key(conn, conflicts.c.txn_id, ids)
    results: dict[int, wire.UpstreamConflictResult] = {}
    journal: list[dict[str, Any]] = []
    new: list[tuple[int, dict[str, Any]]] = []
    handled: set[str] = set()
    for index in sorted(range(len(rows)), key=lambda i: rows[i].seq):
        row = rows[index]
        if row.id in seen or row.id in handled:
            conflict = kept.get(row.id)
            results[index] = wire.UpstreamConflictResult(
                row.id,
                "duplicate",
                conflict.id if conflict is not None else None,
                duplicate_reason(seen.get(row.id)),
            )
            continue
        handled.add(row.id)
        journal.append(journal_row(kiosk, row, "conflict", row.reason, False, None, now, tz))
        conflict = conflict_row(kiosk, row, row.reason, row.message, now, row.source)
        new.append((index, conflict))
    if new:
        conn.execute(transactions.insert(), journal)
        conflict_ids: sa.ScalarResult[int] = conn.execute(
            conflicts.insert().returning(conflicts.c.id, sort_by_parameter_order=True),
            [row for _, row in new],
        ).scalars()
        for (index, values), conflict_id in zip(new, conflict_ids, strict=True):
            results[index] = wire.UpstreamConflictResult(values["txn_id"], "recorded", conflict_id)
    return [results[i] for i in range(len(rows))]


def list_conflicts(
    conn: Connection,
    *,
    open_only: bool = False,
    kiosk_id: str | None = None,
    branch: str | None = None,
    source: str | None = None,
    created_before: datetime | None = None,
    limit: int = 500,
) -> list[staff_wire.ConflictRecord]:
    query = sa.select(conflicts).order_by(conflicts.c.id).limit(limit)
    if source:
        query = query.where(conflicts.c.source == source)
    if created_before is not None:
        query = query.where(conflicts.c.created_at < created_before)
    if open_only:
        query = query.where(conflicts.c.resolved_at.is_(None))
    if kiosk_id:
        query = query.where(conflicts.c.kiosk_id == kiosk_id)
    if branch:
        query = query.where(conflicts.c.branch == branch)
    return [staff_wire.ConflictRecord(**row._mapping) for row in conn.execute(query)]


def resolve_conflict(
    conn: Connection,
    conflict_id: int,
    resolution: staff_wire.ConflictResolution,
    staff: str,
    now: datetime,
) -> staff_wire.ConflictRecord:
    """``dismiss`` closes it; ``apply`` forces a checkout or renewal into the loans table.

    A conflict from a library system (``source`` not ``central``) is only dismissed: the
    loan lives in that system, so staff settle it there and note how; forcing it into the
    central's loans would create a loan the library system never had.
    """
    query = sa.select(conflicts).where(conflicts.c.id == conflict_id)
    conflict = conn.execute(query).first()
    if conflict is None:
        raise LookupError(f"no conflict {conflict_id}")
    # Item first, then the conflict: the order batches take their locks in.
    rows_by_key(conn, items.c.pii, [conflict.item_pii], lock=True)
    conflict = conn.execute(query.with_for_update()).one()
    if conflict.resolved_at is not None:
        raise ResolutionError(f"conflict {conflict_id} was already {conflict.resolution}")
    if resolution.action == "apply" and conflict.source != CENTRAL:
        raise ResolutionError(
            f"conflict {conflict_id} was refused by the library system ({conflict.source}), "
            "which holds the loans: settle it there, then dismiss it here with a note"
        )
    txn = conn.execute(sa.select(transactions).where(transactions.c.id == conflict.txn_id)).one()
    if resolution.action == "apply":
        _force(conn, txn)
    conn.execute(
        conflicts.update()
        .where(conflicts.c.id == conflict_id)
        .values(
            resolved_at=now,
            resolution="applied" if resolution.action == "apply" else "dismissed",
            note=resolution.note,
            resolved_by=staff,
        )
    )
    staff_accounts.audit(
        conn,
        now,
        staff,
        f"conflict.{resolution.action}",
        str(conflict_id),
        f"{conflict.kind} {conflict.item_pii} at {conflict.kiosk_id}: {resolution.note}",
    )
    row = conn.execute(sa.select(conflicts).where(conflicts.c.id == conflict_id)).one()
    return staff_wire.ConflictRecord(**row._mapping)


def _force(conn: Connection, txn: Any) -> None:
    if txn.kind not in ("checkout", "renew") or txn.cancelled_by:
        raise ResolutionError(f"a {txn.kind} conflict has nothing to apply; dismiss it")
    if txn.due_at is None:
        raise ResolutionError("the transaction has no due date")
    current = conn.execute(
        sa.select(loans).where(loans.c.item_pii == txn.item_pii, loans.c.returned_at.is_(None))
    ).first()
    if txn.kind == "renew":
        if current is None or current.patron_card != txn.patron_card:
            raise ResolutionError("the reader no longer has this item on loan")
        conn.execute(
            loans.update()
            .where(loans.c.id == current.id)
            .values(due_at=txn.due_at, renewals=loans.c.renewals + 1)
        )
    else:
        if current is not None:  # the book left with this reader: the old loan is over
            conn.execute(
                loans.update()
                .where(loans.c.id == current.id)
                .values(returned_at=txn.at, return_txn_id=txn.id)
            )
        open_loan(conn, txn.kiosk_id, txn)
    conn.execute(transactions.update().where(transactions.c.id == txn.id).values(applied=True))
    if not txn.applied:  # now it happened: the efficiency rollup counts it
        rollup.count(conn, [(txn, 1)])
