"""Recognises the 3M proprietary tag layout ("RFID 501") so that it can be reported, never written.

Block 0 is ``04 <set nibbles> 00 <item type>``; blocks 1-4 hold the barcode as 16 NUL-padded
ASCII bytes; block 5 packs a 12-bit branch and a 20-bit library number; there is no CRC.
"""

from __future__ import annotations

from kiosk.tags.model import TagData

MARKER = 0x04
READ_ONLY_NOTE = "3M proprietary layout (not ISO 28560): read only; Shufang never writes it"


def looks_3m(data: bytes) -> bool:
    if len(data) < 20 or data[0] != MARKER:
        return False
    barcode = data[4:20].rstrip(b"\x00")
    return bool(barcode) and all(0x20 <= b <= 0x7E for b in barcode)


def decode_3m(data: bytes) -> TagData:
    """Only call after ``looks_3m``: the barcode is known to be printable ASCII."""
    tag = TagData(format="3m", pii=data[4:20].rstrip(b"\x00").decode("ascii"))
    tag.warnings.append(READ_ONLY_NOTE)
    part, parts = data[1] >> 4, data[1] & 0xF
    if 1 <= part <= parts:
        tag.set = (part, parts)
    tag.elements["item_type"] = data[3]
    if len(data) >= 24:
        packed = int.from_bytes(data[20:24], "big")
        tag.elements["branch"] = packed >> 20
        tag.elements["library_number"] = packed & 0xFFFFF
    return tag
