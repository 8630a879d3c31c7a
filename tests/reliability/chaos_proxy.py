"""A TCP proxy on 127.0.0.1 that breaks connections the way a bad network does.

Each new connection gets one fate, drawn from a seeded random generator so a failing run can
be replayed: passed through; refused at once; delayed; the request cut off half-way; the
request delivered but the reply thrown away (the case that tests exactly-once: the server
applied it and the client never heard); the reply cut off half-way. ``heal()`` lets
everything through again. Counts of each fate are kept so a test can show the faults
really happened.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter

FATES = ("pass", "refuse", "delay", "cut_request", "drop_reply", "cut_reply")
WEIGHTS = (35, 15, 10, 10, 20, 10)


class ChaosProxy:
    def __init__(self, upstream_port: int, seed: int = 1) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.healthy = False
        self.fates: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="chaos-accept").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def heal(self) -> None:
        self.healthy = True

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _fate(self) -> str:
        with self._lock:
            fate = "pass" if self.healthy else self.rng.choices(FATES, WEIGHTS)[0]
            self.fates[fate] += 1
            return fate

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(
                target=self._serve, args=(client, self._fate()), daemon=True, name="chaos-conn"
            ).start()

    def _serve(self, client: socket.socket, fate: str) -> None:
        if fate == "refuse":
            client.close()
            return
        if fate == "delay":
            time.sleep(self.rng.uniform(0.1, 0.6))
        try:
            server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()
            return
        up = threading.Thread(
            target=self._pump, args=(client, server, fate == "cut_request", False), daemon=True
        )
        up.start()
        self._pump(server, client, fate == "cut_reply", fate == "drop_reply")
        up.join(timeout=30)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, cut: bool, drop: bool) -> None:
        """Copy until either side closes; ``cut`` passes half of the first chunk then closes
        both; ``drop`` reads the first chunk and closes both without passing a byte."""
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if drop:
                    break
                if cut:
                    sink.sendall(chunk[: max(1, len(chunk) // 2)])
                    break
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
