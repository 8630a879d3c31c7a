"""The kiosk's typed client for the central service: requests and the wire model, nothing else.

Errors are split by what the sync daemon should do next: retry later (``Unavailable``; after
the time the central asked for, ``RetryLater``), stop and tell a technician
(``Unauthorized``), or treat as a bug and keep the rows (``Rejected``). A 200 whose body is
not the central's answer (``{}``, ``[]``, ``null``, a captive portal's HTML) is an upstream
error like a timeout (``MalformedReply``): it used to kill the daemon with a traceback.
One request path (``_json``) makes this split for every call.
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from sync import wire

T = TypeVar("T")


class CentralError(Exception):
    """Any failed call to the central service."""


class Unavailable(CentralError):
    """Network down, timeout or a server error: keep the outbox and try again later."""


class RetryLater(Unavailable):
    """The service is up but asked to be left alone for ``retry_after_s`` seconds (429/503)."""

    def __init__(self, message: str, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class MalformedReply(Unavailable):
    """The central (or something pretending to be it) answered 200 with the wrong body."""


class Unauthorized(CentralError):
    """The kiosk's token is unknown or revoked: retrying will not help."""


class Rejected(CentralError):
    """The service refused the request as malformed (4xx): a bug, not a network problem."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def expect_object(reply: Any, what: str, *lists: str) -> dict[str, Any]:
    """``reply`` as a JSON object whose ``lists`` keys, when present, hold arrays of objects."""
    if not isinstance(reply, dict):
        raise MalformedReply(f"{what}: expected a JSON object, got {type(reply).__name__}")
    for key in lists:
        value = reply.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise MalformedReply(f"{what}: {key!r} is not an array of objects")
    return reply


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base = base_url.rstrip("/") + wire.API_PREFIX
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def push(self, rows: Sequence[wire.TransactionIn]) -> list[wire.TransactionResult]:
        """Send journal rows; each result says accepted, duplicate or conflict (with reason)."""
        body = wire.to_json(wire.TransactionBatch(list(rows)))
        return self._call("POST", "/transactions", wire.BatchResult, json=body).results

    def report_upstream_conflicts(
        self, rows: Sequence[wire.UpstreamConflictIn]
    ) -> list[wire.UpstreamConflictResult]:
        """Send rows the library system refused; each is ``recorded`` or ``duplicate``."""
        body = wire.to_json(wire.UpstreamConflictBatch(list(rows)))
        reply = self._call("POST", "/upstream-conflicts", wire.UpstreamConflictReply, json=body)
        return reply.results

    def changes(self, cursor: int, limit: int = 500) -> wire.ChangesPage:
        params = {"cursor": cursor, "limit": limit}
        return self._call("GET", "/changes", wire.ChangesPage, params=params)

    def heartbeat(self, beat: wire.Heartbeat) -> wire.HeartbeatAck:
        return self._call("POST", "/heartbeat", wire.HeartbeatAck, json=wire.to_json(beat))

    def check_pin(self, card_id: str, pin: str) -> wire.PinCheckReply:
        """The central's verdict on a PIN this kiosk holds no hash for (``pin_hash_scope``)."""
        body = wire.to_json(wire.PinCheckIn(card_id, pin))
        return self._call("POST", "/pin-checks", wire.PinCheckReply, json=body)

    def report_pin_lockouts(
        self,
        lockouts: Sequence[wire.PinLockoutRecord],
        failures: Sequence[wire.PinFailureRecord] = (),
    ) -> int:
        """Send lockouts applied here and wrong PINs since the last report; the answer counts
        the lockouts that were new to the central (the wrong PINs' included)."""
        body = wire.to_json(wire.PinLockoutBatch(list(lockouts), list(failures)))
        return self._call("POST", "/pin-lockouts", wire.PinLockoutReply, json=body).recorded

    def policy(self) -> wire.PolicyRecord:
        return self._call("GET", "/policy", wire.PolicyRecord)

    def _call(self, method: str, path: str, reply_type: type[T], **kwargs: Any) -> T:
        """A call whose reply is decoded into ``reply_type`` through the wire model."""
        reply = expect_object(self._json(method, path, **kwargs), f"{method} {path}")
        try:
            return wire.from_json(reply_type, reply)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedReply(f"{method} {path}: {type(error).__name__}") from None

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The request and its reply's JSON, or the error that says what to do next."""
        try:
            reply = self.session.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise Unavailable(f"{method} {path}: {type(error).__name__}") from error
        status = reply.status_code
        if status == 401:
            raise Unauthorized(f"{method} {path}: token unknown or revoked")
        if status in (429, 503):
            wait = retry_after_seconds(reply.headers.get("Retry-After"), datetime.now(UTC))
            raise RetryLater(f"{method} {path}: busy ({status})", wait)
        if status >= 500:
            raise Unavailable(f"{method} {path}: server error {status}")
        if status >= 400:
            try:
                detail = reply.json().get("detail")
            except ValueError:
                detail = reply.text[:200]
            raise Rejected(status, detail)
        try:
            return reply.json()
        except ValueError as error:
            raise MalformedReply(f"{method} {path}: reply is not JSON") from error
