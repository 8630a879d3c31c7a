"""Device health: supervisors that reconnect and record faults.

Which driver a URI names is ``drivers/registry.py``; the URI itself ``drivers/device_uri.py``.

Every driver reports the same way: a supervisor wraps it, turns each failure into one fault per
(device, code) in the FaultSink (the store counts repeats, so an unplugged scanner is one
fault, not a flood), reconnects with exponential back-off after an unplug, and never lets a
driver exception reach the kiosk's UI loop. Only ``print_receipt`` raises, and only
``DeviceError``, because the reader must be told the receipt did not come out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from kiosk.backoff import Backoff
from kiosk.ports import (
    BarcodeScanner,
    CardReader,
    CardTap,
    DeviceError,
    DeviceGone,
    DeviceState,
    FaultSink,
    PrinterStatus,
    Receipt,
    Scan,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


# Severity by fault code; a code not listed is an error.
WARNING_CODES = frozenset({"timeout", "frame_error", "paper_low"})
CRASH_CODE = "driver_crash"


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """What a heartbeat says about one device."""

    name: str
    state: DeviceState
    active_faults: tuple[str, ...]
    reconnect_attempts: int


class Supervisor:
    """Keeps one device open, records its faults once per code, and contains its failures.

    Use one supervisor per device and call it from one thread (the device's I/O thread).
    """

    def __init__(
        self,
        device: Any,
        *,
        name: str,
        faults: FaultSink,
        backoff: Backoff | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
        on_state: Callable[[str, DeviceState], None] | None = None,
        reopen_after: int = 3,
    ) -> None:
        self.device = device
        self.reopen_after = reopen_after
        self._failures = 0  # device errors in a row
        self.name = name
        self._faults = faults
        self._backoff = backoff or Backoff()
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._on_state = on_state
        self._active: set[str] = set()
        self._open = False
        self._next_attempt = 0.0
        self._attempts = 0
        self._state = DeviceState.DISCONNECTED

    @property
    def state(self) -> DeviceState:
        return self._state

    def health(self) -> DeviceHealth:
        return DeviceHealth(self.name, self._state, tuple(sorted(self._active)), self._attempts)

    def open(self) -> None:
        self._stop.clear()
        self._next_attempt = 0.0
        self.ensure_open()

    def close(self) -> None:
        self._stop.set()  # wakes a reader waiting out a back-off
        self._close_device()
        self._set_state(DeviceState.DISCONNECTED)

    def hotplug(self) -> None:
        """A udev event says the device may be back: retry now instead of after the back-off."""
        self._next_attempt = 0.0
        self._backoff.reset()

    def ensure_open(self) -> bool:
        """Open the device unless it is open or its back-off has not run out; never raises."""
        if self._open:
            return True
        if self._stop.is_set() or self._monotonic() < self._next_attempt:
            return False
        self._attempts += 1
        self._set_state(DeviceState.CONNECTING)
        try:
            self.device.open()
        except Exception as error:  # a driver must never crash the kiosk
            self._failed(error, reconnect=True)
            return False
        self._open = True
        self._attempts = 0
        self._backoff.reset()
        self._set_state(DeviceState.READY)
        self._clear(DeviceGone.code, CRASH_CODE)
        return True

    def call(self, operation: Callable[[], T], default: T, *, timeout: float = 0.0) -> T:
        """Run one device operation; on failure record it and return ``default``."""
        try:
            return self.call_or_raise(operation, timeout=timeout)
        except DeviceError:
            return default

    def call_or_raise(self, operation: Callable[[], T], *, timeout: float = 0.0) -> T:
        """Run one device operation; every failure is recorded and raised as a DeviceError."""
        if not self.ensure_open():
            self._wait_for_retry(timeout)
            raise DeviceGone(f"{self.name} is not connected")
        try:
            result = operation()
        except DeviceGone as error:
            self._failed(error, reconnect=True)
            raise
        except DeviceError as error:
            self._failures += 1
            # a driver that dropped its own connection, or one failing again and again, is
            # reopened: a wedged USB serial adapter often recovers only by a fresh open
            dropped = getattr(self.device, "state", None) is DeviceState.DISCONNECTED
            self._failed(error, reconnect=dropped or self._failures >= self.reopen_after)
            raise
        except Exception as error:  # contain driver bugs; they become faults
            log.exception("%s: driver failed unexpectedly", self.name)
            self._failed(error, reconnect=True)
            raise DeviceError(f"{self.name} driver failed: {type(error).__name__}") from error
        self._failures = 0
        self._clear(*(code for code in self._active if code not in STICKY_CODES))
        return result

    def record(self, code: str, message: str) -> None:
        """Record a condition seen without an exception (a printer reporting paper out)."""
        if code not in self._active:
            self._active.add(code)
            severity = "warning" if code in WARNING_CODES else "error"
            self._faults.record_fault(self.name, code, severity, message)
            log.warning("%s: %s (%s)", self.name, message, code)

    def clear(self, *codes: str) -> None:
        self._clear(*codes)

    def _failed(self, error: BaseException, *, reconnect: bool) -> None:
        code = error.code if isinstance(error, DeviceError) else CRASH_CODE
        message = str(error) if isinstance(error, DeviceError) else type(error).__name__
        self.record(code, message or code)
        if reconnect:
            self._failures = 0
            self._close_device()
            self._next_attempt = self._monotonic() + self._backoff.next_delay()
            self._set_state(DeviceState.DISCONNECTED)
        else:
            self._set_state(DeviceState.ERROR if code not in WARNING_CODES else self._state)

    def _wait_for_retry(self, timeout: float) -> None:
        # a caller polling in a loop must not spin while the device is away
        pause = min(timeout, max(0.0, self._next_attempt - self._monotonic()))
        if pause > 0 and not self._stop.is_set():
            self._sleep(pause)

    def _close_device(self) -> None:
        self._open = False
        try:
            self.device.close()
        except Exception:  # closing a vanished device may fail any way it likes
            log.debug("%s: close failed", self.name, exc_info=True)

    def _clear(self, *codes: str) -> None:
        for code in codes:
            if code in self._active:
                self._active.discard(code)
                self._faults.clear_fault(self.name, code)
                log.info("%s: %s cleared", self.name, code)
        if self._open and self._state is DeviceState.ERROR and not self._active:
            self._set_state(DeviceState.READY)

    def _set_state(self, state: DeviceState) -> None:
        if state is self._state:
            return
        self._state = state
        log.info("%s: %s", self.name, state)
        if self._on_state is not None:
            try:
                self._on_state(self.name, state)
            except Exception:  # a listener's bug must not stop the device
                log.exception("%s: state listener failed", self.name)


# Conditions only a status reading clears (paper is not back because a print call succeeded).
STICKY_CODES = frozenset({"paper_out", "paper_low", "cover_open", "printer_offline"})


class _Supervised:
    """What every supervised port shares: the supervisor owns its state, opening and closing."""

    def __init__(self, device: Any, supervisor: Supervisor) -> None:
        self._device = device
        self.supervisor = supervisor

    @property
    def state(self) -> DeviceState:
        return self.supervisor.state

    def open(self) -> None:
        self.supervisor.open()

    def close(self) -> None:
        self.supervisor.close()


class SupervisedScanner(_Supervised):
    """A BarcodeScanner that never raises: failures become faults and ``None``."""

    _device: BarcodeScanner

    def read(self, timeout: float) -> Scan | None:
        return self.supervisor.call(lambda: self._device.read(timeout), None, timeout=timeout)


class SupervisedCardReader(_Supervised):
    """A CardReader that never raises: failures become faults and ``None``."""

    _device: CardReader

    def poll(self, timeout: float) -> CardTap | None:
        return self.supervisor.call(lambda: self._device.poll(timeout), None, timeout=timeout)


_STATUS_FAULTS = MappingProxyType(
    {
        PrinterStatus.PAPER_OUT: ("paper_out", "printer is out of paper"),
        PrinterStatus.PAPER_LOW: ("paper_low", "printer paper is running low"),
        PrinterStatus.COVER_OPEN: ("cover_open", "printer cover is open"),
        PrinterStatus.OFFLINE: ("printer_offline", "printer does not answer status queries"),
    }
)


class SupervisedPrinter(_Supervised):
    """A ReceiptPrinter whose status never raises and whose printing raises only DeviceError."""

    def status(self) -> PrinterStatus:
        status = self.supervisor.call(self._device.status, PrinterStatus.OFFLINE)
        self._note(status)
        return status

    def print_receipt(self, receipt: Receipt) -> None:
        self.supervisor.call_or_raise(lambda: self._device.print_receipt(receipt))
        self._note(PrinterStatus.READY)

    def _note(self, status: PrinterStatus) -> None:
        for known, (code, message) in _STATUS_FAULTS.items():
            if known is status:
                self.supervisor.record(code, message)
            elif status is not PrinterStatus.UNKNOWN:
                self.supervisor.clear(code)


def supervise(device: Any, kind: str, *, name: str, faults: FaultSink, **options: Any) -> Any:
    """Wrap a driver of ``kind`` ("scanner", "card", "printer") in its supervised port."""
    supervisor = Supervisor(device, name=name, faults=faults, **options)
    wrappers: Mapping[str, Callable[[Any, Supervisor], Any]] = {
        "scanner": SupervisedScanner,
        "card": SupervisedCardReader,
        "printer": SupervisedPrinter,
    }
    wrapper = wrappers.get(kind)
    if wrapper is None:
        raise ValueError(f"no supervised port for device kind {kind!r}")
    return wrapper(device, supervisor)
