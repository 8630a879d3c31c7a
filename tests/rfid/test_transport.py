"""The serial transport closes what it opened, even where pyserial does not.

pyserial's ``socket://`` port (3.5) calls ``shutdown()`` and ``close()`` in one ``try``, so
when the peer has reset the connection shutdown raises and the socket is never closed. A
reader behind a TCP serial bridge on a flaky network reconnects again and again: each lost
connection would leak a file descriptor until the kiosk ran out.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

from drivers.rfid.transport import SerialTransport


def test_a_connection_the_reader_reset_is_closed_with_its_socket() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    transport = SerialTransport(f"socket://127.0.0.1:{port}", baudrate=38400, timeout=0.2)
    transport.open()
    raw = transport._port._socket  # type: ignore[union-attr]
    deadline = time.monotonic() + 5
    while not accepted and time.monotonic() < deadline:
        time.sleep(0.01)
    server_side = accepted[0]
    server_side.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    server_side.close()  # linger 0: a reset, as a bridge that lost its reader sends
    listener.close()
    with contextlib.suppress(OSError):
        raw.recv(1)  # the reset arrives
    transport.close()
    assert raw.fileno() == -1, "the socket was left open"
