"""Refuse hostile request bodies and queries before any route sees them.

Python's JSON reader accepts things no kiosk or staff tool ever sends and the databases
cannot store: ``NaN`` and ``Infinity`` (and ``1e400``, which becomes infinity), integers
beyond 64 bits, NUL characters (PostgreSQL rejects them in text), lone UTF-16 surrogates
(they cannot be encoded as UTF-8), dates in year 1 or 9999 (moving them to UTC overflows),
and nesting deep enough to exhaust the recursion limit. Each of these used to reach a route
and come back as a 500 or a dropped connection. Checking them once here, on the raw
request, covers every endpoint, present and future, with one clear 4xx answer; the routes
keep their own business rules (lengths, ranges that mean something to a library).

Bodies larger than the limit get 413 without being read to the end.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Default largest body: a full 5,000-row journal batch is ~1.5 MB, a 20,000-item catalogue
#: batch ~6 MB; anything bigger is split by the sender or is not ours.
DEFAULT_MAX_BODY = 8 * 1024 * 1024
#: Deeper than any message of ours (a policy document nests four levels).
MAX_DEPTH = 32
INT64 = (-(2**63), 2**63 - 1)
#: Years a lending record can plausibly carry (library founding dates to far-future due dates).
YEARS = (1800, 2999)
_ISO_DATE = re.compile(
    r"^(?P<year>[0-9]{4})-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_LONG_NUMBER = re.compile(r"^-?[0-9]{19,}$")


class Refused(ValueError):
    """What is wrong with the request, in words for the caller."""


def check_text(text: str, where: str) -> None:
    """NUL, lone surrogates and impossible years in one string (a value or a key)."""
    if "\x00" in text:
        raise Refused(f"{where}: contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(f"{where}: not valid Unicode (a lone surrogate)") from None
    match = _ISO_DATE.match(text)
    if match and not YEARS[0] <= int(match["year"]) <= YEARS[1]:
        raise Refused(f"{where}: date {text[:32]!r} is outside the years {YEARS[0]}-{YEARS[1]}")


def check_value(value: Any, where: str = "body") -> None:
    """Walk a parsed JSON value without recursion (so depth is ours to limit)."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(f"{path}: nested more than {MAX_DEPTH} levels")
        if isinstance(item, str):
            check_text(item, path)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64[0] <= item <= INT64[1]:
                raise Refused(f"{path}: number out of range (more than 64 bits)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise Refused(f"{path}: number out of range (not finite)")
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(key, f"{path}: a key")
                stack.append((child, f"{path}.{key[:40]}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{n}]", depth + 1) for n, child in enumerate(item))


def _no_constants(name: str) -> Any:
    raise Refused(f"body: {name} is not a JSON number")


def check_json(body: bytes) -> None:
    """Refuse what :mod:`json` would accept but no route can store; a body that is not
    JSON at all passes on, so the routes' own parse error (400) stays as it was."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(f"body: not UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise Refused(f"body: nested more than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError:
        return
    check_value(value)


def check_query(query: bytes) -> None:
    """Query parameters: the same text rules, and integers that cannot be 64-bit."""
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        where = f"query parameter {key[:40]!r}"
        check_text(key, where)
        check_text(value, where)
        if _LONG_NUMBER.match(value):
            raise Refused(f"{where}: number out of range (more than 64 bits)")


def check_form(body: bytes) -> None:
    """A form post (the staff pages) gets the text rules on every field."""
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        check_text(key, "form field")
        check_text(value, f"form field {key[:40]!r}")


class RequestGuard:
    """ASGI middleware: the checks above on every HTTP request, one clear error each."""

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_query(scope.get("query_string", b""))
        except Refused as error:
            await _reply(send, 422, str(error))
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await _reply(send, 413, f"body larger than {self.max_body} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _reply(send, 413, f"body larger than {self.max_body} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind == "application/json" or kind.endswith("+json"):
                check_json(body)
            elif kind == "application/x-www-form-urlencoded":
                check_form(body)
        except Refused as error:
            await _reply(send, 422, str(error))
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the route the body already read, then the connection's later messages."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


async def _reply(send: Send, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
