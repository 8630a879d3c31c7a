"""A real AF_UNIX datagram socket standing in for systemd's ``$NOTIFY_SOCKET`` in tests: it
records every datagram with the time it arrived, on its own thread."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from pathlib import Path


class NotifySocket:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "notify.sock"
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(self.path))
        self._socket.settimeout(0.05)
        self.received: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="notify-socket", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                continue
            with self._lock:
                self.received.append((time.monotonic(), data.decode()))

    def environ(self, watchdog_s: float, pid: int | None = None) -> dict[str, str]:
        env = {"NOTIFY_SOCKET": str(self.path), "WATCHDOG_USEC": str(int(watchdog_s * 1e6))}
        if pid is not None:
            env["WATCHDOG_PID"] = str(pid)
        return env

    def times_of(self, state: str) -> list[float]:
        with self._lock:
            return [at for at, text in self.received if state in text.split("\n")]

    def messages(self) -> list[str]:
        with self._lock:
            return [text for _, text in self.received]

    def wait_for(self, state: str, count: int = 1, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.times_of(state)) < count:
            assert time.monotonic() < deadline, f"no {count}x {state}: {self.messages()}"
            self._stop.wait(0.02)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch without a datagram between ``start`` and ``end``."""
    points = [start, *[t for t in times if start < t < end], end]
    return max(b - a for a, b in itertools.pairwise(points))
