"""A TCP connection for the LLRP driver with the serial transport's interface and error tree.

pyserial's ``socket://`` would carry the bytes, but it empties its input right after
connecting, and an LLRP reader speaks first (its connection event), so the greeting could be
lost. This keeps every byte from the moment the connection is made.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time

from kiosk.ports import DeviceGone, DeviceTimeout, FrameError


class TcpTransport:
    """One TCP connection to ``host:port`` with a per-reply deadline (``SerialTransport``'s
    methods, so ``ReaderLink`` drives it the same way)."""

    def __init__(self, host: str, port: int, *, timeout: float = 1.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"llrp://{self.host}:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise DeviceGone(f"cannot connect to {self.url}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self._sock = sock

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def discard_input(self) -> None:
        """Drop what arrived unasked (a late reply, keepalives) before a new request."""
        sock = self._require()
        while True:
            try:
                chunk = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                raise DeviceGone(f"{self.url}: {exc}") from exc
            if not chunk:
                raise DeviceGone(f"{self.url} closed the connection")

    def write(self, data: bytes) -> None:
        sock = self._require()
        try:
            sock.setblocking(True)
            sock.settimeout(self.timeout)
            sock.sendall(data)
        except OSError as exc:
            raise DeviceGone(f"write to {self.url} failed: {exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                sock.setblocking(False)

    def read_exact(self, count: int, deadline: float) -> bytes:
        """Exactly ``count`` bytes before ``deadline``; nothing is a timeout, a part is a
        ``FrameError``, a closed connection is ``DeviceGone``."""
        sock = self._require()
        received = bytearray()
        while len(received) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                if received:
                    raise FrameError(f"message cut short: {len(received)} of {count} bytes")
                raise DeviceTimeout(f"no reply from {self.url} within {self.timeout:.2f} s")
            try:
                ready, _, _ = select.select([sock], [], [], left)
                if not ready:
                    continue
                chunk = sock.recv(count - len(received))
            except (BlockingIOError, InterruptedError):
                continue
            except (OSError, ValueError) as exc:
                raise DeviceGone(f"read from {self.url} failed: {exc}") from exc
            if not chunk:
                raise DeviceGone(f"{self.url} closed the connection")
            received += chunk
        return bytes(received)

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def _require(self) -> socket.socket:
        if self._sock is None:
            raise DeviceGone(f"{self.url} is not open")
        return self._sock
