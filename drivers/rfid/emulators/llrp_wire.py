"""LLRP 1.0.1 on the wire for the emulator: message and parameter type numbers, status and
result codes, and the header and TLV encoding, written from the specification (not sllurp)."""

from __future__ import annotations

import struct

VERSION = 1
HEADER = struct.Struct(">HII")

# message types (LLRP 1.0.1, section 16)
GET_READER_CAPABILITIES, GET_READER_CAPABILITIES_RESPONSE = 1, 11
SET_READER_CONFIG, SET_READER_CONFIG_RESPONSE = 3, 13
CLOSE_CONNECTION, CLOSE_CONNECTION_RESPONSE = 14, 4
ADD_ROSPEC, DELETE_ROSPEC, START_ROSPEC, STOP_ROSPEC = 20, 21, 22, 23
ENABLE_ROSPEC, DISABLE_ROSPEC = 24, 25
ADD_ACCESSSPEC, DELETE_ACCESSSPEC, ENABLE_ACCESSSPEC, DISABLE_ACCESSSPEC = 40, 41, 42, 43
RESPONSE_OFFSET = 10  # X_RESPONSE = X + 10 for the ROSpec and AccessSpec messages
RO_ACCESS_REPORT = 61
KEEPALIVE_ACK = 72
READER_EVENT_NOTIFICATION = 63
ERROR_MESSAGE = 100

# parameter types
P_UTC_TIMESTAMP = 128
P_ROSPEC = 177
P_ACCESSSPEC = 207
P_ACCESS_STOP_TRIGGER = 208
P_ACCESS_COMMAND = 209
P_TAG_REPORT_DATA = 240
P_EPC_DATA = 241
P_READER_EVENT_NOTIFICATION_SPEC = 244
P_EVENT_NOTIFICATION_STATE = 245
P_READER_EVENT_DATA = 246
P_ROSPEC_EVENT = 249
P_CONNECTION_ATTEMPT = 256
P_LLRP_STATUS = 287
P_C1G2_TAG_SPEC = 338
P_C1G2_TARGET_TAG = 339
P_C1G2_READ = 341
P_C1G2_WRITE = 342
P_C1G2_EPC_MEMORY_SELECTOR = 348
P_C1G2_READ_RESULT = 349
P_C1G2_WRITE_RESULT = 350
TV_ANTENNA_ID, TV_ROSPEC_ID, TV_C1G2_PC, TV_EPC96, TV_ACCESSSPEC_ID = 1, 9, 12, 13, 16

# LLRPStatus codes
SUCCESS = 0
P_FIELD_ERROR = 101  # used for a spec ID that is not there
M_UNSUPPORTED_MESSAGE = 108
A_INVALID = 401

# C1G2 op results
READ_OK, READ_NO_RESPONSE, READ_OVERRUN, READ_LOCKED = 0, 2, 4, 5
WRITE_OK, WRITE_OVERRUN, WRITE_LOCKED, WRITE_NO_RESPONSE = 0, 1, 2, 5

MB_EPC, MB_USER = 1, 3


def message(msg_type: int, msg_id: int, body: bytes) -> bytes:
    return HEADER.pack(VERSION << 10 | msg_type, HEADER.size + len(body), msg_id) + body


def tlv(param_type: int, body: bytes) -> bytes:
    return struct.pack(">HH", param_type, 4 + len(body)) + body


def status(code: int = SUCCESS, text: str = "") -> bytes:
    raw = text.encode()
    return tlv(P_LLRP_STATUS, struct.pack(">HH", code, len(raw)) + raw)


def params(data: bytes) -> list[tuple[int, bytes]]:
    """The TLV parameters in ``data`` (TV parameters are not sent by clients)."""
    out = []
    pos = 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack_from(">HH", data, pos)
        if length < 4 or pos + length > len(data):
            raise ValueError(f"parameter {kind & 0x3FF} at {pos} overruns its message")
        out.append((kind & 0x3FF, data[pos + 4 : pos + length]))
        pos += length
    return out


def find(data: bytes, kind: int) -> bytes | None:
    return next((body for k, body in params(data) if k == kind), None)
