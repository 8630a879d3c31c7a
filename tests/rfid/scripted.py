"""A scripted stand-in for a pyserial port: records what a driver writes, replays set replies."""

from __future__ import annotations

import time
from collections import deque

from drivers.rfid.transport import SerialTransport


class ScriptedPort:
    """Each write is answered by the next scripted reply (``None`` scripts silence)."""

    def __init__(self, replies: list[bytes | None] | None = None) -> None:
        self.timeout: float | None = 0.01
        self.written: list[bytes] = []
        self.closed = False
        self.settings: dict[str, object] = {}
        self._replies: deque[bytes | None] = deque(replies or [])
        self._rx = bytearray()

    def script(self, *replies: bytes | None) -> None:
        self._replies.extend(replies)

    def write(self, data: bytes) -> int:
        self.written.append(bytes(data))
        if self._replies:
            reply = self._replies.popleft()
            if reply is not None:
                self._rx += reply
        return len(data)

    def read(self, size: int = 1) -> bytes:
        if not self._rx:
            time.sleep(self.timeout or 0)  # a real port blocks up to its timeout
            return b""
        out = bytes(self._rx[:size])
        del self._rx[:size]
        return out

    def reset_input_buffer(self) -> None:
        self._rx.clear()

    def close(self) -> None:
        self.closed = True


def scripted_transport(
    port: ScriptedPort, *, baudrate: int, timeout: float = 0.1
) -> SerialTransport:
    def factory(url: str, **settings: object) -> ScriptedPort:
        port.settings = {"url": url, **settings}
        return port

    return SerialTransport("scripted://", baudrate=baudrate, timeout=timeout, port_factory=factory)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text)
