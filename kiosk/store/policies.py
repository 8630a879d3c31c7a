"""The policies table: lending policy versions replicated from the central service."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import to_text
from kiosk.store.connection import Repository


class Policies(Repository):
    """At most one version is active: the one the central sent last."""

    def save(self, version: str, document: str, at: datetime) -> None:
        """Store a policy version from the central service and make it the active one."""
        with self._c.atomic():
            self._c.db.conn.execute("UPDATE policies SET active = 0 WHERE active = 1")
            self._c.db.conn.execute(
                "INSERT INTO policies (version, document, received_at, active) VALUES (?,?,?,1)"
                " ON CONFLICT(version) DO UPDATE SET document = excluded.document, active = 1",
                (version, document, to_text(at)),
            )

    def active_document(self) -> str | None:
        row = self._c.row("SELECT document FROM policies WHERE active = 1")
        return row["document"] if row else None
