"""The kiosk's typed client for the central service: requests and the wire model, nothing else.

Errors are split by what the sync daemon should do next: retry later (``Unavailable``), stop
and tell a technician (``Unauthorized``), or treat as a bug and keep the rows (``Rejected``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import requests

from sync.central import wire

T = TypeVar("T")


class CentralError(Exception):
    """Any failed call to the central service."""


class Unavailable(CentralError):
    """Network down, timeout or a server error: keep the outbox and try again later."""


class Unauthorized(CentralError):
    """The kiosk's token is unknown or revoked: retrying will not help."""


class Rejected(CentralError):
    """The service refused the request as malformed (4xx): a bug, not a network problem."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


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
        try:
            reply = self.session.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise Unavailable(f"{method} {path}: {error}") from error
        if reply.status_code == 401:
            raise Unauthorized(f"{method} {path}: token unknown or revoked")
        if reply.status_code >= 500:
            raise Unavailable(f"{method} {path}: server error {reply.status_code}")
        if reply.status_code >= 400:
            try:
                detail = reply.json().get("detail")
            except ValueError:
                detail = reply.text
            raise Rejected(reply.status_code, detail)
        return wire.from_json(reply_type, reply.json())
