"""The staff pages: fleet by branch, reliability ranking, one kiosk, conflicts, statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from sync import wire
from sync.central import conflict_records, staff_wire, stats
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep, SerialId
from sync.central.runtime import Runtime
from sync.central.schema import kiosks
from sync.central.web import charts, fleetview
from sync.central.web.common import PREFIX, SignedIn, new_router, page, period, staff_form
from sync.central.web.csvexport import statistics_csv
from sync.central.web.labels import plain

#: The statistics page charts at most this many days; the CSV has no such limit.
MAX_CHART_DAYS = 366

router = new_router()


@router.get("")
def fleetpage(
    staff: SignedIn,
    rt: RuntimeDep,
    state: str = "",
    district: str = "",
    device: str = "",
    version: str = "",
    q: str = "",
) -> Response:
    now = rt.clock.now()
    filters = fleetview.Filters(
        state=state if state in fleetview.STATE_ORDER else "",
        district=district[:200],
        device=device[:100],
        version=version[:100],
        q=q[:200],
    )
    with reading(rt.engine) as conn:
        found = fleetview.overview(conn, rt, now, filters)
        open_conflicts = len(conflict_records.list_conflicts(conn, open_only=True, limit=5000))
    return page(
        rt,
        "fleet.html",
        staff,
        active="fleet",
        overview=found,
        filters=filters,
        open_conflicts=open_conflicts,
        states=fleetview.STATE_ORDER,
        window_days=rt.settings.health_window.total_seconds() / 86400,
    )


@router.get("/ranking")
def rankingpage(staff: SignedIn, rt: RuntimeDep, days: int = 30) -> Response:
    days = days if days in fleetview.RANKING_DAYS else fleetview.RANKING_DAYS[0]
    with reading(rt.engine) as conn:
        ranking = fleetview.ranking(conn, rt, days, rt.clock.now())
    peak_faults = max((r.faults for r in ranking.by_faults), default=0)
    peak_down = max((r.status.downtime_seconds for r in ranking.by_downtime), default=0.0)
    return page(
        rt,
        "ranking.html",
        staff,
        active="ranking",
        ranking=ranking,
        choices=fleetview.RANKING_DAYS,
        meter=charts.meter,
        peak_faults=peak_faults,
        peak_down=peak_down,
    )


@router.get("/kiosks/{kiosk_id:path}")
def kioskpage(kiosk_id: str, staff: SignedIn, rt: RuntimeDep, days: int = 7) -> Response:
    days = days if days in (7, 30, 90) else 7
    now = rt.clock.now()
    with reading(rt.engine) as conn:
        detail = fleetview.kiosk_detail(conn, rt, kiosk_id, days, now)
    if detail is None:
        return page(rt, "missing.html", staff, code=404, active="fleet", kiosk_id=kiosk_id)
    strip = charts.state_strip(
        detail.segments,
        [(f.first_at, f.severity, f"{f.device} {f.code} ({f.severity})") for f in detail.faults],
        detail.start,
        detail.end,
        rt.settings.timezone,
        {
            "title": plain("service_history"),
            "in_service": plain("state_in_service"),
            "out_of_service": plain("state_out_of_service"),
            "offline": plain("state_offline"),
        },
    )
    return page(
        rt,
        "kiosk.html",
        staff,
        active="fleet",
        detail=detail,
        strip=strip,
        days=days,
        choices=(7, 30, 90),
        ranking_days=fleetview.RANKING_DAYS,
        window_days=rt.settings.health_window.total_seconds() / 86400,
        mask_card=fleetview.mask_card,
    )


#: Age filters of the conflicts page, in days ("older than").
CONFLICT_AGES = (1, 7, 30)


@router.get("/conflicts")
def conflictspage(
    staff: SignedIn,
    rt: RuntimeDep,
    source: str | None = None,
    branch: str | None = None,
    older: int | None = None,
    settled: int | None = None,
) -> Response:
    now = rt.clock.now()
    older = older if older in CONFLICT_AGES else None
    with reading(rt.engine) as conn:
        rows = conflict_records.list_conflicts(
            conn,
            open_only=True,
            source=source or None,
            branch=branch or None,
            created_before=now - timedelta(days=older) if older else None,
            limit=1000,
        )
    return page(
        rt,
        "conflicts.html",
        staff,
        active="conflicts",
        conflicts=rows,
        mask_card=fleetview.mask_card,
        branches=_branch_names(rt),
        source=source or "",
        branch=branch or "",
        older=older,
        ages=CONFLICT_AGES,
        settled=settled,
        may_settle=staff.may(SETTLE_ROLE),
    )


#: Settling a conflict changes who holds a book: administrators only.
SETTLE_ROLE = "administrator"


@router.post("/conflicts/{conflict_id}/resolve")
async def settle_conflict(
    conflict_id: SerialId, request: Request, staff: SignedIn, rt: RuntimeDep
) -> Response:
    """The page's apply / dismiss buttons; the decision and its note go to the audit log."""
    form = await staff_form(request, staff, SETTLE_ROLE, "conflicts")
    action = form.get("action")
    if action not in ("apply", "dismiss"):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "action must be apply or dismiss")
    resolution = staff_wire.ConflictResolution(
        action=cast(wire.Resolution, action), note=form.get("note", "").strip()[:500]
    )
    try:
        await rt.run_db(
            write_with_retry,
            rt.engine,
            lambda conn: conflict_records.resolve_conflict(
                conn, conflict_id, resolution, staff.name, rt.clock.now()
            ),
        )
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no conflict {conflict_id}") from None
    except conflict_records.ResolutionError as error:
        return page(
            rt, "conflicts.html", staff, code=409, active="conflicts", conflicts=[],
            mask_card=fleetview.mask_card, branches=[], source="", branch="", older=None,
            ages=CONFLICT_AGES, settled=None, may_settle=True, refusal=str(error),
        )  # fmt: skip
    return RedirectResponse(f"{PREFIX}/conflicts?settled={conflict_id}", status.HTTP_303_SEE_OTHER)


def _branch_names(rt: Runtime) -> list[str]:
    with reading(rt.engine) as conn:
        return sorted({r.branch for r in conn.execute(sa.select(kiosks.c.branch).distinct())})


def _daily(
    rt: Runtime, since: str | None, until: str | None, branch: str | None
) -> tuple[date, date, list[staff_wire.DailyStats]]:
    """The period asked for (or the default one) and its daily figures, for the page and the
    CSV alike: a download holds exactly the rows the page showed."""
    start, end = period(rt, since, until)
    with reading(rt.engine) as conn:
        rows = stats.daily(conn, since=start.isoformat(), until=end.isoformat(), branch=branch)
    return start, end, rows


@router.get("/statistics")
def statisticspage(
    staff: SignedIn,
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    branch: str | None = None,
) -> Response:
    branch = branch or None
    start, end, rows = _daily(rt, since, until, branch)
    chart_start = max(start, end - timedelta(days=MAX_CHART_DAYS - 1))
    days = [
        (chart_start + timedelta(days=n)).isoformat() for n in range((end - chart_start).days + 1)
    ]
    by_branch: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_branch.setdefault(row.branch, {})[row.day] = row
    sections = []
    for name in sorted(by_branch):
        per_day = by_branch[name]
        series = [
            charts.Series(key, plain(key), [getattr(per_day.get(d), key, 0) for d in days])
            for key in ("loans", "returns", "renewals")
        ]
        totals = {
            key: sum(getattr(r, key) for r in per_day.values())
            for key in ("loans", "returns", "renewals", "readers")
        }
        sections.append(
            {
                "branch": name,
                "chart": charts.daily_bars(f"{name} · {plain('nav_statistics')}", days, series),
                "totals": totals,
                "rows": [per_day[d] for d in sorted(per_day)],
            }
        )
    query = {"since": start.isoformat(), "until": end.isoformat()}
    if branch:
        query["branch"] = branch
    csv_href = f"{PREFIX}/statistics.csv?" + "&".join(
        f"{k}={quote(v, safe='')}" for k, v in query.items()
    )
    return page(
        rt,
        "statistics.html",
        staff,
        active="statistics",
        since=start.isoformat(),
        until=end.isoformat(),
        branch=branch,
        branches=_branch_names(rt),
        sections=sections,
        csv_href=csv_href,
    )


@router.get("/statistics.csv")
def statistics_csv_download(
    staff: SignedIn,
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    branch: str | None = None,
) -> Response:
    start, end, rows = _daily(rt, since, until, branch or None)
    filename = f"shufang-statistics-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        statistics_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
