"""One room's rhythm: loans and returns by week, and by hour of the day (when do readers
come?), from the ledger's applied transactions, in the city's local time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.schema import transactions
from sync.central.stats import KIND_COLUMNS


@dataclass(frozen=True, slots=True)
class Rhythm:
    weeks: list[str]  # Monday of each week, ISO
    by_week: dict[str, list[int]]  # kind -> count per week
    by_hour: dict[str, list[int]]  # kind -> count per local hour 0-23
    total: Counter[str]


def rhythm(conn: Connection, branch: str, since: date, until: date, tz: ZoneInfo) -> Rhythm:
    t = transactions
    first_monday = since - timedelta(days=since.weekday())
    weeks = []
    monday = first_monday
    while monday <= until:
        weeks.append(monday.isoformat())
        monday += timedelta(days=7)
    by_week = {kind: [0] * len(weeks) for kind in KIND_COLUMNS.values()}
    by_hour = {kind: [0] * 24 for kind in KIND_COLUMNS.values()}
    total: Counter[str] = Counter()
    rows = conn.execute(
        sa.select(t.c.kind, t.c.at, t.c.day).where(
            t.c.branch == branch,
            t.c.applied.is_(True),
            t.c.cancelled_by.is_(None),
            t.c.kind.in_(list(KIND_COLUMNS)),
            t.c.day >= since.isoformat(),
            t.c.day <= until.isoformat(),
        )
    )
    for row in rows:
        kind = KIND_COLUMNS[row.kind]
        day = date.fromisoformat(row.day)
        by_week[kind][(day - first_monday).days // 7] += 1
        by_hour[kind][row.at.astimezone(tz).hour] += 1
        total[kind] += 1
    return Rhythm(weeks, by_week, by_hour, total)
