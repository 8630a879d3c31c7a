"""The efficiency rollup made again from the whole ledger, in SQL (the same on SQLite and
PostgreSQL): schema step 9 for an existing database, ``shufang central rollup`` after a bulk
load or a repair. The tables and how the ledger keeps them day by day are in
:mod:`sync.central.rollup`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.rollup import NONE, NOT_HELD
from sync.central.schema import (
    item_lent_days,
    items,
    reader_days,
    reader_firsts,
    room_days,
    room_holdings,
    room_reader_firsts,
    room_reader_lasts,
    transactions,
)
from sync.central.stats import KIND_COLUMNS


def rebuild(conn: Connection) -> None:
    """Make the whole rollup again from the ledger, in SQL (the same on both databases)."""
    for table in (
        room_days, reader_days, reader_firsts, room_reader_lasts, room_reader_firsts,
        item_lent_days, room_holdings,
    ):  # fmt: skip
        conn.execute(table.delete())
    t = transactions
    happened = [t.c.applied.is_(True), t.c.cancelled_by.is_(None)]
    per_day = (
        sa.select(t.c.patron_card, t.c.branch, t.c.day, sa.func.count().label("n"))
        .where(*happened, t.c.patron_card != "")
        .group_by(t.c.patron_card, t.c.branch, t.c.day)
        .subquery()
    )
    previous = sa.func.lag(per_day.c.day).over(
        partition_by=(per_day.c.patron_card, per_day.c.branch), order_by=per_day.c.day
    )
    conn.execute(
        reader_days.insert().from_select(
            ["patron_card", "branch", "day", "transactions", "prev_day"],
            sa.select(
                per_day.c.patron_card, per_day.c.branch, per_day.c.day, per_day.c.n,
                sa.func.coalesce(previous, NONE),
            ),
        )
    )  # fmt: skip

    def kind_count(kind: str) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((t.c.kind == kind, 1), else_=0))

    by_kind = {column: kind for kind, column in KIND_COLUMNS.items()}
    ledger_days = sa.select(
        t.c.branch, t.c.day,
        kind_count(by_kind["loans"]).label("loans"),
        kind_count(by_kind["returns"]).label("returns"),
        kind_count(by_kind["renewals"]).label("renewals"),
        sa.literal(0).label("reader_days"),
    ).where(*happened, t.c.kind.in_(list(KIND_COLUMNS))).group_by(t.c.branch, t.c.day)  # fmt: skip
    rd = reader_days.c
    readers_days = sa.select(
        rd.branch, rd.day, sa.literal(0), sa.literal(0), sa.literal(0), sa.func.count()
    ).group_by(rd.branch, rd.day)
    both = sa.union_all(ledger_days, readers_days).subquery()
    conn.execute(
        room_days.insert().from_select(
            ["branch", "day", "loans", "returns", "renewals", "reader_days"],
            sa.select(
                both.c.branch, both.c.day, sa.func.sum(both.c.loans),
                sa.func.sum(both.c.returns), sa.func.sum(both.c.renewals),
                sa.func.sum(both.c.reader_days),
            ).group_by(both.c.branch, both.c.day),
        )
    )  # fmt: skip
    conn.execute(
        reader_firsts.insert().from_select(
            ["patron_card", "first_day"],
            sa.select(rd.patron_card, sa.func.min(rd.day)).group_by(rd.patron_card),
        )
    )
    last = (
        sa.select(rd.branch, sa.func.max(rd.day).label("day"))
        .group_by(rd.branch, rd.patron_card)
        .subquery()
    )
    conn.execute(
        room_reader_lasts.insert().from_select(
            ["branch", "day", "readers"],
            sa.select(last.c.branch, last.c.day, sa.func.count()).group_by(
                last.c.branch, last.c.day
            ),
        )
    )
    f = reader_firsts.c
    conn.execute(
        room_reader_firsts.insert().from_select(
            ["branch", "day", "readers"],
            sa.select(rd.branch, f.first_day, sa.func.count())
            .select_from(reader_days.join(reader_firsts, f.patron_card == rd.patron_card))
            .where(rd.prev_day == NONE)
            .group_by(rd.branch, f.first_day),
        )
    )
    lent_day = (
        sa.select(t.c.item_pii, t.c.day, sa.func.count().label("n"))
        .where(*happened, t.c.kind == "checkout")
        .group_by(t.c.item_pii, t.c.day)
        .subquery()
    )
    before = sa.func.lag(lent_day.c.day).over(
        partition_by=lent_day.c.item_pii, order_by=lent_day.c.day
    )
    conn.execute(
        item_lent_days.insert().from_select(
            ["item_pii", "day", "checkouts", "prev_day"],
            sa.select(
                lent_day.c.item_pii, lent_day.c.day, lent_day.c.n, sa.func.coalesce(before, NONE)
            ),
        )
    )
    ld = item_lent_days.c
    conn.execute(
        items.update().values(
            last_lent_day=sa.select(sa.func.max(ld.day))
            .where(ld.item_pii == items.c.pii)
            .scalar_subquery()
        )
    )
    held = items.c.status.not_in(NOT_HELD)
    last_day = sa.func.coalesce(items.c.last_lent_day, NONE)
    conn.execute(
        room_holdings.insert().from_select(
            ["branch", "last_lent_day", "items"],
            sa.select(items.c.branch, last_day, sa.func.count())
            .where(held)
            .group_by(items.c.branch, last_day),
        )
    )


def sizes(conn: Connection) -> tuple[int, int]:
    """How many transactions the ledger holds and how many room-days the rollup made of them
    (what ``shufang central rollup`` reports)."""
    count = sa.select(sa.func.count())
    return (
        int(conn.execute(count.select_from(transactions)).scalar() or 0),
        int(conn.execute(count.select_from(room_days)).scalar() or 0),
    )
