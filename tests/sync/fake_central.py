"""The central as the sync daemon's client sees it, in memory: one fake for the daemon's logic.

For what the daemon sends, in which order, and how it backs off on a manual clock — not for
fidelity: the sync tests run the daemon against the real central over HTTP (SQLite and
PostgreSQL), and tests/central tests the central itself. The first ``down`` calls raise
``error``; ``answer`` limits a conflict report's answer to its first rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from kiosk.ports import TxnReply
from sync import wire
from sync.link.client import Unavailable

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


class FakeCentral:
    def __init__(
        self, down: int = 0, error: Exception | None = None, answer: int | None = None
    ) -> None:
        self.down = down
        self.error = error or Unavailable("connection refused")
        self.answer = answer
        self.pushed: list[str] = []
        self.beats: list[wire.Heartbeat] = []
        self.pages: list[dict] = []
        self.sent: list[list[wire.UpstreamConflictIn]] = []

    def _gate(self) -> None:
        if self.down > 0:
            self.down -= 1
            raise self.error

    def push_journal(self, txns):
        self._gate()
        self.pushed += [t.id for t in txns]
        return [TxnReply(t.id, "accepted") for t in txns]

    def heartbeat(self, beat):
        self._gate()
        self.beats.append(beat)
        return wire.HeartbeatAck(received_at=AT, policy_version=None, latest_cursor=0)

    def changes_json(self, cursor, limit, known=None):
        self._gate()
        return {"changes": [], "next_cursor": cursor, "has_more": False}

    def report_upstream_conflicts(
        self, rows: Sequence[wire.UpstreamConflictIn]
    ) -> list[wire.UpstreamConflictResult]:
        self.sent.append(list(rows))
        self._gate()
        answered = rows if self.answer is None else rows[: self.answer]
        return [wire.UpstreamConflictResult(r.id, "recorded", n) for n, r in enumerate(answered)]
