"""What a rotation plan could move (图书流转): a room's items not lent for N days, in shelf
order, and the city-wide suggestion of which room's unread classes go where they are read.

Read-only: making the plan is :func:`sync.central.rotation.create_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.database import tuples
from sync.central.rotation import GONE, LIVE, MAX_ITEMS, shelf_key
from sync.central.schema import (
    item_lent_days,
    items,
    loans,
    rotation_items,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item a plan could move: where it stands on the shelf and when it was last lent."""

    pii: str
    title: str
    author: str
    call_number: str
    clc_class: str
    last_lent_day: str | None


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
            items.c.status.not_in(GONE),
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
        (Candidate(*row) for row in tuples(conn, query)),
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
    present = sa.and_(items.c.status.not_in(GONE), items.c.clc_class != "")
    live = sa.select(rotation_items.c.item_pii).where(rotation_items.c.state.in_(LIVE))
    open_loans = sa.select(loans.c.item_pii).where(loans.c.returned_at.is_(None))
    stale: dict[tuple[str, str], int] = {}
    held: dict[tuple[str, str], int] = {}
    lent: dict[tuple[str, str], int] = {}
    unborrowed = sa.or_(items.c.last_lent_day.is_(None), items.c.last_lent_day <= cutoff)
    for branch, cls, n_held, n_stale in tuples(
        conn,
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
        .group_by(items.c.branch, head),
    ):
        key = (branch, clc_main_class(cls))
        held[key] = held.get(key, 0) + int(n_held)
        stale[key] = stale.get(key, 0) + int(n_stale or 0)
    for branch, cls, n in tuples(
        conn,
        sa.select(items.c.branch, head, sa.func.sum(item_lent_days.c.checkouts))
        .join(items, items.c.pii == item_lent_days.c.item_pii)
        .where(item_lent_days.c.day > since, present)
        .group_by(items.c.branch, head),
    ):
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


def _day_before(today: str, days: int) -> str:
    """The last day an item may have been lent and still count as not lent for ``days``."""
    return (date.fromisoformat(today) - timedelta(days=max(0, days))).isoformat()


def local_today(now: datetime, tz: ZoneInfo) -> str:
    return now.astimezone(tz).date().isoformat()
