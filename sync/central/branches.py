"""Branches grouped into districts (县/区): the fleet overview filters and sorts by them.

A kiosk names its branch when it is enrolled; a branch's district is set here, by an
administrator, because the same branch name means nothing about its district.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import wire
from sync.central.schema import branches


def set_districts(
    conn: Connection, records: Sequence[wire.BranchRecord], now: datetime
) -> wire.UpsertResult:
    """Upsert every record (all in the caller's one transaction)."""
    for record in records:
        if not record.branch.strip() or len(record.branch) > 200 or len(record.district) > 200:
            raise ValueError(f"branch {record.branch[:40]!r}: name 1-200, district 0-200 chars")
    known = set(
        conn.execute(
            sa.select(branches.c.branch).where(branches.c.branch.in_([r.branch for r in records]))
        ).scalars()
    )
    inserted = updated = 0
    for record in records:
        values = {"district": record.district.strip(), "updated_at": now}
        if record.branch in known:
            conn.execute(branches.update().where(branches.c.branch == record.branch).values(values))
            updated += 1
        else:
            conn.execute(branches.insert().values(branch=record.branch, **values))
            known.add(record.branch)
            inserted += 1
    return wire.UpsertResult(inserted=inserted, updated=updated)


def districts(conn: Connection) -> dict[str, str]:
    """Branch → district, for the branches that have one."""
    return {row.branch: row.district for row in conn.execute(sa.select(branches))}
