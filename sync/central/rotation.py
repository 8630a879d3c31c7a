"""Collection rotation (图书流转): plans that move items from one room to another.

A librarian picks the items (proposed here from the catalog: a room's items not lent for N
days, optionally of one 中图法 class) and a destination room. Each planned item goes into the
change feed as a ``rotation`` record, so every kiosk knows it: a return at any kiosk but the
destination's tells the reader to put it in the transfer box and marks it in transit here;
a return (or a staff member placing it) at a kiosk of the destination room marks it arrived,
and the item then belongs to that room. Staff can mark items picked or arrived on the plan's
page for the ones that never pass a kiosk.

This module holds the plans themselves; what a plan could move is in
:mod:`sync.central.rotation_proposals`, how its items move in :mod:`sync.central.rotation_moves`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import staff_accounts
from sync.central.changes import Delta, append
from sync.central.database import tuples
from sync.central.schema import (
    branches,
    items,
    loans,
    rotation_items,
    rotation_plans,
)

WAITING, IN_TRANSIT, ARRIVED, CANCELLED = "waiting", "in_transit", "arrived", "cancelled"
LIVE = (WAITING, IN_TRANSIT)
#: The kiosk's reason for a return it sent to the transfer box (kiosk.reasons.SEND_TO_ROOM).
SENT_TO_ROOM = "send_to_room"
#: Most items one plan may move: a month's batch for a room is a few hundred.
MAX_ITEMS = 2000
#: Item states that cannot travel (nobody can find them on a shelf).
GONE = ("lost", "missing")


class PlanError(ValueError):
    """The plan cannot be made as asked; the message says why, for the staff page."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    pii: str
    title: str
    call_number: str
    clc_class: str
    state: str
    changed_at: datetime
    changed_by: str
    on_loan: bool

    @property
    def shelf_state(self) -> str:
        """``waiting`` split by where the item is: on the shelf (pick it) or out on loan."""
        if self.state == WAITING:
            return "on_loan" if self.on_loan else "on_shelf"
        return self.state


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    from_branch: str
    to_branch: str
    note: str
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None
    #: items by shelf state: on_shelf, on_loan, in_transit, arrived, cancelled
    counts: dict[str, int] = field(default_factory=dict)
    items: tuple[PlanItem, ...] = ()

    @property
    def total(self) -> int:
        return sum(n for state, n in self.counts.items() if state != CANCELLED)

    @property
    def done(self) -> bool:
        return self.cancelled_at is not None or self.counts.get(ARRIVED, 0) == self.total


def create_plan(
    conn: Connection,
    from_branch: str,
    to_branch: str,
    piis: Sequence[str],
    actor: str,
    now: datetime,
    note: str = "",
) -> int:
    """Record the plan and tell every kiosk about its items (in the caller's transaction)."""
    piis = list(dict.fromkeys(p.strip() for p in piis if p.strip()))
    if not from_branch or not to_branch or from_branch == to_branch:
        raise PlanError("a plan moves items between two different rooms")
    if not piis:
        raise PlanError("a plan needs at least one item")
    if len(piis) > MAX_ITEMS:
        raise PlanError(f"at most {MAX_ITEMS} items in one plan")
    found = {
        row.pii: row
        for row in conn.execute(
            sa.select(items.c.pii, items.c.branch, items.c.status)
            .where(items.c.pii.in_(piis))
            .with_for_update()
        )
    }
    unknown = [p for p in piis if p not in found]
    if unknown:
        raise PlanError("not in the catalog: " + ", ".join(unknown[:10]))
    elsewhere = [p for p in piis if found[p].branch != from_branch]
    if elsewhere:
        raise PlanError(f"not held by {from_branch}: " + ", ".join(elsewhere[:10]))
    busy: list[str] = list(
        conn.execute(
            sa.select(rotation_items.c.item_pii).where(
                rotation_items.c.item_pii.in_(piis), rotation_items.c.state.in_(LIVE)
            )
        ).scalars()
    )
    if busy:
        raise PlanError("already on another plan: " + ", ".join(sorted(busy)[:10]))
    plan_id: int = conn.execute(
        rotation_plans.insert()
        .values(
            from_branch=from_branch,
            to_branch=to_branch,
            note=note.strip()[:500],
            created_by=actor,
            created_at=now,
        )
        .returning(rotation_plans.c.id)
    ).scalar_one()
    conn.execute(
        rotation_items.insert(),
        [{"plan_id": plan_id, "item_pii": p, "state": WAITING, "changed_at": now} for p in piis],
    )
    record = wire.RotationRecord("", to_branch, room_name(conn, to_branch), plan_id)
    append(
        conn,
        [Delta("rotation", p, "upsert", wire.to_json(replace(record, item_pii=p))) for p in piis],
        now,
    )
    staff_accounts.audit(
        conn, now, actor, "rotation_plan", f"{from_branch} → {to_branch}",
        f"plan {plan_id}: {len(piis)} items",
    )  # fmt: skip
    return plan_id


def plans(conn: Connection) -> list[Plan]:
    """Every plan, newest first, with its items counted by state."""
    counts: dict[int, dict[str, int]] = {}
    for plan_id, state, n in tuples(conn, _STATE_COUNTS):
        counts.setdefault(plan_id, {})[state] = n
    rows = conn.execute(sa.select(rotation_plans).order_by(rotation_plans.c.id.desc())).all()
    return [_plan(row, counts.get(row.id, {})) for row in rows]


def plan(conn: Connection, plan_id: int) -> Plan | None:
    """One plan with its items in shelf order (call number), for its page and pick list."""
    row = conn.execute(sa.select(rotation_plans).where(rotation_plans.c.id == plan_id)).first()
    if row is None:
        return None
    found = tuple(
        PlanItem(
            r.item_pii,
            r.title or "",
            r.call_number or "",
            r.clc_class or "",
            r.state,
            r.changed_at,
            r.changed_by,
            bool(r.on_loan),
        )
        for r in conn.execute(
            sa.select(
                rotation_items.c.item_pii,
                items.c.title,
                items.c.call_number,
                items.c.clc_class,
                rotation_items.c.state,
                rotation_items.c.changed_at,
                rotation_items.c.changed_by,
                _ON_LOAN.label("on_loan"),
            )
            .select_from(rotation_items.outerjoin(items, items.c.pii == rotation_items.c.item_pii))
            .where(rotation_items.c.plan_id == plan_id)
            .order_by(items.c.call_number, rotation_items.c.item_pii)
        )
    )
    found = tuple(sorted(found, key=lambda i: shelf_key(i.call_number)))
    counts: dict[str, int] = {}
    for item in found:
        counts[item.shelf_state] = counts.get(item.shelf_state, 0) + 1
    return replace(_plan(row, counts), items=found)


def shelf_key(call_number: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """Shelf order of a 中图法 call number (``I246.5/27``): the class digit by digit, as the
    text sorts, then the book number by its value, so ``/3`` comes before ``/27``."""
    head, _, tail = call_number.partition("/")
    parts = re.findall(r"\d+|\D+", tail)
    return head, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def room_name(conn: Connection, branch: str) -> str:
    """The name readers know the room by; its code when none was set."""
    name = conn.execute(sa.select(branches.c.name).where(branches.c.branch == branch)).scalar()
    return name or branch


def room_names(conn: Connection) -> dict[str, str]:
    rows = tuples(conn, sa.select(branches.c.branch, branches.c.name))
    return {b: n for b, n in rows if n}


def _plan(row: Any, counts: dict[str, int]) -> Plan:
    return Plan(
        row.id, row.from_branch, row.to_branch, row.note, row.created_by, row.created_at,
        row.cancelled_at, counts,
    )  # fmt: skip


_ON_LOAN = (
    sa.select(loans.c.id)
    .where(loans.c.item_pii == rotation_items.c.item_pii, loans.c.returned_at.is_(None))
    .exists()
)
_SHELF_STATE = sa.case(
    (sa.and_(rotation_items.c.state == WAITING, _ON_LOAN), sa.literal("on_loan")),
    (rotation_items.c.state == WAITING, sa.literal("on_shelf")),
    else_=rotation_items.c.state,
)
_STATE_COUNTS = sa.select(rotation_items.c.plan_id, _SHELF_STATE, sa.func.count()).group_by(
    rotation_items.c.plan_id, _SHELF_STATE
)
