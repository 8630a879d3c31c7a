"""A 3M 810 reader emulator: answers the commands Biblio-RFID documented, from a simulated field.

Where captures show only the first two reply bytes of a failure (``<cmd> 06``), the emulator
sends exactly those two bytes and nothing more, rather than invent the rest.
"""

from __future__ import annotations

from drivers.rfid import air
from drivers.rfid.emulators.server import Answer
from drivers.rfid.field import AirError, TagField
from drivers.rfid.injected_faults import ReaderFaults
from drivers.rfid.m810 import (
    BLOCK_SIZE,
    CMD_INVENTORY,
    CMD_READ,
    CMD_READ_AFI,
    CMD_WRITE,
    CMD_WRITE_AFI,
    FAILED,
    INIT,
    INVENTORY_REPLY_PREFIX,
    OK,
    PROBE,
)
from drivers.rfid.m810_frame import (
    HEADER,
    PROBE_PREFIX,
    decode_frame,
    encode_frame,
    payload_length,
)
from kiosk.ports import FrameError

HARDWARE_VERSION = bytes([0x0A, 0x05, 0x00, 0x02])  # 10.5.0.2, from the published probe reply
INIT_REPLY = bytes.fromhex("13 00 02 01 01 03 02 02 03 00")
# air time from the one pacing model (drivers.rfid.air)
COMMAND_AIR = air.command_seconds()  # read AFI (system information), or no answer
CHANGE_AIR = air.command_seconds(1, writes=True)  # write AFI


class M810Emulator:
    """Speaks the 3M 810 protocol at 19200 8N1.

    ``uid_lsb_first`` picks the UID byte order on the wire, which captures do not settle.
    """

    baudrate = 19200
    bits_per_char = 10

    def __init__(
        self,
        field: TagField | None = None,
        faults: ReaderFaults | None = None,
        *,
        uid_lsb_first: bool = False,
    ) -> None:
        self.field = field or TagField()
        self.faults = faults or ReaderFaults()
        self.uid_lsb_first = uid_lsb_first

    def frame_size(self, buffer: bytes) -> int | None:
        if len(buffer) < HEADER:
            if buffer[0] not in (0xD5, 0xD6):
                raise ValueError("not a frame prefix")
            return None
        try:
            return HEADER + payload_length(buffer[:HEADER])
        except FrameError as exc:
            raise ValueError(str(exc)) from exc

    def corrupt(self, reply: bytes) -> bytes:
        return reply[:-1] + bytes([reply[-1] ^ 0xFF])

    def answer(self, frame: bytes) -> Answer | None:
        try:
            prefix, payload = decode_frame(frame)
        except FrameError:
            return None
        if prefix == PROBE_PREFIX:
            if payload != PROBE:
                return None
            return Answer(encode_frame(PROBE + HARDWARE_VERSION, PROBE_PREFIX))
        result = self._dispatch(payload)
        if result is None:
            return None  # unknown command: what a real 810 does is not known; stay silent
        reply, air = result
        return Answer(encode_frame(reply), air)

    def _dispatch(self, payload: bytes) -> tuple[bytes, float] | None:
        if payload == INIT:
            return INIT_REPLY, 0.0
        if payload == CMD_INVENTORY:
            uids = [self._wire(tag.uid) for tag in self.field.inventory()]
            reply = INVENTORY_REPLY_PREFIX + bytes([len(uids)]) + b"".join(uids)
            return reply, air.inventory_seconds(len(uids))
        if len(payload) < 9:
            return None
        command, wire_uid, args = payload[0], payload[1:9], payload[9:]
        uid = self._wire(wire_uid)
        try:
            if command == CMD_READ and len(args) == 2:
                return self._read(uid, wire_uid, args[0], args[1])
            if command == CMD_WRITE and len(args) >= 3:
                count, data = args[1], args[3:]
                if args[0] != 0 or len(data) != count * BLOCK_SIZE:
                    return bytes([command, FAILED]), COMMAND_AIR
                leave_after = self.faults.take_removal(uid)
                self.field.write_blocks(uid, 0, data, leave_after=leave_after)
                reply = bytes([command, OK]) + wire_uid + bytes([count])
                return reply, air.write_seconds(count, BLOCK_SIZE)
            if command == CMD_WRITE_AFI and len(args) == 1:
                leave = self.faults.take_removal(uid) is not None
                self.field.write_afi(uid, args[0], leave=leave)
                return bytes([command, OK]) + wire_uid, CHANGE_AIR
            if command == CMD_READ_AFI and not args:
                afi = self.field.system_information(uid).afi or 0
                return bytes([command, OK]) + wire_uid + bytes([afi]), COMMAND_AIR
        except AirError:
            return bytes([command, FAILED]), COMMAND_AIR
        return None

    def _read(self, uid: bytes, wire_uid: bytes, first: int, count: int) -> tuple[bytes, float]:
        memory = self.field.read_blocks(uid, first, count)
        out = bytearray([CMD_READ, OK]) + wire_uid + bytes([count])
        for i in range(count):
            out += (first + i).to_bytes(2, "little") + memory[i * 4 : (i + 1) * 4]
        return bytes(out), air.read_seconds(count, BLOCK_SIZE, security_status=False)

    def _wire(self, uid: bytes) -> bytes:
        """UIDs are held MSB first; the same flip maps wire to held order and back."""
        return uid[::-1] if self.uid_lsb_first else uid
