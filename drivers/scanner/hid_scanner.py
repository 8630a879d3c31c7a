"""USB HID keyboard-wedge scanners, read from /dev/input with evdev and grabbed exclusively.

The grab is the point: without it every scan would also be typed into whatever UI field has
focus (a PIN box, a search field), which is both a bug and a privacy leak.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import select
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from drivers.scanner.keymap import EV_KEY, KEY_ENTER, KEY_KPENTER, KeyDecoder
from drivers.scanner.queued import STALE_AFTER, QueuedScanner
from kiosk.ports import DeviceError, DeviceGone, DeviceState

log = logging.getLogger(__name__)


class InputEvent(Protocol):
    type: int
    code: int
    value: int


class InputDevice(Protocol):
    """The part of ``evdev.InputDevice`` the driver uses, so tests can inject a fake."""

    def fileno(self) -> int: ...

    def read(self) -> Any: ...

    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def close(self) -> None: ...


def evdev_device(path: str) -> InputDevice:
    import evdev  # imported here: evdev exists only on Linux, and only this driver needs it

    return evdev.InputDevice(path)


class HidScanner(QueuedScanner):
    """A scanner that types its scans as key presses, followed by Enter (or Tab)."""

    def __init__(
        self,
        path: str,
        *,
        name: str = "scanner",
        grab: bool = True,
        terminators: frozenset[int] = frozenset({KEY_ENTER, KEY_KPENTER}),
        device_factory: Callable[[str], InputDevice] = evdev_device,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.name = name
        self._grab = grab
        self._decoder = KeyDecoder(terminators=terminators)
        self._factory = device_factory
        self._monotonic = monotonic
        self._device: InputDevice | None = None
        self._ready: deque[str] = deque()
        self._last_key_at = 0.0
        self._state = DeviceState.DISCONNECTED

    def open(self) -> None:
        with self._connecting(f"cannot open input device {self.path}"):
            device = self._factory(self.path)
        if self._grab:
            try:
                device.grab()
            except OSError as error:
                device.close()
                self._state = DeviceState.ERROR
                # EBUSY: someone else (X, a second kiosk process) already holds the scanner
                raise DeviceError(f"cannot grab {self.path} exclusively: {error}") from error
        self._device = device
        self._decoder.reset()
        self._ready.clear()
        self._state = DeviceState.READY

    def close(self) -> None:
        device, self._device = self._device, None
        self._state = DeviceState.DISCONNECTED
        if device is None:
            return
        try:
            if self._grab:
                device.ungrab()
        except OSError:
            pass  # an unplugged device cannot be ungrabbed; closing still frees it
        with contextlib.suppress(OSError):
            device.close()

    def _require_open(self) -> None:
        if self._device is None:
            raise DeviceError("scanner is not open")

    def _wait_for_scans(self, wait: float) -> None:
        device = self._device
        if device is None:  # closed from another thread while reading
            raise DeviceError("scanner is not open")
        self._pull(device, wait)

    def _pull(self, device: InputDevice, wait: float) -> None:
        try:
            readable, _, _ = select.select([device], [], [], wait)
            if not readable:
                return
            events = list(device.read())
        except BlockingIOError:
            return
        except OSError as error:
            self._state = DeviceState.DISCONNECTED
            self._device = None
            if error.errno in (errno.ENODEV, errno.EBADF, errno.ENOENT):
                raise DeviceGone(f"input device {self.path} was unplugged") from error
            raise DeviceError(f"reading {self.path} failed: {error}") from error
        now = self._monotonic()
        if self._decoder.pending() and now - self._last_key_at > STALE_AFTER:
            log.warning("%s: dropped a half-typed scan", self.name)
            self._decoder.reset()
        for event in events:
            if event.type != EV_KEY:
                continue
            self._last_key_at = now
            scan = self._decoder.feed(event.code, event.value)
            if scan is None:
                continue
            if scan.unknown_keys:
                # a dropped key would make a wrong barcode; refuse rather than guess
                log.warning(
                    "%s: refused a scan with %d keys that are not text (codes %s)",
                    self.name,
                    len(scan.unknown_keys),
                    sorted(set(scan.unknown_keys)),
                )
                continue
            self._ready.append(scan.text)
