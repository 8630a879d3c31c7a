"""The daemon's central client: the link's client with lean encoders for the two bulk calls.

``CentralClient`` decodes every reply through ``wire.from_json``, which reflects on type hints
per record; for a push of thousands of rows or a pull of a million catalog rows that is most
of the cost, so push and pull here build and read plain JSON, and only the rare calls
(heartbeat, policy) go through the generic path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from kiosk.models import Transaction
from kiosk.ports import TxnReply
from sync import wire
from sync.link.client import CentralClient, MalformedReply, expect_object


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
