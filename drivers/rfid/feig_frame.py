"""FEIG ISO Host frames: ``LEN COM-ADR CMD [DATA] CRC-LSB CRC-MSB`` and their replies.

A request is ``LEN COM-ADR CMD DATA CRC``, a reply ``LEN COM-ADR CMD STATUS DATA CRC``; LEN
counts the whole frame including itself and the CRC. Only the standard one-byte-LEN protocol
is spoken (frames up to 255 bytes); FEIG's "advanced" protocol (STX, two-byte length) is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.rfid.crc import crc16_feig
from kiosk.ports import FrameError

ANY_READER = 0xFF
MIN_REPLY = 6  # LEN, COM-ADR, CMD, STATUS, CRC x2
MAX_FRAME = 255


@dataclass(frozen=True, slots=True)
class FeigRequest:
    address: int
    command: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class FeigReply:
    address: int
    command: int
    status: int
    data: bytes = b""


def _with_crc(body: bytes) -> bytes:
    return body + crc16_feig(body).to_bytes(2, "little")


def encode_request(request: FeigRequest) -> bytes:
    length = 5 + len(request.data)
    if length > MAX_FRAME:
        raise ValueError(f"request of {length} bytes does not fit one ISO Host frame")
    return _with_crc(bytes([length, request.address, request.command]) + request.data)


def encode_reply(reply: FeigReply) -> bytes:
    length = 6 + len(reply.data)
    if length > MAX_FRAME:
        raise ValueError(f"reply of {length} bytes does not fit one ISO Host frame")
    return _with_crc(bytes([length, reply.address, reply.command, reply.status]) + reply.data)


def _checked_body(frame: bytes, minimum: int) -> bytes:
    if len(frame) < minimum:
        raise FrameError(f"frame of {len(frame)} bytes is shorter than {minimum}")
    if frame[0] != len(frame):
        raise FrameError(f"LEN says {frame[0]} bytes, frame has {len(frame)}")
    body, crc = frame[:-2], int.from_bytes(frame[-2:], "little")
    if crc16_feig(body) != crc:
        raise FrameError(f"CRC {crc:04X} != {crc16_feig(body):04X} in {frame.hex(' ')}")
    return body


def decode_reply(frame: bytes) -> FeigReply:
    body = _checked_body(frame, MIN_REPLY)
    return FeigReply(address=body[1], command=body[2], status=body[3], data=bytes(body[4:]))


def decode_request(frame: bytes) -> FeigRequest:
    body = _checked_body(frame, 5)
    return FeigRequest(address=body[1], command=body[2], data=bytes(body[3:]))
