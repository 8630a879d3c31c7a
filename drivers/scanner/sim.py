"""The simulated barcode scanner: scans come from code (the demo, tests), faults on demand."""

from __future__ import annotations

from drivers.simulated import QueuedSimDevice
from kiosk.ports import Scan


class SimScanner(QueuedSimDevice[str]):
    """Behaves like a real scanner, including unplugging and failing when told to."""

    kind = "scanner"

    def __init__(self, name: str = "scanner") -> None:
        super().__init__(name)

    def scan(self, text: str) -> None:
        """Present a barcode to the scanner."""
        self._queue.put(text)

    def read(self, timeout: float) -> Scan | None:
        text = self._next(timeout)
        return None if text is None else Scan(text, self.name)
