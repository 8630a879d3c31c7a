"""The efficiency page (服务效能): every room over a period against the city, weak rooms flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Response

from sync.central import efficiency, reports, rooms
from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.web import charts
from sync.central.web.common import SignedIn, new_router, page, period
from sync.central.web.labels import plain

router = new_router()

#: Columns a director may sort by, most asked-for first.
SORTS = (
    "loans", "visits", "readers", "new_readers", "loans_per_open_hour", "loans_per_seat",
    "turnover", "stale_share", "uptime_percent", "faults",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class View:
    found: efficiency.Efficiency
    rooms: list[efficiency.RoomMeasures]
    since: str
    until: str
    district: str
    sort: str

    @property
    def query(self) -> str:
        return (
            f"since={self.since}&until={self.until}&district={quote(self.district)}"
            f"&sort={self.sort}"
        )


def _view(
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    district: str = "",
    sort: str = "loans",
) -> View:
    """The period, district and order the query asks for, measured (a page dependency)."""
    start, end = period(rt, since, until)
    start = max(start, end - timedelta(days=730))  # two years at most on one page
    with reading(rt.engine) as conn:
        found = efficiency.measure(
            conn, start, end, rt.settings.timezone, rt.settings.online_window, rt.clock.now()
        )
    sort = sort if sort in SORTS else "loans"
    rooms = [r for r in found.rooms if not district or r.district == district]
    # Most first for every measure; for the unborrowed share that is the worst first too.
    rooms.sort(key=lambda r: (getattr(r, sort) is None, -(getattr(r, sort) or 0), r.branch))
    return View(found, rooms, start.isoformat(), end.isoformat(), district, sort)


Measured = Annotated[View, Depends(_view)]


def _context(view: View) -> dict[str, Any]:
    return {
        "found": view.found,
        "rooms": view.rooms,
        "districts": sorted({r.district for r in view.found.rooms if r.district}),
        "district": view.district,
        "sort": view.sort,
        "since": view.since,
        "until": view.until,
        "query": view.query,
        "flagged": sum(1 for r in view.rooms if r.flags),
        "bars": _bars(view.rooms),
    }


def _bars(rooms: list[efficiency.RoomMeasures]) -> list[tuple[str, int, float, bool]]:
    """(room, loans, bar width 0-100, flagged) for the print page's SVG chart."""
    top = max((r.loans for r in rooms), default=0) or 1
    return [(r.branch, r.loans, 100.0 * r.loans / top, bool(r.flags)) for r in rooms[:40]]


@router.get("/efficiency")
def efficiencypage(staff: SignedIn, rt: RuntimeDep, view: Measured) -> Response:
    return page(rt, "efficiency.html", staff, active="efficiency", **_context(view))


@router.get("/efficiency/print")
def efficiency_print(staff: SignedIn, rt: RuntimeDep, view: Measured) -> Response:
    """The report as a director prints it or saves it as PDF from the browser (A4)."""
    return page(rt, "efficiency_print.html", staff, active="efficiency", **_context(view))


@router.get("/efficiency.{kind}")
def efficiency_download(kind: str, staff: SignedIn, rt: RuntimeDep, view: Measured) -> Response:
    if kind not in ("xlsx", "csv"):
        return Response(status_code=404)
    name = f"shufang-efficiency-{view.since}-{view.until}.{kind}"
    if kind == "csv":
        body = reports.to_csv(view.found, view.rooms)
        media = "text/csv; charset=utf-8"
    else:
        title = f"书房服务效能报告 {view.district or '全市'} {view.since} – {view.until}"
        now = rt.clock.now().astimezone(rt.settings.timezone)
        body = reports.to_xlsx(view.found, view.rooms, title, now)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/rooms/{branch:path}")
def roompage(branch: str, staff: SignedIn, rt: RuntimeDep, view: Measured) -> Response:
    """One room: its measures against the city, and its weeks and hours of the day."""
    room = next((r for r in view.found.rooms if r.branch == branch), None)
    if room is None:
        return page(rt, "missing.html", staff, code=404, active="efficiency", kiosk_id=branch)
    start, end = date.fromisoformat(view.since), date.fromisoformat(view.until)
    with reading(rt.engine) as conn:
        found = rooms.rhythm(conn, branch, start, end, rt.settings.timezone)
    names = {key: plain(key) for key in ("loans", "returns", "renewals")}
    weekly = charts.daily_bars(
        f"{branch} · {plain('room_by_week')}",
        found.weeks,
        [charts.Series(k, names[k], found.by_week[k]) for k in ("loans", "returns")],
        weekends=False,
    )
    hours = [f"{h:02d}" for h in range(24)]
    hourly = charts.daily_bars(
        f"{branch} · {plain('room_by_hour')}",
        hours,
        [charts.Series(k, names[k], found.by_hour[k]) for k in ("loans", "returns")],
        axis_labels=[f"{h}时" for h in range(24)],
        weekends=False,
    )
    return page(
        rt, "room.html", staff, active="efficiency", room=room, city=view.found.city,
        since=view.since, until=view.until, weekly=weekly, hourly=hourly, total=found.total,
    )  # fmt: skip
