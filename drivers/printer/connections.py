"""Byte links to ESC/POS printers over serial, USB and TCP, built on python-escpos's printers.

python-escpos opens and writes; reading one real-time status byte with a deadline is done
here, per link, because its ``_read`` waits for 16 bytes on serial and treats silence as
an answer.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any, Protocol

from kiosk.ports import DeviceError, DeviceGone


class EscposLink(Protocol):
    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read_byte(self, timeout: float) -> int | None:
        """One byte from the printer, or None when nothing arrives within ``timeout``."""
        ...

    def discard_input(self) -> None:
        """Forget bytes that arrived unasked, so a status reply is not confused with them."""
        ...


class _EscposPrinterLink:
    """Shared open/close/write around a python-escpos printer object."""

    description = "printer"

    def __init__(self) -> None:
        self._printer: Any = None

    def _make(self) -> Any:
        raise NotImplementedError

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError

        try:
            printer = self._make()
            printer.open()
        except DeviceNotFoundError as error:
            raise DeviceGone(f"{self.description} not found: {error}") from error
        except (OSError, RuntimeError) as error:
            # RuntimeError: python-escpos says a backend library (pyserial, pyusb) is missing
            raise DeviceGone(f"cannot open {self.description}: {error}") from error
        self._printer = printer

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            with contextlib.suppress(Exception):  # the device may already be gone
                printer.close()

    def write(self, data: bytes) -> None:
        printer = self._require()
        try:
            printer._raw(data)
        except (OSError, ValueError) as error:
            self._printer = None
            raise DeviceGone(f"{self.description} went away while printing: {error}") from error

    def discard_input(self) -> None:
        pass

    def _require(self) -> Any:
        if self._printer is None:
            raise DeviceError(f"{self.description} is not open")
        return self._printer


class SerialLink(_EscposPrinterLink):
    def __init__(
        self, devfile: str, *, baud: int = 19200, timeout: float = 1.0, dsrdtr: bool = False
    ) -> None:
        super().__init__()
        self.devfile, self.baud, self.timeout, self.dsrdtr = devfile, baud, timeout, dsrdtr
        self.description = f"serial printer {devfile}"

    def _make(self) -> Any:
        from escpos.printer import Serial

        return Serial(self.devfile, baudrate=self.baud, timeout=self.timeout, dsrdtr=self.dsrdtr)

    def read_byte(self, timeout: float) -> int | None:
        import serial

        port = self._require().device
        try:
            port.timeout = timeout
            data = port.read(1)
        except (serial.SerialException, OSError) as error:
            self._printer = None
            raise DeviceGone(f"{self.description} went away: {error}") from error
        finally:
            with contextlib.suppress(Exception):
                port.timeout = self.timeout
        return data[0] if data else None

    def discard_input(self) -> None:
        with contextlib.suppress(Exception):
            self._require().device.reset_input_buffer()


class NetworkLink(_EscposPrinterLink):
    def __init__(self, host: str, port: int = 9100, *, timeout: float = 5.0) -> None:
        super().__init__()
        self.host, self.port, self.timeout = host, port, timeout
        self.description = f"network printer {host}:{port}"

    def _make(self) -> Any:
        from escpos.printer import Network

        return Network(self.host, port=self.port, timeout=self.timeout)

    def read_byte(self, timeout: float) -> int | None:
        sock: socket.socket = self._require().device
        try:
            sock.settimeout(timeout)
            data = sock.recv(1)
        except TimeoutError:
            return None
        except OSError as error:
            self._printer = None
            raise DeviceGone(f"{self.description} went away: {error}") from error
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(self.timeout)
        if not data:  # the printer closed the connection
            self._printer = None
            raise DeviceGone(f"{self.description} closed the connection")
        return data[0]

    def discard_input(self) -> None:
        sock: socket.socket = self._require().device
        with contextlib.suppress(OSError):
            sock.settimeout(0)
            while sock.recv(64):
                pass
        with contextlib.suppress(OSError):
            sock.settimeout(self.timeout)


class UsbLink(_EscposPrinterLink):
    """USB printer class devices through python-escpos and pyusb (needs the pyusb package)."""

    def __init__(self, vendor_id: int, product_id: int, *, timeout_ms: int = 2000) -> None:
        super().__init__()
        self.vendor_id, self.product_id, self.timeout_ms = vendor_id, product_id, timeout_ms
        self.description = f"USB printer {vendor_id:04x}:{product_id:04x}"

    def _make(self) -> Any:
        from escpos.printer import Usb

        return Usb(self.vendor_id, self.product_id, timeout=self.timeout_ms)

    def read_byte(self, timeout: float) -> int | None:
        printer = self._require()
        try:
            data = printer.device.read(printer.in_ep, 16, max(1, int(timeout * 1000)))
        except Exception as error:  # pyusb: a timeout and an unplug are both USBError
            if "timeout" in str(error).lower() or "timed out" in str(error).lower():
                return None
            self._printer = None
            raise DeviceGone(f"{self.description} went away: {error}") from error
        return data[-1] if len(data) else None
