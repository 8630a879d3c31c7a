"""Serial and USB CDC barcode scanners, read through pyserial's ``serial_for_url``."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import serial

from drivers.scanner.framing import FramingRules, Noise, ScanFramer
from drivers.scanner.queued import STALE_AFTER, QueuedScanner
from kiosk.ports import DeviceError, DeviceGone, DeviceState

log = logging.getLogger(__name__)

_POLL = 0.05


class SerialScanner(QueuedScanner):
    """A scanner on a serial port: usually 9600 8N1 with a CR suffix."""

    def __init__(
        self,
        url: str,
        *,
        baud: int = 9600,
        rules: FramingRules | None = None,
        name: str = "scanner",
        opener: Callable[..., Any] = serial.serial_for_url,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.baud = baud
        self.name = name
        self._framer = ScanFramer(rules or FramingRules())
        self._opener = opener
        self._monotonic = monotonic
        self._port: Any = None
        self._ready: deque[str] = deque()
        self._last_byte_at = 0.0
        self._state = DeviceState.DISCONNECTED

    def open(self) -> None:
        opening_errors = (serial.SerialException, OSError, ValueError)
        with self._connecting(f"cannot open scanner port {self.url}", opening_errors):
            self._port = self._opener(self.url, baudrate=self.baud, timeout=_POLL)
        self._framer.reset()
        self._ready.clear()
        self._state = DeviceState.READY

    def close(self) -> None:
        port, self._port = self._port, None
        self._state = DeviceState.DISCONNECTED
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # already gone
                port.close()

    def _require_open(self) -> None:
        if self._port is None:
            raise DeviceError("scanner is not open")

    def _wait_for_scans(self, wait: float) -> None:
        self._pull(min(wait, _POLL))

    def _pull(self, wait: float) -> None:
        try:
            self._port.timeout = wait
            chunk = self._port.read(max(1, self._port.in_waiting))
        except (serial.SerialException, OSError, TypeError) as error:
            # pyserial reports an unplugged USB CDC device as an exception or a TypeError
            # from a closed file descriptor, depending on where in the read it vanished
            self._state = DeviceState.DISCONNECTED
            self._port = None
            raise DeviceGone(f"scanner port {self.url} went away: {error}") from error
        if not chunk:
            return
        now = self._monotonic()
        if now - self._last_byte_at > STALE_AFTER:
            stale = self._framer.reset()
            if stale is not None:
                log.warning("%s: dropped %d stale bytes (%s)", self.name, stale.size, stale.reason)
        self._last_byte_at = now
        for part in self._framer.feed(chunk):
            if isinstance(part, Noise):
                log.warning("%s: dropped %d bytes of noise (%s)", self.name, part.size, part.reason)
            else:
                self._ready.append(part)
