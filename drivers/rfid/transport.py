"""Serial I/O for the reader drivers: open a pyserial URL, write a request, read exact byte counts.

Everything pyserial or the OS can throw is turned into the port's error tree here, so the
protocol layers above only ever see ``DeviceTimeout``, ``FrameError`` or ``DeviceGone``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

import serial

from kiosk.ports import DeviceGone, DeviceTimeout, FrameError

try:
    from termios import error as TermiosError
except ImportError:  # not POSIX: pyserial raises SerialException only
    TermiosError = OSError  # type: ignore[assignment,misc]

# termios.error escapes pyserial when a port refuses a setting (for example a second 8E1
# open of a Linux pty, whose driver drops PARENB and then rejects the "change").
OPEN_ERRORS = (serial.SerialException, OSError, ValueError, TermiosError)


class SerialPort(Protocol):
    """The part of ``serial.Serial`` the drivers use; tests pass a scripted fake."""

    timeout: float | None

    def write(self, data: bytes) -> int | None: ...

    def read(self, size: int = 1) -> bytes: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


PortFactory = Callable[..., SerialPort]


class SerialTransport:
    """One serial connection with a per-reply deadline.

    ``url`` is anything ``serial.serial_for_url`` accepts: a device path, a pty path,
    ``socket://host:port`` or ``loop://``.
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int,
        parity: str = serial.PARITY_NONE,
        timeout: float = 0.5,
        port_factory: PortFactory | None = None,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.parity = parity
        self.timeout = timeout
        self._port_factory: PortFactory = port_factory or serial.serial_for_url
        self._port: SerialPort | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        if self._port is not None:
            return
        settings: dict[str, Any] = {
            "baudrate": self.baudrate,
            "bytesize": serial.EIGHTBITS,
            "parity": self.parity,
            "stopbits": serial.STOPBITS_ONE,
            # Short reads let read_exact keep its own deadline across partial frames.
            "timeout": min(self.timeout, 0.05),
        }
        try:
            self._port = self._port_factory(self.url, **settings)
        except OPEN_ERRORS as exc:
            raise DeviceGone(f"cannot open {self.url}: {exc}") from exc

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            # pyserial's socket:// port skips closing its socket when shutdown() fails, as it
            # does on a connection the reader reset: a reader on a flaky network would leak a
            # descriptor on every reconnect, so the socket is closed here as well.
            sock = getattr(port, "_socket", None)
            # closing a vanished port is as closed as it gets
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def discard_input(self) -> None:
        """Drop stale bytes (a late reply, half a corrupted frame) before a new request."""
        port = self._require()
        try:
            port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise DeviceGone(str(exc)) from exc

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise DeviceGone(f"write to {self.url} failed: {exc}") from exc

    def read_exact(self, count: int, deadline: float) -> bytes:
        """Exactly ``count`` bytes before ``deadline`` (a ``time.monotonic`` value).

        Nothing at all is a timeout (the reader did not answer); a partial frame is a
        ``FrameError`` because the reader did answer, just not with a whole frame.
        """
        port = self._require()
        received = bytearray()
        while len(received) < count:
            if time.monotonic() >= deadline:
                if received:
                    raise FrameError(f"frame cut short: {len(received)} of {count} bytes")
                raise DeviceTimeout(f"no reply from {self.url} within {self.timeout:.2f} s")
            try:
                chunk = port.read(count - len(received))
            except (serial.SerialException, OSError) as exc:
                raise DeviceGone(f"read from {self.url} failed: {exc}") from exc
            received += chunk
        return bytes(received)

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def _require(self) -> SerialPort:
        if self._port is None:
            raise DeviceGone(f"{self.url} is not open")
        return self._port
