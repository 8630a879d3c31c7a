"""3M 810 frames: ``D6 <len16 BE> <payload> <CRC16 BE>`` (``D5`` for the version probe).

The length counts the payload plus the two CRC bytes; the CRC covers the length and the
payload (see ``crc16_3m``). Facts from the Biblio-RFID reverse engineering of the reader.
"""

from __future__ import annotations

from drivers.rfid.crc import crc16_3m
from kiosk.ports import FrameError

COMMAND_PREFIX = 0xD6
PROBE_PREFIX = 0xD5
PREFIXES = (COMMAND_PREFIX, PROBE_PREFIX)
HEADER = 3  # prefix + len16


def encode_frame(payload: bytes, prefix: int = COMMAND_PREFIX) -> bytes:
    body = (len(payload) + 2).to_bytes(2, "big") + payload
    return bytes([prefix]) + body + crc16_3m(body).to_bytes(2, "big")


def payload_length(header: bytes) -> int:
    """How many bytes follow a 3-byte header (payload and CRC)."""
    if len(header) != HEADER or header[0] not in PREFIXES:
        raise FrameError(f"not a 3M 810 frame header: {header.hex(' ')}")
    length = int.from_bytes(header[1:3], "big")
    if length < 2:
        raise FrameError(f"3M 810 frame length {length} leaves no room for the CRC")
    return length


def decode_frame(frame: bytes) -> tuple[int, bytes]:
    """The prefix and the payload of a whole frame, after checking length and CRC."""
    if len(frame) < HEADER + 2:
        raise FrameError(f"3M 810 frame of {len(frame)} bytes is too short")
    length = payload_length(frame[:HEADER])
    if len(frame) != HEADER + length:
        raise FrameError(f"length says {length} bytes follow, frame has {len(frame) - HEADER}")
    body, crc = frame[1:-2], int.from_bytes(frame[-2:], "big")
    if crc16_3m(body) != crc:
        raise FrameError(f"CRC {crc:04X} != {crc16_3m(body):04X} in {frame.hex(' ')}")
    return frame[0], bytes(body[2:])
