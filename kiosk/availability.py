"""Whether the kiosk can lend at all: it needs a way to identify items (pad or scanner).

A reader that drops for a moment must not flip the screen to "out of service", so the kiosk
only gives up after the devices have been gone for a grace period, and comes back at once.
"""

from __future__ import annotations

from collections.abc import Mapping

READY = "ready"
ITEM_DEVICES = ("rfid", "scanner")


class LendingDevices:
    def __init__(self, grace_s: float = 30.0) -> None:
        self.grace_s = grace_s
        self._missing_since: float | None = None

    def missing(self, states: Mapping[str, str], now: float) -> bool:
        """``states``: device name -> state; ``now``: a monotonic time in seconds."""
        configured = [name for name in ITEM_DEVICES if name in states]
        if not configured or any(states[name] == READY for name in configured):
            self._missing_since = None
            return False
        if self._missing_since is None:
            self._missing_since = now
        return now - self._missing_since >= self.grace_s
