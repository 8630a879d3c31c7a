"""A small ESC/POS printer for tests: answers DLE EOT status, swallows raster data, records jobs.

Runs on the master side of a pty (the driver opens the slave like a real serial port) or as
a TCP server on port 9100's behalf. Paper-out, cover-open, paper-low and silence are switches.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class PrinterModel:
    """The printer's state and what it has been sent; switches may change at any time."""

    paper_out: bool = False
    paper_low: bool = False
    cover_open: bool = False
    silent: bool = False  # answers nothing: unplugged, off, or a status-less interface
    garbage: bool = False  # answers bytes that are not status bytes
    printed: bytearray = field(default_factory=bytearray)
    status_queries: list[int] = field(default_factory=list)
    _pending: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return the bytes to answer with."""
        self._pending += data
        out = bytearray()
        while self._pending:
            buf = self._pending
            if buf[0] == 0x10:
                if len(buf) < 3:
                    break
                if buf[1] == 0x04:
                    out += self._status(buf[2])
                    del buf[:3]
                    continue
            if buf[0] == 0x1D and len(buf) >= 2 and buf[1] == ord("v"):
                if len(buf) < 8:
                    break
                size = (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
                if len(buf) < 8 + size:
                    break
                self.printed += buf[: 8 + size]
                del buf[: 8 + size]
                continue
            self.printed.append(buf[0])
            del buf[:1]
        return bytes(out)

    def _status(self, n: int) -> bytes:
        self.status_queries.append(n)
        if self.silent:
            return b""
        if self.garbage:
            return b"\xff"
        value = 0x12
        if n == 1 and (self.paper_out or self.cover_open):
            value |= 0x08
        if n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        if n == 4:
            value |= (0x60 if self.paper_out else 0) | (0x0C if self.paper_low else 0)
        return bytes([value])


class PtyPrinter:
    """The model behind a pty; ``path`` is what the driver opens."""

    def __init__(self, model: PrinterModel | None = None) -> None:
        self.model = model or PrinterModel()
        self._master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="escpos-pty", daemon=True)

    def __enter__(self) -> PtyPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._master)
        os.close(self._slave)

    def _run(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self._master], [], [], 0.05)
            if not readable:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            reply = self.model.feed(data)
            if reply:
                os.write(self._master, reply)


class TcpPrinter:
    """The model behind a TCP listener on 127.0.0.1, one connection at a time."""

    def __init__(self, model: PrinterModel | None = None) -> None:
        self.model = model or PrinterModel()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="escpos-tcp", daemon=True)

    def __enter__(self) -> TcpPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()

    def _run(self) -> None:
        self._server.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.05)
                while not self._stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    reply = self.model.feed(data)
                    if reply:
                        conn.sendall(reply)
