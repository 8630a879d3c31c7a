"""The efficiency page at city scale on PostgreSQL (issue #17): 300 rooms, a year of lending.

Rooms, kiosks and the catalog go in through the library code; the year's transactions are
made by PostgreSQL itself (``generate_series``: 300 rooms x 365 days x ~40 a day, busier at
weekends and in the afternoon), because 4 million rows through Python would take longer than
the measurement. The rows are what the ledger writes for applied transactions; the
efficiency rollup is then made from them as schema step 9 makes it for an existing database
(``rollup_rebuild.rebuild``), and the ledger keeps it from there. The figure is the page's server
time (``Server-Timing``), p50 and p95, target p95 < 1 s.

Run alone: ``.venv/bin/python -m tests.bench.efficiency_bench [rooms] [days] [repeats]``.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from sync.central import auth, branches, rollup_rebuild, staff_wire
from sync.central.database import writing
from tests.bench.pages import postgres_central, server_ms, signed_in, timing_row
from tests.bench.rows import Row
from tests.fixtures.central import START

TARGET_P95_MS = 1000.0

_ITEMS_SQL = """
INSERT INTO items (pii, title, author, call_number, owner_isil, branch, item_class, set_size,
                   status, updated_at)
SELECT 'I' || lpad(r.n::text, 3, '0') || '-' || i.n, 'book', '', 'I247', '',
       'room-' || lpad(r.n::text, 3, '0'), 'book', 1, 'available', now()
FROM generate_series(1, :rooms) r(n), generate_series(0, 3999) i(n)
"""

_SEED_SQL = """
INSERT INTO transactions (id, kiosk_id, branch, seq, applied_seq, kind, patron_card, item_pii,
                          at, decision, status, applied, received_at, day)
SELECT md5(r.n::text || '-' || d.n::text || '-' || k.n::text),
       'k' || lpad(r.n::text, 3, '0'), 'room-' || lpad(r.n::text, 3, '0'),
       (d.n * 1000 + k.n), (d.n * 1000 + k.n),
       (ARRAY['checkout','checkout','checkin','checkout','renew'])[1 + (k.n % 5)],
       'P' || ((r.n * 7919 + d.n * 31 + k.n * 17) % 20000),
       'I' || lpad(r.n::text, 3, '0') || '-' || ((d.n * 13 + k.n) % 3000),
       ts.t + make_interval(hours => 9 + (k.n % 11)),
       'online', 'accepted', true, ts.t, to_char(ts.t, 'YYYY-MM-DD')
FROM generate_series(1, :rooms) AS r(n)
CROSS JOIN generate_series(0, :days - 1) AS d(n)
CROSS JOIN LATERAL (SELECT (:end_day)::timestamp - make_interval(days => d.n) AS t) AS ts
CROSS JOIN LATERAL generate_series(
    1, (20 + (r.n % 40)) * (CASE WHEN extract(isodow FROM ts.t) >= 6 THEN 2 ELSE 1 END)
) AS k(n)
"""


def seed(central: Any, rooms: int, days: int) -> tuple[int, float]:
    """Rooms, kiosks, 4,000 items a room and ``days`` of lending; the transactions count
    and the seconds the rollup took to build."""
    now = central.clock.now()
    with writing(central.engine) as conn:
        for n in range(1, rooms + 1):
            auth.enrol_kiosk(conn, f"k{n:03d}", f"room-{n:03d}", now)
        records = [
            staff_wire.BranchRecord(
                f"room-{n:03d}", f"district-{n % 30:02d}", seats=20 + n % 60,
                weekly_open_hours=56 + n % 30,
            )
            for n in range(1, rooms + 1)
        ]  # fmt: skip
        branches.set_districts(conn, records, now)
        conn.execute(sa.text(_ITEMS_SQL), {"rooms": rooms})
        conn.execute(
            sa.text(_SEED_SQL),
            {"rooms": rooms, "days": days, "end_day": START.strftime("%Y-%m-%d")},
        )
        count = conn.execute(sa.text("SELECT count(*) FROM transactions")).scalar()
    with central.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE transactions"))
        conn.commit()
    started = time.perf_counter()
    with writing(central.engine) as conn:
        rollup_rebuild.rebuild(conn)
    built_s = time.perf_counter() - started
    # As after any bulk load: the catalog rows the rebuild rewrote are vacuumed now rather
    # than by autovacuum in the middle of the measurement.
    with central.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return int(count or 0), built_s


def run(rooms: int = 300, days: int = 365, repeats: int = 3) -> list[Row]:
    with postgres_central() as central:
        started = time.perf_counter()
        count, built_s = seed(central, rooms, days)
        seeded_s = time.perf_counter() - started
        web = signed_in(central)
        end = START.date().isoformat()
        start = (START.date().replace(year=START.year - 1)).isoformat()
        note = (
            f"{count:,} transactions seeded in {seeded_s:.0f} s, "
            f"{built_s:.0f} s of it building the rollup"
        )
        return [
            timing_row(
                f"{label} (PostgreSQL)",
                server_ms(web, central.url + path, repeats),
                TARGET_P95_MS,
                note,
            )
            for label, path in (
                (
                    f"efficiency page, {rooms} rooms, a year",
                    f"/dashboard/efficiency?since={start}&until={end}",
                ),
                (f"efficiency page, {rooms} rooms, a month", "/dashboard/efficiency"),
            )
        ]


if __name__ == "__main__":
    import sys

    numbers = [int(a) for a in sys.argv[1:4]]
    for found in run(*numbers):
        print(f"{found.name}: {found.figure}")
