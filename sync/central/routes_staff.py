"""Read endpoints for staff and managers: fleet, faults, conflicts, loans, statistics."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, status

from sync.central import conflict_records, fleet_health, staff_wire, stats
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep, SerialId, Staff
from sync.central.schema import loans

router = APIRouter(tags=["staff"])


@router.get("/fleet", response_model=staff_wire.Fleet)
def fleet(
    staff: Staff,
    rt: RuntimeDep,
    branch: str | None = None,
    window_hours: Annotated[float | None, Query(gt=0, le=24 * 366)] = None,
) -> staff_wire.Fleet:
    """All kiosks, worst first, with health over ``window_hours`` (default: the setting)."""
    window = (
        timedelta(hours=window_hours) if window_hours is not None else rt.settings.health_window
    )
    with reading(rt.engine) as conn:
        return staff_wire.Fleet(
            kiosks=fleet_health.fleet(
                conn, rt.clock.now(), rt.settings.online_window, window, branch=branch
            )
        )


@router.get("/faults", response_model=list[staff_wire.FaultRecord])
def faults(
    staff: Staff,
    rt: RuntimeDep,
    kiosk_id: str | None = None,
    device: str | None = None,
    severity: str | None = None,
    open: bool = False,
    since: datetime | None = None,
    branch: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[staff_wire.FaultRecord]:
    """Faults, newest first; ``open=true`` keeps only those not cleared."""
    with reading(rt.engine) as conn:
        return fleet_health.list_faults(
            conn,
            kiosk_id=kiosk_id,
            device=device,
            severity=severity,
            open_only=open,
            since=since,
            branch=branch,
            limit=limit,
        )


@router.get("/conflicts", response_model=list[staff_wire.ConflictRecord])
def conflicts(
    staff: Staff,
    rt: RuntimeDep,
    open: bool = False,
    kiosk_id: str | None = None,
    branch: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[staff_wire.ConflictRecord]:
    with reading(rt.engine) as conn:
        return conflict_records.list_conflicts(
            conn, open_only=open, kiosk_id=kiosk_id, branch=branch, limit=limit
        )


@router.post("/conflicts/{conflict_id}/resolve", response_model=staff_wire.ConflictRecord)
def resolve(
    conflict_id: SerialId,
    resolution: staff_wire.ConflictResolution,
    staff: Staff,
    rt: RuntimeDep,
) -> staff_wire.ConflictRecord:
    """Close a conflict: ``apply`` forces the loan or renewal, ``dismiss`` leaves loans alone."""
    try:
        return write_with_retry(
            rt.engine,
            lambda conn: conflict_records.resolve_conflict(
                conn, conflict_id, resolution, staff.name, rt.clock.now()
            ),
        )
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except conflict_records.ResolutionError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None


@router.get("/loans", response_model=list[staff_wire.LoanRecord])
def list_loans(
    staff: Staff,
    rt: RuntimeDep,
    patron_card: str | None = None,
    item_pii: str | None = None,
    open: bool = True,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[staff_wire.LoanRecord]:
    """The authoritative loans; ``open=false`` includes returned ones."""
    query = sa.select(loans).order_by(loans.c.id).limit(limit)
    if patron_card:
        query = query.where(loans.c.patron_card == patron_card)
    if item_pii:
        query = query.where(loans.c.item_pii == item_pii)
    if open:
        query = query.where(loans.c.returned_at.is_(None))
    with reading(rt.engine) as conn:
        return [
            staff_wire.LoanRecord(
                **{
                    k: v
                    for k, v in row._mapping.items()
                    if k in staff_wire.LoanRecord.__dataclass_fields__
                }
            )
            for row in conn.execute(query)
        ]


@router.get("/statistics", response_model=list[staff_wire.DailyStats])
def statistics(
    staff: Staff,
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    branch: str | None = None,
) -> list[staff_wire.DailyStats]:
    """Per branch and local day: loans, returns, renewals and distinct readers."""
    with reading(rt.engine) as conn:
        return stats.daily(conn, since=since, until=until, branch=branch)
