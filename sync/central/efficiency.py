"""Service efficiency (服务效能) of every room over a period, compared with the city.

What a culture bureau asks: how many readers each room serves, how much it lends for its
size and opening hours, whether its collection circulates, whether its kiosk works. Every
figure is computed in SQL from the ledger (applied, not cancelled transactions: what really
happened) as :mod:`sync.central.rollup` keeps it per room and day, the catalog, door
counters and the fleet's health, for local days [since, until].

Visits are the door counter's when a room has one for the period, otherwise reader-days
(distinct readers per day), which undercounts people who only read in the room: the page
says which. A room is flagged when one of the ``FLAG_METRICS`` is below ``flag_share`` of the
city median, naming the metric, so a director sees why.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import branches, fleet_health
from sync.central.database import tuples
from sync.central.fleet_health_tables import faults
from sync.central.rollup import NONE, NOT_HELD
from sync.central.schema import (
    item_lent_days,
    items,
    kiosks,
    reader_days,
    reader_firsts,
    room_days,
    room_holdings,
    room_reader_firsts,
    room_reader_lasts,
    visits,
)

#: Holdings not borrowed for this many days count as stale.
STALE_DAYS = 90
#: The measures a weak room is flagged on (below ``flag_share`` of the city median).
FLAG_METRICS = ("visits", "loans", "loans_per_open_hour", "turnover")
#: Items that are not on the shelf to lend count as no holding.
_NOT_HELD = NOT_HELD


@dataclass(slots=True)
class RoomMeasures:
    branch: str
    district: str = ""
    seats: int = 0
    weekly_open_hours: float = 0.0
    loans: int = 0
    returns: int = 0
    renewals: int = 0
    readers: int = 0
    new_readers: int = 0
    visits: int = 0
    visits_counted: bool = False  # True: door counter; False: reader-days
    holdings: int = 0
    stale: int = 0
    uptime_percent: float | None = None
    faults: int = 0
    loans_per_open_hour: float | None = None
    loans_per_seat: float | None = None
    turnover: float | None = None  # loans per 100 volumes held
    stale_share: float | None = None
    rank: int = 0
    flags: list[str] = field(default_factory=list)
    loans_change: float | None = None  # against the previous period, as a fraction
    visits_change: float | None = None


@dataclass(frozen=True, slots=True)
class CityFigures:
    total: dict[str, float]
    mean: dict[str, float]
    median: dict[str, float]


@dataclass(frozen=True, slots=True)
class Efficiency:
    since: date
    until: date
    rooms: list[RoomMeasures]  # by loans, most first
    city: CityFigures
    flag_share: float


NUMERIC = (
    "visits", "loans", "returns", "renewals", "readers", "new_readers", "loans_per_open_hour",
    "loans_per_seat", "turnover", "stale_share", "uptime_percent", "faults",
)  # fmt: skip


def measure(
    conn: Connection,
    since: date,
    until: date,
    tz: ZoneInfo,
    online_window: timedelta,
    now: datetime,
    flag_share: float = 0.5,
    compare: bool = True,
) -> Efficiency:
    rooms = _measure(conn, since, until, tz, online_window, now)
    if compare:
        length = (until - since).days + 1
        before = _measure(
            conn,
            since - timedelta(days=length),
            since - timedelta(days=1),
            tz,
            online_window,
            now,
            full=False,
        )
        for room in rooms.values():
            old = before.get(room.branch)
            if old is not None:
                room.loans_change = _change(room.loans, old.loans)
                room.visits_change = _change(room.visits, old.visits)
    ordered = sorted(rooms.values(), key=lambda r: (-r.loans, r.branch))
    for rank, room in enumerate(ordered, start=1):
        room.rank = rank
    city = _city(ordered)
    for room in ordered:
        room.flags = [
            name
            for name in FLAG_METRICS
            if (value := getattr(room, name)) is not None
            and city.median.get(name)
            and value < flag_share * city.median[name]
        ]
    return Efficiency(since, until, ordered, city, flag_share)


def _change(now: float, before: float) -> float | None:
    return (now - before) / before if before else None


def _bounds(since: date, until: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(since, time(0), tz)
    end = datetime.combine(until + timedelta(days=1), time(0), tz)
    return start, end


def _measure(
    conn: Connection,
    since: date,
    until: date,
    tz: ZoneInfo,
    online_window: timedelta,
    now: datetime,
    full: bool = True,
) -> dict[str, RoomMeasures]:
    """The room measures from the rollup (:mod:`sync.central.rollup`); with ``full`` false
    only loans, returns, renewals and visits (what the change against the period before
    needs)."""
    lo, hi = since.isoformat(), until.isoformat()
    known = branches.rooms(conn)
    rooms: dict[str, RoomMeasures] = {}

    def room(name: str) -> RoomMeasures:
        if name not in rooms:
            info = known.get(name)
            rooms[name] = RoomMeasures(
                name,
                district=info.district if info else "",
                seats=info.seats if info else 0,
                weekly_open_hours=info.weekly_open_hours if info else 0.0,
            )
        return rooms[name]

    for name in known:
        room(name)
    for name in conn.execute(sa.select(kiosks.c.branch).distinct()).scalars():
        room(name)
    d = room_days.c
    sums = (sa.func.sum(d.loans), sa.func.sum(d.returns), sa.func.sum(d.renewals))
    for row in conn.execute(
        sa.select(d.branch, *sums, sa.func.sum(d.reader_days))
        .where(d.day >= lo, d.day <= hi)
        .group_by(d.branch)
        .having(sa.func.sum(d.loans + d.returns + d.renewals + d.reader_days) > 0)
    ):
        measured = room(row.branch)
        measured.loans, measured.returns, measured.renewals = (int(v) for v in row[1:4])
        measured.visits = int(row[4])  # reader-days, unless a door counter says otherwise
    start, end = _bounds(since, until, tz)
    for row in conn.execute(
        sa.select(visits.c.branch, sa.func.sum(visits.c.count))
        .where(visits.c.hour >= start, visits.c.hour < end)
        .group_by(visits.c.branch)
    ):
        measured = room(row.branch)
        measured.visits = int(row[1] or 0)
        measured.visits_counted = True
    if not full:
        return rooms
    for name, count in _readers(conn, lo, hi).items():
        room(name).readers = count
    for name, count in _new_readers(conn, lo, hi).items():
        room(name).new_readers = count
    recent_from = (until - timedelta(days=STALE_DAYS - 1)).isoformat()
    lent_by_branch: dict[str, int] = {}
    for branch, held, lately in _holdings(conn, recent_from):
        if branch:
            room(branch).holdings = held
            lent_by_branch[branch] = lately
    for name, count in _lent_after(conn, recent_from, hi).items():
        lent_by_branch[name] = lent_by_branch.get(name, 0) - count
    for r in rooms.values():
        r.stale = r.holdings - lent_by_branch.get(r.branch, 0)
    _kiosk_health(conn, rooms, start, min(end, now), online_window)
    period_days = (until - since).days + 1
    for r in rooms.values():
        if r.weekly_open_hours > 0:
            r.loans_per_open_hour = r.loans / (r.weekly_open_hours * period_days / 7)
        if r.seats > 0:
            r.loans_per_seat = r.loans / r.seats
        if r.holdings > 0:
            r.turnover = 100.0 * r.loans / r.holdings
            r.stale_share = r.stale / r.holdings
    return rooms


def _rows_after(conn: Connection, lo: str, hi: str, column: str) -> tuple[int, int]:
    """How many rollup rows a period [lo, hi] holds and how many come after it (``column``
    of ``room_days``), to read the side with fewer."""
    d = room_days.c
    inside = sa.func.sum(sa.case((d.day <= hi, d[column]), else_=0))
    after = sa.func.sum(sa.case((d.day > hi, d[column]), else_=0))
    row = conn.execute(sa.select(inside, after).where(d.day >= lo)).one()
    return int(row[0] or 0), int(row[1] or 0)


def _readers(conn: Connection, lo: str, hi: str) -> dict[str, int]:
    """Distinct readers per room in [lo, hi]: the rows there whose previous day is before lo,
    or (reading fewer rows when hi is recent) the readers whose last day is lo or later less
    those whose first day from lo on comes after hi."""
    rd = reader_days.c
    inside, after = _rows_after(conn, lo, hi, "reader_days")
    count = sa.select(rd.branch, sa.func.count()).group_by(rd.branch)
    if inside <= after:
        return dict(conn.execute(count.where(rd.day >= lo, rd.day <= hi, rd.prev_day < lo)).all())
    h = room_reader_lasts.c
    found = _sums(
        conn, sa.select(h.branch, sa.func.sum(h.readers)).where(h.day >= lo).group_by(h.branch)
    )
    for branch, n in tuples(conn, count.where(rd.day > hi, rd.prev_day < lo)):
        found[branch] = found.get(branch, 0) - n
    return found


def _new_readers(conn: Connection, lo: str, hi: str) -> dict[str, int]:
    """Readers of each room in [lo, hi] whose first transaction anywhere is in it: their
    first day in the room is in the period and their first day anywhere is not before it
    (or, reading fewer rows, all the room's readers first seen anywhere from lo on, less
    those first in the room after hi)."""
    rd, f = reader_days.c, reader_firsts.c
    inside, after = _rows_after(conn, lo, hi, "reader_days")
    count = (
        sa.select(rd.branch, sa.func.count())
        .select_from(reader_days.join(reader_firsts, f.patron_card == rd.patron_card))
        .where(rd.prev_day == NONE, f.first_day >= lo)
        .group_by(rd.branch)
    )
    if inside <= after:
        return dict(conn.execute(count.where(rd.day >= lo, rd.day <= hi)).all())
    h = room_reader_firsts.c
    found = _sums(
        conn, sa.select(h.branch, sa.func.sum(h.readers)).where(h.day >= lo).group_by(h.branch)
    )
    for branch, n in tuples(conn, count.where(rd.day > hi)):
        found[branch] = found.get(branch, 0) - n
    return found


def _lent_after(conn: Connection, lo: str, hi: str) -> dict[str, int]:
    """Per room, the held items lent on ``lo`` or later (``items.last_lent_day``) but not in
    [lo, hi] (their first lending from lo on is after hi): what to take from those lent
    lately to have those lent in [lo, hi]. When rows after hi outnumber those in it, the
    items lent in [lo, hi] are counted directly instead and this is the difference."""
    ld = item_lent_days.c
    held = items.c.status.not_in(_NOT_HELD)
    inside, after = _rows_after(conn, lo, hi, "loans")
    count = (
        sa.select(items.c.branch, sa.func.count())
        .select_from(item_lent_days.join(items, items.c.pii == ld.item_pii))
        .where(held, ld.prev_day < lo)
        .group_by(items.c.branch)
    )
    if inside > after:
        return dict(conn.execute(count.where(ld.day > hi)).all())
    found = {branch: lately for branch, _, lately in _holdings(conn, lo)}
    for branch, n in tuples(conn, count.where(ld.day >= lo, ld.day <= hi)):
        found[branch] = found.get(branch, 0) - n
    return found


def _holdings(conn: Connection, lately_from: str) -> list[tuple[str, int, int]]:
    """(room, held items, those last lent on ``lately_from`` or later), from the rollup."""
    h = room_holdings.c
    lately = sa.func.sum(sa.case((h.last_lent_day >= lately_from, h["items"]), else_=0))
    query = (
        sa.select(h.branch, sa.func.sum(h["items"]), lately)
        .group_by(h.branch)
        .having(sa.func.sum(h["items"]) > 0)
    )
    return [(row[0], int(row[1]), int(row[2] or 0)) for row in conn.execute(query)]


def _sums(conn: Connection, query: sa.Select[Any]) -> dict[str, int]:
    return {row[0]: int(row[1] or 0) for row in conn.execute(query)}


def _kiosk_health(
    conn: Connection,
    rooms: dict[str, RoomMeasures],
    start: datetime,
    end: datetime,
    online_window: timedelta,
) -> None:
    if end <= start:
        return
    branch_of: dict[str, str] = dict(tuples(conn, sa.select(kiosks.c.kiosk_id, kiosks.c.branch)))
    enrolled: dict[str, datetime] = dict(
        tuples(conn, sa.select(kiosks.c.kiosk_id, kiosks.c.enrolled_at))
    )
    up = fleet_health.up_seconds(conn, start, end, online_window)
    totals: dict[str, list[float]] = {}
    for kiosk_id, branch in branch_of.items():
        span = (end - max(start, enrolled[kiosk_id])).total_seconds()
        if span <= 0:
            continue
        pair = totals.setdefault(branch, [0.0, 0.0])
        pair[0] += min(up.get(kiosk_id, 0.0), span)
        pair[1] += span
    for branch, (up_s, all_s) in totals.items():
        if branch in rooms and all_s > 0:
            rooms[branch].uptime_percent = 100.0 * up_s / all_s
    for row in conn.execute(
        sa.select(faults.c.kiosk_id, sa.func.count())
        .where(
            faults.c.first_at >= start,
            faults.c.first_at < end,
            faults.c.severity.in_(fleet_health.FAILURE_SEVERITIES),
        )
        .group_by(faults.c.kiosk_id)
    ):
        room = branch_of.get(row.kiosk_id)
        if room is not None and room in rooms:
            rooms[room].faults += row[1]


def _city(rooms: list[RoomMeasures]) -> CityFigures:
    total: dict[str, float] = {}
    mean: dict[str, float] = {}
    median: dict[str, float] = {}
    for name in NUMERIC:
        values = [float(v) for r in rooms if (v := getattr(r, name)) is not None]
        if not values:
            continue
        total[name] = sum(values)
        mean[name] = statistics.fmean(values)
        median[name] = statistics.median(values)
    return CityFigures(total, mean, median)
