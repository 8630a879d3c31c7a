"""SIP2 error-detection checksum: two's complement of the 16-bit byte sum, as 4 hex digits."""

from __future__ import annotations

_HEX = frozenset(b"0123456789ABCDEFabcdef")


def checksum(prefix: bytes) -> str:
    """Checksum of every byte from the command up to and including the literal ``AZ``.

    It is computed over the encoded bytes, so a cp850 or GB18030 site gets the sum of what
    actually crosses the wire, not of the Unicode text.
    """
    total = sum(prefix) & 0xFFFF
    return f"{(-total) & 0xFFFF:04X}"


def has_checksum(body: bytes) -> bool:
    """Whether a frame (without its CR) ends in an ``AZ`` trailer with four hex digits."""
    return len(body) >= 6 and body[-6:-4] == b"AZ" and all(b in _HEX for b in body[-4:])


def verify(body: bytes) -> bool:
    """Whether a frame (without its CR) carrying an ``AZxxxx`` trailer adds up to zero."""
    if not has_checksum(body):
        return False
    return (sum(body[:-4]) + int(body[-4:], 16)) & 0xFFFF == 0
