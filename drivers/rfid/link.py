"""One reader connection's state machine and lock, shared by the serial reader drivers.

The pad watcher polls from its own thread while checkout writes AFI from another, so every
request/reply exchange holds one lock: two requests never interleave on the wire.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from drivers.rfid.transport import SerialTransport
from kiosk.ports import DeviceError, DeviceGone, DeviceState

ReadFrame = Callable[[SerialTransport, float], bytes]


class ReaderLink:
    """DISCONNECTED → CONNECTING → READY; a failed exchange moves to ERROR.

    ``DeviceGone`` also closes the port, so the next ``open`` starts clean (the USB serial
    adapter may come back under the same path); a timeout or bad frame keeps the port open
    and the next good reply brings the state back to READY.
    """

    def __init__(self, transport: SerialTransport) -> None:
        self.transport = transport
        self._state = DeviceState.DISCONNECTED
        self._lock = threading.RLock()

    @property
    def state(self) -> DeviceState:
        return self._state

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def open(self, handshake: Callable[[], None]) -> None:
        """Open the port and run ``handshake`` (a probe exchange) to prove a reader answers."""
        with self._lock:
            if self._state is DeviceState.READY:
                return
            self._state = DeviceState.CONNECTING
            try:
                self.transport.open()
                handshake()
            except DeviceError:
                self.transport.close()
                self._state = DeviceState.ERROR
                raise
            self._state = DeviceState.READY

    def close(self) -> None:
        with self._lock:
            self.transport.close()
            self._state = DeviceState.DISCONNECTED

    def exchange(self, request: bytes, read_frame: ReadFrame) -> bytes:
        """Send one request and return the one frame that answers it."""
        with self._lock:
            if not self.transport.is_open:
                raise DeviceGone(f"{self.transport.url} is not open")
            try:
                self.transport.discard_input()
                self.transport.write(request)
                frame = read_frame(self.transport, self.transport.deadline())
            except DeviceGone:
                self.transport.close()
                self._state = DeviceState.ERROR
                raise
            except DeviceError:
                self._state = DeviceState.ERROR
                raise
            if self._state is DeviceState.ERROR:
                self._state = DeviceState.READY
            return frame


class LinkedReader:
    """The lifecycle every reader driver on a ``ReaderLink`` shares: its state is the link's,
    ``open`` proves a reader answers with the driver's ``_handshake``, and ``close`` closes
    the link and lets the driver ``_forget`` what it learnt of tags on that connection."""

    _link: ReaderLink

    @property
    def state(self) -> DeviceState:
        return self._link.state

    def open(self) -> None:
        self._link.open(self._handshake)

    def close(self) -> None:
        with self._link.lock:
            self._link.close()
            self._forget()

    def _handshake(self) -> None:
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop what this connection learnt about tags; nothing to drop by default."""
