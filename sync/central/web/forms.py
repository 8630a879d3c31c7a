"""Form posts from the staff pages, read without a multipart library and checked for forgery.

Every post must come from our own pages: browsers send ``Origin`` on every POST, and one from
another site is refused. Forms posted by a signed-in member also carry the session's CSRF
token (``session.StaffSession.csrf``), so even a same-site page we did not write cannot act
for them.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from fastapi import HTTPException, Request, status

from sync.central.web.session import StaffSession

#: Our forms hold a few short fields and a note; anything bigger is not from our pages.
MAX_FORM_BYTES = 8192


def same_site(request: Request) -> None:
    """Refuse form posts from other sites. A missing Origin (a script, curl) is let through:
    it carries no one else's cookies."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site form post refused")


async def read_form(request: Request, max_fields: int = 10) -> dict[str, str]:
    """The posted fields (first value of each), after the same-site and size checks."""
    same_site(request)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "form too large")
    try:
        parsed = parse_qs(body.decode("utf-8"), max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unreadable form") from None
    return {key: values[0] for key, values in parsed.items()}


def check_csrf(form: dict[str, str], staff: StaffSession) -> None:
    if not hmac.compare_digest(form.get("csrf", ""), staff.csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "form expired or not from this page")
