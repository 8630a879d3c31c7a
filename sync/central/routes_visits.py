"""``POST /visits``: door counters' hourly counts (staff token: the counter's own script)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from sync.central import staff_wire, visits
from sync.central.database import writing
from sync.central.deps import RuntimeDep, Staff

router = APIRouter(tags=["staff"])


@router.post("/visits", response_model=staff_wire.UpsertResult)
def record_visits(
    batch: staff_wire.VisitBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    """Hourly visits per room; an hour sent again replaces its count. All or nothing."""
    try:
        with writing(rt.engine) as conn:
            stored = visits.record(conn, batch.visits, rt.clock.now())
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return staff_wire.UpsertResult(inserted=stored, updated=0)
