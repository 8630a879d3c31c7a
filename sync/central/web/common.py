"""What every staff page shares: security headers, the signed-in check and page rendering."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.runtime import Runtime
from sync.central.web import forms, session
from sync.central.web.render import render

PREFIX = "/dashboard"
#: No script runs on these pages, so none may: a kiosk name that slipped past escaping
#: still could not execute. Styles come only from our own stylesheet.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: with it Chromium sends "Origin: null" on our own form posts.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class HardenedRoute(APIRoute):
    """Adds the security headers to every page, and forbids caching what staff saw.

    Also says how long the server worked on the page (``Server-Timing: app;dur=ms``): the
    browser's developer tools show it, and the fleet benchmark reads it.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def harden(request: Request) -> Response:
            started = time.perf_counter()
            response = await handler(request)
            response.headers.update(SECURITY_HEADERS)
            response.headers.setdefault("Cache-Control", "no-store")
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
            return response

        return harden


def new_router() -> APIRouter:
    """A router for pages under ``/dashboard``, kept out of the API schema."""
    return APIRouter(prefix=PREFIX, include_in_schema=False, route_class=HardenedRoute)


def signed_in(request: Request, rt: RuntimeDep) -> session.StaffSession:
    """The staff session from the cookie; otherwise off to the sign-in page and back."""
    with reading(rt.engine) as conn:
        found = session.session_for(conn, request.cookies.get(session.COOKIE), rt.clock.now())
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(
            status.HTTP_303_SEE_OTHER,
            headers={"Location": f"{PREFIX}/signin?next={quote(target, safe='')}"},
        )
    return found


SignedIn = Annotated[session.StaffSession, Depends(signed_in)]


def page(
    rt: Runtime, template: str, staff: session.StaffSession | None, code: int = 200, **context: Any
) -> HTMLResponse:
    now = rt.clock.now()
    html = render(template, staff=staff, now=now, tz=rt.settings.timezone, **context)
    return HTMLResponse(html, status_code=code)


class NotAllowed(Exception):
    """A signed-in member whose role may not do what a form asks: answered with the 403 page
    (``not_allowed_page``, registered on the app), the tab ``active`` still lit."""

    def __init__(self, staff: session.StaffSession, active: str) -> None:
        super().__init__(f"{staff.role} may not do this")
        self.staff, self.active = staff, active


async def staff_form(
    request: Request, staff: session.StaffSession, role: str, active: str
) -> dict[str, str]:
    """A staff page's form post, checked in the order every one needs: from our own site and
    small (``forms.read_form``), carrying this session's CSRF token, then the role. One place,
    so no form can skip a step."""
    form = await forms.read_form(request)
    forms.check_csrf(form, staff)
    if not staff.may(role):
        raise NotAllowed(staff, active)
    return form


def not_allowed_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, NotAllowed)
    rt: Runtime = request.app.state.runtime
    return page(rt, "forbidden.html", error.staff, code=403, active=error.active)


def period(rt: Runtime, since: str | None, until: str | None) -> tuple[date, date]:
    """The local days asked for, or the last 30; unreadable dates fall back quietly."""
    today = rt.clock.now().astimezone(rt.settings.timezone).date()
    end = _date(until) or today
    start = _date(since) or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    return start, end


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
