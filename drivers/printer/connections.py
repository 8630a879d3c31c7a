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

USB_CLASS_PRINTER = 0x07


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
            self._forget()
            raise DeviceGone(f"{self.description} went away while printing: {error}") from error

    def discard_input(self) -> None:
        pass

    def _forget(self) -> None:
        """The device is lost: drop it, so the next open starts afresh."""
        self._printer = None

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
    """USB printer class devices through python-escpos and pyusb (needs the pyusb package).

    python-escpos writes to endpoint 0x01 and reads 0x82 unless told otherwise, and many
    printers (0416:5011 among them: 0x03 and 0x81) use others; so the bulk endpoints are
    taken from the device's own descriptors once it is open.
    """

    def __init__(
        self, vendor_id: int, product_id: int, *, timeout_ms: int = 2000, backend: Any = None
    ) -> None:
        super().__init__()
        self.vendor_id, self.product_id, self.timeout_ms = vendor_id, product_id, timeout_ms
        self.backend = backend  # a pyusb backend; None lets pyusb load libusb
        self.description = f"USB printer {vendor_id:04x}:{product_id:04x}"
        self._in_size = 64

    def _make(self) -> Any:
        from escpos.printer import Usb

        usb_args = {} if self.backend is None else {"backend": self.backend}
        return Usb(self.vendor_id, self.product_id, usb_args=usb_args, timeout=self.timeout_ms)

    def open(self) -> None:
        try:
            super().open()
        except ValueError as error:  # pyusb: NoBackendError, or a configuration it refuses
            hint = " (is libusb-1.0 installed?)" if type(error).__name__ == "NoBackendError" else ""
            raise DeviceError(f"cannot open {self.description}: {error}{hint}") from error
        printer = self._require()
        if printer.device is None:  # python-escpos checks with assert, gone under -O
            self._printer = None
            raise DeviceGone(f"{self.description} not found")
        try:
            out_ep, in_ep = self._endpoints(printer.device)
        except (OSError, ValueError) as error:
            self._forget()
            raise DeviceGone(f"cannot open {self.description}: {error}") from error
        except DeviceError:
            self._forget()
            raise
        printer.out_ep = out_ep.bEndpointAddress
        printer.in_ep = in_ep.bEndpointAddress if in_ep is not None else None
        self._in_size = in_ep.wMaxPacketSize if in_ep is not None else 64

    def _endpoints(self, device: Any) -> tuple[Any, Any]:
        """The bulk OUT and (if any) bulk IN endpoint of the printer interface."""
        import usb.util

        def bulk(interface: Any, direction: int) -> Any:
            return usb.util.find_descriptor(
                interface,
                custom_match=lambda ep: (
                    usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
                    and usb.util.endpoint_direction(ep.bEndpointAddress) == direction
                ),
            )

        interfaces = sorted(
            (i for i in device.get_active_configuration() if i.bAlternateSetting == 0),
            key=lambda i: i.bInterfaceClass != USB_CLASS_PRINTER,
        )
        for interface in interfaces:
            out_ep = bulk(interface, usb.util.ENDPOINT_OUT)
            if out_ep is not None:
                return out_ep, bulk(interface, usb.util.ENDPOINT_IN)
        raise DeviceError(f"{self.description} has no bulk OUT endpoint; is it a printer?")

    def _forget(self) -> None:
        """Release the interface and handle of a lost device, so a replug can claim it."""
        printer, self._printer = self._printer, None
        if printer is not None:
            with contextlib.suppress(Exception):  # it is gone; releasing may fail too
                printer.close()  # python-escpos: usb.util.dispose_resources

    def read_byte(self, timeout: float) -> int | None:
        printer = self._require()
        if printer.in_ep is None:  # a unidirectional printer cannot answer
            return None
        try:
            data = self._read(printer, max(1, int(timeout * 1000)))
        except (OSError, ValueError) as error:
            self._forget()
            raise DeviceGone(f"{self.description} went away: {error}") from error
        return data[-1] if data else None

    def discard_input(self) -> None:
        """Drain replies nobody waited for (a late status byte) with a short read."""
        printer = self._require()
        if printer.in_ep is None:
            return
        with contextlib.suppress(Exception):  # a real failure shows at the next write
            for _ in range(16):  # bounded: a printer that chatters must not hang us
                if not self._read(printer, 1):
                    break

    def _read(self, printer: Any, timeout_ms: int) -> bytes:
        """Whatever the bulk IN endpoint holds, or b"" when nothing comes within the timeout."""
        import usb.core

        try:
            return bytes(printer.device.read(printer.in_ep, self._in_size, timeout_ms))
        except usb.core.USBTimeoutError:
            return b""
