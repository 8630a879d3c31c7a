"""Staff sign-in and sign-out pages, and the stylesheet the sign-in page already needs."""

from __future__ import annotations

from importlib import resources
from urllib.parse import parse_qs, urlsplit

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.web import session
from sync.central.web.common import PREFIX, new_router, page

STATIC_TYPES = {"fleet.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}
#: A sign-in form holds a token and a return path; anything bigger is not from our page.
MAX_FORM_BYTES = 4096

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
    return page(rt, "signin.html", None, next=_safe_next(next), error=False)


def _same_site(request: Request) -> None:
    """Refuse form posts from other sites (login CSRF); browsers send Origin on every POST.

    A missing Origin (a script, curl) is let through: it carries no one else's cookies.
    """
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site form post refused")


@router.post("/signin")
async def signin(request: Request, rt: RuntimeDep) -> Response:
    """A form post (parsed here, so the service needs no multipart library)."""
    _same_site(request)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "form too large")
    form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    token = (form.get("token") or [""])[0]
    target = _safe_next((form.get("next") or [None])[0])
    with reading(rt.engine) as conn:
        found = session.sign_in(conn, token, rt.clock.now()) if token else None
    if found is None:
        return page(rt, "signin.html", None, code=401, next=target, error=True)
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        session.COOKIE,
        found[1],
        max_age=int(session.LIFETIME.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    _same_site(request)
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
