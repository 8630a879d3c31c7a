"""Door-counter visits per room and hour: what the efficiency page counts as visits where a
room has a counter (elsewhere it falls back to reader-days).

A counter (or the script that reads it) sends hourly counts; sending an hour again replaces
its count, so a counter that re-sends after a network failure never counts twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import staff_wire
from sync.central.schema import visits

MAX_PER_HOUR = 100_000


def record(conn: Connection, records: Sequence[staff_wire.VisitRecord], now: datetime) -> int:
    """Store every hour's count (all or nothing: the caller's one transaction)."""
    rows: dict[tuple[str, datetime], int] = {}
    for r in records:
        if not r.branch.strip() or len(r.branch) > 200:
            raise ValueError(f"branch {r.branch[:40]!r}: the name must have 1-200 characters")
        if r.hour.tzinfo is None:
            raise ValueError(f"{r.branch}: hour {r.hour} needs its time zone (e.g. +08:00)")
        if not 0 <= r.count <= MAX_PER_HOUR:
            raise ValueError(f"{r.branch}: count {r.count} must be 0-{MAX_PER_HOUR}")
        hour = r.hour.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        rows[(r.branch, hour)] = r.count
    for (branch, hour), count in rows.items():
        where = sa.and_(visits.c.branch == branch, visits.c.hour == hour)
        if conn.execute(visits.update().where(where).values(count=count, updated_at=now)).rowcount:
            continue
        conn.execute(visits.insert().values(branch=branch, hour=hour, count=count, updated_at=now))
    return len(rows)
