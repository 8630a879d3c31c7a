"""The alerts page: open alert episodes first, then the history, with what each channel got."""

from __future__ import annotations

from fastapi import Response

from sync.central.alerts import engine as alert_engine
from sync.central.alerts.messages import KINDS, WORDS, describe
from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.web.common import SignedIn, new_router, page

router = new_router()


@router.get("/alerts")
def alertspage(staff: SignedIn, rt: RuntimeDep) -> Response:
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
    )
