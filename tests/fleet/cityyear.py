"""A city's year of lending for the efficiency tests: 30 rooms with weekly and daily rhythms.

The year is the 365 local days 2025-11-25 .. 2026-11-24 (the tests' START day): 52 whole
weeks and one more Tuesday, so 261 weekdays and 104 weekend days. A room lends ``base``
items on each weekday and twice that on Saturdays and Sundays (the weekend rhythm city rooms
report), at the hours of the day rhythm below (one morning loan, the after-school peak, the
evening). Its readers and lendable items are used in turn, so every reader and item of a
room is reached many times over in the year, and a room's other items are never lent.

That makes each room's year countable by hand: loans = base x (261 + 2 x 104) = 469 x base;
readers = the room's reader pool; visits (reader-days) = loans, since no day has more loans
than the pool has readers; holdings = lendable + idle; stale (not lent in the last 90 days)
= idle. 27 rooms are ordinary; 3 are weak by design (one loan a weekday, a big idle
collection, long hours): the efficiency page must flag exactly those.

Two rooms also have a door counter (``COUNTERS``), whose hourly counts go through
``POST /api/v1/visits`` as a counter's script sends them: room-01 counts 3 people in each
hour of the day rhythm on a weekday and 6 at the weekend, so 5 x 3 x 469 = 7,035 visits in
the year; weak-1 (the business-district room readers pass by) one at noon on weekdays only,
261. Each counter also sent 02:00 local time the day after the year ended (still the year's
last day in UTC), which must not count. The other 28 rooms' visits stay reader-days.

The rows are written as the ledger writes applied transactions and the rollup is then
rebuilt from them (``rollup_rebuild.rebuild``), as the efficiency bench does at larger scale: 50,000
transactions through the HTTP API would take minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from sync import wire
from sync.central import auth, branches, catalog, rollup_rebuild, staff_wire
from sync.central.database import writing
from sync.central.schema import transactions

TZ = ZoneInfo("Asia/Shanghai")
YEAR = (date(2025, 11, 25), date(2026, 11, 24))
WEEKDAYS, WEEKEND_DAYS = 261, 104
HOURS = (10, 15, 16, 17, 19)  # the day's rhythm: morning, after school, evening
WEEKEND_FACTOR = 2


@dataclass(frozen=True, slots=True)
class Room:
    name: str
    district: str
    seats: int
    weekly_open_hours: float
    base: int  # loans on a weekday
    pool: int  # readers
    lendable: int  # items that circulate
    idle: int  # items never lent

    @property
    def holdings(self) -> int:
        return self.lendable + self.idle


def _ordinary(n: int) -> Room:
    return Room(
        name=f"room-{n:02d}",
        district=f"district-{n % 6}",
        seats=30 + 10 * (n % 6),
        weekly_open_hours=56 + 7 * (n % 5),
        base=3 + n % 4,
        pool=40 + 5 * n,
        lendable=60 + 5 * (n % 5),
        idle=5 + n % 5,
    )


def _weak(n: int) -> Room:
    return Room(f"weak-{n}", "district-cbd", 100, 84, base=1, pool=3, lendable=8, idle=300)


ROOMS = [_ordinary(n) for n in range(1, 28)] + [_weak(n) for n in range(1, 4)]
WEAK = {room.name for room in ROOMS if room.name.startswith("weak-")}


#: Rooms with a door counter: room -> (hours of a weekday it counts, people per hour; the
#: weekend counts twice that at the same hours, unless ``weekend`` is False).
COUNTERS: dict[str, tuple[tuple[int, ...], int, bool]] = {
    "room-01": (HOURS, 3, True),
    "weak-1": ((12,), 1, False),
}
#: What the counters sent for 02:00 the day after the year: outside it (local days).
AFTER_YEAR = 999


def counted(room: str, day: date) -> list[tuple[datetime, int]]:
    """A counter's hourly counts for one local day."""
    hours, people, weekend = COUNTERS[room]
    if day.weekday() >= 5:
        if not weekend:
            return []
        people *= WEEKEND_FACTOR
    return [(datetime.combine(day, time(hour), TZ), people) for hour in hours]


def seed_counters(central: object, batch: int = 500) -> int:
    """Post the counters' year as their scripts would (``POST /visits``, a staff token), a
    few hundred hours a request; the number of hours sent."""
    records = []
    for room in COUNTERS:
        after = datetime.combine(YEAR[1] + timedelta(days=1), time(2), TZ)
        records.append({"branch": room, "hour": after.isoformat(), "count": AFTER_YEAR})
        day = YEAR[0]
        while day <= YEAR[1]:
            for hour, count in counted(room, day):
                records.append({"branch": room, "hour": hour.isoformat(), "count": count})
            day += timedelta(days=1)
    staff = central.staff  # type: ignore[attr-defined]
    for start in range(0, len(records), batch):
        reply = staff.post("/visits", {"visits": records[start : start + batch]})
        assert reply.status_code == 200, reply.text
    return len(records)


def loans_on(room: Room, day: date) -> int:
    return room.base * (WEEKEND_FACTOR if day.weekday() >= 5 else 1)


def seed_year(central: object) -> int:
    """Rooms, kiosks, catalog and the year's checkouts; the number of transactions."""
    engine, now = central.engine, central.clock.now()  # type: ignore[attr-defined]
    rows = []
    with writing(engine) as conn:
        branches.set_districts(
            conn,
            [
                staff_wire.BranchRecord(r.name, r.district, r.seats, None, r.weekly_open_hours)
                for r in ROOMS
            ],
            now,
        )
        catalog.upsert_items(
            conn,
            [
                wire.ItemRecord(pii=f"{r.name}/{i}", title=f"书{i}", branch=r.name)
                for r in ROOMS
                for i in range(r.holdings)
            ],
            now,
        )
        for r in ROOMS:
            auth.enrol_kiosk(conn, f"k-{r.name}", r.name, now)
            used = 0
            day = YEAR[0]
            while day <= YEAR[1]:
                for k in range(loans_on(r, day)):
                    at = datetime.combine(day, time(HOURS[k % len(HOURS)], 5 * k), TZ)
                    rows.append(
                        {
                            "id": f"{r.name}:{used}",
                            "kiosk_id": f"k-{r.name}",
                            "branch": r.name,
                            "seq": used + 1,
                            "applied_seq": used + 1,
                            "kind": "checkout",
                            "patron_card": f"{r.name}/R{used % r.pool}",
                            "item_pii": f"{r.name}/{used % r.lendable}",
                            "at": at,
                            "due_at": at + timedelta(days=28),
                            "decision": "online",
                            "status": "accepted",
                            "applied": True,
                            "received_at": at,
                            "day": day.isoformat(),
                        }
                    )
                    used += 1
                day += timedelta(days=1)
        conn.execute(sa.insert(transactions), rows)
        rollup_rebuild.rebuild(conn)
    return len(rows)
