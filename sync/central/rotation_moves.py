"""How a rotation plan's items move (图书流转): kiosk returns put them in transit or mark them
arrived (a cancelled return undoes that), staff mark them by hand, and a plan can be ended.

An arrived item belongs to the destination room from then on (catalog, holdings, kiosks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import catalog, staff_accounts
from sync.central.changes import Delta, append
from sync.central.database import tuples
from sync.central.rotation import (
    ARRIVED,
    CANCELLED,
    IN_TRANSIT,
    LIVE,
    SENT_TO_ROOM,
    WAITING,
    PlanError,
)
from sync.central.schema import (
    items,
    rotation_items,
    rotation_plans,
)


def note_checkins(
    conn: Connection,
    kiosk_id: str,
    branch: str,
    rows: Sequence[wire.TransactionIn],
    replies: Sequence[wire.TransactionResult],
    now: datetime,
) -> None:
    """Returns a kiosk journaled, each with the reason it gave the reader: a planned item the
    kiosk sent to the transfer box (``send_to_room``) is in transit; one checked in at a kiosk
    of its destination has arrived. A return the kiosk routed elsewhere (a reader waiting
    for it here, or a kiosk that had not heard of the plan yet), or cancelled in the same
    batch (the tag write failed: the reader kept the book), leaves it waiting. The ledger
    calls this with the batch's rows and replies, in the transaction that applied them."""
    accepted = [row for row, reply in zip(rows, replies, strict=True) if reply.status == "accepted"]
    undone = {row.cancels for row in accepted if row.kind == "cancel"}
    returned = [r for r in accepted if r.kind == "checkin" and r.id not in undone]
    if not returned:
        return
    boxed = {r.item_pii for r in returned if r.reason == SENT_TO_ROOM}
    planned = conn.execute(
        sa.select(rotation_items.c.plan_id, rotation_items.c.item_pii, rotation_items.c.state)
        .add_columns(rotation_plans.c.to_branch)
        .join(rotation_plans, rotation_plans.c.id == rotation_items.c.plan_id)
        .where(
            rotation_items.c.item_pii.in_({r.item_pii for r in returned}),
            rotation_items.c.state.in_(LIVE),
        )
    ).all()
    arrived = [(r.plan_id, r.item_pii) for r in planned if r.to_branch == branch]
    moving = [
        (r.plan_id, r.item_pii)
        for r in planned
        if r.to_branch != branch and r.state == WAITING and r.item_pii in boxed
    ]
    _set_state(conn, moving, IN_TRANSIT, kiosk_id, now)
    _arrive(conn, arrived, kiosk_id, now)


def note_cancelled(conn: Connection, target: Any, at: datetime) -> None:
    """A kiosk cancelled one of its journal rows (``target``). A cancelled return: the tag
    write failed and the reader kept the book, so if that kiosk's return had put it in
    transit, it is waiting on its plan again (on loan), and the plan's progress no longer
    counts it. Staff's own marks are left alone."""
    if target.kind != "checkin":
        return
    conn.execute(
        rotation_items.update()
        .where(
            rotation_items.c.item_pii == target.item_pii,
            rotation_items.c.state == IN_TRANSIT,
            rotation_items.c.changed_by == target.kiosk_id,
        )
        .values(state=WAITING, changed_at=at, changed_by=target.kiosk_id)
    )


def mark(
    conn: Connection, plan_id: int, piis: Sequence[str], state: str, actor: str, now: datetime
) -> int:
    """Staff say items were picked (in transit) or have arrived; return how many changed."""
    if state not in (IN_TRANSIT, ARRIVED):
        raise PlanError(f"items can be marked {IN_TRANSIT} or {ARRIVED}, not {state!r}")
    before = (WAITING,) if state == IN_TRANSIT else LIVE
    keys: list[tuple[int, str]] = [
        (plan_id, pii)
        for (pii,) in tuples(
            conn,
            sa.select(rotation_items.c.item_pii).where(
                rotation_items.c.plan_id == plan_id,
                rotation_items.c.item_pii.in_(list(piis)),
                rotation_items.c.state.in_(before),
            ),
        )
    ]
    who = f"staff:{actor}"
    if state == IN_TRANSIT:
        _set_state(conn, keys, IN_TRANSIT, who, now)
    else:
        _arrive(conn, keys, who, now)
    if keys:
        staff_accounts.audit(
            conn, now, actor, f"rotation_{state}", f"plan {plan_id}", f"{len(keys)} items"
        )
    return len(keys)


def cancel(conn: Connection, plan_id: int, actor: str, now: datetime) -> int:
    """End a plan: items not yet arrived stay where they are and kiosks forget them."""
    found = conn.execute(
        rotation_plans.update()
        .where(rotation_plans.c.id == plan_id, rotation_plans.c.cancelled_at.is_(None))
        .values(cancelled_at=now)
        .returning(rotation_plans.c.id)
    ).first()
    if found is None:
        raise PlanError(f"no open plan {plan_id}")
    keys: list[tuple[int, str]] = [
        (plan_id, pii)
        for (pii,) in tuples(
            conn,
            sa.select(rotation_items.c.item_pii).where(
                rotation_items.c.plan_id == plan_id, rotation_items.c.state.in_(LIVE)
            ),
        )
    ]
    _set_state(conn, keys, CANCELLED, f"staff:{actor}", now)
    append(conn, [Delta("rotation", pii, "delete") for _, pii in keys], now)
    staff_accounts.audit(conn, now, actor, "rotation_cancel", f"plan {plan_id}", "")
    return len(keys)


def _set_state(
    conn: Connection, keys: Sequence[tuple[int, str]], state: str, by: str, now: datetime
) -> None:
    if not keys:
        return
    conn.execute(
        rotation_items.update()
        .where(
            rotation_items.c.plan_id == sa.bindparam("p"),
            rotation_items.c.item_pii == sa.bindparam("i"),
        )
        .values(state=state, changed_at=now, changed_by=by),
        [{"p": plan_id, "i": pii} for plan_id, pii in keys],
    )


def _arrive(conn: Connection, keys: Sequence[tuple[int, str]], by: str, now: datetime) -> None:
    """The items are in their new room: it holds them now (catalog, holdings, kiosks)."""
    if not keys:
        return
    _set_state(conn, keys, ARRIVED, by, now)
    to_branch: dict[int, str] = dict(
        conn.execute(
            sa.select(rotation_plans.c.id, rotation_plans.c.to_branch).where(
                rotation_plans.c.id.in_({plan_id for plan_id, _ in keys})
            )
        ).all()
    )
    piis = [pii for _, pii in keys]
    destination = {pii: to_branch[plan_id] for plan_id, pii in keys}
    fields = [f for f in wire.ItemRecord.__dataclass_fields__ if f != "cover"]  # kiosks keep it
    moved = [
        wire.ItemRecord(**{**{f: row._mapping[f] for f in fields}, "branch": destination[row.pii]})
        for row in conn.execute(sa.select(items).where(items.c.pii.in_(piis)))
    ]
    catalog.upsert_items(conn, moved, now)
    append(conn, [Delta("rotation", pii, "delete") for pii in piis], now)
