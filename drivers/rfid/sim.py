"""The ``sim:`` reader: an in-process TagReader over a simulated field, with injectable faults.

Used by tests and by the demo, whose simulator panel places and removes tags through
``field`` and arms faults through ``faults`` from the UI thread while the pad watcher polls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from drivers.rfid.field import (
    BlockLocked,
    BlockOutOfRange,
    CommandNotSupported,
    SimulatedTag,
    TagAbsent,
    TagField,
    TagLeft,
)
from drivers.rfid.injected_faults import ReaderFaults
from kiosk.ports import (
    DeviceError,
    DeviceGone,
    DeviceState,
    DeviceTimeout,
    FrameError,
    NoTag,
    ReaderInfo,
    TagInfo,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)


class SimReader:
    """Behaves like a real reader at the port: same errors, same state transitions."""

    def __init__(self, field: TagField | None = None, faults: ReaderFaults | None = None) -> None:
        self.field = field or TagField()
        self.faults = faults or ReaderFaults()
        self._state = DeviceState.DISCONNECTED
        self._lock = threading.RLock()

    @property
    def state(self) -> DeviceState:
        return self._state

    def place(self, tag: SimulatedTag) -> SimulatedTag:
        """Put a tag on the pad (callable from any thread)."""
        return self.field.place(tag)

    def remove(self, uid: bytes) -> SimulatedTag | None:
        """Take a tag off the pad (callable from any thread)."""
        return self.field.remove(uid)

    def open(self) -> None:
        with self._lock:
            if self._state is DeviceState.READY:
                return
            self._state = DeviceState.CONNECTING
            if self.faults.unplugged:
                self._state = DeviceState.ERROR
                raise DeviceGone("simulated reader is unplugged")
            self._state = DeviceState.READY

    def close(self) -> None:
        with self._lock:
            self._state = DeviceState.DISCONNECTED

    def reader_info(self) -> ReaderInfo:
        with self._lock:
            self._exchange()
            return ReaderInfo(model="Shufang simulated reader", firmware="1.0", serial="SIM-0001")

    def inventory(self) -> list[TagInfo]:
        with self._lock:
            self._exchange()
            return self.field.inventory()

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        with self._lock:
            self._exchange()
            try:
                return self.field.read_blocks(uid, first, count)
            except TagAbsent as exc:
                raise NoTag(f"tag {uid.hex()} is not in the field") from exc
            except BlockOutOfRange as exc:
                raise DeviceError(str(exc)) from exc

    def write_blocks(self, uid: bytes, first: int, data: bytes) -> None:
        with self._lock:
            self._exchange()
            tag = self.field.get(uid)
            size = tag.block_size if tag else 4
            if not data or len(data) % size:
                raise ValueError(f"write whole {size}-byte blocks, not {len(data)} bytes")
            with _write_errors(uid):
                self.field.write_blocks(uid, first, data, leave_after=self.faults.take_removal(uid))

    def write_afi(self, uid: bytes, afi: int) -> None:
        with self._lock:
            self._exchange()
            with _write_errors(uid):
                self.field.write_afi(uid, afi, leave=self.faults.take_removal(uid) is not None)

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        with self._lock:
            self._exchange()
            with _write_errors(uid):
                self.field.write_dsfid(uid, dsfid, leave=self.faults.take_removal(uid) is not None)

    def set_eas(self, uid: bytes, enabled: bool) -> None:
        with self._lock:
            self._exchange()
            with _write_errors(uid):
                leave = self.faults.take_removal(uid) is not None
                self.field.set_eas(uid, enabled, leave=leave)

    def _exchange(self) -> None:
        """Apply the armed link faults the way a serial reader would show them."""
        if self._state in (DeviceState.DISCONNECTED, DeviceState.CONNECTING):
            raise DeviceGone("simulated reader is not open")
        if self.faults.unplugged:
            self._state = DeviceState.ERROR
            raise DeviceGone("simulated reader was unplugged")
        if self.faults.take_drop():
            self._state = DeviceState.ERROR
            raise DeviceTimeout("simulated reader did not answer")
        if self.faults.take_corrupt():
            self._state = DeviceState.ERROR
            raise FrameError("simulated reply failed its CRC")
        self._state = DeviceState.READY


@contextmanager
def _write_errors(uid: bytes) -> Iterator[None]:
    """Translate the field's air errors during a write into the port's error tree."""
    try:
        yield
    except (TagAbsent, TagLeft) as exc:
        raise TagRemoved(f"tag {uid.hex()} left the field: {exc}") from exc
    except (BlockLocked, BlockOutOfRange) as exc:
        raise TagWriteError(str(exc)) from exc
    except CommandNotSupported as exc:
        raise UnsupportedOperation(str(exc)) from exc
