"""The change feed kiosks pull: an ordered log of upserts and tombstones with a resumable cursor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import wire
from sync.central.schema import changes, counters, kiosks


@dataclass(frozen=True, slots=True)
class Delta:
    entity: str
    key: str
    op: str  # upsert | delete
    payload: dict[str, Any] | None = None


def append(conn: Connection, deltas: Sequence[Delta], now: datetime) -> int:
    """Log ``deltas`` with the next seqs; return the last seq used (0 when nothing to log).

    Taking the seqs by updating one counter row locks that row until this transaction ends,
    so a reader never sees seq N+1 committed while N is still pending and skips N for good.
    """
    if not deltas:
        return 0
    conn.execute(
        counters.update()
        .where(counters.c.name == "changes")
        .values(value=counters.c.value + len(deltas))
    )
    last = conn.execute(
        sa.select(counters.c.value).where(counters.c.name == "changes")
    ).scalar_one()
    first = last - len(deltas) + 1
    conn.execute(
        changes.insert(),
        [
            {
                "seq": first + i,
                "entity": d.entity,
                "key": d.key,
                "op": d.op,
                "payload": d.payload,
                "at": now,
            }
            for i, d in enumerate(deltas)
        ],
    )
    return last


def latest_cursor(conn: Connection) -> int:
    return conn.execute(
        sa.select(counters.c.value).where(counters.c.name == "changes")
    ).scalar_one()


def page(conn: Connection, cursor: int, limit: int) -> wire.ChangesPage:
    rows = conn.execute(
        sa.select(changes).where(changes.c.seq > cursor).order_by(changes.c.seq).limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    out = [_change(row) for row in rows]
    return wire.ChangesPage(
        changes=out, next_cursor=rows[-1].seq if rows else cursor, has_more=has_more
    )


def note_kiosk_cursor(conn: Connection, kiosk_id: str, cursor: int) -> None:
    """A kiosk asking from ``cursor`` has applied everything up to it: remember what it knew.

    Clamped to the log's end, so a bogus cursor cannot hide later blocks from conflict checks.
    """
    cursor = min(cursor, latest_cursor(conn))
    conn.execute(
        kiosks.update()
        .where(kiosks.c.kiosk_id == kiosk_id, kiosks.c.known_cursor < cursor)
        .values(known_cursor=cursor)
    )


def _change(row: Any) -> wire.Change:
    change = wire.Change(seq=row.seq, entity=row.entity, op=row.op, key=row.key)
    payload = row.payload
    if payload is not None:
        record_type = {
            "policy": wire.PolicyRecord,
            "item": wire.ItemRecord,
            "patron": wire.PatronRecord,
            "hold": wire.HoldRecord,
        }[row.entity]
        setattr(change, row.entity, wire.from_json(record_type, payload))
    return change
