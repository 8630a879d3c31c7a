"""The faults table: device faults and technician events, and which the central has seen."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kiosk.clock import to_text
from kiosk.models import Fault
from kiosk.store import rows
from kiosk.store.connection import Repository


class Faults(Repository):
    """One open record per device and code; the heartbeat reports each change once."""

    def record(self, device: str, code: str, severity: str, message: str, at: datetime) -> None:
        """One open record per device and code: a repeat raises its count, never floods."""
        self._c.write(
            "INSERT INTO faults (device, code, severity, message, first_at, last_at)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT(device, code) WHERE cleared_at IS NULL"
            " DO UPDATE SET count = count + 1, last_at = excluded.last_at,"
            " message = excluded.message, severity = excluded.severity",
            (device, code, severity, message, to_text(at), to_text(at)),
        )

    def clear(self, device: str, code: str, at: datetime) -> None:
        self._c.write(
            "UPDATE faults SET cleared_at = ? WHERE device = ? AND code = ? AND cleared_at IS NULL",
            (to_text(at), device, code),
        )

    def record_event(self, device: str, code: str, message: str, at: datetime) -> None:
        """An info record that is closed at once: one row per event, never merged by count.

        Diagnostics mode logs each technician action this way, so the fault log shows it and
        the heartbeat reports it like a fault, without a table of its own.
        """
        self._c.write(
            "INSERT INTO faults (device, code, severity, message, first_at, last_at, cleared_at)"
            " VALUES (?,?,'info',?,?,?,?)",
            (device, code, message, to_text(at), to_text(at), to_text(at)),
        )

    def recent(self, *, open_only: bool = False, limit: int = 200) -> list[Fault]:
        """Most recently seen first."""
        where = "WHERE cleared_at IS NULL" if open_only else ""
        return [
            rows.fault_from_row(r)
            for r in self._c.rows(
                f"SELECT * FROM faults {where} ORDER BY last_at DESC LIMIT ?", (limit,)
            )
        ]

    def to_report(self, cleared_after: str | None, limit: int = 200) -> list[Fault]:
        """Faults whose count the central has not seen, and faults cleared after the watermark.

        ``reported_count`` (schema m002) records the count last sent, so each change is sent
        once; a clear does not change the count, so clears are found by their time instead.
        """
        found = self._c.rows(
            "SELECT * FROM faults WHERE count != reported_count"
            " OR (cleared_at IS NOT NULL AND cleared_at > ?) ORDER BY last_at, id LIMIT ?",
            (cleared_after or "", limit),
        )
        return [rows.fault_from_row(r) for r in found]

    def mark_reported(self, reported: Iterable[tuple[int, int]]) -> None:
        """``(fault id, count sent)`` pairs the central acknowledged."""
        self._c.write_many(
            "UPDATE faults SET reported_count = ? WHERE id = ?",
            ((count, fault_id) for fault_id, count in reported),
        )
