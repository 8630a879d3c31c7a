"""What the serial and HID scanner drivers share: scans decoded from the device wait in a
queue, and ``read`` hands out the next one, pulling from the device until one is ready or
the time is up."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from drivers.device_state import StatefulDevice
from kiosk.ports import Scan

#: A scanner sends one scan in a few milliseconds; bytes or key presses left hanging longer than
#: this are line noise or a half scan, and must not be glued onto the start of the next one.
STALE_AFTER = 0.5


class QueuedScanner(StatefulDevice):
    """``_wait_for_scans(wait)`` reads the device for at most ``wait`` seconds, queueing what
    it decodes on ``_ready``; ``_require_open`` raises when the device is not open."""

    name: str
    _ready: deque[str]
    _monotonic: Callable[[], float]

    def read(self, timeout: float) -> Scan | None:
        self._require_open()
        deadline = self._monotonic() + timeout
        while not self._ready:
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return None
            self._wait_for_scans(remaining)
        return Scan(self._ready.popleft(), self.name)

    def _require_open(self) -> None:
        raise NotImplementedError

    def _wait_for_scans(self, wait: float) -> None:
        raise NotImplementedError
