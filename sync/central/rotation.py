"""Collection rotation (图书流转): plans that move items from one room to another.

A librarian picks the items (proposed here from the catalog: a room's items not lent for N
days, optionally of one 中图法 class) and a destination room. Each planned item goes into the
change feed as a ``rotation`` record, so every kiosk knows it: a return at any kiosk but the
destination's tells the reader to put it in the transfer box and marks it in transit here;
a return (or a staff member placing it) at a kiosk of the destination room marks it arrived,
and the item then belongs to that room. Staff can mark items picked or arrived on the plan's
page for the ones that never pass a kiosk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import catalog, staff_accounts, wire
from sync.central.changes import Delta, append
from sync.central.schema import (
    branches,
    item_lent_days,
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
_GONE = ("lost", "missing")


class PlanError(ValueError):
    """The plan cannot be made as asked; the message says why, for the staff page."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item a plan could move: where it stands on the shelf and when it was last lent."""

    pii: str
    title: str
    author: str
    call_number: str
    clc_class: str
    last_lent_day: str | None


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


def propose(
    conn: Connection,
    from_branch: str,
    *,
    idle_days: int,
    today: str,
    clc_prefix: str = "",
    limit: int = 500,
) -> list[Candidate]:
    """Items of ``from_branch`` not lent for ``idle_days`` (or never), on no live plan and not
    on loan: the ``limit`` stalest, listed in shelf order (call number); ``clc_prefix`` keeps
    one 中图法 class (``I`` or ``I2``)."""
    cutoff = _day_before(today, idle_days)
    live = sa.select(rotation_items.c.item_pii).where(rotation_items.c.state.in_(LIVE))
    open_loans = sa.select(loans.c.item_pii).where(loans.c.returned_at.is_(None))
    query = (
        sa.select(
            items.c.pii,
            items.c.title,
            items.c.author,
            items.c.call_number,
            items.c.clc_class,
            items.c.last_lent_day,
        )
        .where(
            items.c.branch == from_branch,
            items.c.status.not_in(_GONE),
            sa.or_(items.c.last_lent_day.is_(None), items.c.last_lent_day <= cutoff),
            items.c.pii.not_in(live),
            items.c.pii.not_in(open_loans),
        )
        # The stalest first when there are more than ``limit``: never lent, then longest ago.
        .order_by(
            sa.case((items.c.last_lent_day.is_(None), 0), else_=1),
            items.c.last_lent_day,
            items.c.call_number,
            items.c.pii,
        )
        .limit(max(1, min(limit, MAX_ITEMS)))
    )
    if clc_prefix:
        query = query.where(items.c.clc_class.startswith(clc_prefix.strip(), autoescape=True))
    return sorted(
        (Candidate(*row) for row in conn.execute(query).tuples()),
        key=lambda c: shelf_key(c.call_number),
    )


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Move up to ``quantity`` of ``stale`` unborrowed items of class ``clc`` from one room to
    the room where that class is read most (``loans_per_100`` of its own holdings)."""

    from_branch: str
    to_branch: str
    clc: str
    stale: int
    quantity: int
    loans_per_100: float


def clc_main_class(clc_class: str) -> str:
    """The 中图法 main class: the first letter, two for industrial technology (``TP``)."""
    head = clc_class.strip()[:2].upper()
    if len(head) == 2 and head[0] == "T" and head[1].isalpha():
        return head
    return head[:1]


def suggest(
    conn: Connection, *, idle_days: int, today: str, window_days: int = 180, batch: int = 500
) -> list[Suggestion]:
    """Pairs of rooms and the quantities to move, for the whole city.

    Each room's items of a class not lent for ``idle_days`` go to the room where that class
    had the most loans per 100 volumes held over the last ``window_days``; a room sends at
    most ``batch`` items (its biggest stale classes first). Items without a class, on loan or
    on a live plan are left out.
    """
    cutoff, since = _day_before(today, idle_days), _day_before(today, window_days)
    head = sa.func.substr(items.c.clc_class, 1, 2)
    present = sa.and_(items.c.status.not_in(_GONE), items.c.clc_class != "")
    live = sa.select(rotation_items.c.item_pii).where(rotation_items.c.state.in_(LIVE))
    open_loans = sa.select(loans.c.item_pii).where(loans.c.returned_at.is_(None))
    stale: dict[tuple[str, str], int] = {}
    held: dict[tuple[str, str], int] = {}
    lent: dict[tuple[str, str], int] = {}
    unborrowed = sa.or_(items.c.last_lent_day.is_(None), items.c.last_lent_day <= cutoff)
    for branch, cls, n_held, n_stale in conn.execute(
        sa.select(
            items.c.branch,
            head,
            sa.func.count(),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            unborrowed, items.c.pii.not_in(live), items.c.pii.not_in(open_loans)
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .where(present, items.c.branch != "")
        .group_by(items.c.branch, head)
    ).tuples():
        key = (branch, clc_main_class(cls))
        held[key] = held.get(key, 0) + int(n_held)
        stale[key] = stale.get(key, 0) + int(n_stale or 0)
    for branch, cls, n in conn.execute(
        sa.select(items.c.branch, head, sa.func.sum(item_lent_days.c.checkouts))
        .join(items, items.c.pii == item_lent_days.c.item_pii)
        .where(item_lent_days.c.day > since, present)
        .group_by(items.c.branch, head)
    ).tuples():
        key = (branch, clc_main_class(cls))
        lent[key] = lent.get(key, 0) + int(n or 0)
    reading = {key: 100 * n / held[key] for key, n in lent.items() if held.get(key)}
    best: dict[str, list[tuple[float, str]]] = {}
    for (branch, cls), rate in reading.items():
        best.setdefault(cls, []).append((rate, branch))
    for rooms in best.values():
        rooms.sort(key=lambda r: (-r[0], r[1]))
    by_room: dict[str, list[tuple[str, int]]] = {}
    for (branch, cls), n in stale.items():
        if n:
            by_room.setdefault(branch, []).append((cls, n))
    found = []
    for branch in sorted(by_room):
        left = batch
        for cls, n in sorted(by_room[branch], key=lambda c: (-c[1], c[0])):
            own = reading.get((branch, cls), 0.0)
            target = next(((r, b) for r, b in best.get(cls, []) if b != branch and r > own), None)
            if target is None or left <= 0:
                continue
            quantity = min(n, left)
            left -= quantity
            found.append(Suggestion(branch, target[1], cls, n, quantity, round(target[0], 1)))
    return found


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


def note_checkins(
    conn: Connection,
    kiosk_id: str,
    branch: str,
    returned: Sequence[tuple[str, str | None]],
    now: datetime,
) -> None:
    """Returns a kiosk journaled, each with the reason it gave the reader: a planned item the
    kiosk sent to the transfer box (``send_to_room``) is in transit; one checked in at a kiosk
    of its destination has arrived. A return the kiosk routed elsewhere (a reader waiting
    for it here, or a kiosk that had not heard of the plan yet) leaves it waiting. The ledger
    calls this in the transaction that applies the returns."""
    if not returned:
        return
    boxed = {pii for pii, reason in returned if reason == SENT_TO_ROOM}
    rows = conn.execute(
        sa.select(rotation_items.c.plan_id, rotation_items.c.item_pii, rotation_items.c.state)
        .add_columns(rotation_plans.c.to_branch)
        .join(rotation_plans, rotation_plans.c.id == rotation_items.c.plan_id)
        .where(
            rotation_items.c.item_pii.in_({pii for pii, _ in returned}),
            rotation_items.c.state.in_(LIVE),
        )
    ).all()
    arrived = [(r.plan_id, r.item_pii) for r in rows if r.to_branch == branch]
    moving = [
        (r.plan_id, r.item_pii)
        for r in rows
        if r.to_branch != branch and r.state == WAITING and r.item_pii in boxed
    ]
    _set_state(conn, moving, IN_TRANSIT, kiosk_id, now)
    _arrive(conn, arrived, kiosk_id, now)


def note_cancelled_checkin(conn: Connection, kiosk_id: str, pii: str, at: datetime) -> None:
    """A kiosk cancelled a return (its tag write failed): the reader kept the book, so if
    that kiosk's return had put it in transit, it is waiting on its plan again (on loan), and
    the plan's progress no longer counts it. Staff's own marks are left alone."""
    conn.execute(
        rotation_items.update()
        .where(
            rotation_items.c.item_pii == pii,
            rotation_items.c.state == IN_TRANSIT,
            rotation_items.c.changed_by == kiosk_id,
        )
        .values(state=WAITING, changed_at=at, changed_by=kiosk_id)
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
        for (pii,) in conn.execute(
            sa.select(rotation_items.c.item_pii).where(
                rotation_items.c.plan_id == plan_id,
                rotation_items.c.item_pii.in_(list(piis)),
                rotation_items.c.state.in_(before),
            )
        ).tuples()
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
        for (pii,) in conn.execute(
            sa.select(rotation_items.c.item_pii).where(
                rotation_items.c.plan_id == plan_id, rotation_items.c.state.in_(LIVE)
            )
        ).tuples()
    ]
    _set_state(conn, keys, CANCELLED, f"staff:{actor}", now)
    append(conn, [Delta("rotation", pii, "delete") for _, pii in keys], now)
    staff_accounts.audit(conn, now, actor, "rotation_cancel", f"plan {plan_id}", "")
    return len(keys)


def plans(conn: Connection) -> list[Plan]:
    """Every plan, newest first, with its items counted by state."""
    counts: dict[int, dict[str, int]] = {}
    for plan_id, state, n in conn.execute(_STATE_COUNTS).tuples():
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
    return {
        b: n for b, n in conn.execute(sa.select(branches.c.branch, branches.c.name)).tuples() if n
    }


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


def _day_before(today: str, days: int) -> str:
    """The last day an item may have been lent and still count as not lent for ``days``."""
    return (date.fromisoformat(today) - timedelta(days=max(0, days))).isoformat()


def local_today(now: datetime, tz: ZoneInfo) -> str:
    return now.astimezone(tz).date().isoformat()
