"""A raw TCP peer that answers with hand-written bytes: for replies pysip2 would never send."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class ScriptedAcs:
    """Answers each CR-ended request with ``answer(request)``: a list of byte chunks sent one
    after the other (to split a reply over several TCP segments), or None for silence."""

    def __init__(self, answer: Callable[[bytes], list[bytes] | None]) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn:
                buffer = b""
                while True:
                    try:
                        data = conn.recv(4096)
                    except OSError:
                        break
                    if not data:
                        break
                    buffer += data
                    while b"\r" in buffer:
                        frame, buffer = buffer.split(b"\r", 1)
                        self.requests.append(frame + b"\r")
                        for chunk in self.answer(frame + b"\r") or []:
                            conn.sendall(chunk)

    def close(self) -> None:
        self._server.close()
