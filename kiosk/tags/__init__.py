"""Library RFID tag data codecs: ISO 28560-2, ISO 28560-3 / Danish Data Model; 3M and blank tags.

Pure Python, no I/O: drivers hand raw tag memory (and the DSFID) to :func:`decode` and write
what :func:`encode` returns.
"""

from __future__ import annotations

from kiosk.tags.codec import decode, dsfid_for, encode, parse_set
from kiosk.tags.crc import crc16_ccitt
from kiosk.tags.errors import TagDecodeError, TagEncodeError
from kiosk.tags.model import FORMATS, WRITABLE_FORMATS, TagData

__all__ = [
    "FORMATS",
    "WRITABLE_FORMATS",
    "TagData",
    "TagDecodeError",
    "TagEncodeError",
    "crc16_ccitt",
    "decode",
    "dsfid_for",
    "encode",
    "parse_set",
]
