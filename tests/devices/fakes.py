"""Fakes for device tests: an evdev input device, a fault sink that remembers, a clock."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from drivers.scanner.keymap import EV_KEY, KEY_ENTER, KEY_LEFTSHIFT

EV_SYN = 0
EV_MSC = 4


@dataclass(frozen=True)
class FakeEvent:
    type: int
    code: int
    value: int


class FakeInputDevice:
    """Stands in for evdev.InputDevice: a pipe makes it selectable, events come from tests."""

    def __init__(self, path: str = "/dev/input/fake") -> None:
        self.path = path
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._pending: list[FakeEvent] = []
        self._lock = threading.Lock()
        self.grabbed = False
        self.closed = False
        self.unplugged = False
        self.refuse_grab = False

    def push(self, events: Iterable[FakeEvent]) -> None:
        with self._lock:
            self._pending.extend(events)
        os.write(self._write_fd, b"!")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._write_fd, b"!")

    def fileno(self) -> int:
        return self._read_fd

    def read(self) -> list[FakeEvent]:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        with contextlib.suppress(BlockingIOError):
            os.read(self._read_fd, 4096)
        with self._lock:
            events, self._pending = self._pending, []
        if not events:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return events

    def grab(self) -> None:
        if self.refuse_grab:
            raise OSError(errno.EBUSY, "Device or resource busy")
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def close(self) -> None:
        self.closed = True
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


# US layout codes for what the recorded sequences type
_CODES = {
    **{c: code for c, code in zip("1234567890", range(2, 12), strict=True)},
    **dict(zip("qwertyuiop", range(16, 26), strict=True)),
    **dict(zip("asdfghjkl", range(30, 39), strict=True)),
    **dict(zip("zxcvbnm", range(44, 51), strict=True)),
    "-": 12, ".": 52, "/": 53, " ": 57,
}  # fmt: skip
_SHIFTED = {"!": "1", "@": "2", "_": "-", "?": "/", ">": "."}


def typed(text: str, *, enter: bool = True) -> list[FakeEvent]:
    """The events a keyboard-wedge scanner sends for ``text``, with MSC/SYN noise like evdev."""
    events: list[FakeEvent] = []

    def key(code: int, value: int) -> None:
        events.append(FakeEvent(EV_MSC, 4, 0x70000 + code))
        events.append(FakeEvent(EV_KEY, code, value))
        events.append(FakeEvent(EV_SYN, 0, 0))

    for char in text:
        base = _SHIFTED.get(char, char.lower())
        shift = char in _SHIFTED or char.isupper()
        if shift:
            key(KEY_LEFTSHIFT, 1)
        key(_CODES[base], 1)
        key(_CODES[base], 0)
        if shift:
            key(KEY_LEFTSHIFT, 0)
    if enter:
        key(KEY_ENTER, 1)
        key(KEY_ENTER, 0)
    return events


@dataclass
class RecordingFaults:
    """A FaultSink that keeps one row per (device, code) and counts repeats, like the store."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    active: set[tuple[str, str]] = field(default_factory=set)
    calls: list[tuple[str, str, str, str]] = field(default_factory=list)

    def record_fault(self, device: str, code: str, severity: str, message: str) -> None:
        self.counts[(device, code)] = self.counts.get((device, code), 0) + 1
        self.active.add((device, code))
        self.calls.append((device, code, severity, message))

    def clear_fault(self, device: str, code: str) -> None:
        self.active.discard((device, code))


@dataclass
class FakeMonotonic:
    """A monotonic clock that moves only when a test (or a fake sleep) moves it."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
