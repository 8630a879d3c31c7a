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

The message and parameter numbers and the TLV codec are ``llrp_wire.py``; the UHF tags it
holds (and the demo's hands that place them) ``uhf_tags.py``.
"""

from __future__ import annotations

import struct
import threading
import time
from dataclasses import dataclass, field

from drivers.rfid.emulators import llrp_wire as wire
from drivers.rfid.emulators.llrp_specs import Access, parse_accessspec, pc_bits_asked
from drivers.rfid.emulators.server import Answer, EmulatorServer
from drivers.rfid.emulators.uhf_tags import epc_bank, pc_word
from drivers.rfid.field import (
    AirError,
    BlockLocked,
    BlockOutOfRange,
    SimulatedTag,
    TagAbsent,
    TagField,
    TagLeft,
)
from drivers.rfid.injected_faults import ReaderFaults


@dataclass
class _Session:
    rospecs: dict[int, bool] = field(default_factory=dict)  # ROSpecID -> enabled
    pc_bits: bool = False
    rospec_events: bool = False  # wire.SET_READER_CONFIG asked for ROSpecEvent notifications
    access: dict[int, Access] = field(default_factory=dict)


class LlrpEmulator:
    """Answers LLRP messages from the simulated field; the server cuts and sends the bytes."""

    baudrate = 10_000_000  # a LAN: the serial pacing model has nothing to add
    bits_per_char = 10

    def __init__(
        self, field: TagField, faults: ReaderFaults | None = None, *, empty_reports: bool = True
    ) -> None:
        self.field = field
        self.faults = faults or ReaderFaults()
        #: False: like readers that send no wire.RO_ACCESS_REPORT when no tag was seen
        self.empty_reports = empty_reports
        self.session = _Session()
        self._lock = threading.Lock()

    # --- framing -----------------------------------------------------------------------------

    def frame_size(self, buffer: bytes) -> int | None:
        if len(buffer) < wire.HEADER.size:
            return None
        kind, length, _ = wire.HEADER.unpack_from(buffer)
        if (kind >> 10) & 0x7 != wire.VERSION or not wire.HEADER.size <= length <= 1 << 20:
            raise ValueError("not an LLRP header")
        return int(length)

    def corrupt(self, reply: bytes) -> bytes:
        """A header with protocol version 7: no LLRP client can read it."""
        return bytes([reply[0] | 0x1C]) + reply[1:]

    def greeting(self) -> bytes:
        """What a reader sends on a new connection: a fresh session and a connection event."""
        with self._lock:
            self.session = _Session()
        stamp = wire.tlv(wire.P_UTC_TIMESTAMP, struct.pack(">Q", int(time.time() * 1e6)))
        event = wire.tlv(wire.P_CONNECTION_ATTEMPT, struct.pack(">H", 0))
        return wire.message(
            wire.READER_EVENT_NOTIFICATION, 0, wire.tlv(wire.P_READER_EVENT_DATA, stamp + event)
        )

    # --- answering ---------------------------------------------------------------------------

    def answer(self, frame: bytes) -> Answer | None:
        kind, _, msg_id = wire.HEADER.unpack_from(frame)
        msg_type, body = kind & 0x3FF, frame[wire.HEADER.size :]
        with self._lock:
            try:
                reply = self._answer(msg_type, msg_id, body)
                return None if reply is None else Answer(reply)
            except (ValueError, struct.error) as exc:
                return Answer(
                    wire.message(wire.ERROR_MESSAGE, msg_id, wire.status(wire.A_INVALID, str(exc)))
                )

    def _answer(self, msg_type: int, msg_id: int, body: bytes) -> bytes | None:
        session = self.session
        reply = msg_type + wire.RESPONSE_OFFSET
        if msg_type == wire.KEEPALIVE_ACK:
            return None
        if msg_type == wire.CLOSE_CONNECTION:
            return wire.message(wire.CLOSE_CONNECTION_RESPONSE, msg_id, wire.status())
        if msg_type == wire.SET_READER_CONFIG:
            notification = wire.find(body[1:], wire.P_READER_EVENT_NOTIFICATION_SPEC)
            for kind, state in wire.params(notification or b""):
                if (
                    kind == wire.P_EVENT_NOTIFICATION_STATE
                    and struct.unpack_from(">H", state)[0] == 2
                ):
                    session.rospec_events = bool(state[2] & 0x80)
            return wire.message(wire.SET_READER_CONFIG_RESPONSE, msg_id, wire.status())
        if msg_type == wire.GET_READER_CAPABILITIES:
            return wire.message(
                wire.GET_READER_CAPABILITIES_RESPONSE, msg_id, wire.status() + _capabilities()
            )
        if msg_type == wire.ADD_ROSPEC:
            rospec = wire.find(body, wire.P_ROSPEC)
            if rospec is None:
                return wire.message(reply, msg_id, wire.status(wire.A_INVALID, "no ROSpec"))
            (rospec_id,) = struct.unpack_from(">I", rospec)
            session.rospecs[rospec_id] = False
            session.pc_bits = pc_bits_asked(rospec[6:])
            return wire.message(reply, msg_id, wire.status())
        if msg_type in (
            wire.DELETE_ROSPEC,
            wire.ENABLE_ROSPEC,
            wire.DISABLE_ROSPEC,
            wire.START_ROSPEC,
            wire.STOP_ROSPEC,
        ):
            (rospec_id,) = struct.unpack_from(">I", body)
            if msg_type == wire.DELETE_ROSPEC and rospec_id == 0:
                session.rospecs.clear()
                return wire.message(reply, msg_id, wire.status())
            if rospec_id not in session.rospecs:
                return wire.message(
                    reply, msg_id, wire.status(wire.P_FIELD_ERROR, f"no ROSpec {rospec_id}")
                )
            if msg_type == wire.DELETE_ROSPEC:
                del session.rospecs[rospec_id]
            elif msg_type in (wire.ENABLE_ROSPEC, wire.DISABLE_ROSPEC):
                session.rospecs[rospec_id] = msg_type == wire.ENABLE_ROSPEC
            elif msg_type == wire.START_ROSPEC:
                if not session.rospecs[rospec_id]:
                    return wire.message(
                        reply, msg_id, wire.status(wire.P_FIELD_ERROR, "ROSpec is disabled")
                    )
                return wire.message(reply, msg_id, wire.status()) + self._round(rospec_id)
            return wire.message(reply, msg_id, wire.status())
        if msg_type == wire.ADD_ACCESSSPEC:
            spec = parse_accessspec(wire.find(body, wire.P_ACCESSSPEC) or b"")
            if spec.spec_id in session.access:
                return wire.message(
                    reply, msg_id, wire.status(wire.P_FIELD_ERROR, "AccessSpecID in use")
                )
            session.access[spec.spec_id] = spec
            return wire.message(reply, msg_id, wire.status())
        if msg_type in (wire.DELETE_ACCESSSPEC, wire.ENABLE_ACCESSSPEC, wire.DISABLE_ACCESSSPEC):
            (spec_id,) = struct.unpack_from(">I", body)
            if msg_type == wire.DELETE_ACCESSSPEC and spec_id == 0:
                session.access.clear()
                return wire.message(reply, msg_id, wire.status())
            if spec_id not in session.access:
                return wire.message(
                    reply, msg_id, wire.status(wire.P_FIELD_ERROR, f"no AccessSpec {spec_id}")
                )
            if msg_type == wire.DELETE_ACCESSSPEC:
                del session.access[spec_id]
            else:
                session.access[spec_id].enabled = msg_type == wire.ENABLE_ACCESSSPEC
            return wire.message(reply, msg_id, wire.status())
        return wire.message(
            wire.ERROR_MESSAGE, msg_id, wire.status(wire.M_UNSUPPORTED_MESSAGE, f"type {msg_type}")
        )

    # --- one inventory round -------------------------------------------------------------------

    def _round(self, rospec_id: int) -> bytes:
        """One ROSpec run: its report (none when empty, where so configured), then the
        end-of-ROSpec event when the client asked for ROSpec events."""
        report = self._report(rospec_id)
        if not self.empty_reports and len(report) == wire.HEADER.size:
            report = b""
        if self.session.rospec_events:
            stamp = wire.tlv(wire.P_UTC_TIMESTAMP, struct.pack(">Q", int(time.time() * 1e6)))
            end = wire.tlv(wire.P_ROSPEC_EVENT, struct.pack(">BII", 1, rospec_id, 0))
            report += wire.message(
                wire.READER_EVENT_NOTIFICATION, 0, wire.tlv(wire.P_READER_EVENT_DATA, stamp + end)
            )
        return report

    def _report(self, rospec_id: int) -> bytes:
        reports = b""
        for tag in self.field.tags():
            results = b""
            for spec in list(self.session.access.values()):
                if not spec.enabled or spec.target_epc not in (None, tag.uid):
                    continue
                results += struct.pack(">BI", 0x80 | wire.TV_ACCESSSPEC_ID, spec.spec_id)
                results += self._run(tag, spec)
                if spec.operations_left:
                    spec.operations_left -= 1
                    if not spec.operations_left:
                        del self.session.access[spec.spec_id]
                break  # one AccessSpec per tag per round
            if self.field.get(tag.uid) is None and not results:
                continue  # it left before the round reached it
            reports += wire.tlv(wire.P_TAG_REPORT_DATA, self._tag_report(tag) + results)
        return wire.message(wire.RO_ACCESS_REPORT, 0, reports)

    def _tag_report(self, tag: SimulatedTag) -> bytes:
        if len(tag.uid) == 12:
            epc = struct.pack(">B", 0x80 | wire.TV_EPC96) + tag.uid
        else:
            epc = wire.tlv(wire.P_EPC_DATA, struct.pack(">H", 8 * len(tag.uid)) + tag.uid)
        out = epc + struct.pack(">BI", 0x80 | wire.TV_ROSPEC_ID, 1)
        out += struct.pack(">BH", 0x80 | wire.TV_ANTENNA_ID, 1)
        if self.session.pc_bits:
            out += struct.pack(">BH", 0x80 | wire.TV_C1G2_PC, pc_word(tag))
        return out

    def _run(self, tag: SimulatedTag, spec: Access) -> bytes:
        kind, op_id, bank, pointer, arg = spec.op
        if kind == wire.P_C1G2_READ:
            code, data = self._read(tag, bank, pointer, int.from_bytes(arg, "big"))
            body = struct.pack(">BHH", code, op_id, len(data) // 2) + data
            return wire.tlv(wire.P_C1G2_READ_RESULT, body)
        code, written = self._write(tag, bank, pointer, arg)
        return wire.tlv(wire.P_C1G2_WRITE_RESULT, struct.pack(">BHH", code, op_id, written))

    def _read(self, tag: SimulatedTag, bank: int, pointer: int, count: int) -> tuple[int, bytes]:
        if bank == wire.MB_EPC:
            words = epc_bank(tag)
        elif bank == wire.MB_USER:
            words = bytes(tag.memory)
        else:
            return wire.READ_OVERRUN, b""
        if count == 0:  # "read to the end of the bank"
            count = len(words) // 2 - pointer
        if pointer < 0 or count < 1 or 2 * (pointer + count) > len(words):
            return wire.READ_OVERRUN, b""
        if bank == wire.MB_USER and self.field.get(tag.uid) is None:
            return wire.READ_NO_RESPONSE, b""
        return wire.READ_OK, words[2 * pointer : 2 * (pointer + count)]

    def _write(self, tag: SimulatedTag, bank: int, pointer: int, data: bytes) -> tuple[int, int]:
        leave_after = self.faults.take_removal(tag.uid)
        if bank == wire.MB_EPC:
            if pointer != 1 or len(data) != 2:
                return wire.WRITE_LOCKED, 0  # the emulated EPCs are fixed; only the PC word moves
            try:
                self.field.write_afi(tag.uid, data[1], leave=leave_after is not None)
            except TagLeft:
                return wire.WRITE_NO_RESPONSE, 0
            except BlockLocked:
                return wire.WRITE_LOCKED, 0
            except TagAbsent:
                return wire.WRITE_NO_RESPONSE, 0
            return wire.WRITE_OK, 1
        if bank != wire.MB_USER:
            return wire.WRITE_LOCKED, 0
        size = tag.block_size
        start, end = 2 * pointer, 2 * pointer + len(data)
        first, last = start // size, -(-end // size)
        if end > len(tag.memory):
            return wire.WRITE_OVERRUN, 0
        image = bytearray(tag.memory[first * size : last * size])
        image[start - first * size : end - first * size] = data
        try:
            self.field.write_blocks(tag.uid, first, bytes(image), leave_after=leave_after)
        except TagLeft as left:
            return wire.WRITE_NO_RESPONSE, _words_done(left.written, first, size, start, end)
        except BlockLocked:
            done = next(n for n in range(first, last) if n in tag.locked_blocks) - first
            return wire.WRITE_LOCKED, _words_done(done, first, size, start, end)
        except BlockOutOfRange:
            return wire.WRITE_OVERRUN, 0
        except AirError:
            return wire.WRITE_NO_RESPONSE, 0
        return wire.WRITE_OK, len(data) // 2


#: What the emulator says it is: no IANA enterprise number of its own (0), model 1.
FIRMWARE = b"shufang-llrp-emulator 1"


def _capabilities() -> bytes:
    """GeneralDeviceCapabilities (137): one antenna, no UTC clock, then the required
    ReceiveSensitivityTableEntry (139), GPIOCapabilities (141) and PerAntennaAirProtocol
    (140, antenna 1: EPC Gen2)."""
    head = struct.pack(">HHIIH", 1, 0, 0, 1, len(FIRMWARE)) + FIRMWARE
    sensitivity = wire.tlv(139, struct.pack(">Hh", 1, 0))
    gpio = wire.tlv(141, struct.pack(">HH", 0, 0))
    air = wire.tlv(140, struct.pack(">HHB", 1, 1, 1))
    return wire.tlv(137, head + sensitivity + gpio + air)


def _words_done(blocks: int, first: int, size: int, start: int, end: int) -> int:
    """Words of the request inside the ``blocks`` whole blocks written from ``first``."""
    reached = min(end, (first + blocks) * size)
    return max(0, reached - start) // 2


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
