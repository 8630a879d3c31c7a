"""The pin_attempts table: wrong PINs in a row per card, and lockouts here or city-wide."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import from_text, to_text
from kiosk.store import rows
from kiosk.store.connection import Repository


class PinAttempts(Repository):
    """Stored times are UTC text, so text order is time order."""

    def get(self, card_id: str) -> tuple[int, str | None]:
        """(wrong PINs in a row, locked until) for a card; (0, None) when it has none."""
        row = self._c.row(
            "SELECT failures, locked_until FROM pin_attempts WHERE card_id = ?", (card_id,)
        )
        return (row["failures"], row["locked_until"]) if row else (0, None)

    def record_failure(self, card_id: str, failures: int, locked_until: datetime | None) -> None:
        self._c.write(
            "INSERT INTO pin_attempts (card_id, failures, locked_until) VALUES (?,?,?)"
            " ON CONFLICT(card_id) DO UPDATE SET failures = excluded.failures,"
            " locked_until = excluded.locked_until",
            (card_id, failures, rows.opt_text(locked_until)),
        )

    def clear(self, card_id: str) -> None:
        self._c.write("DELETE FROM pin_attempts WHERE card_id = ?", (card_id,))

    def apply_lockout(self, card_id: str, locked_until: datetime) -> None:
        """A lockout from elsewhere in the city (the change feed): kept unless the card is
        already locked here for longer. Stored times are UTC text, so text order is time."""
        self._c.write(
            "INSERT INTO pin_attempts (card_id, failures, locked_until) VALUES (?,0,?)"
            " ON CONFLICT(card_id) DO UPDATE SET failures = 0, locked_until = excluded.locked_until"
            " WHERE pin_attempts.locked_until IS NULL"
            " OR pin_attempts.locked_until < excluded.locked_until",
            (card_id, to_text(locked_until)),
        )

    def failure_counts(self, now: datetime) -> dict[str, int]:
        """Cards with wrong PINs here and no lockout running: card → wrong PINs in a row."""
        found = self._c.rows(
            "SELECT card_id, failures FROM pin_attempts WHERE failures > 0"
            " AND (locked_until IS NULL OR locked_until <= ?)",
            (to_text(now),),
        )
        return {row["card_id"]: row["failures"] for row in found}

    def lockouts_after(self, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
        """Cards locked here until after both ``since`` and ``now``: what the sync daemon has
        not reported yet (it remembers the latest end it reported)."""
        found = self._c.rows(
            "SELECT card_id, locked_until FROM pin_attempts"
            " WHERE locked_until > ? AND locked_until > ? ORDER BY locked_until",
            (to_text(since), to_text(now)),
        )
        return [(row["card_id"], from_text(row["locked_until"])) for row in found]
