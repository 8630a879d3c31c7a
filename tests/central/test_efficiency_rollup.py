"""The efficiency rollup gives exactly what a straight count over the ledger gives.

A randomized city goes in through the real apply path (HTTP pushes): checkouts, returns
(some without a card), renewals, cancels of checkouts and returns, rows for unknown items
and readers (conflicts, some applied later by staff), rows arriving out of day order and
out of seq order, items lost and moved. Then every period asked for (recent, long ago,
half in the future, one day) is measured from the rollup and counted again straight from
``transactions`` with the queries the page used before the rollup, on SQLite and on
PostgreSQL. ``rollup_rebuild.rebuild`` must also make again the very rows the ledger kept.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central import efficiency, rollup_rebuild, staff_wire
from sync.central.database import reading, writing
from sync.central.migrations import migrate
from sync.central.schema import (
    item_lent_days,
    items,
    reader_days,
    reader_firsts,
    room_days,
    room_holdings,
    room_reader_firsts,
    room_reader_lasts,
    schema_migrations,
    transactions,
)
from sync.central.stats import KIND_COLUMNS
from tests.fixtures.central import START, Central

TZ = ZoneInfo("Asia/Shanghai")
ROOMS = ("东城书房", "西城书房", "朝阳书房")
DAYS = 50
TODAY = START.astimezone(TZ).date()
ROLLUP_TABLES = (
    room_days, reader_days, reader_firsts, room_reader_lasts, room_reader_firsts, item_lent_days,
    room_holdings,
)  # fmt: skip


def straight(conn: Connection, since: date, until: date) -> dict[str, dict[str, int]]:
    """The page's figures counted from the raw ledger, as efficiency.py did before step 9."""
    t = transactions
    lo, hi = since.isoformat(), until.isoformat()
    happened = [t.c.applied.is_(True), t.c.cancelled_by.is_(None)]
    in_period = [*happened, t.c.day >= lo, t.c.day <= hi]
    found: dict[str, dict[str, int]] = {}

    def room(name: str) -> dict[str, int]:
        return found.setdefault(name, dict.fromkeys(FIGURES, 0))

    for row in conn.execute(
        sa.select(t.c.branch, t.c.kind, sa.func.count())
        .where(*in_period, t.c.kind.in_(list(KIND_COLUMNS)))
        .group_by(t.c.branch, t.c.kind)
    ):
        room(row.branch)[KIND_COLUMNS[row.kind]] = row[2]
    readers = [*in_period, t.c.patron_card != ""]
    for row in conn.execute(
        sa.select(t.c.branch, sa.func.count(sa.distinct(t.c.patron_card)))
        .where(*readers)
        .group_by(t.c.branch)
    ):
        room(row.branch)["readers"] = row[1]
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
        room(row.branch)["new_readers"] = row[1]
    days = sa.select(t.c.branch, t.c.day, t.c.patron_card).where(*readers).distinct().subquery()
    for row in conn.execute(sa.select(days.c.branch, sa.func.count()).group_by(days.c.branch)):
        room(row.branch)["visits"] = row[1]
    held = items.c.status.not_in(("lost", "missing"))
    for row in conn.execute(
        sa.select(items.c.branch, sa.func.count()).where(held).group_by(items.c.branch)
    ):
        room(row.branch)["holdings"] = row[1]
    recent_from = (until - timedelta(days=efficiency.STALE_DAYS - 1)).isoformat()
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
    for name, figures in found.items():
        figures["stale"] = figures["holdings"] - lent_by_branch.get(name, 0)
    return found


FIGURES = (
    "loans", "returns", "renewals", "readers", "new_readers", "visits", "holdings", "stale",
)  # fmt: skip


def from_rollup(conn: Connection, since: date, until: date) -> dict[str, dict[str, int]]:
    measured = efficiency._measure(conn, since, until, TZ, timedelta(minutes=5), START)
    return {
        name: {f: getattr(r, f) for f in FIGURES}
        for name, r in measured.items()
        if any(getattr(r, f) for f in FIGURES)
    }


def nonzero(found: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {name: v for name, v in found.items() if any(v.values())}


def push(central: Central, kiosk: Any, rows: list[wire.TransactionIn]) -> list[dict[str, Any]]:
    results = kiosk.push(*rows)
    assert len(results) == len(rows)
    return results


def random_city(central: Central, seed: int) -> None:
    rng = random.Random(seed)
    catalog = [
        wire.ItemRecord(pii=f"I{n}", title=f"书{n}", branch=ROOMS[n % len(ROOMS)])
        for n in range(45)
    ]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(catalog)).status_code == 200
    cards = [wire.PatronRecord(card_id=f"P{n}") for n in range(18)]
    assert central.staff.put("/admin/patrons", staff_wire.PatronBatch(cards)).status_code == 200
    kiosks = [(central.enrol(f"k{n}", ROOMS[n % len(ROOMS)]), [0]) for n in range(4)]
    sent: list[tuple[int, wire.TransactionIn]] = []  # (kiosk index, row) applied or not

    def row(k: int, kind: str, item: str, card: str, **extra: Any) -> wire.TransactionIn:
        kiosks[k][1][0] += 1
        at = START - timedelta(days=rng.randrange(DAYS), hours=rng.randrange(12))
        return wire.TransactionIn(
            id=str(uuid.uuid4()),
            seq=kiosks[k][1][0],
            kind=kind,  # type: ignore[arg-type]
            patron_card=card,
            item_pii=item,
            at=at,
            decision=rng.choice(("online", "offline")),  # type: ignore[arg-type]
            due_at=at + timedelta(days=28) if kind != "checkin" else None,
            **extra,
        )

    for _ in range(30):  # pushes
        k = rng.randrange(len(kiosks))
        batch = []
        for _ in range(rng.randrange(1, 12)):
            item = f"I{rng.randrange(48)}"  # I45-I47 are unknown: conflicts
            card = f"P{rng.randrange(20)}"  # P18, P19 are unknown: conflicts
            roll = rng.random()
            mine = [r for kk, r in sent if kk == k and r.kind in ("checkout", "checkin")]
            if roll < 0.5:
                batch.append(row(k, "checkout", item, card))
            elif roll < 0.75:
                batch.append(row(k, "checkin", item, rng.choice((card, ""))))
            elif roll < 0.88:
                batch.append(row(k, "renew", item, card))
            elif mine:
                target = rng.choice(mine)
                batch.append(
                    row(k, "cancel", target.item_pii, target.patron_card, cancels=target.id)
                )
        if rng.random() < 0.1 and batch:  # a resend with a stale seq: out of order
            stale = batch[0]
            batch.append(dataclasses.replace(stale, id=str(uuid.uuid4()), seq=1))
        push(central, kiosks[k][0], batch)
        sent.extend((k, r) for r in batch)
        if rng.random() < 0.3:  # staff apply a central conflict of a checkout or renewal
            open_ = central.staff.get("/conflicts", open="true").json()
            forcible = [c for c in open_ if c["kind"] in ("checkout", "renew")]
            if forcible:
                conflict = rng.choice(forcible)
                central.staff.post(
                    f"/conflicts/{conflict['id']}/resolve", {"action": "apply", "note": "test"}
                )
    moved = [
        wire.ItemRecord(pii=f"I{n}", title=f"书{n}", branch=ROOMS[(n + 1) % len(ROOMS)])
        for n in range(0, 45, 7)
    ]
    moved += [
        wire.ItemRecord(pii=f"I{n}", title=f"书{n}", branch=ROOMS[n % 3], status="lost")
        for n in range(3, 45, 11)
    ]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(moved)).status_code == 200
    # Items withdrawn (two of them added again later, with a new home) and one never lent.
    for n in (1, 2, 5, 44):
        assert central.staff.delete(f"/admin/items/I{n}").status_code == 204
    back = [wire.ItemRecord(pii=f"I{n}", title=f"书{n}", branch=ROOMS[2]) for n in (2, 44)]
    back.append(wire.ItemRecord(pii="NEW1", title="新书", branch=ROOMS[0]))
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(back)).status_code == 200


def periods(rng: random.Random) -> list[tuple[date, date]]:
    fixed = [
        (TODAY - timedelta(days=29), TODAY),
        (TODAY - timedelta(days=364), TODAY),
        (TODAY - timedelta(days=DAYS + 5), TODAY - timedelta(days=DAYS - 10)),
        (TODAY - timedelta(days=3), TODAY + timedelta(days=10)),
        (TODAY - timedelta(days=20), TODAY - timedelta(days=20)),
        (TODAY - timedelta(days=45), TODAY - timedelta(days=35)),
    ]
    for _ in range(14):
        a = TODAY - timedelta(days=rng.randrange(-2, DAYS + 5))
        fixed.append((a, a + timedelta(days=rng.randrange(0, 40))))
    return fixed


def snapshot(conn: Connection) -> dict[str, set[tuple[Any, ...]]]:
    """The rollup's rows that say something (zero counts and empty locks say nothing)."""
    found = {}
    for table in ROLLUP_TABLES:
        if table is reader_firsts:
            continue
        numbers = [c for c in table.c if isinstance(c.type, sa.Integer)]
        rows = conn.execute(sa.select(table)).all()
        found[table.name] = {tuple(r) for r in rows if any(r._mapping[c.name] for c in numbers)}
    found["reader_firsts"] = {
        tuple(r) for r in conn.execute(sa.select(reader_firsts)) if r.first_day is not None
    }
    found["last_lent"] = set(conn.execute(sa.select(items.c.pii, items.c.last_lent_day)).all())
    return found


@pytest.mark.parametrize("seed", [17, 2026])
def test_rollup_figures_equal_a_straight_count_of_the_ledger(central: Central, seed: int) -> None:
    random_city(central, seed)
    with reading(central.engine) as conn:
        applied = conn.execute(
            sa.select(sa.func.count()).where(transactions.c.applied.is_(True))
        ).scalar()
        cancelled = conn.execute(
            sa.select(sa.func.count()).where(transactions.c.cancelled_by.is_not(None))
        ).scalar()
        assert applied and applied > 50 and cancelled  # the seed exercised the paths
        for since, until in periods(random.Random(seed)):
            assert from_rollup(conn, since, until) == nonzero(straight(conn, since, until)), (
                since,
                until,
            )
        kept = snapshot(conn)
    with writing(central.engine) as conn:
        rollup_rebuild.rebuild(conn)
    with reading(central.engine) as conn:
        assert snapshot(conn) == kept


def test_a_cancelled_checkout_no_longer_counts(central: Central) -> None:
    room = ROOMS[0]
    catalog = [wire.ItemRecord(pii="X1", title="书", branch=room)]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(catalog)).status_code == 200
    assert (
        central.staff.put(
            "/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord(card_id="R1")])
        ).status_code
        == 200
    )
    kiosk = central.enrol("k1", room)
    at = START - timedelta(hours=2)
    checkout = wire.TransactionIn(
        id="t-1", seq=1, kind="checkout", patron_card="R1", item_pii="X1", at=at,
        decision="online", due_at=at + timedelta(days=28),
    )  # fmt: skip
    assert [r["status"] for r in push(central, kiosk, [checkout])] == ["accepted"]
    week = (TODAY - timedelta(days=6), TODAY)

    def figures() -> dict[str, int]:
        with reading(central.engine) as conn:
            return from_rollup(conn, *week)[room]

    lent = figures()
    assert (lent["loans"], lent["readers"], lent["new_readers"], lent["stale"]) == (1, 1, 1, 0)
    cancel = wire.TransactionIn(
        id="t-2", seq=2, kind="cancel", patron_card="R1", item_pii="X1",
        at=at + timedelta(minutes=1), decision="online", cancels="t-1",
    )  # fmt: skip
    assert [r["status"] for r in push(central, kiosk, [cancel])] == ["accepted"]
    after = figures()
    # The loan is gone and the book counts as unborrowed again; the reader was still there
    # (the cancel is their transaction), as the straight count also says.
    assert (after["loans"], after["stale"]) == (0, 1)
    with reading(central.engine) as conn:
        assert from_rollup(conn, *week) == nonzero(straight(conn, *week))
        assert conn.execute(sa.select(items.c.last_lent_day)).scalar() is None


def test_step_9_builds_the_rollup_from_the_ledger_already_there(central: Central) -> None:
    """A database from before step 9 (no rollup, no ``items.last_lent_day``) gets the same
    rows from the migration as the ledger keeps while applying."""
    random_city(central, 9)
    with reading(central.engine) as conn:
        kept = snapshot(conn)
    with writing(central.engine) as conn:
        for table in ROLLUP_TABLES:
            conn.execute(sa.schema.DropTable(table))
        conn.execute(sa.text("ALTER TABLE items DROP COLUMN last_lent_day"))
        conn.execute(schema_migrations.delete().where(schema_migrations.c.step == 9))
    assert migrate(central.engine, central.clock) == ["0009 efficiency rollup, span successors"]
    with reading(central.engine) as conn:
        assert snapshot(conn) == kept
        assert len(kept["reader_days"]) > 50 and kept["item_lent_days"]


def test_readers_at_several_kiosks_at_once_are_counted_once(central: Central) -> None:
    """Four kiosks push at the same time for the same readers (the readers' locks keep the
    rollup's read-then-write of a reader's days in order): the figures still equal the
    straight count, and a rebuild changes nothing."""
    catalog = [wire.ItemRecord(pii=f"C{n}", title=f"书{n}", branch=ROOMS[n % 3]) for n in range(80)]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(catalog)).status_code == 200
    cards = [wire.PatronRecord(card_id=f"R{n}") for n in range(5)]
    assert central.staff.put("/admin/patrons", staff_wire.PatronBatch(cards)).status_code == 200
    kiosks = [central.enrol(f"c{n}", ROOMS[n % 3]) for n in range(4)]
    start = threading.Barrier(len(kiosks))

    def lend(k: int) -> list[str]:
        rng = random.Random(k)
        statuses = []
        for round_ in range(5):
            rows = []
            for n in range(4):
                at = START - timedelta(days=rng.randrange(5), hours=rng.randrange(8))
                rows.append(
                    wire.TransactionIn(
                        id=f"c{k}-{round_}-{n}", seq=round_ * 4 + n + 1, kind="checkout",
                        patron_card=f"R{rng.randrange(5)}", item_pii=f"C{k * 20 + round_ * 4 + n}",
                        at=at, decision="online", due_at=at + timedelta(days=28),
                    )
                )  # fmt: skip
            if round_ == 0:
                start.wait()
            statuses += [r["status"] for r in kiosks[k].push(*rows)]
        return statuses

    with ThreadPoolExecutor(len(kiosks)) as pool:
        statuses = [s for found in pool.map(lend, range(len(kiosks))) for s in found]
    assert statuses == ["accepted"] * 80
    week = (TODAY - timedelta(days=6), TODAY)
    with reading(central.engine) as conn:
        assert from_rollup(conn, *week) == nonzero(straight(conn, *week))
        kept = snapshot(conn)
    with writing(central.engine) as conn:
        rollup_rebuild.rebuild(conn)
    with reading(central.engine) as conn:
        assert snapshot(conn) == kept
