"""Endpoints kiosks call with their own token: push transactions, pull changes, heartbeat."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import auth, catalog, changes, heartbeats, ledger
from sync.central.batch_checks import MAX_KEY, refuse_bad_batch, row_problem
from sync.central.database import reading, write_with_retry, writing
from sync.central.deps import CheckedKiosk, Kiosk, RuntimeDep, unauthorized

router = APIRouter(tags=["kiosk"])


@router.post("/transactions", response_model=wire.BatchResult)
async def push_transactions(
    batch: wire.TransactionBatch, caller: CheckedKiosk, rt: RuntimeDep
) -> wire.BatchResult:
    """Apply journal rows exactly once, in the kiosk's seq order; conflicts are kept."""
    refuse_bad_batch(batch.transactions, rt.settings.max_batch, "transaction", _problem)

    def apply(conn: Connection) -> list[wire.TransactionResult]:
        # The identity may be cached: the ledger checks the token in this transaction.
        return ledger.apply_batch(
            conn, caller.identity, batch.transactions, rt.clock.now(), rt.settings.timezone,
            token_hash=caller.token_hash,
        )  # fmt: skip

    try:
        results = await rt.run_db(write_with_retry, rt.engine, apply)
    except auth.TokenRevoked:
        rt.tokens.forget(caller.token_hash)
        raise unauthorized("kiosk") from None
    return wire.BatchResult(results=results)


def _problem(row: wire.TransactionIn) -> str | None:
    """What the type checks cannot say: the whole batch is refused, nothing half applied."""
    problem = row_problem(row)
    if problem is None and row.reason is not None and len(row.reason) > MAX_KEY:
        problem = f"reason longer than {MAX_KEY} characters"
    return problem


#: Largest count a heartbeat may carry: the columns are 32-bit, and no outbox or fault
#: repeats a billion times.
MAX_COUNT = 10**9


def _beat_problem(beat: wire.Heartbeat) -> str | None:
    if not 0 <= beat.outbox_depth <= MAX_COUNT:
        return f"outbox_depth must be 0-{MAX_COUNT}"
    for fault in beat.faults:
        if not 0 <= fault.count <= MAX_COUNT:
            return f"fault {fault.code[:40]!r}: count must be 0-{MAX_COUNT}"
    return None


@router.get("/changes", response_model=wire.ChangesPage)
def pull_changes(
    kiosk: Kiosk,
    rt: RuntimeDep,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1)] = 500,
    known: Annotated[int | None, Query(ge=0)] = None,
) -> wire.ChangesPage:
    """Changes after ``cursor``, oldest first; repeat with ``next_cursor`` to resume.

    ``known``: what the kiosk has applied, when it asks ahead of that (it fetches the next
    page while applying one); without it, ``cursor`` is taken as known.
    """
    with writing(rt.engine) as conn:
        applied = cursor if known is None else min(known, cursor)
        changes.note_kiosk_cursor(conn, kiosk.kiosk_id, applied)
    with reading(rt.engine) as conn:
        puller = changes.Puller(kiosk.branch, catalog.pin_hash_scope(conn))
        body = changes.page_body(conn, cursor, min(limit, rt.settings.max_page), puller)
    # Stored payloads spliced in as JSON text: sent as is, not decoded and re-validated.
    return Response(body, media_type="application/json")  # type: ignore[return-value]


@router.get("/policy", response_model=wire.PolicyRecord)
def get_policy(kiosk: Kiosk, rt: RuntimeDep) -> wire.PolicyRecord:
    """The current policy and e-card keys, for a kiosk that wants them without paging."""
    with reading(rt.engine) as conn:
        return catalog.current_policy(conn)


@router.post("/heartbeat", response_model=wire.HeartbeatAck)
async def heartbeat(
    beat: wire.Heartbeat, caller: CheckedKiosk, rt: RuntimeDep
) -> wire.HeartbeatAck:
    """Record the kiosk's state and faults; the reply tells it what to pull next.

    Recorded together with other kiosks' beats in one transaction (``beat_writer``); the reply
    comes after that transaction has committed.
    """
    problem = _beat_problem(beat)
    if problem:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    received = heartbeats.ReceivedBeat(
        caller.identity.kiosk_id, beat, rt.clock.now(), token_hash=caller.token_hash
    )
    try:
        ack = await rt.heartbeats.record(received)
    except auth.TokenRevoked:
        rt.tokens.forget(caller.token_hash)
        raise unauthorized("kiosk") from None
    # Encoded here rather than re-validated against the response model: the ack is ours.
    return Response(json.dumps(wire.to_json(ack)), media_type="application/json")  # type: ignore[return-value]
