"""The daemon's central client: Retry-After aware, with lean encoders for the two bulk calls.

``CentralClient`` decodes every reply through ``wire.from_json``, which reflects on type hints
per record; for a push of thousands of rows or a pull of a million catalog rows that is most
of the cost, so push and pull here build and read plain JSON, and only the rare calls
(heartbeat, policy) go through the generic path.
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import requests

from kiosk.models import Transaction
from kiosk.ports import TxnReply
from sync.central import wire
from sync.central.client import CentralClient, Rejected, Unauthorized, Unavailable
from sync.daemon.replies import MalformedReply, expect_object


class RetryLater(Unavailable):
    """The service is up but asked to be left alone for ``retry_after_s`` seconds (429/503)."""

    def __init__(self, message: str, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


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


def txn_to_json(txn: Transaction) -> dict[str, Any]:
    """One journal row as the central's ``TransactionIn``."""
    return {
        "id": txn.id,
        "seq": txn.seq,
        "kind": txn.kind.value,
        "patron_card": txn.patron_card,
        "item_pii": txn.item_pii,
        "at": _utc(txn.at),
        "decision": txn.decision.value,
        "due_at": _utc(txn.due_at) if txn.due_at else None,
        "cancels": txn.cancels,
        "reason": str(txn.reason),
    }


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


class DaemonClient(CentralClient):
    def push_journal(self, txns: Sequence[Transaction]) -> list[TxnReply]:
        """Send journal rows; one reply per row the central answered for, nothing invented."""
        body = {"transactions": [txn_to_json(t) for t in txns]}
        reply = expect_object(self._json("POST", "/transactions", json=body), "push", "results")
        try:
            return [
                TxnReply(str(r["id"]), str(r["status"]), str(r.get("reason") or ""))
                for r in reply.get("results", [])
            ]
        except KeyError as error:
            raise MalformedReply(f"push: a result without {error}") from None

    def changes_json(self, cursor: int, limit: int, *, known: int | None = None) -> dict[str, Any]:
        """A raw ``ChangesPage``: the puller reads the records straight into kiosk models.

        ``known``: the cursor the kiosk has stored, when it asks ahead of it (the next page
        while this one is applied); the central otherwise takes ``cursor`` as known.
        """
        params = {"cursor": cursor, "limit": limit}
        if known is not None:
            params["known"] = known
        page = expect_object(self._json("GET", "/changes", params=params), "changes", "changes")
        if not isinstance(page.get("next_cursor", cursor), int):
            raise MalformedReply("changes: next_cursor is not an integer")
        return page

    def _call(self, method: str, path: str, reply_type: type[Any], **kwargs: Any) -> Any:
        reply = expect_object(self._json(method, path, **kwargs), f"{method} {path}")
        try:
            return wire.from_json(reply_type, reply)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedReply(f"{method} {path}: {type(error).__name__}") from None

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The request with the base client's error split, plus Retry-After on 429 and 503."""
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


class CentralUpstream(Protocol):
    """What the loop needs from the central (``DaemonClient``; fakes in tests)."""

    def push_journal(self, txns: list[Transaction]) -> list[TxnReply]: ...

    def changes_json(
        self, cursor: int, limit: int, *, known: int | None = None
    ) -> dict[str, Any]: ...

    def heartbeat(self, beat: wire.Heartbeat) -> wire.HeartbeatAck: ...

    def report_upstream_conflicts(
        self, rows: Sequence[wire.UpstreamConflictIn]
    ) -> list[wire.UpstreamConflictResult]: ...

    def report_pin_lockouts(
        self,
        lockouts: Sequence[wire.PinLockoutRecord],
        failures: Sequence[wire.PinFailureRecord] = (),
    ) -> int: ...
