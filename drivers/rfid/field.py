"""Simulated ISO 15693 tags and the antenna field they lie in, shared by simulator and emulators.

The field speaks in air-interface outcomes (absent, left, locked, out of range), not in any
reader's status bytes, so each emulator can translate them into its own protocol and the
in-process simulator into the port's error tree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kiosk.ports import TagInfo


class AirError(Exception):
    """A simulated tag did not do what it was asked over the air."""


class TagAbsent(AirError):
    """No tag with that UID answered."""


class TagLeft(AirError):
    """The tag left the field part-way through a write; ``written`` blocks made it."""

    def __init__(self, written: int) -> None:
        super().__init__(f"tag left the field after {written} block(s)")
        self.written = written


class BlockLocked(AirError):
    """The block (or AFI, or EAS) is locked and cannot change."""


class BlockOutOfRange(AirError):
    """The tag has no such block."""


class CommandNotSupported(AirError):
    """The tag does not implement this command (for example EAS on a non-NXP tag)."""


def nxp_uid(serial: int) -> bytes:
    """A plausible NXP ICODE SLIX UID (E0 04 01 ...), most significant byte first."""
    return bytes([0xE0, 0x04, 0x01, 0x00]) + (serial & 0xFFFFFFFF).to_bytes(4, "big")


@dataclass(eq=False)
class SimulatedTag:
    """One ISO 15693 tag: identity, memory, AFI, DSFID, EAS flag and lock bits (ICODE SLIX)."""

    uid: bytes
    dsfid: int = 0
    afi: int = 0
    block_size: int = 4
    block_count: int = 28
    memory: bytearray = field(default_factory=bytearray)
    eas: bool = False
    eas_supported: bool = True
    locked_blocks: set[int] = field(default_factory=set)
    afi_locked: bool = False
    dsfid_locked: bool = False
    eas_locked: bool = False
    ic_reference: int = 0x01

    def __post_init__(self) -> None:
        if len(self.uid) != 8:
            raise ValueError("an ISO 15693 UID has 8 bytes")
        size = self.block_size * self.block_count
        if len(self.memory) > size:
            raise ValueError(f"memory holds {len(self.memory)} bytes, the tag only {size}")
        self.memory = bytearray(self.memory) + bytes(size - len(self.memory))

    def info(self) -> TagInfo:
        return TagInfo(
            uid=self.uid,
            dsfid=self.dsfid,
            afi=self.afi,
            block_size=self.block_size,
            block_count=self.block_count,
        )

    def read(self, first: int, count: int) -> bytes:
        if first < 0 or count < 1 or first + count > self.block_count:
            raise BlockOutOfRange(f"blocks {first}..{first + count - 1} of {self.block_count}")
        return bytes(self.memory[first * self.block_size : (first + count) * self.block_size])

    def write_block(self, number: int, data: bytes) -> None:
        if not 0 <= number < self.block_count:
            raise BlockOutOfRange(f"block {number} of {self.block_count}")
        if number in self.locked_blocks:
            raise BlockLocked(f"block {number} is locked")
        if len(data) != self.block_size:
            raise ValueError(f"block {number} takes {self.block_size} bytes, not {len(data)}")
        start = number * self.block_size
        self.memory[start : start + self.block_size] = data


class TagField:
    """The tags lying on one simulated pad; every method is thread-safe.

    Tests and the demo's simulator panel place and remove tags from their own threads while
    a reader thread runs commands against them, so every access goes through one lock.
    """

    def __init__(self, tags: list[SimulatedTag] | None = None) -> None:
        self._lock = threading.RLock()
        self._tags: dict[bytes, SimulatedTag] = {}
        for tag in tags or []:
            self.place(tag)

    # --- placing and removing (the "hands" side) ------------------------------------------

    def place(self, tag: SimulatedTag) -> SimulatedTag:
        with self._lock:
            self._tags[tag.uid] = tag
        return tag

    def remove(self, uid: bytes) -> SimulatedTag | None:
        with self._lock:
            return self._tags.pop(uid, None)

    def clear(self) -> None:
        with self._lock:
            self._tags.clear()

    def tags(self) -> list[SimulatedTag]:
        with self._lock:
            return list(self._tags.values())

    def get(self, uid: bytes) -> SimulatedTag | None:
        with self._lock:
            return self._tags.get(uid)

    # --- air-interface commands (the "reader" side) ---------------------------------------

    def inventory(self, afi: int | None = None) -> list[TagInfo]:
        """Every tag in the field; with ``afi``, only tags with that AFI answer (ISO 15693)."""
        with self._lock:
            return [t.info() for t in self._tags.values() if afi is None or t.afi == afi]

    def system_information(self, uid: bytes) -> TagInfo:
        with self._lock:
            return self._present(uid).info()

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        with self._lock:
            return self._present(uid).read(first, count)

    def locked_flags(self, uid: bytes, first: int, count: int) -> list[bool]:
        with self._lock:
            tag = self._present(uid)
            return [n in tag.locked_blocks for n in range(first, first + count)]

    def write_blocks(
        self, uid: bytes, first: int, data: bytes, *, leave_after: int | None = None
    ) -> None:
        """Write whole blocks; with ``leave_after`` the tag leaves after that many blocks."""
        with self._lock:
            tag = self._present(uid)
            size = tag.block_size
            if len(data) % size:
                raise ValueError(f"data must be whole {size}-byte blocks")
            count = len(data) // size
            if first < 0 or first + count > tag.block_count:
                raise BlockOutOfRange(f"blocks {first}..{first + count - 1} of {tag.block_count}")
            for i in range(count):
                if leave_after is not None and i >= leave_after:
                    self._tags.pop(uid, None)
                    raise TagLeft(i)
                tag.write_block(first + i, data[i * size : (i + 1) * size])

    def write_afi(self, uid: bytes, afi: int, *, leave: bool = False) -> None:
        with self._lock:
            tag = self._present(uid)
            if leave:
                self._tags.pop(uid, None)
                raise TagLeft(0)
            if tag.afi_locked:
                raise BlockLocked("AFI is locked")
            tag.afi = afi

    def write_dsfid(self, uid: bytes, dsfid: int, *, leave: bool = False) -> None:
        with self._lock:
            tag = self._present(uid)
            if leave:
                self._tags.pop(uid, None)
                raise TagLeft(0)
            if tag.dsfid_locked:
                raise BlockLocked("DSFID is locked")
            tag.dsfid = dsfid

    def set_eas(self, uid: bytes, enabled: bool, *, leave: bool = False) -> None:
        with self._lock:
            tag = self._present(uid)
            if not tag.eas_supported:
                raise CommandNotSupported("tag has no EAS")
            if leave:
                self._tags.pop(uid, None)
                raise TagLeft(0)
            if tag.eas_locked:
                raise BlockLocked("EAS is locked")
            tag.eas = enabled

    def _present(self, uid: bytes) -> SimulatedTag:
        tag = self._tags.get(uid)
        if tag is None:
            raise TagAbsent(uid.hex())
        return tag
