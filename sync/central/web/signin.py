"""Staff sign-in and sign-out pages, and the stylesheet the sign-in page already needs."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from sync.central import staff_accounts
from sync.central.database import reading, write_with_retry
from sync.central.deps import RuntimeDep
from sync.central.runtime import Runtime
from sync.central.web import forms, session
from sync.central.web.common import PREFIX, new_router, page

STATIC_TYPES = {"fleet.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}

router = new_router()


def _safe_next(target: str | None) -> str:
    """Only our own pages: an open redirect would make a phishing link look like ours."""
    if (
        target
        and target.startswith(PREFIX)
        and "//" not in target
        and "\\" not in target
        and all(ch.isprintable() for ch in target)
    ):
        return target
    return PREFIX


@router.get("/signin")
def signin_form(request: Request, rt: RuntimeDep, next: str | None = None) -> Response:
    with reading(rt.engine) as conn:
        current = session.session_for(conn, request.cookies.get(session.COOKIE), rt.clock.now())
    if current is not None:
        return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)
    return page(
        rt, "signin.html", None, next=_safe_next(next), error=False, locked_until=None, username=""
    )


@router.post("/signin")
async def signin(request: Request, rt: RuntimeDep) -> Response:
    form = await forms.read_form(request)
    username = form.get("username", "")
    password = form.get("password", "")
    target = _safe_next(form.get("next"))
    now = rt.clock.now()
    address = request.client.host if request.client else "?"
    waited = rt.signins.blocked_until(address, now)
    if waited is not None:
        return page(
            rt, "signin.html", None, code=429, next=target, error=True, locked_until=waited,
            username=username[:64],
        )  # fmt: skip
    found = (
        await rt.run_db(  # argon2 takes tens of milliseconds: off the event loop
            write_with_retry,
            rt.engine,
            lambda conn: staff_accounts.authenticate(conn, username, password, now),
        )
        if username and password
        else None
    )
    if not isinstance(found, staff_accounts.Account):
        rt.signins.failed(address, now)
        until = found.until if isinstance(found, staff_accounts.Locked) else None
        return page(
            rt, "signin.html", None, code=401, next=target, error=True, locked_until=until,
            username=username[:64],
        )  # fmt: skip
    account = found
    cookie = await rt.run_db(_cookie, rt, account, now)
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        session.COOKIE,
        cookie,
        max_age=int(session.LIFETIME.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _cookie(rt: Runtime, account: staff_accounts.Account, now: datetime) -> str:
    with reading(rt.engine) as conn:
        return session.cookie_for(conn, account, now)


@router.post("/signout")
def signout(request: Request) -> Response:
    forms.same_site(request)
    response = RedirectResponse(f"{PREFIX}/signin", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(session.COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """Our own stylesheet, so the pages work with no internet; cached for a day."""
    if name not in STATIC_TYPES:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    body = resources.files("sync.central.web.static").joinpath(name).read_bytes()
    return Response(
        body, media_type=STATIC_TYPES[name], headers={"Cache-Control": "public, max-age=86400"}
    )
