"""Reading what a tag holds and no more: the first blocks, then more only while the data goes on.

The reader's time is the bytes it moves, so the pad asks for the first 32 bytes (one
Read Multiple Blocks on every reader), lets ``kiosk.tags.extent`` say whether the data
continues, and reads the rest in as few commands as the reader allows. Block size and count
come from the read itself (a reply of ``n`` blocks is ``n`` x size bytes) or from a cache per
tag type (the UID's manufacturer and IC code), so no tag is asked for its system
information just to be read; only a read past the end of an unknown tag's memory asks, once
per tag type.

The first read itself is learnt too: a library encodes its tags alike, so once a tag of a
type and data format has been read, the next one's first read asks for as many bytes as the
last few of its kind needed (an ISO 28560-2 tag of 19 bytes: 5 blocks, not 8). A tag whose
data runs further is read on as before, one more command; the stack as a whole costs what
its data holds, which is what ``drivers.rfid.floor`` counts.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import deque

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
#: How many recent tags of a kind the first read is sized for (the largest of them).
EXTENT_MEMORY = 8


@dataclasses.dataclass(frozen=True, slots=True)
class TagShape:
    block_size: int
    block_count: int | None = None


def tag_type(uid: bytes) -> bytes:
    """The part of an ISO 15693 UID that names the chip: E0, manufacturer, IC type."""
    return bytes(uid[:3])


#: The PC word's user memory indicator: a UHF tag's user memory holds data.
UMI = 0x0400


def _needed(data: bytes, tag: TagInfo, size: int, dsfid: int | None = None) -> int:
    """HF memory starts with the data; UHF user memory with its DSFID byte, then the data.
    ``dsfid`` stands in for an HF tag's own when its reader does not report one."""
    if tag.pc is None:
        return bytes_needed(data, tag.dsfid if dsfid is None else dsfid, size)
    if not data or data[0] != DSFID_28560_2:
        return WHOLE_MEMORY if data and any(data) else len(data)
    return 1 + (object_needed(data[1:], pii_first=False) or WHOLE_MEMORY)


def _kind(tag: TagInfo) -> tuple[bytes, int, bool]:
    """Tags whose data is likely laid out alike: chip type, DSFID, HF or UHF."""
    return tag_type(tag.uid), tag.dsfid, tag.pc is None


def _ends_early(tag: TagInfo) -> bool:
    """Formats whose end fewer than 32 bytes can show: ISO 28560-2, UHF user memory."""
    return tag.pc is not None or tag.dsfid == DSFID_28560_2


class TagMemory:
    """Reads tags through ``reader``; remembers each tag type's shape. Thread-safe."""

    def __init__(self, reader: TagReader, *, first_bytes: int = FIRST_READ_BYTES) -> None:
        self.reader = reader
        self.first_bytes = first_bytes
        self._shapes: dict[bytes, TagShape] = {}
        self._extents: dict[tuple[bytes, int, bool], deque[int]] = {}
        # kinds read without a DSFID (the 3M 810 reports none) whose data was ISO 28560-2
        self._sets_without_dsfid: set[tuple[bytes, int, bool]] = set()
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
        first = math.ceil(self.first_read_bytes(tag) / size)
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
        self._learn_extent(tag, data, size)
        info = dataclasses.replace(
            tag, block_size=size, block_count=tag.block_count or shape.block_count
        )
        return data, info

    def first_read_bytes(self, tag: TagInfo) -> int:
        """What the first read asks for: the most the last tags of this kind needed, or
        ``first_bytes`` before any was read. Only a format whose end short data can show
        (ISO 28560-2, UHF user memory) is read in fewer than ``first_bytes``."""
        with self._lock:
            recent = self._extents.get(_kind(tag))
            learnt = max(recent) if recent else 0
            sets = _kind(tag) in self._sets_without_dsfid
        if not learnt:
            return self.first_bytes
        if _ends_early(tag) or (sets and not tag.dsfid):
            return learnt
        return max(learnt, self.first_bytes)

    def _assumed_dsfid(self, tag: TagInfo, data: bytes) -> int | None:
        """ISO 28560-2 for a short read of a tag without a DSFID whose kind held 28560-2
        data before: its data sets can then show their end before 32 bytes. A tag of
        another format does not end there (its walk runs past what was read: a 28560-3 PII
        is ASCII, read as lengths of 48 and more) and is read on to the 32 bytes."""
        if tag.dsfid or tag.pc is not None or len(data) >= self.first_bytes:
            return None
        with self._lock:
            return DSFID_28560_2 if _kind(tag) in self._sets_without_dsfid else None

    def _learn_extent(self, tag: TagInfo, data: bytes, size: int) -> None:
        needed = _needed(data, tag, size, self._assumed_dsfid(tag, data))
        if not data or needed > len(data) or needed >= WHOLE_MEMORY:
            return  # cut short or of unknown extent: nothing to learn from
        kind = _kind(tag)
        with self._lock:
            recent = self._extents.setdefault(kind, deque(maxlen=EXTENT_MEMORY))
            recent.append(needed)
            if not tag.dsfid and tag.pc is None:
                if object_needed(data) == needed:
                    self._sets_without_dsfid.add(kind)
                else:  # another format among them: first reads of 32 bytes again
                    self._sets_without_dsfid.discard(kind)

    def _read_on(self, tag: TagInfo, data: bytes, size: int, shape: TagShape) -> bytes:
        count = shape.block_count
        while True:
            assumed = self._assumed_dsfid(tag, data)
            needed = _needed(data, tag, size, assumed)
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
            if assumed is not None and needed > self.first_bytes:
                # not ISO 28560-2 after all? The first read's 32 bytes judge it as they would
                # any tag, without the assumption
                end = math.ceil(self.first_bytes / size)
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
