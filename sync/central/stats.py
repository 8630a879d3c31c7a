"""Managers' numbers: loans, returns, renewals and distinct readers per branch per day."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import staff_wire
from sync.central.schema import transactions

#: The ledger's kinds as the managers' words (shared by the statistics, efficiency and room
#: pages).
KIND_COLUMNS = {"checkout": "loans", "checkin": "returns", "renew": "renewals"}


def daily(
    conn: Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    branch: str | None = None,
) -> list[staff_wire.DailyStats]:
    """Counts applied transactions only: conflicts and cancelled checkouts did not happen.

    Days are local days in the service's time zone, fixed when the row arrived.
    """
    t = transactions
    where: list[sa.ColumnElement[bool]] = [
        t.c.applied.is_(True),
        t.c.cancelled_by.is_(None),
        t.c.kind.in_(list(KIND_COLUMNS)),
    ]
    if since:
        where.append(t.c.day >= since)
    if until:
        where.append(t.c.day <= until)
    if branch:
        where.append(t.c.branch == branch)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"loans": 0, "returns": 0, "renewals": 0, "readers": 0}
    )
    for row in conn.execute(
        sa.select(t.c.branch, t.c.day, t.c.kind, sa.func.count())
        .where(*where)
        .group_by(t.c.branch, t.c.day, t.c.kind)
    ):
        counts[(row.branch, row.day)][KIND_COLUMNS[row.kind]] = row[3]
    for row in conn.execute(
        sa.select(t.c.branch, t.c.day, sa.func.count(sa.distinct(t.c.patron_card)))
        .where(*where, t.c.patron_card != "")
        .group_by(t.c.branch, t.c.day)
    ):
        counts[(row.branch, row.day)]["readers"] = row[2]
    return [staff_wire.DailyStats(branch=b, day=d, **v) for (b, d), v in sorted(counts.items())]
