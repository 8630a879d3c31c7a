"""The alerts page: open alert episodes first, then the history, with what each channel got;
technicians acknowledge an open alert here, which stops its reminders."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from sync.central.alerts import engine as alert_engine
from sync.central.alerts.messages import KINDS, WORDS, describe
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep, SerialId
from sync.central.web.common import PREFIX, SignedIn, new_router, page, staff_form

router = new_router()

#: Taking an alert is a technician's job (administrators may too); viewers only read.
ACKNOWLEDGE_ROLE = "technician"


@router.get("/alerts")
def alertspage(staff: SignedIn, rt: RuntimeDep, taken: int | None = None) -> Response:
    with reading(rt.engine) as conn:
        episodes = alert_engine.history(conn, limit=300)
        sent = alert_engine.deliveries(conn, [e.id for e in episodes])
    return page(
        rt,
        "alerts.html",
        staff,
        active="alerts",
        episodes=episodes,
        sent=sent,
        words=WORDS,
        kinds=KINDS,
        describe=describe,
        open_count=sum(1 for e in episodes if e.resolved_at is None),
        may_acknowledge=staff.may(ACKNOWLEDGE_ROLE),
        taken=taken,
    )


@router.post("/alerts/{episode_id}/acknowledge")
async def acknowledge(
    episode_id: SerialId, request: Request, staff: SignedIn, rt: RuntimeDep
) -> Response:
    """The page's "I am on it" button: reminders stop, the group still hears when it clears."""
    await staff_form(request, staff, ACKNOWLEDGE_ROLE, "alerts")
    try:
        await rt.run_db(
            write_with_retry,
            rt.engine,
            lambda conn: alert_engine.acknowledge(conn, episode_id, staff.name, rt.clock.now()),
        )
    except alert_engine.NotOpen as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return RedirectResponse(f"{PREFIX}/alerts?taken={episode_id}", status.HTTP_303_SEE_OTHER)
