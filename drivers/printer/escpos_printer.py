"""ESC/POS receipt printers: status checked before every print, receipts printed as rasters."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from drivers.device_state import StatefulDevice
from drivers.printer.connections import EscposLink
from drivers.printer.receipts import ReceiptRenderer
from drivers.printer.status import raise_for, read_status, status_query
from kiosk.ports import DeviceError, DeviceState, FrameError, PrinterStatus, Receipt

log = logging.getLogger(__name__)

T = TypeVar("T")


class EscposPrinter(StatefulDevice):
    """A receipt printer on any link. ``check_status=False`` is for printers (some USB ones)
    that never answer DLE EOT; their status is then UNKNOWN, never a guessed READY."""

    def __init__(
        self,
        link: EscposLink,
        *,
        name: str = "printer",
        renderer: ReceiptRenderer | None = None,
        check_status: bool = True,
        status_timeout: float = 0.5,
    ) -> None:
        self.link = link
        self.name = name
        self.renderer = renderer or ReceiptRenderer()
        self.check_status = check_status
        self.status_timeout = status_timeout
        self._open = False
        self._state = DeviceState.DISCONNECTED

    def open(self) -> None:
        with self._connecting(errors=DeviceError):  # the link says why itself
            self.link.open()
        self._open = True
        self._state = DeviceState.READY

    def close(self) -> None:
        self._open = False
        self._state = DeviceState.DISCONNECTED
        self.link.close()

    def status(self) -> PrinterStatus:
        try:
            return self._read_status()
        except FrameError as error:
            log.warning("%s: %s", self.name, error)
            return PrinterStatus.UNKNOWN

    def print_receipt(self, receipt: Receipt) -> None:
        status = self._read_status()
        raise_for(status)
        job = self.renderer.job(receipt)
        self._guard(lambda: self.link.write(job.escpos))
        log.info(
            "%s: printed a %s receipt with %d lines", self.name, receipt.kind, len(receipt.lines)
        )

    def _read_status(self) -> PrinterStatus:
        if not self._open:
            raise DeviceError(f"{self.name} is not open")
        if not self.check_status:
            return PrinterStatus.UNKNOWN

        def ask(n: int) -> int | None:
            self.link.discard_input()
            self.link.write(status_query(n))
            return self.link.read_byte(self.status_timeout)

        status = self._guard(lambda: read_status(ask))
        self._state = DeviceState.READY if status is PrinterStatus.READY else DeviceState.ERROR
        return status

    def _guard(self, action: Callable[[], T]) -> T:
        """Run link I/O; a vanished link leaves the printer disconnected, for the supervisor."""
        try:
            return action()
        except DeviceError as error:
            if error.code == "device_gone":
                self._open = False
                self._state = DeviceState.DISCONNECTED
            raise
