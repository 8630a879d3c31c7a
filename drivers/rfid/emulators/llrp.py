"""An LLRP reader emulator: a TCP server on 127.0.0.1 speaking LLRP to one client at a time.

Written from the LLRP 1.0.1 specification field by field, independently of sllurp (which
the driver uses), so the two check each other. It holds a ``TagField`` of simulated tags and
presents each as a UHF tag (ISO/IEC 18000-63):

- EPC bank: the StoredCRC, the PC word (L from the EPC's length, UMI when user memory's first
  word is not zero, the toggle bit set, the tag's ``afi`` in the low byte), then the EPC,
  which is the simulated tag's ``uid``.
- User memory: the simulated tag's ``memory`` (its 4-byte blocks, locks and all).

What it answers: READER_EVENT_NOTIFICATION (a ConnectionAttemptEvent) on connection;
ADD/DELETE/ENABLE/DISABLE/START/STOP_ROSPEC; ADD/DELETE/ENABLE/DISABLE_ACCESSSPEC with a
C1G2TargetTag and C1G2Read or C1G2Write; START_ROSPEC runs one inventory round and sends an
RO_ACCESS_REPORT with every tag's EPC (EPC-96 for 96-bit EPCs, else EPCData), ROSpecID,
AntennaID, its PC bits when asked, and the access results. Faults (silence, a broken header,
unplugging, a tag leaving mid-write) come from ``ReaderFaults`` through ``EmulatorServer``.
"""

from __future__ import annotations

import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.rfid.emulators.server import Answer, EmulatorServer
from drivers.rfid.faults import ReaderFaults
from drivers.rfid.field import (
    AirError,
    BlockLocked,
    BlockOutOfRange,
    SimulatedTag,
    TagAbsent,
    TagField,
    TagLeft,
)
from kiosk.tags.crc import crc16_epc
from kiosk.tags.uhf import encode_uhf

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


@dataclass(eq=False)
class SimulatedUhfTag(SimulatedTag):
    """A UHF tag: ``uid`` is its EPC (2 to 62 bytes, whole words), ``memory`` user memory."""

    def __post_init__(self) -> None:
        if not self.uid or len(self.uid) % 2 or len(self.uid) > 62:
            raise ValueError("an EPC has 1 to 31 whole 16-bit words")
        size = self.block_size * self.block_count
        if len(self.memory) > size:
            raise ValueError(f"memory holds {len(self.memory)} bytes, the tag only {size}")
        self.memory = bytearray(self.memory) + bytes(size - len(self.memory))


def library_tag(*, afi: int, user_words: int = 32, **fields: Any) -> SimulatedUhfTag:
    """A UHF library item tag written as ISO/TS 28560-4 says (``fields`` as for
    ``kiosk.tags.uhf.encode_uhf``: pii, isil, set, ...), with ``user_words`` of user memory."""
    written = encode_uhf(afi=afi, **fields)
    return SimulatedUhfTag(
        written.epc_bank[4:],
        afi=afi,
        block_count=user_words // 2,
        memory=bytearray(written.user),
    )


def pc_word(tag: SimulatedTag) -> int:
    umi = any(tag.memory[:2])
    return (len(tag.uid) // 2) << 11 | umi << 10 | 0x100 | (tag.afi & 0xFF)


def epc_bank(tag: SimulatedTag) -> bytes:
    stored = pc_word(tag).to_bytes(2, "big") + tag.uid
    return crc16_epc(stored).to_bytes(2, "big") + stored


@dataclass
class _Access:
    spec_id: int
    enabled: bool
    target_epc: bytes | None  # None: any tag
    op: tuple[int, int, int, int, bytes]  # kind, op id, bank, word pointer, count or data
    operations_left: int  # 0: no limit


@dataclass
class _Session:
    rospecs: dict[int, bool] = field(default_factory=dict)  # ROSpecID -> enabled
    pc_bits: bool = False
    rospec_events: bool = False  # SET_READER_CONFIG asked for ROSpecEvent notifications
    access: dict[int, _Access] = field(default_factory=dict)


class LlrpEmulator:
    """Answers LLRP messages from the simulated field; the server cuts and sends the bytes."""

    baudrate = 10_000_000  # a LAN: the serial pacing model has nothing to add
    bits_per_char = 10

    def __init__(
        self, field: TagField, faults: ReaderFaults | None = None, *, empty_reports: bool = True
    ) -> None:
        self.field = field
        self.faults = faults or ReaderFaults()
        #: False: like readers that send no RO_ACCESS_REPORT when no tag was seen
        self.empty_reports = empty_reports
        self.session = _Session()
        self._lock = threading.Lock()

    # --- framing -----------------------------------------------------------------------------

    def frame_size(self, buffer: bytes) -> int | None:
        if len(buffer) < HEADER.size:
            return None
        kind, length, _ = HEADER.unpack_from(buffer)
        if (kind >> 10) & 0x7 != VERSION or not HEADER.size <= length <= 1 << 20:
            raise ValueError("not an LLRP header")
        return int(length)

    def corrupt(self, reply: bytes) -> bytes:
        """A header with protocol version 7: no LLRP client can read it."""
        return bytes([reply[0] | 0x1C]) + reply[1:]

    def greeting(self) -> bytes:
        """What a reader sends on a new connection: a fresh session and a connection event."""
        with self._lock:
            self.session = _Session()
        stamp = tlv(P_UTC_TIMESTAMP, struct.pack(">Q", int(time.time() * 1e6)))
        event = tlv(P_CONNECTION_ATTEMPT, struct.pack(">H", 0))
        return message(READER_EVENT_NOTIFICATION, 0, tlv(P_READER_EVENT_DATA, stamp + event))

    # --- answering ---------------------------------------------------------------------------

    def answer(self, frame: bytes) -> Answer | None:
        kind, _, msg_id = HEADER.unpack_from(frame)
        msg_type, body = kind & 0x3FF, frame[HEADER.size :]
        with self._lock:
            try:
                reply = self._answer(msg_type, msg_id, body)
                return None if reply is None else Answer(reply)
            except (ValueError, struct.error) as exc:
                return Answer(message(ERROR_MESSAGE, msg_id, status(A_INVALID, str(exc))))

    def _answer(self, msg_type: int, msg_id: int, body: bytes) -> bytes | None:
        session = self.session
        reply = msg_type + RESPONSE_OFFSET
        if msg_type == KEEPALIVE_ACK:
            return None
        if msg_type == CLOSE_CONNECTION:
            return message(CLOSE_CONNECTION_RESPONSE, msg_id, status())
        if msg_type == SET_READER_CONFIG:
            notification = find(body[1:], P_READER_EVENT_NOTIFICATION_SPEC)
            for kind, state in params(notification or b""):
                if kind == P_EVENT_NOTIFICATION_STATE and struct.unpack_from(">H", state)[0] == 2:
                    session.rospec_events = bool(state[2] & 0x80)
            return message(SET_READER_CONFIG_RESPONSE, msg_id, status())
        if msg_type == GET_READER_CAPABILITIES:
            return message(GET_READER_CAPABILITIES_RESPONSE, msg_id, status() + _capabilities())
        if msg_type == ADD_ROSPEC:
            rospec = find(body, P_ROSPEC)
            if rospec is None:
                return message(reply, msg_id, status(A_INVALID, "no ROSpec"))
            (rospec_id,) = struct.unpack_from(">I", rospec)
            session.rospecs[rospec_id] = False
            session.pc_bits = _pc_bits_asked(rospec[6:])
            return message(reply, msg_id, status())
        if msg_type in (DELETE_ROSPEC, ENABLE_ROSPEC, DISABLE_ROSPEC, START_ROSPEC, STOP_ROSPEC):
            (rospec_id,) = struct.unpack_from(">I", body)
            if msg_type == DELETE_ROSPEC and rospec_id == 0:
                session.rospecs.clear()
                return message(reply, msg_id, status())
            if rospec_id not in session.rospecs:
                return message(reply, msg_id, status(P_FIELD_ERROR, f"no ROSpec {rospec_id}"))
            if msg_type == DELETE_ROSPEC:
                del session.rospecs[rospec_id]
            elif msg_type in (ENABLE_ROSPEC, DISABLE_ROSPEC):
                session.rospecs[rospec_id] = msg_type == ENABLE_ROSPEC
            elif msg_type == START_ROSPEC:
                if not session.rospecs[rospec_id]:
                    return message(reply, msg_id, status(P_FIELD_ERROR, "ROSpec is disabled"))
                return message(reply, msg_id, status()) + self._round(rospec_id)
            return message(reply, msg_id, status())
        if msg_type == ADD_ACCESSSPEC:
            spec = _parse_accessspec(find(body, P_ACCESSSPEC) or b"")
            if spec.spec_id in session.access:
                return message(reply, msg_id, status(P_FIELD_ERROR, "AccessSpecID in use"))
            session.access[spec.spec_id] = spec
            return message(reply, msg_id, status())
        if msg_type in (DELETE_ACCESSSPEC, ENABLE_ACCESSSPEC, DISABLE_ACCESSSPEC):
            (spec_id,) = struct.unpack_from(">I", body)
            if msg_type == DELETE_ACCESSSPEC and spec_id == 0:
                session.access.clear()
                return message(reply, msg_id, status())
            if spec_id not in session.access:
                return message(reply, msg_id, status(P_FIELD_ERROR, f"no AccessSpec {spec_id}"))
            if msg_type == DELETE_ACCESSSPEC:
                del session.access[spec_id]
            else:
                session.access[spec_id].enabled = msg_type == ENABLE_ACCESSSPEC
            return message(reply, msg_id, status())
        return message(ERROR_MESSAGE, msg_id, status(M_UNSUPPORTED_MESSAGE, f"type {msg_type}"))

    # --- one inventory round -------------------------------------------------------------------

    def _round(self, rospec_id: int) -> bytes:
        """One ROSpec run: its report (none when empty, where so configured), then the
        end-of-ROSpec event when the client asked for ROSpec events."""
        report = self._report(rospec_id)
        if not self.empty_reports and len(report) == HEADER.size:
            report = b""
        if self.session.rospec_events:
            stamp = tlv(P_UTC_TIMESTAMP, struct.pack(">Q", int(time.time() * 1e6)))
            end = tlv(P_ROSPEC_EVENT, struct.pack(">BII", 1, rospec_id, 0))
            report += message(READER_EVENT_NOTIFICATION, 0, tlv(P_READER_EVENT_DATA, stamp + end))
        return report

    def _report(self, rospec_id: int) -> bytes:
        reports = b""
        for tag in self.field.tags():
            results = b""
            for spec in list(self.session.access.values()):
                if not spec.enabled or spec.target_epc not in (None, tag.uid):
                    continue
                results += struct.pack(">BI", 0x80 | TV_ACCESSSPEC_ID, spec.spec_id)
                results += self._run(tag, spec)
                if spec.operations_left:
                    spec.operations_left -= 1
                    if not spec.operations_left:
                        del self.session.access[spec.spec_id]
                break  # one AccessSpec per tag per round
            if self.field.get(tag.uid) is None and not results:
                continue  # it left before the round reached it
            reports += tlv(P_TAG_REPORT_DATA, self._tag_report(tag) + results)
        return message(RO_ACCESS_REPORT, 0, reports)

    def _tag_report(self, tag: SimulatedTag) -> bytes:
        if len(tag.uid) == 12:
            epc = struct.pack(">B", 0x80 | TV_EPC96) + tag.uid
        else:
            epc = tlv(P_EPC_DATA, struct.pack(">H", 8 * len(tag.uid)) + tag.uid)
        out = epc + struct.pack(">BI", 0x80 | TV_ROSPEC_ID, 1)
        out += struct.pack(">BH", 0x80 | TV_ANTENNA_ID, 1)
        if self.session.pc_bits:
            out += struct.pack(">BH", 0x80 | TV_C1G2_PC, pc_word(tag))
        return out

    def _run(self, tag: SimulatedTag, spec: _Access) -> bytes:
        kind, op_id, bank, pointer, arg = spec.op
        if kind == P_C1G2_READ:
            code, data = self._read(tag, bank, pointer, int.from_bytes(arg, "big"))
            body = struct.pack(">BHH", code, op_id, len(data) // 2) + data
            return tlv(P_C1G2_READ_RESULT, body)
        code, written = self._write(tag, bank, pointer, arg)
        return tlv(P_C1G2_WRITE_RESULT, struct.pack(">BHH", code, op_id, written))

    def _read(self, tag: SimulatedTag, bank: int, pointer: int, count: int) -> tuple[int, bytes]:
        if bank == MB_EPC:
            words = epc_bank(tag)
        elif bank == MB_USER:
            words = bytes(tag.memory)
        else:
            return READ_OVERRUN, b""
        if count == 0:  # "read to the end of the bank"
            count = len(words) // 2 - pointer
        if pointer < 0 or count < 1 or 2 * (pointer + count) > len(words):
            return READ_OVERRUN, b""
        if bank == MB_USER and self.field.get(tag.uid) is None:
            return READ_NO_RESPONSE, b""
        return READ_OK, words[2 * pointer : 2 * (pointer + count)]

    def _write(self, tag: SimulatedTag, bank: int, pointer: int, data: bytes) -> tuple[int, int]:
        leave_after = self.faults.take_removal(tag.uid)
        if bank == MB_EPC:
            if pointer != 1 or len(data) != 2:
                return WRITE_LOCKED, 0  # the emulated EPCs are fixed; only the PC word moves
            try:
                self.field.write_afi(tag.uid, data[1], leave=leave_after is not None)
            except TagLeft:
                return WRITE_NO_RESPONSE, 0
            except BlockLocked:
                return WRITE_LOCKED, 0
            except TagAbsent:
                return WRITE_NO_RESPONSE, 0
            return WRITE_OK, 1
        if bank != MB_USER:
            return WRITE_LOCKED, 0
        size = tag.block_size
        start, end = 2 * pointer, 2 * pointer + len(data)
        first, last = start // size, -(-end // size)
        if end > len(tag.memory):
            return WRITE_OVERRUN, 0
        image = bytearray(tag.memory[first * size : last * size])
        image[start - first * size : end - first * size] = data
        try:
            self.field.write_blocks(tag.uid, first, bytes(image), leave_after=leave_after)
        except TagLeft as left:
            return WRITE_NO_RESPONSE, _words_done(left.written, first, size, start, end)
        except BlockLocked:
            done = next(n for n in range(first, last) if n in tag.locked_blocks) - first
            return WRITE_LOCKED, _words_done(done, first, size, start, end)
        except BlockOutOfRange:
            return WRITE_OVERRUN, 0
        except AirError:
            return WRITE_NO_RESPONSE, 0
        return WRITE_OK, len(data) // 2


#: What the emulator says it is: no IANA enterprise number of its own (0), model 1.
FIRMWARE = b"shufang-llrp-emulator 1"


def _capabilities() -> bytes:
    """GeneralDeviceCapabilities (137): one antenna, no UTC clock, then the required
    ReceiveSensitivityTableEntry (139), GPIOCapabilities (141) and PerAntennaAirProtocol
    (140, antenna 1: EPC Gen2)."""
    head = struct.pack(">HHIIH", 1, 0, 0, 1, len(FIRMWARE)) + FIRMWARE
    sensitivity = tlv(139, struct.pack(">Hh", 1, 0))
    gpio = tlv(141, struct.pack(">HH", 0, 0))
    air = tlv(140, struct.pack(">HHB", 1, 1, 1))
    return tlv(137, head + sensitivity + gpio + air)


def _words_done(blocks: int, first: int, size: int, start: int, end: int) -> int:
    """Words of the request inside the ``blocks`` whole blocks written from ``first``."""
    reached = min(end, (first + blocks) * size)
    return max(0, reached - start) // 2


def _pc_bits_asked(rospec_rest: bytes) -> bool:
    """Whether any C1G2EPCMemorySelector under the ROSpec asks for PC bits (flag 0x40)."""
    for kind, body in params(rospec_rest):
        if kind == P_C1G2_EPC_MEMORY_SELECTOR:
            return bool(body[0] & 0x40)
        if kind in (P_C1G2_READ, P_C1G2_WRITE) or not body:
            continue
        if kind in _CONTAINERS:
            skip = _CONTAINERS[kind]
            try:
                if _pc_bits_asked(body[skip:]):
                    return True
            except ValueError:
                continue
    return False


# ROReportSpec (237): trigger byte, N; TagReportContentSelector (238): two flag bytes
_CONTAINERS = {237: 3, 238: 2}


def _parse_accessspec(spec: bytes) -> _Access:
    spec_id, _antenna, _protocol, state, _rospec = struct.unpack_from(">IHBBI", spec)
    operations_left = 0
    target: bytes | None = None
    op: tuple[int, int, int, int, bytes] | None = None
    for kind, body in params(spec[12:]):
        if kind == P_ACCESS_STOP_TRIGGER:
            trigger, count = struct.unpack_from(">BH", body)
            operations_left = count if trigger == 1 else 0
        elif kind == P_ACCESS_COMMAND:
            for inner, data in params(body):
                if inner == P_C1G2_TAG_SPEC:
                    target = _target_epc(find(data, P_C1G2_TARGET_TAG) or b"")
                elif inner == P_C1G2_READ:
                    op_id, _password, bank, pointer, count = struct.unpack_from(">HIBHH", data)
                    op = (P_C1G2_READ, op_id, bank >> 6, pointer, count.to_bytes(2, "big"))
                elif inner == P_C1G2_WRITE:
                    op_id, _password, bank, pointer, count = struct.unpack_from(">HIBHH", data)
                    payload = data[11 : 11 + 2 * count]
                    op = (P_C1G2_WRITE, op_id, bank >> 6, pointer, payload)
    if op is None:
        raise ValueError("the AccessSpec holds no C1G2Read or C1G2Write")
    return _Access(spec_id, bool(state & 0x80), target, op, operations_left)


def _target_epc(target: bytes) -> bytes | None:
    """The EPC a C1G2TargetTag matches (EPC bank from bit 0x20, full mask), else None."""
    if not target:
        return None
    flags, pointer, mask_bits = struct.unpack_from(">BHH", target)
    mask_len = -(-mask_bits // 8)
    (data_bits,) = struct.unpack_from(">H", target, 5 + mask_len)
    data = target[7 + mask_len : 7 + mask_len + -(-data_bits // 8)]
    if flags >> 6 != MB_EPC or pointer != 0x20 or not flags & 0x20:
        return None
    return data


class LlrpEmulatorServer(EmulatorServer):
    """The emulator server, saying hello as an LLRP reader does when a client connects."""

    def __init__(self, emulator: LlrpEmulator) -> None:
        super().__init__(emulator, kind="tcp")
        self.llrp = emulator

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def uri(self) -> str:
        """The kiosk's ``devices.rfid`` for this reader."""
        return f"llrp://127.0.0.1:{self.port}"

    def _accept(self, plugged: bool) -> None:
        before = self._channel
        super()._accept(plugged)
        channel = self._channel
        if channel is not None and channel is not before:
            channel.send(self.llrp.greeting())


class UhfPadHands:
    """The demo's hands at a UHF pad: each item gets a tag written as ISO/TS 28560-4 says
    (ISIL.PII in the UII, set information in user memory) in the emulator's field.

    The parts of a set carry the same UII and so the same EPC: a UHF reader sees them as one
    tag, and so does this pad (the last part placed is the one it holds)."""

    def __init__(self, field: TagField, *, isil: str, afi_secured: int = 0x07) -> None:
        self.field, self.isil, self.afi_secured = field, isil, afi_secured
        self._placed: dict[tuple[str, int], bytes] = {}
        self._tags: dict[tuple[str, int], SimulatedUhfTag] = {}  # security survives removal
        self._lock = threading.Lock()

    def tag_for(self, pii: str, part: int = 1, of: int = 1) -> SimulatedUhfTag:
        with self._lock:
            if (pii, part) not in self._tags:
                tag = library_tag(afi=self.afi_secured, pii=pii, isil=self.isil, set=(part, of))
                self._tags[(pii, part)] = tag
            return self._tags[(pii, part)]

    def place_item(self, pii: str, part: int = 1, of: int = 1) -> None:
        tag = self.tag_for(pii, part, of)
        with self._lock:
            self._placed[(pii, part)] = tag.uid
        self.field.place(tag)

    def remove_item(self, pii: str) -> None:
        with self._lock:
            uids = [uid for (p, _), uid in self._placed.items() if p == pii]
            self._placed = {k: v for k, v in self._placed.items() if k[0] != pii}
        for uid in uids:
            self.field.remove(uid)

    def items_on_pad(self) -> list[str]:
        with self._lock:
            return sorted({pii for pii, _ in self._placed})
