"""The simulated patron card reader: cards are tapped from code, faults on demand."""

from __future__ import annotations

import queue
import threading

from kiosk.ports import CardTap, DeviceError, DeviceGone, DeviceState


class SimCardReader:
    def __init__(self, name: str = "card") -> None:
        self.name = name
        self._taps: queue.Queue[CardTap] = queue.Queue()
        self._lock = threading.Lock()
        self._plugged = True
        self._fail_next: DeviceError | None = None
        self._state = DeviceState.DISCONNECTED

    @property
    def state(self) -> DeviceState:
        return self._state

    # --- what the simulation's operator does ------------------------------------------------

    def tap(self, uid: bytes, technology: str = "106A", ndef_texts: tuple[str, ...] = ()) -> None:
        self._taps.put(CardTap(uid=uid, technology=technology, ndef_texts=ndef_texts))

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def plug_in(self) -> None:
        with self._lock:
            self._plugged = True

    def fail_next(self, error: DeviceError) -> None:
        with self._lock:
            self._fail_next = error

    # --- the port --------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            if not self._plugged:
                raise DeviceGone("simulated card reader is unplugged")
            self._state = DeviceState.READY

    def close(self) -> None:
        self._state = DeviceState.DISCONNECTED

    def poll(self, timeout: float) -> CardTap | None:
        with self._lock:
            if self._state is not DeviceState.READY:
                raise DeviceError("card reader is not open")
            if not self._plugged:
                self._state = DeviceState.DISCONNECTED
                raise DeviceGone("simulated card reader was unplugged")
            error, self._fail_next = self._fail_next, None
        if error is not None:
            raise error
        try:
            return self._taps.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
