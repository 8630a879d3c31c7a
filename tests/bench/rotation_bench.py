"""Proposing a rotation plan (图书流转, issue #17) for the seeded city on PostgreSQL.

The city is the efficiency tests' year (``tests/fleet/cityyear.py``: 30 rooms, 365 days of
lending with weekly and daily rhythms), its catalog filled out to a city's size with
``extra`` never-lent volumes a room (10,000 by default: 300,000 in all), every item given a
中图法 class and a call number so the suggestion has classes to weigh. Three figures, each
the server's time (``Server-Timing``) for what a librarian does:

- the city-wide suggestion page (``/dashboard/rotation?suggest=1``: every room's unborrowed
  classes and where they are read), p50 and p95 of ``repeats``;
- one room's proposal (the weak room's 500 stalest items in shelf order), p50 and p95;
- making that plan through the staff API (wall time, once: a plan takes its items).

Target: p95 < 1 s for each page, and the plan made in < 1 s.

Run alone: ``.venv/bin/python -m tests.bench.rotation_bench [extra] [repeats]``.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from sync.central import staff_wire
from sync.central.database import writing
from tests.bench.pages import postgres_central, server_ms, signed_in, timing_row
from tests.bench.rows import Row
from tests.fleet.cityyear import ROOMS, seed_year

TARGET_MS = 1000.0
#: The room whose plan is proposed and made: weak-1, 300 idle volumes of its own.
SOURCE, DESTINATION = "weak-1", "room-01"

_EXTRA_SQL = """
INSERT INTO items (pii, title, author, call_number, owner_isil, branch, item_class, set_size,
                   status, updated_at)
SELECT b.branch || '/x' || i.n, 'book', '', '', '', b.branch, 'book', 1, 'available', now()
FROM branches b, generate_series(1, :extra) i(n)
"""
#: Five main classes in turn, by the item's position on its own shelf; the call number is
#: the class and a book number (``I247.5/123``).
_CLASSES_SQL = """
UPDATE items SET
  clc_class = (ARRAY['I247.5', 'K204', 'TP311', 'O13', 'G624'])[1 + (abs(hashtext(pii)) % 5)],
  call_number = (ARRAY['I247.5', 'K204', 'TP311', 'O13', 'G624'])[1 + (abs(hashtext(pii)) % 5)]
                || '/' || (abs(hashtext(pii || 'n')) % 900 + 1)
"""


def run(extra: int = 10_000, repeats: int = 10) -> list[Row]:
    with postgres_central() as central:
        seed_year(central)
        with writing(central.engine) as conn:
            conn.execute(sa.text(_EXTRA_SQL), {"extra": extra})
            conn.execute(sa.text(_CLASSES_SQL))
            held = conn.execute(sa.text("SELECT count(*) FROM items")).scalar()
        with central.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE"))  # as after any bulk load
        web = signed_in(central)
        base = central.url + "/dashboard/rotation"
        city = f"{len(ROOMS)} rooms, {held:,} volumes"
        suggest = server_ms(web, base + "?suggest=1&days=90&batch=500", repeats)
        propose = server_ms(
            web, f"{base}?source={SOURCE}&to={DESTINATION}&days=90&limit=500", repeats
        )
        with writing(central.engine) as conn:
            piis = list(
                conn.execute(
                    sa.text(
                        "SELECT pii FROM items WHERE branch = :b AND last_lent_day IS NULL"
                        " ORDER BY pii LIMIT 500"
                    ),
                    {"b": SOURCE},
                ).scalars()
            )
        started = time.perf_counter()
        made = central.staff.post(
            "/admin/rotation/plans", staff_wire.RotationPlanIn(SOURCE, DESTINATION, piis)
        )
        made_ms = 1000 * (time.perf_counter() - started)
        assert made.status_code == 200, made.text
        verdict = "ok" if made_ms < TARGET_MS else "SLOW"
        return [
            timing_row(
                f"rotation suggestion, {city} (PostgreSQL)", suggest, TARGET_MS, "city-wide"
            ),
            timing_row(
                "rotation proposal, one room (PostgreSQL)", propose, TARGET_MS, "500 stalest"
            ),
            Row(
                f"rotation plan of {len(piis)} items made (PostgreSQL)",
                1,
                f"{made_ms:.0f} ms wall (target < {TARGET_MS:.0f} ms: {verdict}; "
                "staff API, every kiosk's change feed entry included)",
            ),
        ]


if __name__ == "__main__":
    import sys

    numbers = [int(a) for a in sys.argv[1:3]]
    for found in run(*numbers):
        print(f"{found.name}: {found.figure}")
