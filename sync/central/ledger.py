"""Applying kiosk journal rows to the authoritative loans: exactly once, in each kiosk's order.

Exactly once comes from the database: the transaction id is the primary key of
``transactions`` and each row is written in the same transaction as its loan change. Order
comes from locking the kiosk's row for the whole batch, so two pushes from one kiosk (a retry
racing the original, or two API processes) are applied one after the other, never interleaved.
At most one open loan per item is a unique index, whatever the code above it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import rollup, rotation_moves
from sync.central.auth import KioskIdentity, TokenRevoked
from sync.central.database import keyed_select, rows_for_keys
from sync.central.journal_rows import conflict_row, duplicate_reason, journal_row
from sync.central.push_batch import Batch, OpenLoan, flush
from sync.central.schema import conflicts, items, kiosks, loans, patrons, transactions

# Reasons a transaction becomes a conflict, in the words staff see.
UNKNOWN_ITEM = "unknown_item"
UNKNOWN_PATRON = "unknown_patron"
ON_LOAN_TO_ANOTHER = "item_on_loan_to_another_patron"
BLOCKED_SINCE_SYNC = "patron_blocked_since_last_sync"
BLOCKED = "patron_blocked"
NOT_ON_LOAN = "item_not_on_loan"
NO_DUE_DATE = "no_due_date"
OUT_OF_ORDER = "out_of_order"
SEQ_REUSED = "seq_reused"
UNKNOWN_CANCELLED = "cancelled_transaction_unknown"
NOT_CANCELLABLE = "only_checkouts_and_checkins_can_be_cancelled"
NOT_THIS_KIOSKS = "cancelled_transaction_of_another_kiosk"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: wire.TxnStatus  # accepted | conflict
    reason: str | None = None
    detail: str = ""
    applied: bool = True


def apply_batch(
    conn: Connection,
    kiosk: KioskIdentity,
    rows: Sequence[wire.TransactionIn],
    now: datetime,
    tz: ZoneInfo,
    token_hash: str | None = None,
) -> list[wire.TransactionResult]:
    """Apply ``rows`` in seq order; the reply is in the order the rows were sent.

    With ``token_hash`` (the caller's identity came from a cache), the kiosk's row is only
    taken if that is still its live token, else :class:`auth.TokenRevoked` is raised and
    nothing is written.

    Locks, always in this order: the kiosk's row (one batch per kiosk at a time), then the
    batch's items by PII (two kiosks lending the same books wait for each other instead of
    deadlocking). A unique-constraint clash that slips past them aborts the whole batch, and
    the caller runs it again: the re-run then sees the winner's rows.

    Decisions are made in memory from what the batch read up front; the writes are queued
    and sent in a few multi-row statements at the end (and before a cancel, which reads
    the journal).
    """
    lock = kiosks.update().where(kiosks.c.kiosk_id == kiosk.kiosk_id)
    if token_hash is not None:
        lock = lock.where(kiosks.c.token_hash == token_hash, kiosks.c.revoked_at.is_(None))
    state = conn.execute(
        lock.values(last_push_at=now).returning(kiosks.c.last_seq, kiosks.c.known_cursor)
    ).first()
    if state is None:
        raise TokenRevoked(kiosk.kiosk_id)
    last_seq = state.last_seq
    piis = [r.item_pii for r in rows]
    seen = rows_for_keys(conn, _SEEN, [r.id for r in rows])
    batch = Batch(
        kiosk=kiosk,
        known_cursor=state.known_cursor,
        items=rows_for_keys(conn, _LOCK_ITEMS, piis),
        patrons=rows_for_keys(conn, _PATRONS, [r.patron_card for r in rows]),
        open_loans={
            pii: OpenLoan(loan.patron_card, loan.loaned_at, loan.txn_id)
            for pii, loan in rows_for_keys(conn, _OPEN_LOANS, piis).items()
        },
    )
    rollup.lock_readers(conn, [r.patron_card for r in rows])
    results: dict[int, wire.TransactionResult] = {}
    handled: set[str] = set()
    for index in sorted(range(len(rows)), key=lambda i: rows[i].seq):
        row = rows[index]
        if row.id in seen or row.id in handled:
            reason = duplicate_reason(seen.get(row.id))
            results[index] = wire.TransactionResult(row.id, "duplicate", reason)
            continue
        handled.add(row.id)
        in_order = row.seq > last_seq
        if row.kind == "cancel" and in_order:
            flush(conn, batch, results)
        outcome = (
            _decide_and_apply(conn, batch, row)
            if in_order
            else _out_of_order(conn, batch, row, last_seq)
        )
        results[index] = _record(batch, index, row, outcome, now, tz, in_order)
        if in_order:
            last_seq = row.seq
            batch.applied_seqs.add(row.seq)
    flush(conn, batch, results)
    replies = [results[i] for i in range(len(rows))]
    rotation_moves.note_checkins(conn, kiosk.kiosk_id, kiosk.branch, rows, replies, now)
    conn.execute(
        kiosks.update().where(kiosks.c.kiosk_id == kiosk.kiosk_id).values(last_seq=last_seq)
    )
    return replies


_SEEN = keyed_select(transactions.c.id, transactions.c.status)
_LOCK_ITEMS = keyed_select(items.c.pii, lock=True)
_PATRONS = keyed_select(patrons.c.card_id, patrons.c.blocks, patrons.c.blocked_seq)
_OPEN_LOANS = keyed_select(
    loans.c.item_pii,
    loans.c.patron_card,
    loans.c.loaned_at,
    loans.c.txn_id,
    where=loans.c.returned_at.is_(None),
)


def _out_of_order(
    conn: Connection, batch: Batch, row: wire.TransactionIn, last_seq: int
) -> Outcome:
    """A row behind what was already applied: kept for staff, never applied behind the
    kiosk's back (its effect may contradict later rows)."""
    taken = row.seq in batch.applied_seqs or (
        conn.execute(
            sa.select(transactions.c.id).where(
                transactions.c.kiosk_id == batch.kiosk.kiosk_id,
                transactions.c.applied_seq == row.seq,
            )
        ).first()
        is not None
    )
    reason = SEQ_REUSED if taken else OUT_OF_ORDER
    return Outcome("conflict", reason, f"seq {row.seq} is not after {last_seq}", applied=False)


def _decide_and_apply(conn: Connection, batch: Batch, row: wire.TransactionIn) -> Outcome:
    if row.kind == "cancel":
        return _cancel(conn, batch, row)
    if row.item_pii not in batch.items:
        return Outcome("conflict", UNKNOWN_ITEM, f"no item {row.item_pii!r}", applied=False)
    open_loan = batch.open_loans.get(row.item_pii)
    writes = batch.writes
    if row.kind == "checkin":
        if open_loan is None:
            return Outcome("accepted", None, "was not on loan", applied=False)
        if open_loan.loaned_at > row.at:  # a late-arriving return must not end a newer loan
            return Outcome("accepted", None, "return predates the current loan", applied=False)
        if open_loan.pending is not None:
            open_loan.pending.update(returned_at=row.at, return_txn_id=row.id)
        else:
            writes.closed[open_loan.txn_id] = {
                "key": open_loan.txn_id,
                "returned_at": row.at,
                "by": row.id,
            }
        del batch.open_loans[row.item_pii]
        return Outcome("accepted")
    patron = batch.patrons.get(row.patron_card)
    if patron is None:
        return Outcome("conflict", UNKNOWN_PATRON, "card not known centrally", applied=False)
    if row.decision == "offline" and patron.blocks:
        since = patron.blocked_seq is not None and patron.blocked_seq > batch.known_cursor
        return Outcome(
            "conflict",
            BLOCKED_SINCE_SYNC if since else BLOCKED,
            "blocks: " + ", ".join(patron.blocks),
            applied=False,
        )
    if open_loan is not None and open_loan.patron_card != row.patron_card:
        return Outcome(
            "conflict",
            ON_LOAN_TO_ANOTHER,
            f"on loan since {open_loan.loaned_at.isoformat()}",
            applied=False,
        )
    if row.due_at is None:
        return Outcome("conflict", NO_DUE_DATE, "", applied=False)
    if row.kind == "renew":
        if open_loan is None:
            return Outcome("conflict", NOT_ON_LOAN, "nothing to renew", applied=False)
        if open_loan.pending is not None:
            open_loan.pending["due_at"] = row.due_at
            open_loan.pending["renewals"] += 1
        else:
            renewal = writes.renewed.setdefault(
                open_loan.txn_id, {"key": open_loan.txn_id, "times": 0}
            )
            renewal["due_at"] = row.due_at
            renewal["times"] += 1
        return Outcome("accepted")
    if open_loan is not None:  # the same reader again: one loan, not two
        return Outcome("accepted", None, "already on loan to this patron", applied=False)
    loan = {
        "item_pii": row.item_pii,
        "patron_card": row.patron_card,
        "loaned_at": row.at,
        "due_at": row.due_at,
        "renewals": 0,
        "txn_id": row.id,
        "kiosk_id": batch.kiosk.kiosk_id,
        "returned_at": None,
        "return_txn_id": None,
    }
    writes.new_loans.append(loan)
    batch.open_loans[row.item_pii] = OpenLoan(row.patron_card, row.at, row.id, pending=loan)
    return Outcome("accepted")


def _cancel(conn: Connection, batch: Batch, row: wire.TransactionIn) -> Outcome:
    """Undo a checkout or a checkin whose tag-security write failed: it never really happened.

    A cancelled checkout's loan goes; a cancelled checkin's loan comes back (the reader still
    holds the book, and later renewals of it must be accepted). The batch's queued writes
    were flushed before this, so the journal is up to date.
    """
    target = conn.execute(
        sa.select(transactions).where(transactions.c.id == (row.cancels or ""))
    ).first()
    if target is None:
        return Outcome(
            "conflict", UNKNOWN_CANCELLED, f"no transaction {row.cancels!r}", applied=False
        )
    if target.kiosk_id != batch.kiosk.kiosk_id:
        # only the kiosk whose tag write failed can undo its own row: a token for one kiosk
        # must not end, or reopen, another kiosk's loans
        return Outcome("conflict", NOT_THIS_KIOSKS, "not this kiosk's transaction", applied=False)
    if target.kind == "checkin":
        outcome = _cancel_checkin(conn, batch, target)
    elif target.kind == "checkout":
        outcome = _cancel_checkout(conn, batch, target)
    else:
        return Outcome(
            "conflict", NOT_CANCELLABLE, f"{target.id} is a {target.kind}", applied=False
        )
    if outcome.status != "accepted":
        return outcome
    rotation_moves.note_cancelled(conn, target, row.at)  # a return undone was never boxed
    conn.execute(
        transactions.update().where(transactions.c.id == target.id).values(cancelled_by=row.id)
    )
    if target.applied and target.cancelled_by is None:  # it no longer counts
        batch.writes.counted.append((target, -1))
    conn.execute(
        conflicts.update()
        .where(conflicts.c.txn_id == target.id, conflicts.c.resolved_at.is_(None))
        .values(
            resolved_at=row.at,
            resolution="cancelled",
            note=f"cancelled by the kiosk in {row.id}",
            resolved_by="kiosk",
        )
    )
    return outcome


def _cancel_checkout(conn: Connection, batch: Batch, target: Any) -> Outcome:
    conn.execute(loans.delete().where(loans.c.txn_id == target.id, loans.c.returned_at.is_(None)))
    open_loan = batch.open_loans.get(target.item_pii)
    if open_loan is not None and open_loan.txn_id == target.id:
        del batch.open_loans[target.item_pii]
    return Outcome("accepted")


def _cancel_checkin(conn: Connection, batch: Batch, target: Any) -> Outcome:
    """Reopen the loan the return closed, unless the item has been lent again since."""
    closed = conn.execute(
        sa.select(loans.c.id, loans.c.patron_card, loans.c.loaned_at, loans.c.txn_id).where(
            loans.c.return_txn_id == target.id
        )
    ).first()
    if closed is None:  # the return ended no loan here (it was not on loan centrally)
        return Outcome("accepted", None, "the return closed no loan", applied=False)
    current = batch.open_loans.get(target.item_pii)
    if current is not None:
        return Outcome(
            "conflict",
            ON_LOAN_TO_ANOTHER,
            f"lent again since the return, on {current.loaned_at.isoformat()}",
            applied=False,
        )
    conn.execute(
        loans.update().where(loans.c.id == closed.id).values(returned_at=None, return_txn_id=None)
    )
    batch.open_loans[target.item_pii] = OpenLoan(
        closed.patron_card, closed.loaned_at, closed.txn_id
    )
    return Outcome("accepted")


def _record(
    batch: Batch,
    index: int,
    row: wire.TransactionIn,
    outcome: Outcome,
    now: datetime,
    tz: ZoneInfo,
    in_order: bool,
) -> wire.TransactionResult:
    """Queue the journal row (and its conflict, which staff must see: never dropped)."""
    journal = journal_row(
        batch.kiosk, row, outcome.status, outcome.reason, outcome.applied,
        row.seq if in_order else None, now, tz,
    )  # fmt: skip
    batch.writes.journal.append(journal)
    if outcome.applied:
        batch.writes.counted.append((journal, 1))
    if outcome.status == "conflict":
        batch.writes.conflicts.append(
            (index, conflict_row(batch.kiosk, row, outcome.reason, outcome.detail, now))
        )
    return wire.TransactionResult(row.id, outcome.status, outcome.reason)
