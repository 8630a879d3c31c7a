"""One push batch as the ledger holds it: what it read up front and the writes it queued,
sent at the end (and before a cancel) as a few multi-row statements.

Split from ``ledger``, which decides each row of the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import rollup
from sync.central.auth import KioskIdentity
from sync.central.schema import conflicts, loans, transactions


@dataclass(slots=True)
class OpenLoan:
    patron_card: str
    loaned_at: datetime
    txn_id: str
    #: The loan's row while it is still only queued for insertion at the end of the batch.
    pending: dict[str, Any] | None = None


@dataclass(slots=True)
class Writes:
    """A batch's writes, queued and sent as a few multi-row statements (``flush``).

    Loans are addressed by ``txn_id`` (unique), so a loan opened earlier in the batch and
    changed later is changed in its queued row; changes to stored loans go first, so a stored
    loan closed in the batch is closed before a new loan of the same item is inserted.
    """

    closed: dict[str, dict[str, Any]] = field(default_factory=dict)  # stored loans by txn_id
    renewed: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_loans: list[dict[str, Any]] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (reply index, row)
    counted: list[rollup.Change] = field(default_factory=list)  # applied (+1) or cancelled (-1)


@dataclass(slots=True)
class Batch:
    """What one batch reads once up front; safe to keep because its items are locked."""

    kiosk: KioskIdentity
    known_cursor: int
    items: dict[str, Any]
    patrons: dict[str, Any]
    open_loans: dict[str, OpenLoan]
    writes: Writes = field(default_factory=Writes)
    #: Seqs applied by this batch so far (queued, not yet in ``transactions``).
    applied_seqs: set[int] = field(default_factory=set)


def flush(conn: Connection, batch: Batch, results: dict[int, wire.TransactionResult]) -> None:
    """Send the queued writes; fill in the conflict ids of the replies."""
    writes = batch.writes
    key: sa.BindParameter[str] = sa.bindparam("key")
    if writes.closed:
        conn.execute(
            loans.update()
            .where(loans.c.txn_id == key)
            .values(returned_at=sa.bindparam("returned_at"), return_txn_id=sa.bindparam("by")),
            list(writes.closed.values()),
        )
    if writes.renewed:
        conn.execute(
            loans.update()
            .where(loans.c.txn_id == key)
            .values(
                due_at=sa.bindparam("due_at"),
                renewals=loans.c.renewals + sa.bindparam("times", type_=sa.Integer),
            ),
            list(writes.renewed.values()),
        )
    if writes.new_loans:
        conn.execute(loans.insert(), writes.new_loans)
    if writes.journal:
        conn.execute(transactions.insert(), writes.journal)
    if writes.counted:
        rollup.count(conn, writes.counted)
    if writes.conflicts:
        ids: sa.ScalarResult[int] = conn.execute(
            conflicts.insert().returning(conflicts.c.id, sort_by_parameter_order=True),
            [row for _, row in writes.conflicts],
        ).scalars()
        for (index, _), conflict_id in zip(writes.conflicts, ids, strict=True):
            results[index].conflict_id = conflict_id
    for loan in batch.open_loans.values():
        loan.pending = None
    batch.writes = Writes()
