"""SIP2 byte transport: one TCP or TLS connection that sends frames and reads CR-ended replies."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
from dataclasses import dataclass

from sync.sip2.errors import ConnectionLost, Timeout, Unavailable

MAX_FRAME = 64 * 1024  # far above any real reply; a runaway peer must not eat memory


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    tls: bool = False
    tls_ca_file: str = ""
    connect_timeout_s: float = 5.0


class Transport:
    """A connection to the ACS. Frames may arrive split over several reads or several in one.

    Nothing here knows SIP2 beyond "a message ends with CR"; sequence numbers, checksums and
    retries live in the client so that each piece can be tested alone.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._sock: socket.socket | None = None
        self._buffer = bytearray()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def open(self) -> None:
        self.close()
        ep = self.endpoint
        try:
            sock = socket.create_connection((ep.host, ep.port), timeout=ep.connect_timeout_s)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if ep.tls:
                context = ssl.create_default_context(cafile=ep.tls_ca_file or None)
                sock = context.wrap_socket(sock, server_hostname=ep.host)
        except TimeoutError as exc:
            raise Timeout("connect timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            raise Unavailable(f"cannot connect: {exc.__class__.__name__}") from exc
        self._sock = sock
        self._buffer.clear()

    def close(self) -> None:
        sock, self._sock = self._sock, None
        self._buffer.clear()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    def send(self, frame: bytes) -> None:
        if self._sock is None:
            raise ConnectionLost("not connected")
        try:
            self._sock.sendall(frame)
        except OSError as exc:
            self.close()
            raise ConnectionLost(f"send failed: {exc.__class__.__name__}") from exc

    def peer_closed(self) -> bool:
        """Whether the ACS has already closed this connection (an end of stream is waiting).

        Checked before a request that changes state: sent on a dead connection it would look
        like a lost reply, when in truth it never reached the ACS.
        """
        sock = self._sock
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            sock.settimeout(0)
            data = sock.recv(1, socket.MSG_PEEK)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        except OSError:
            return True
        return data == b""

    def discard_pending(self) -> None:
        """Forget bytes already received: a late reply to an abandoned request is not news."""
        self._buffer.clear()

    def receive(self, timeout_s: float) -> bytes:
        """The next frame up to and including its CR, waiting at most ``timeout_s`` seconds."""
        deadline = time.monotonic() + timeout_s
        while True:
            cr = self._buffer.find(b"\r")
            if cr != -1:
                frame = bytes(self._buffer[: cr + 1])
                del self._buffer[: cr + 1]
                # some servers end with CR LF: the LF then starts the next read; drop it
                while self._buffer[:1] == b"\n":
                    del self._buffer[:1]
                if frame.strip(b"\r\n"):
                    return frame
                continue
            if self._sock is None:
                raise ConnectionLost("not connected")
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no reply in time")
            try:
                self._sock.settimeout(left)
                chunk = self._sock.recv(4096)
            except TimeoutError as exc:
                raise Timeout("no reply in time") from exc
            except OSError as exc:
                self.close()
                raise ConnectionLost(f"receive failed: {exc.__class__.__name__}") from exc
            if not chunk:
                self.close()
                raise ConnectionLost("the ACS closed the connection")
            self._buffer += chunk
            if len(self._buffer) > MAX_FRAME:
                self.close()
                raise ConnectionLost("reply too long without a CR")
