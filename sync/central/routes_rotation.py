"""Collection rotation plans for staff scripts (a library system sending a month's batch,
a report reading the progress); people use the ``/dashboard/rotation`` pages."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.engine import Connection

from sync.central import rotation, staff_wire
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep, Staff

router = APIRouter()

#: Longest branch code or item PII accepted (as the kiosk endpoints), and note.
MAX_KEY, MAX_BRANCH, MAX_NOTE = 64, 200, 500


def _record(plan: rotation.Plan) -> staff_wire.RotationPlanRecord:
    return staff_wire.RotationPlanRecord(
        id=plan.id,
        from_branch=plan.from_branch,
        to_branch=plan.to_branch,
        note=plan.note,
        created_by=plan.created_by,
        created_at=plan.created_at,
        cancelled_at=plan.cancelled_at,
        counts=dict(plan.counts),
    )


@router.get("/rotation/plans", response_model=list[staff_wire.RotationPlanRecord], tags=["staff"])
def rotation_plans(staff: Staff, rt: RuntimeDep) -> list[staff_wire.RotationPlanRecord]:
    """Every plan, newest first, with its items counted by where they are."""
    with reading(rt.engine) as conn:
        return [_record(p) for p in rotation.plans(conn)]


@router.post("/admin/rotation/plans", response_model=staff_wire.RotationPlanRecord, tags=["admin"])
async def make_rotation_plan(
    body: staff_wire.RotationPlanIn, staff: Staff, rt: RuntimeDep
) -> staff_wire.RotationPlanRecord:
    """A plan of the listed items; every kiosk learns them at its next sync. All or nothing:
    an item unknown, held by another room or on another live plan refuses the plan (422)."""
    problem = _problem(body)
    if problem:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)

    def make(conn: Connection) -> int:
        return rotation.create_plan(
            conn, body.from_branch, body.to_branch, body.items, staff.name, rt.clock.now(),
            body.note,
        )  # fmt: skip

    try:
        plan_id = await rt.run_db(write_with_retry, rt.engine, make)
    except rotation.PlanError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    with reading(rt.engine) as conn:
        made = rotation.plan(conn, plan_id)
    assert made is not None  # committed just now; plans are never deleted
    return _record(made)


def _problem(body: staff_wire.RotationPlanIn) -> str | None:
    for name in ("from_branch", "to_branch"):
        if len(getattr(body, name)) > MAX_BRANCH:
            return f"{name} longer than {MAX_BRANCH} characters"
    if len(body.note) > MAX_NOTE:
        return f"note longer than {MAX_NOTE} characters"
    if len(body.items) > rotation.MAX_ITEMS:
        return f"at most {rotation.MAX_ITEMS} items in one plan"
    if any(len(pii) > MAX_KEY for pii in body.items):
        return f"an item PII longer than {MAX_KEY} characters"
    return None
