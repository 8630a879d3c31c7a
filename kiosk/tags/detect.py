"""Small facts about raw tag memory used to pick a decoder: blank tags and reversed blocks."""

from __future__ import annotations

#: What unwritten memory reads as, depending on the chip and who initialised it.
BLANK_FILL = (0x00, 0x55, 0xFF)


def blank_fill(data: bytes) -> int | None:
    """The fill byte if every byte of ``data`` is the same blank value, else None."""
    if data and data[0] in BLANK_FILL and data.count(data[0]) == len(data):
        return data[0]
    return None


def reverse_blocks(data: bytes, block_size: int) -> bytes | None:
    """``data`` with each block's bytes reversed, as some readers return them; None if the
    length is not a whole number of blocks or reversing changes nothing."""
    if block_size < 2 or len(data) % block_size:
        return None
    flipped = b"".join(data[i : i + block_size][::-1] for i in range(0, len(data), block_size))
    return None if flipped == data else flipped
