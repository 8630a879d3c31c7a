"""Branches (rooms): the district (县/区) the fleet pages group them under, and what the room
is (seats, floor area, weekly opening hours, opening date) for the efficiency measures.

A kiosk names its branch when it is enrolled; the rest is set here by an administrator,
because nothing a kiosk reports says how many seats its room has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import staff_wire
from sync.central.schema import branches

_ROOM_FIELDS = ("district", "seats", "floor_area_m2", "weekly_open_hours", "opened_on", "name")


@dataclass(frozen=True, slots=True)
class Room:
    branch: str
    district: str = ""
    seats: int = 0
    floor_area_m2: int = 0
    weekly_open_hours: float = 0.0
    opened_on: str = ""
    name: str = ""


def _check(record: staff_wire.BranchRecord) -> None:
    name = record.branch[:40]
    if not record.branch.strip() or len(record.branch) > 200:
        raise ValueError(f"branch {name!r}: the name must have 1-200 characters")
    if record.district is not None and len(record.district) > 200:
        raise ValueError(f"branch {name!r}: district of at most 200 characters")
    if record.name is not None and len(record.name) > 200:
        raise ValueError(f"branch {name!r}: room name of at most 200 characters")
    for field in ("seats", "floor_area_m2"):
        value = getattr(record, field)
        if value is not None and not (0 <= value <= 100_000):
            raise ValueError(f"branch {name!r}: {field} must be 0-100000")
    hours = record.weekly_open_hours
    if hours is not None and not (0 <= hours <= 168):
        raise ValueError(f"branch {name!r}: weekly_open_hours must be 0-168 (a week has 168)")
    if record.opened_on:
        try:
            date.fromisoformat(record.opened_on)
        except ValueError:
            raise ValueError(f"branch {name!r}: opened_on must be YYYY-MM-DD") from None


def set_districts(
    conn: Connection, records: Sequence[staff_wire.BranchRecord], now: datetime
) -> staff_wire.UpsertResult:
    """Upsert every record, only the fields it gives (all in the caller's one transaction)."""
    for record in records:
        _check(record)
    known = set(
        conn.execute(
            sa.select(branches.c.branch).where(branches.c.branch.in_([r.branch for r in records]))
        ).scalars()
    )
    inserted = updated = 0
    for record in records:
        values: dict[str, object] = {
            field: (value.strip() if isinstance(value, str) else value)
            for field in _ROOM_FIELDS
            if (value := getattr(record, field)) is not None
        }
        values["updated_at"] = now
        if record.branch in known:
            conn.execute(branches.update().where(branches.c.branch == record.branch).values(values))
            updated += 1
        else:
            conn.execute(branches.insert().values(branch=record.branch, **values))
            known.add(record.branch)
            inserted += 1
    return staff_wire.UpsertResult(inserted=inserted, updated=updated)


def districts(conn: Connection) -> dict[str, str]:
    """Branch → district, for the branches that have one."""
    return {row.branch: row.district for row in conn.execute(sa.select(branches))}


def rooms(conn: Connection) -> dict[str, Room]:
    return {
        row.branch: Room(
            row.branch,
            row.district,
            row.seats,
            row.floor_area_m2,
            row.weekly_open_hours,
            row.opened_on,
            row.name,
        )
        for row in conn.execute(sa.select(branches))
    }
