"""The simulated barcode scanner: scans come from code (the demo, tests), faults on demand."""

from __future__ import annotations

import queue
import threading

from kiosk.ports import DeviceError, DeviceGone, DeviceState, Scan


class SimScanner:
    """Behaves like a real scanner, including unplugging and failing when told to."""

    def __init__(self, name: str = "scanner") -> None:
        self.name = name
        self._scans: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._plugged = True
        self._fail_next: DeviceError | None = None
        self._state = DeviceState.DISCONNECTED

    @property
    def state(self) -> DeviceState:
        return self._state

    # --- what the simulation's operator (demo UI, test) does ---------------------------------

    def scan(self, text: str) -> None:
        """Present a barcode to the scanner."""
        self._scans.put(text)

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def plug_in(self) -> None:
        with self._lock:
            self._plugged = True

    def fail_next(self, error: DeviceError) -> None:
        """Make the next read raise ``error`` once (a timeout, a frame error, ...)."""
        with self._lock:
            self._fail_next = error

    # --- the port --------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone("simulated scanner is unplugged")
            self._state = DeviceState.READY

    def close(self) -> None:
        self._state = DeviceState.DISCONNECTED

    def read(self, timeout: float) -> Scan | None:
        with self._lock:
            if self._state is not DeviceState.READY:
                raise DeviceError("scanner is not open")
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone("simulated scanner was unplugged")
            error, self._fail_next = self._fail_next, None
        if error is not None:
            raise error
        try:
            text = self._scans.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
        return Scan(text, self.name)
