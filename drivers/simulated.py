"""The common core of the queue-fed simulated devices (scanner, card reader).

A person's actions arrive through a queue; the port side behaves like the real driver:
reads fail while closed, an unplug surfaces as DeviceGone on the next read, and a test or
the demo can make the next read fail with any DeviceError.
"""

from __future__ import annotations

import queue
import threading
from typing import Generic, TypeVar

from kiosk.ports import DeviceError, DeviceGone, DeviceState

T = TypeVar("T")


class QueuedSimDevice(Generic[T]):
    kind = "device"  # words for error messages: "scanner", "card reader"

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.Queue[T] = queue.Queue()
        self._lock = threading.Lock()
        self._plugged = True
        self._fail_next: DeviceError | None = None
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

    def fail_next(self, error: DeviceError) -> None:
        """Make the next read raise ``error`` once (a timeout, a frame error, ...)."""
        with self._lock:
            self._fail_next = error

    # --- the port --------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone(f"simulated {self.kind} is unplugged")
            self._state = DeviceState.READY

    def close(self) -> None:
        self._state = DeviceState.DISCONNECTED

    def _next(self, timeout: float) -> T | None:
        """The next thing presented within ``timeout`` seconds, or None."""
        with self._lock:
            if self._state is not DeviceState.READY:
                raise DeviceError(f"{self.kind} is not open")
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone(f"simulated {self.kind} was unplugged")
            error, self._fail_next = self._fail_next, None
        if error is not None:
            raise error
        try:
            return self._queue.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
