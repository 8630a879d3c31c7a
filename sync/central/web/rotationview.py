"""The collection rotation pages (图书流转): plans and their progress, a proposal from the
rooms' unborrowed items, one plan's items, and its printable pick list in shelf order.

Technicians and administrators make, advance and cancel plans; viewers read them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from fastapi import HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from sync.central import picklist, rotation, rotation_moves, rotation_proposals
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep, SerialId
from sync.central.runtime import Runtime
from sync.central.schema import branches, kiosks, room_holdings
from sync.central.web.common import PREFIX, SignedIn, new_router, page, staff_form

router = new_router()

#: Making and moving plans is a technician's or an administrator's job; viewers only read.
PLAN_ROLE = "technician"
#: What the proposal form starts from: half a year unborrowed, a month's batch.
DEFAULT_IDLE_DAYS, DEFAULT_LIMIT, DEFAULT_BATCH = 180, 200, 500
#: Progress in the order a plan goes through it.
STATES = ("on_shelf", "on_loan", "in_transit", "arrived")


def _rooms(conn: sa.Connection) -> list[str]:
    """Every room the central knows: from enrolled kiosks, the branches table and the catalog
    (read from its holdings rollup: a few rows a room, where the items are 10,000 a room)."""
    found: set[str] = set(conn.execute(sa.select(kiosks.c.branch)).scalars())
    found |= set(conn.execute(sa.select(branches.c.branch)).scalars())
    found |= set(conn.execute(sa.select(room_holdings.c.branch).distinct()).scalars())
    return sorted(b for b in found if b)


def _criteria(
    since_days: str | int | None, limit: str | int | None, clc: str | None
) -> tuple[int, int, str]:
    def number(text: str | int | None, default: int, top: int) -> int:
        try:
            return max(0, min(int(text or default), top))
        except ValueError:
            return default

    return (
        number(since_days, DEFAULT_IDLE_DAYS, 3650),
        number(limit, DEFAULT_LIMIT, rotation.MAX_ITEMS) or DEFAULT_LIMIT,
        (clc or "").strip()[:20],
    )


@router.get("/rotation")
def plans_page(
    staff: SignedIn,
    rt: RuntimeDep,
    source: str = "",
    to: str = "",
    days: str = "",
    limit: str = "",
    clc: str = "",
    made: int | None = None,
    suggest: int = 0,
    batch: str = "",
) -> Response:
    """Every plan with its progress; with a room chosen, the items a plan could move; asked
    for, the city's suggested pairs of rooms (``suggest=1``, at most ``batch`` per room)."""
    idle_days, most, prefix = _criteria(days, limit, clc)
    per_room = _criteria(None, batch or DEFAULT_BATCH, None)[1]
    today = rotation_proposals.local_today(rt.clock.now(), rt.settings.timezone)
    with reading(rt.engine) as conn:
        suggestions = (
            rotation_proposals.suggest(conn, idle_days=idle_days, today=today, batch=per_room)
            if suggest
            else None
        )
        rooms = _rooms(conn)
        names = rotation.room_names(conn)
        found = rotation.plans(conn)
        proposal = (
            rotation_proposals.propose(
                conn, source, idle_days=idle_days, today=today, clc_prefix=prefix, limit=most
            )
            if source
            else None
        )
    return page(
        rt,
        "rotation.html",
        staff,
        active="rotation",
        plans=found,
        rooms=rooms,
        names=names,
        states=STATES,
        source=source,
        to=to,
        days=idle_days,
        limit=most,
        clc=prefix,
        proposal=proposal,
        made=made,
        may_plan=staff.may(PLAN_ROLE),
        error="",
        suggestions=suggestions,
        batch=per_room,
    )


@router.post("/rotation")
async def make_plan(request: Request, staff: SignedIn, rt: RuntimeDep) -> Response:
    """Make the plan the proposal showed (taken again now), or one of the barcodes typed in."""
    form = await staff_form(request, staff, PLAN_ROLE, "rotation")
    source, to = form.get("source", "").strip(), form.get("to", "").strip()
    idle_days, most, prefix = _criteria(form.get("days"), form.get("limit"), form.get("clc"))
    typed = form.get("piis", "").split()
    today = rotation_proposals.local_today(rt.clock.now(), rt.settings.timezone)

    def make(conn: sa.Connection) -> int:
        piis = typed or [
            c.pii
            for c in rotation_proposals.propose(
                conn, source, idle_days=idle_days, today=today, clc_prefix=prefix, limit=most
            )
        ]
        return rotation.create_plan(
            conn, source, to, piis, staff.name, rt.clock.now(), form.get("note", "")
        )

    try:
        plan_id = await rt.run_db(write_with_retry, rt.engine, make)
    except rotation.PlanError as error:
        return _plans_with_error(rt, staff, form, str(error))
    return RedirectResponse(f"{PREFIX}/rotation/{plan_id}?made=1", status.HTTP_303_SEE_OTHER)


def _plans_with_error(rt: Runtime, staff: Any, form: dict[str, str], error: str) -> Response:
    with reading(rt.engine) as conn:
        rooms, names, found = _rooms(conn), rotation.room_names(conn), rotation.plans(conn)
    idle_days, most, prefix = _criteria(form.get("days"), form.get("limit"), form.get("clc"))
    return page(
        rt,
        "rotation.html",
        staff,
        code=422,
        active="rotation",
        plans=found,
        rooms=rooms,
        names=names,
        states=STATES,
        source=form.get("source", ""),
        to=form.get("to", ""),
        days=idle_days,
        limit=most,
        clc=prefix,
        proposal=None,
        made=None,
        may_plan=staff.may(PLAN_ROLE),
        error=error,
        suggestions=None,
        batch=DEFAULT_BATCH,
    )


def _plan_or_404(rt: Runtime, plan_id: int) -> tuple[rotation.Plan, dict[str, str]]:
    with reading(rt.engine) as conn:
        found = rotation.plan(conn, plan_id)
        names = rotation.room_names(conn)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no rotation plan {plan_id}")
    return found, names


@router.get("/rotation/{plan_id}")
def plan_page(
    plan_id: SerialId, staff: SignedIn, rt: RuntimeDep, made: int | None = None, moved: int = -1
) -> Response:
    found, names = _plan_or_404(rt, plan_id)
    return page(
        rt,
        "rotation_plan.html",
        staff,
        active="rotation",
        plan=found,
        names=names,
        states=STATES,
        made=made,
        moved=moved,
        may_plan=staff.may(PLAN_ROLE) and found.cancelled_at is None,
    )


@router.get("/rotation/{plan_id}/picklist")
def picklist_page(plan_id: SerialId, staff: SignedIn, rt: RuntimeDep) -> Response:
    """The items to take off the shelf, in shelf order, with a box to tick for each."""
    found, names = _plan_or_404(rt, plan_id)
    return page(
        rt,
        "rotation_picklist.html",
        staff,
        active="rotation",
        plan=found,
        names=names,
        to_pick=[i for i in found.items if i.shelf_state == "on_shelf"],
        on_loan=[i for i in found.items if i.shelf_state == "on_loan"],
    )


@router.get("/rotation/{plan_id}/picklist.{kind}")
def picklist_file(plan_id: SerialId, kind: str, staff: SignedIn, rt: RuntimeDep) -> Response:
    """The pick list for a spreadsheet, every item of the plan in shelf order."""
    if kind not in ("csv", "xlsx"):
        return Response(status_code=404)
    found, names = _plan_or_404(rt, plan_id)
    if kind == "csv":
        body, media = picklist.to_csv(found), "text/csv; charset=utf-8"
    else:
        source = names.get(found.from_branch, found.from_branch)
        target = names.get(found.to_branch, found.to_branch)
        title = f"取书单 流转计划 {plan_id}：{source} → {target}"
        now = rt.clock.now().astimezone(rt.settings.timezone)
        body = picklist.to_xlsx(found, title, now)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"rotation-{plan_id}-{found.from_branch}-{found.to_branch}.{kind}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"},
    )


@router.post("/rotation/{plan_id}/mark")
async def mark_items(
    plan_id: SerialId, request: Request, staff: SignedIn, rt: RuntimeDep
) -> Response:
    """Staff moved items without a kiosk: picked off the shelf (``in_transit``), or unpacked
    at the destination (``arrived``). ``piis`` may name some; without it, every item that can."""
    form = await staff_form(request, staff, PLAN_ROLE, "rotation")
    state = form.get("state", "")
    found, _ = _plan_or_404(rt, plan_id)
    if found.cancelled_at is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "the plan was cancelled")
    named = form.get("piis", "").split()
    if named:
        piis = named
    elif state == rotation.IN_TRANSIT:
        piis = [i.pii for i in found.items if i.shelf_state == "on_shelf"]
    else:
        piis = [i.pii for i in found.items if i.state == rotation.IN_TRANSIT]

    def mark(conn: sa.Connection) -> int:
        return rotation_moves.mark(conn, plan_id, piis, state, staff.name, rt.clock.now())

    try:
        moved = await rt.run_db(write_with_retry, rt.engine, mark)
    except rotation.PlanError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    query = urlencode({"moved": moved})
    return RedirectResponse(f"{PREFIX}/rotation/{plan_id}?{query}", status.HTTP_303_SEE_OTHER)


@router.post("/rotation/{plan_id}/cancel")
async def cancel_plan(
    plan_id: SerialId, request: Request, staff: SignedIn, rt: RuntimeDep
) -> Response:
    await staff_form(request, staff, PLAN_ROLE, "rotation")

    def cancel(conn: sa.Connection) -> int:
        return rotation_moves.cancel(conn, plan_id, staff.name, rt.clock.now())

    try:
        await rt.run_db(write_with_retry, rt.engine, cancel)
    except rotation.PlanError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return RedirectResponse(f"{PREFIX}/rotation/{plan_id}", status.HTTP_303_SEE_OTHER)
