"""Published tag data test vectors (shared/REFERENCES.md) and helpers to build variants of them."""

from __future__ import annotations

from kiosk.tags.iso28560_3 import basic_block_crc

#: ISO 28560-3 Annex B.1: truncated basic block, AFI 0x07, DSFID 0x3E.
ANNEX_B1 = bytes.fromhex(
    "11 01 01 31 30 30 30 30 30 30 30 35 36 00 00 00 00 00 00 98 A4"
    " 44 4B 37 31 38 35 30 30 00 00 00"
)
#: Danish Data Model 1.0 example: country DE, library 705.
DDM_EXAMPLE = bytes.fromhex("11010131313232333334340000000000000000513e4445373035000000000000")

#: ISO 28560-3 Annex B.2: full basic block (CRC 0x1536), a library extension block with
#: media format 1 (book) and an acquisition extension block.
ANNEX_B2 = (
    bytes([0x11, 0x01, 0x01])
    + b"1000000136".ljust(16, b"\x00")
    + bytes([0x36, 0x15])
    + b"DK718500".ljust(13, b"\x00")
    + bytes([0x05, 0x01, 0x00, 0x05, 0x01])
    + bytes([0x22, 0x02, 0x00, 0x71])
    + b"Bogvognen\x001234567890\x00\x00a789656c\x00"
)


def with_crc(block: bytes) -> bytes:
    """``block`` with bytes 19-20 set to its correct CRC (least significant byte first)."""
    crc = basic_block_crc(block)
    return block[:19] + bytes([crc & 0xFF, crc >> 8]) + block[21:]


def reversed_blocks(data: bytes, size: int = 4) -> bytes:
    return b"".join(data[i : i + size][::-1] for i in range(0, len(data), size))


def extension_block(block_id: int, body: bytes) -> bytes:
    """A structured extension block with a correct XOR checksum."""
    head = bytes([4 + len(body), block_id & 0xFF, block_id >> 8])
    checksum = 0
    for byte in head + body:
        checksum ^= byte
    return head + bytes([checksum]) + body
