"""Reading what a tag holds and no more: the first blocks, then more only while the data goes on.

The reader's time is the bytes it moves, so the pad asks for the first 32 bytes (one
Read Multiple Blocks on every reader), lets ``kiosk.tags.extent`` say whether the data
continues, and reads the rest in as few commands as the reader allows. Block size and count
come from the read itself (a reply of ``n`` blocks is ``n`` x size bytes) or from a cache per
tag type (the UID's manufacturer and IC code), so no tag is asked for its system
information just to be read; only a read past the end of an unknown tag's memory asks, once
per tag type.
"""

from __future__ import annotations

import dataclasses
import math
import threading

from kiosk.ports import DeviceError, NoTag, TagInfo, TagReader, TagRemoved
from kiosk.tags.extent import (
    DSFID_28560_2,
    FIRST_READ_BYTES,
    WHOLE_MEMORY,
    bytes_needed,
    object_needed,
)

#: Blocks read beyond what the data is known to need when it continues, so an ISO 28560-2
#: tag with one more data set is usually finished in one more command, not two.
LOOKAHEAD_BLOCKS = 4
#: The memory of an ICODE SLIX (28 x 4 bytes), assumed when nothing better is known.
DEFAULT_BLOCK_COUNT = 28


@dataclasses.dataclass(frozen=True, slots=True)
class TagShape:
    block_size: int
    block_count: int | None = None


def tag_type(uid: bytes) -> bytes:
    """The part of an ISO 15693 UID that names the chip: E0, manufacturer, IC type."""
    return bytes(uid[:3])


#: The PC word's user memory indicator: a UHF tag's user memory holds data.
UMI = 0x0400


def _needed(data: bytes, tag: TagInfo, size: int) -> int:
    """HF memory starts with the data; UHF user memory with its DSFID byte, then the data."""
    if tag.pc is None:
        return bytes_needed(data, tag.dsfid, size)
    if not data or data[0] != DSFID_28560_2:
        return WHOLE_MEMORY if data and any(data) else len(data)
    return 1 + (object_needed(data[1:], pii_first=False) or WHOLE_MEMORY)


class TagMemory:
    """Reads tags through ``reader``; remembers each tag type's shape. Thread-safe."""

    def __init__(self, reader: TagReader, *, first_bytes: int = FIRST_READ_BYTES) -> None:
        self.reader = reader
        self.first_bytes = first_bytes
        self._shapes: dict[bytes, TagShape] = {}
        self._lock = threading.Lock()

    def shape(self, tag: TagInfo) -> TagShape:
        if tag.block_size:
            return TagShape(tag.block_size, tag.block_count)
        with self._lock:
            return self._shapes.get(tag_type(tag.uid), TagShape(4))

    def read(self, tag: TagInfo) -> tuple[bytes, TagInfo]:
        """The bytes the tag's data fills (from block 0), and ``tag`` with its shape.

        Raises what the reader raises for the first read (``NoTag``, ``DeviceError``...);
        a failing read past the first returns what was read, for the decoder to judge.
        """
        if tag.pc is not None and not tag.pc & UMI:
            return b"", tag  # a UHF tag whose PC word says its user memory holds nothing
        shape = self.shape(tag)
        size = shape.block_size
        first = math.ceil(self.first_bytes / size)
        if shape.block_count:
            first = min(first, shape.block_count)
        try:
            data = self.reader.read_blocks(tag.uid, 0, first)
        except (NoTag, TagRemoved):
            raise
        except DeviceError:
            if shape.block_count is not None:
                raise
            learnt = self._learn_count(tag, size)  # a tag smaller than the first read?
            if learnt is None or not learnt.block_count or learnt.block_count >= first:
                raise
            shape, first = learnt, learnt.block_count
            data = self.reader.read_blocks(tag.uid, 0, first)
        if len(data) % first == 0 and len(data) // first != size:
            size = len(data) // first  # the reader told the block size by what it returned
            shape = TagShape(size, shape.block_count)
            self._remember(tag, shape)
        data = self._read_on(tag, data, size, shape)
        info = dataclasses.replace(
            tag, block_size=size, block_count=tag.block_count or shape.block_count
        )
        return data, info

    def _read_on(self, tag: TagInfo, data: bytes, size: int, shape: TagShape) -> bytes:
        count = shape.block_count
        while True:
            needed = _needed(data, tag, size)
            have = len(data) // size
            if needed <= len(data):
                return data
            if count is None and needed >= WHOLE_MEMORY:
                # nothing says where the data ends: the whole memory, whose size we must know
                learned = self._learn_count(tag, size)
                count = learned.block_count if learned else None
                count = count or DEFAULT_BLOCK_COUNT
            end = math.ceil(needed / size)
            if needed < WHOLE_MEMORY:
                end += LOOKAHEAD_BLOCKS
            if count is not None:
                end = min(end, count)
            if end <= have:
                return data
            try:
                data += self.reader.read_blocks(tag.uid, have, end - have)
            except (NoTag, TagRemoved):
                raise
            except DeviceError:
                learned = None if count is not None else self._learn_count(tag, size)
                if learned is None or not learned.block_count or learned.block_count <= have:
                    return data  # past the end, or a failing tag: decode what there is
                count = learned.block_count

    def _learn_count(self, tag: TagInfo, size: int) -> TagShape | None:
        """Ask the tag's system information once for its type, where the reader can."""
        with self._lock:
            known = self._shapes.get(tag_type(tag.uid))
        if known is not None and known.block_count:
            return known
        ask = getattr(self.reader, "system_information", None)
        if ask is None:
            return None
        try:
            info = ask(tag.uid)
        except DeviceError:
            return None
        shape = TagShape(info.block_size or size, info.block_count)
        self._remember(tag, shape)
        return shape

    def _remember(self, tag: TagInfo, shape: TagShape) -> None:
        with self._lock:
            known = self._shapes.get(tag_type(tag.uid))
            if known is not None and shape.block_count is None:
                shape = TagShape(shape.block_size, known.block_count)
            self._shapes[tag_type(tag.uid)] = shape
