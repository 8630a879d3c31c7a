"""How much of a tag's memory its data fills, judged from the bytes read so far.

A reader's time goes to the bytes it moves (tests/bench: serial and air time), so the pad
reads the first blocks of a tag, asks :func:`bytes_needed` whether the data goes on, and
reads more only when it does:

- ISO 28560-2 (DSFID 0x06): data sets up to the 0x00 terminator; without a terminator yet,
  at least to the end of the data set that was cut off and the byte after it.
- ISO 28560-3 / DDM (DSFID 0x3E): the 32 bytes of the truncated basic block say everything
  the kiosk uses. Two more bytes when the owner field runs on into bytes 32-33 (a 13-character
  owner); extension blocks only when flagged (the PII field says the PII is in the library
  extension block: at least 23 bytes of it, as the PII is longer than 16 characters), or
  when bytes past the basic block were read and announce one.
- The 3M layout: 24 bytes. A blank tag: what was read.
- Fewer than 32 bytes (a pad that learnt its stack's tags end early reads less): an ISO
  28560-2 tag, by its DSFID, to its terminator; anything else asks for the 32.
- Anything else: the whole memory (``WHOLE_MEMORY``), since nothing says where it ends.
"""

from __future__ import annotations

from kiosk.tags.detect import blank_fill, reverse_blocks
from kiosk.tags.iso28560_3 import (
    BASIC_SIZE,
    PII_IN_EXTENSION,
    PII_SIZE,
    TRUNCATED_SIZE,
    crc_matches,
    plausible,
)
from kiosk.tags.three_m import looks_3m

#: What a pad reads first: an ISO 28560-3 basic block as 32-byte tags hold it, which also
#: covers a typical ISO 28560-2 tag (PII and owner) and the 3M layout.
FIRST_READ_BYTES = TRUNCATED_SIZE
#: "Read everything": a bound larger than any library tag, capped by the tag's memory.
WHOLE_MEMORY = 2048
#: The least library extension block a PII flagged as too long needs: length, block id (2),
#: checksum, media format, the PII of at least PII_SIZE + 1 characters, its NUL.
LIBRARY_PII_LEAST = 4 + 1 + PII_SIZE + 1 + 1
DSFID_28560_2 = 0x06
DSFID_28560_3 = 0x3E
THREE_M_SIZE = 24


def bytes_needed(data: bytes, dsfid: int | None = None, block_size: int = 4) -> int:
    """How many bytes from the start of memory the data fills, as far as ``data`` tells.

    At most ``len(data)`` means everything is read; more means read on to at least that
    many bytes (and ask again). ``block_size`` lets readers that reverse each block's bytes
    be recognised, as the decoder does.
    """
    if len(data) < FIRST_READ_BYTES:
        return _short_needed(data, dsfid, block_size)
    if blank_fill(data) is not None:
        return len(data)
    views = [data]
    flipped = reverse_blocks(data, block_size)
    if flipped is not None:
        views.append(flipped)
    for view in views:
        needed = _needed(view, dsfid)
        if needed is not None:
            return needed
    return WHOLE_MEMORY


def _short_needed(data: bytes, dsfid: int | None, block_size: int) -> int:
    """Fewer bytes than the first read: only an ISO 28560-2 tag (by its DSFID) can be judged,
    since its data sets end at their terminator; a pad that has learnt a stack's tags end
    early reads that much and no more. Anything else needs the first read's 32 bytes."""
    if dsfid != DSFID_28560_2 or not data or blank_fill(data) is not None:
        return FIRST_READ_BYTES
    views = [data]
    flipped = reverse_blocks(data, block_size)
    if flipped is not None:
        views.append(flipped)
    for view in views:
        needed = object_needed(view)
        if needed is not None:
            return needed
    return FIRST_READ_BYTES


def _needed(data: bytes, dsfid: int | None) -> int | None:
    flagged = data[3:19] == PII_IN_EXTENSION and 1 in (data[0] >> 4, data[0] & 0xF)
    if (plausible(data) or flagged) and (dsfid == DSFID_28560_3 or crc_matches(data)):
        return fixed_needed(data)
    if dsfid != DSFID_28560_3:
        objects = object_needed(data)
        if objects is not None:
            return objects
    if looks_3m(data):
        return THREE_M_SIZE
    return None


def object_needed(data: bytes, pii_first: bool = True) -> int | None:
    """ISO 28560-2 data sets: bytes to the terminator, or None when this is not that layout.

    Walks precursor, [OID extension], [offset], length, data, pad as the decoder does, but
    only to find the end; the decoder judges the content. ``pii_first=False`` walks the user
    memory of a UHF tag (ISO/TS 28560-4), whose PII is in the UII instead.
    """
    pos = 0
    first = True
    while True:
        if pos >= len(data):
            return pos + 1  # the next precursor (or the terminator) is still to come
        precursor = data[pos]
        if precursor == 0:
            return None if first else pos + 1
        oid = precursor & 0xF
        if oid == 0 or (first and pii_first and oid != 1):
            return None  # relative OID 0, or not starting with the PII: not 28560-2
        first = False
        head = pos + 1 + (oid == 15) + bool(precursor & 0x80)  # OID extension, offset byte
        if head >= len(data):
            return head + 1
        pad = data[head - 1] if precursor & 0x80 else 0
        length = data[head]
        if length == 0:
            return None
        pos = head + 1 + length + pad


def fixed_needed(data: bytes) -> int:
    """ISO 28560-3 / DDM: the basic block, and extension blocks when flagged or seen."""
    pii_in_extension = data[3:19] == PII_IN_EXTENSION
    owner_runs_on = len(data) >= TRUNCATED_SIZE and data[TRUNCATED_SIZE - 1] != 0
    if not pii_in_extension and len(data) < BASIC_SIZE:
        return BASIC_SIZE if owner_runs_on else TRUNCATED_SIZE
    # a flagged PII is longer than the field's 16 characters, so the library extension
    # block holding it has at least its head, media format, 17 characters and their NUL
    least = BASIC_SIZE + LIBRARY_PII_LEAST + 1 if pii_in_extension else BASIC_SIZE + 1
    if len(data) < BASIC_SIZE:
        return least  # the basic block and the extension blocks' first length byte
    pos = BASIC_SIZE
    while True:
        if pos >= len(data):
            return max(pos + 1, least) if pos == BASIC_SIZE else pos + 1
        length = data[pos]
        if length == 0:
            return pos + 1 if (pii_in_extension or pos > BASIC_SIZE) else BASIC_SIZE
        if length < 4:
            return pos  # malformed: the decoder says so; nothing more to read for it
        pos += length
