"""The ledger rolled up per room and day, kept in the transaction that changes the ledger.

The efficiency page asks, for any period of whole local days, per room: loans, returns,
renewals, reader-days, distinct readers, new readers (first transaction anywhere in the
period) and the holdings not lent in the last 90 days. Over a year for 300 rooms that is
millions of transactions; these tables answer it from thousands of rows, exactly.

Counts add up from ``room_days``. Distinct counts do not add up from days, so the rollup
keeps one row per reader, room and day with the reader's previous day in that room
(``reader_days``). The readers of a room in [a, b] are its rows in [a, b] whose previous
day is before a (each reader has exactly one such row, their first day in the period); by
the same token they are the readers whose last day is a or later (``room_reader_lasts``)
less those whose first day from a on is after b (rows after b with a previous day before
a). The query takes whichever side scans fewer rows: a period ending today reads a
histogram and almost no rows. New readers and unborrowed holdings work the same way, with
the reader's first day anywhere (``reader_firsts``, ``room_reader_firsts``) and each item's
lending days (``item_lent_days``, ``items.last_lent_day``).

What counts is what the statistics count: applied transactions not cancelled. The ledger
calls :func:`count` with +1 when it applies a row and -1 when a cancel undoes one; a conflict
staff apply later is +1. :func:`sync.central.rollup_rebuild.rebuild` makes everything again
from the ledger (schema step 9, and after loading transactions by other means).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from sync.central.database import keyed_select, rows_for_keys, tuples
from sync.central.schema import (
    item_lent_days,
    items,
    reader_days,
    reader_firsts,
    room_days,
    room_holdings,
    room_reader_firsts,
    room_reader_lasts,
)
from sync.central.stats import KIND_COLUMNS

#: ``prev_day`` of a first day: sorts before every ISO day.
NONE = ""
#: Item statuses that are no holding (not on the shelf to lend).
NOT_HELD = ("lost", "missing")

Change = tuple[Any, int]  # a transactions row (mapping or Row) and +1 / -1


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def count(conn: Connection, changes: Iterable[Change]) -> None:
    """Add (+1) or take away (-1) applied transactions, in the caller's transaction.

    Readers are locked (``reader_firsts`` rows, in card order) before their rows are read, so
    two batches of the same reader at two kiosks change the rollup one after the other.
    """
    rooms: Counter[tuple[str, str, str]] = Counter()
    readers: Counter[tuple[str, str, str]] = Counter()
    lent: Counter[tuple[str, str]] = Counter()
    for row, sign in changes:
        branch, day, kind = _get(row, "branch"), _get(row, "day"), _get(row, "kind")
        if kind in KIND_COLUMNS:
            rooms[(branch, day, KIND_COLUMNS[kind])] += sign
        card = _get(row, "patron_card")
        if card:
            readers[(card, branch, day)] += sign
        if kind == "checkout":
            lent[(_get(row, "item_pii"), day)] += sign
    if readers:
        _readers(conn, readers, rooms)
    if lent:
        _lent(conn, lent)
    by_day: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for (branch, day, column), delta in rooms.items():
        if delta:
            by_day[(branch, day)][column] = delta
    _add(
        conn,
        room_days,
        ("branch", "day"),
        [{"branch": b, "day": d, **_zeros(), **v} for (b, d), v in sorted(by_day.items())],
    )


def _zeros() -> dict[str, int]:
    return {"loans": 0, "returns": 0, "renewals": 0, "reader_days": 0}


def lock_readers(conn: Connection, cards: Iterable[str]) -> None:
    """Take the readers' locks (PostgreSQL; SQLite has one writer), in card order."""
    cards = sorted({c for c in cards if c})
    if not cards or conn.dialect.name != "postgresql":
        return
    from sqlalchemy.dialects.postgresql import insert

    for start in range(0, len(cards), 500):
        chunk = cards[start : start + 500]
        conn.execute(
            insert(reader_firsts).on_conflict_do_nothing(),
            [{"patron_card": c, "first_day": None} for c in chunk],
        )
    rows_for_keys(conn, _LOCK_READERS, cards)


_LOCK_READERS = keyed_select(reader_firsts.c.patron_card, lock=True)
_READER_DAYS = keyed_select(
    reader_days.c.patron_card, reader_days.c.branch, reader_days.c.day,
    reader_days.c.transactions, reader_days.c.prev_day,
)  # fmt: skip
_LENT_DAYS = keyed_select(
    item_lent_days.c.item_pii, item_lent_days.c.day, item_lent_days.c.checkouts,
    item_lent_days.c.prev_day,
)  # fmt: skip


def _all_for_keys(conn: Connection, query: sa.Select[Any], keys: Sequence[str]) -> list[Any]:
    """Every row (not one per key) of a keyed select, in chunks."""
    found: list[Any] = []
    for start in range(0, len(keys), 500):
        found.extend(conn.execute(query, {"keys": list(keys[start : start + 500])}))
    return found


def _chained(days: Iterable[str]) -> dict[str, str]:
    """Each day with the day before it in the list (sorted), the first with ``NONE``."""
    chained: dict[str, str] = {}
    before = NONE
    for day in sorted(days):
        chained[day] = before
        before = day
    return chained


def _readers(
    conn: Connection,
    deltas: Counter[tuple[str, str, str]],
    rooms: Counter[tuple[str, str, str]],
) -> None:
    cards = sorted({card for card, _, _ in deltas})
    lock_readers(conn, cards)
    stored: dict[str, dict[tuple[str, str], tuple[int, str]]] = defaultdict(dict)
    for row in _all_for_keys(conn, _READER_DAYS, cards):
        stored[row.patron_card][(row.branch, row.day)] = (row.transactions, row.prev_day)
    wanted: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for card, rows in stored.items():
        for key, (n, _) in rows.items():
            wanted[card][key] = n
    for (card, branch, day), delta in deltas.items():
        wanted[card][(branch, day)] += delta
    lasts: Counter[tuple[str, str]] = Counter()
    firsts: Counter[tuple[str, str]] = Counter()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[dict[str, Any]] = []
    new_firsts: list[dict[str, Any]] = []
    for card in cards:
        old = stored.get(card, {})
        new = {key: n for key, n in wanted[card].items() if n > 0}
        if new == {key: n for key, (n, _) in old.items()}:
            continue
        old_first = min((d for _, d in old), default=None)
        new_first = min((d for _, d in new), default=None)
        if old_first != new_first:
            new_firsts.append({"key": card, "first_day": new_first})
        for branch in sorted({b for b, _ in old} | {b for b, _ in new}):
            old_days = sorted(d for b, d in old if b == branch)
            new_days = _chained(d for b, d in new if b == branch)
            if old_days:
                lasts[(branch, old_days[-1])] -= 1
                firsts[(branch, old_first or NONE)] -= 1
            if new_days:
                lasts[(branch, max(new_days))] += 1
                firsts[(branch, new_first or NONE)] += 1
            for day in old_days:
                if day not in new_days:
                    deletes.append({"card": card, "b": branch, "d": day})
                    rooms[(branch, day, "reader_days")] -= 1
            for day, prev in new_days.items():
                n = new[(branch, day)]
                if (branch, day) not in old:
                    inserts.append(
                        {"patron_card": card, "branch": branch, "day": day,
                         "transactions": n, "prev_day": prev}
                    )  # fmt: skip
                    rooms[(branch, day, "reader_days")] += 1
                elif old[(branch, day)] != (n, prev):
                    updates.append({"card": card, "b": branch, "d": day, "n": n, "prev": prev})
    rd = reader_days.c
    pair = [
        rd.patron_card == sa.bindparam("card"),
        rd.branch == sa.bindparam("b"),
        rd.day == sa.bindparam("d"),
    ]
    _write_days(conn, reader_days, pair, "transactions", deletes, updates, inserts)
    if new_firsts:
        if conn.dialect.name != "postgresql":  # PostgreSQL made the rows when locking them
            conn.execute(
                _insert(conn, reader_firsts).on_conflict_do_nothing(),
                [{"patron_card": r["key"], "first_day": None} for r in new_firsts],
            )
        conn.execute(
            reader_firsts.update()
            .where(reader_firsts.c.patron_card == sa.bindparam("key"))
            .values(first_day=sa.bindparam("first_day")),
            new_firsts,
        )
    for table, deltas_ in ((room_reader_lasts, lasts), (room_reader_firsts, firsts)):
        _add(
            conn,
            table,
            ("branch", "day"),
            [{"branch": b, "day": d, "readers": n} for (b, d), n in sorted(deltas_.items()) if n],
        )


def _lent(conn: Connection, deltas: Counter[tuple[str, str]]) -> None:
    """Items' lending days; the caller holds the items' locks (the ledger's batch does)."""
    piis = sorted({pii for pii, _ in deltas})
    stored: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for row in _all_for_keys(conn, _LENT_DAYS, piis):
        stored[row.item_pii][row.day] = (row.checkouts, row.prev_day)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[dict[str, Any]] = []
    lasts: list[dict[str, Any]] = []
    catalog = rows_for_keys(conn, _ITEMS, piis)
    holdings: Counter[tuple[str, str]] = Counter()
    for pii in piis:
        old = stored.get(pii, {})
        counts = Counter({day: n for day, (n, _) in old.items()})
        for (p, day), delta in deltas.items():
            if p == pii:
                counts[day] += delta
        new_days = _chained(d for d, n in counts.items() if n > 0)
        for day in old:
            if day not in new_days:
                deletes.append({"pii": pii, "d": day})
        for day, prev in new_days.items():
            if day not in old:
                inserts.append(
                    {"item_pii": pii, "day": day, "checkouts": counts[day], "prev_day": prev}
                )
            elif old[day] != (counts[day], prev):
                updates.append({"pii": pii, "d": day, "n": counts[day], "prev": prev})
        item = catalog.get(pii)
        last = max(new_days, default=None)
        if item is not None and item.last_lent_day != last:
            lasts.append({"key": pii, "last": last})
            if item.status not in NOT_HELD:
                holdings[(item.branch, item.last_lent_day or NONE)] -= 1
                holdings[(item.branch, last or NONE)] += 1
    ld = item_lent_days.c
    one = [ld.item_pii == sa.bindparam("pii"), ld.day == sa.bindparam("d")]
    _write_days(conn, item_lent_days, one, "checkouts", deletes, updates, inserts)
    if lasts:
        conn.execute(
            items.update()
            .where(items.c.pii == sa.bindparam("key"))
            .values(last_lent_day=sa.bindparam("last")),
            lasts,
        )
    add_holdings(conn, holdings)


_ITEMS = keyed_select(items.c.pii, items.c.branch, items.c.status, items.c.last_lent_day)


def holding_change(item: Any, sign: int) -> tuple[tuple[str, str], int] | None:
    """An item (branch, status, last_lent_day) going into (+1) or out of (-1) its room's
    holdings; None when it is no holding."""
    if _get(item, "status") in NOT_HELD:
        return None
    return (_get(item, "branch"), _get(item, "last_lent_day") or NONE), sign


def add_holdings(conn: Connection, deltas: Counter[tuple[str, str]]) -> None:
    _add(
        conn,
        room_holdings,
        ("branch", "last_lent_day"),
        [
            {"branch": b, "last_lent_day": d, "items": n}
            for (b, d), n in sorted(deltas.items())
            if n
        ],
    )


def last_lent(conn: Connection, piis: Sequence[str]) -> dict[str, str]:
    """The last lending day of items the ledger knows, for a catalog (re)adding them."""
    ld = item_lent_days.c
    found: dict[str, str] = {}
    for start in range(0, len(piis), 500):
        chunk = list(piis[start : start + 500])
        query = sa.select(ld.item_pii, sa.func.max(ld.day)).where(ld.item_pii.in_(chunk))
        found.update((pii, day) for pii, day in tuples(conn, query.group_by(ld.item_pii)))
    return found


def _insert(conn: Connection, table: sa.Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def _add(
    conn: Connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Add each row's numbers to the stored row with its keys (made if missing), in key
    order, so concurrent batches take the rows' locks in one order."""
    if not rows:
        return
    statement = _insert(conn, table)
    numbers = [c for c in rows[0] if c not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: table.c[c] + statement.excluded[c] for c in numbers},
    )
    conn.execute(statement, rows)


def _write_days(
    conn: Connection,
    table: sa.Table,
    key: list[Any],
    count: str,
    deletes: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    inserts: list[dict[str, Any]],
) -> None:
    """Write one chained day table's computed change (reader days, item lending days): rows
    gone, rows whose ``count`` (bound as ``n``) or ``prev_day`` (``prev``) changed, new rows."""
    if deletes:
        conn.execute(table.delete().where(*key), deletes)
    if updates:
        values: dict[str, Any] = {count: sa.bindparam("n"), "prev_day": sa.bindparam("prev")}
        conn.execute(table.update().where(*key).values(values), updates)
    if inserts:
        conn.execute(table.insert(), inserts)
