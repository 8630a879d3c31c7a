"""The efficiency page (服务效能): every room over a period against the city, weak rooms flagged."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Response

from sync.central import efficiency
from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.web.common import SignedIn, new_router, page

router = new_router()

#: Columns a director may sort by, most asked-for first.
SORTS = (
    "loans", "visits", "readers", "new_readers", "loans_per_open_hour", "loans_per_seat",
    "turnover", "stale_share", "uptime_percent", "faults",
)  # fmt: skip


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/efficiency")
def efficiencypage(
    staff: SignedIn,
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    district: str = "",
    sort: str = "loans",
) -> Response:
    now = rt.clock.now()
    today = now.astimezone(rt.settings.timezone).date()
    end = _date(until) or today
    start = _date(since) or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=730))  # two years at most on one page
    with reading(rt.engine) as conn:
        found = efficiency.measure(
            conn, start, end, rt.settings.timezone, rt.settings.online_window, now
        )
    sort = sort if sort in SORTS else "loans"
    rooms = [r for r in found.rooms if not district or r.district == district]
    rooms.sort(key=lambda r: (getattr(r, sort) is None, -(getattr(r, sort) or 0), r.branch))
    if sort == "stale_share":  # more stale is worse: show the worst first as well
        rooms.sort(key=lambda r: (r.stale_share is None, -(r.stale_share or 0), r.branch))
    return page(
        rt,
        "efficiency.html",
        staff,
        active="efficiency",
        found=found,
        rooms=rooms,
        districts=sorted({r.district for r in found.rooms if r.district}),
        district=district,
        sort=sort,
        since=start.isoformat(),
        until=end.isoformat(),
        flagged=sum(1 for r in rooms if r.flags),
    )
