"""Service efficiency (服务效能) of every room over a period, compared with the city.

What a culture bureau asks: how many readers each room serves, how much it lends for its
size and opening hours, whether its collection circulates, whether its kiosk works. Every
figure is computed in SQL from the ledger (applied, not cancelled transactions: what really
happened), the catalog, door counters and the fleet's health, for local days [since, until].

Visits are the door counter's when a room has one for the period, otherwise reader-days
(distinct readers per day), which undercounts people who only read in the room: the page
says which. A room is flagged when one of the ``FLAG_METRICS`` is below ``flag_share`` of the
city median, naming the metric, so a director sees why.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import branches, health
from sync.central.schema import faults, items, kiosks, transactions, visits
from sync.central.stats import KIND_COLUMNS

#: Holdings not borrowed for this many days count as stale.
STALE_DAYS = 90
#: The measures a weak room is flagged on (below ``flag_share`` of the city median).
FLAG_METRICS = ("visits", "loans", "loans_per_open_hour", "turnover")
#: Items that are not on the shelf to lend count as no holding.
_NOT_HELD = ("lost", "missing")


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
            conn, since - timedelta(days=length), since - timedelta(days=1), tz, online_window, now
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
) -> dict[str, RoomMeasures]:
    t = transactions
    lo, hi = since.isoformat(), until.isoformat()
    happened = [t.c.applied.is_(True), t.c.cancelled_by.is_(None)]
    in_period = [*happened, t.c.day >= lo, t.c.day <= hi]
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
    for row in conn.execute(
        sa.select(t.c.branch, t.c.kind, sa.func.count())
        .where(*in_period, t.c.kind.in_(list(KIND_COLUMNS)))
        .group_by(t.c.branch, t.c.kind)
    ):
        setattr(room(row.branch), KIND_COLUMNS[row.kind], row[2])
    readers = [*in_period, t.c.patron_card != ""]
    for row in conn.execute(
        sa.select(t.c.branch, sa.func.count(sa.distinct(t.c.patron_card)))
        .where(*readers)
        .group_by(t.c.branch)
    ):
        room(row.branch).readers = row[1]
    # New readers: their first transaction anywhere falls in the period.
    first = (
        sa.select(t.c.patron_card, sa.func.min(t.c.day).label("first_day"))
        .where(*happened, t.c.patron_card != "")
        .group_by(t.c.patron_card)
        .subquery()
    )
    seen_here = sa.select(t.c.branch, t.c.patron_card).where(*readers).distinct().subquery()
    for row in conn.execute(
        sa.select(seen_here.c.branch, sa.func.count())
        .join(first, first.c.patron_card == seen_here.c.patron_card)
        .where(first.c.first_day >= lo)
        .group_by(seen_here.c.branch)
    ):
        room(row.branch).new_readers = row[1]
    reader_days = sa.select(t.c.branch, t.c.day, t.c.patron_card).where(*readers).distinct()
    days = reader_days.subquery()
    for row in conn.execute(sa.select(days.c.branch, sa.func.count()).group_by(days.c.branch)):
        room(row.branch).visits = row[1]
    start, end = _bounds(since, until, tz)
    for row in conn.execute(
        sa.select(visits.c.branch, sa.func.sum(visits.c.count))
        .where(visits.c.hour >= start, visits.c.hour < end)
        .group_by(visits.c.branch)
    ):
        measured = room(row.branch)
        measured.visits = int(row[1] or 0)
        measured.visits_counted = True
    held = items.c.status.not_in(_NOT_HELD)
    for row in conn.execute(
        sa.select(items.c.branch, sa.func.count()).where(held).group_by(items.c.branch)
    ):
        if row.branch:
            room(row.branch).holdings = row[1]
    # Stale = held minus those of the room's items lent anywhere in the last STALE_DAYS.
    recent_from = (until - timedelta(days=STALE_DAYS - 1)).isoformat()
    lent = (
        sa.select(t.c.item_pii)
        .where(*happened, t.c.kind == "checkout", t.c.day >= recent_from, t.c.day <= hi)
        .distinct()
        .subquery()
    )
    lent_by_branch = dict(
        conn.execute(
            sa.select(items.c.branch, sa.func.count())
            .select_from(items.join(lent, lent.c.item_pii == items.c.pii))
            .where(held)
            .group_by(items.c.branch)
        ).all()
    )
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


def _kiosk_health(
    conn: Connection,
    rooms: dict[str, RoomMeasures],
    start: datetime,
    end: datetime,
    online_window: timedelta,
) -> None:
    if end <= start:
        return
    branch_of = dict(conn.execute(sa.select(kiosks.c.kiosk_id, kiosks.c.branch)).all())
    enrolled = dict(conn.execute(sa.select(kiosks.c.kiosk_id, kiosks.c.enrolled_at)).all())
    up = health.up_seconds(conn, start, end, online_window)
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
            faults.c.severity.in_(health.FAILURE_SEVERITIES),
        )
        .group_by(faults.c.kiosk_id)
    ):
        branch = branch_of.get(row.kiosk_id)
        if branch in rooms:
            rooms[branch].faults += row[1]


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
