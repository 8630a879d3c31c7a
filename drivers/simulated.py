"""What the simulated devices share: plugged in or not, open or not, checked on every call.

The port side behaves like the real driver: calls fail while closed, an unplug surfaces as
DeviceGone on the next call, and opening an unplugged device fails the same way. The
queue-fed ones (scanner, card reader) also take a person's actions through a queue, and a
test or the demo can make the next read fail with any DeviceError.
"""

from __future__ import annotations

import queue
import threading
from typing import Generic, TypeVar

from kiosk.ports import DeviceError, DeviceGone, DeviceState

T = TypeVar("T")


class PluggedSim:
    """A simulated device that can be unplugged; ``kind`` names it in error messages."""

    kind = "device"

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._plugged = True
        self._state = DeviceState.DISCONNECTED

    @property
    def state(self) -> DeviceState:
        return self._state

    # --- what the simulation's operator (demo UI, test) does ---------------------------------

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def plug_in(self) -> None:
        with self._lock:
            self._plugged = True

    # --- the port --------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone(f"simulated {self.kind} is unplugged")
            self._opening()
            self._state = DeviceState.READY

    def _opening(self) -> None:
        """What opening does beyond being plugged in (the printer makes its folder)."""

    def close(self) -> None:
        self._state = DeviceState.DISCONNECTED

    def _check(self) -> None:
        """Call with the lock held, at the start of every port call."""
        if self._state is not DeviceState.READY:
            raise DeviceError(f"{self.kind} is not open")
        if not self._plugged:
            self._state = DeviceState.DISCONNECTED
            raise DeviceGone(f"simulated {self.kind} was unplugged")


class QueuedSimDevice(PluggedSim, Generic[T]):
    """Reads hand out what a person presented (a scan, a card), in order."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._queue: queue.Queue[T] = queue.Queue()
        self._fail_next: DeviceError | None = None

    def fail_next(self, error: DeviceError) -> None:
        """Make the next read raise ``error`` once (a timeout, a frame error, ...)."""
        with self._lock:
            self._fail_next = error

    def _next(self, timeout: float) -> T | None:
        """The next thing presented within ``timeout`` seconds, or None."""
        with self._lock:
            self._check()
            error, self._fail_next = self._fail_next, None
        if error is not None:
            raise error
        try:
            return self._queue.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
