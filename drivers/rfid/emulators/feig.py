"""A FEIG ISO Host reader emulator: answers real request frames from a simulated tag field."""

from __future__ import annotations

from drivers.rfid import air
from drivers.rfid.emulators.server import Answer
from drivers.rfid.feig import (
    CMD_CUSTOM,
    CMD_ISO_HOST,
    CMD_RF_RESET,
    CMD_SOFTWARE_VERSION,
    INVENTORY_MORE,
    ISO_ERROR_NOT_SUPPORTED,
    ISO_INVENTORY,
    ISO_READ_MULTIPLE,
    ISO_SYSTEM_INFO,
    ISO_WRITE_AFI,
    ISO_WRITE_DSFID,
    ISO_WRITE_MULTIPLE,
    NXP,
    NXP_RESET_EAS,
    NXP_SET_EAS,
    STATUS_ISO_ERROR,
    STATUS_LENGTH_ERROR,
    STATUS_MORE_DATA,
    STATUS_NO_TRANSPONDER,
    STATUS_OK,
    STATUS_UNKNOWN_COMMAND,
    TR_TYPE_ISO15693,
)
from drivers.rfid.feig_frame import ANY_READER, FeigReply, decode_request, encode_reply
from drivers.rfid.field import (
    AirError,
    BlockLocked,
    BlockOutOfRange,
    CommandNotSupported,
    TagAbsent,
    TagField,
    TagLeft,
)
from drivers.rfid.injected_faults import ReaderFaults
from kiosk.ports import FrameError

RECORDS_PER_FRAME = 24  # 24 x 10-byte data sets is what fits under LEN 255
# air time of the short addressed commands, from the one pacing model (drivers.rfid.air)
COMMAND_AIR = air.command_seconds()  # system information, or a tag that does not answer
CHANGE_AIR = air.command_seconds(1, writes=True)  # write AFI / DSFID, set or reset EAS

ISO_ERROR_UNKNOWN = 0x0F
ISO_ERROR_BLOCK_NOT_AVAILABLE = 0x10
ISO_ERROR_BLOCK_LOCKED = 0x12


class FeigEmulator:
    """Speaks ISO Host at 38400 8E1. ``custom_commands=False`` models firmware without [0xB1]."""

    baudrate = 38400
    bits_per_char = 11

    def __init__(
        self,
        field: TagField | None = None,
        faults: ReaderFaults | None = None,
        *,
        address: int = 0x00,
        custom_commands: bool = True,
        software: bytes = bytes([0x03, 0x02, 0x00, 0x00, 0x4A, 0x00, 0x08]),
    ) -> None:
        self.field = field or TagField()
        self.faults = faults or ReaderFaults()
        self.address = address
        self.custom_commands = custom_commands
        self.software = software
        self._pending_records: list[bytes] = []

    def frame_size(self, buffer: bytes) -> int | None:
        if buffer[0] < 5:
            raise ValueError("LEN below the smallest request")
        return buffer[0]

    def corrupt(self, reply: bytes) -> bytes:
        return reply[:-1] + bytes([reply[-1] ^ 0xFF])

    def answer(self, frame: bytes) -> Answer | None:
        try:
            request = decode_request(frame)
        except FrameError:
            return None  # a reader ignores frames that fail their CRC
        if request.address not in (ANY_READER, self.address):
            return None
        status, data, air = self._dispatch(request.command, request.data)
        reply = FeigReply(self.address, request.command, status, data)
        return Answer(encode_reply(reply), air)

    def _dispatch(self, command: int, data: bytes) -> tuple[int, bytes, float]:
        if command == CMD_SOFTWARE_VERSION:
            return STATUS_OK, self.software, 0.0
        if command == CMD_RF_RESET:
            return STATUS_OK, b"", 0.0
        if command == CMD_ISO_HOST and data:
            try:
                return self._iso(data[0], data[1:])
            except IndexError:
                return STATUS_LENGTH_ERROR, b"", 0.0
        if command == CMD_CUSTOM and self.custom_commands:
            try:
                return self._custom(data)
            except IndexError:
                return STATUS_LENGTH_ERROR, b"", 0.0
        return STATUS_UNKNOWN_COMMAND, b"", 0.0

    # --- [0xB0] ISO host commands -------------------------------------------------------------

    def _iso(self, sub: int, data: bytes) -> tuple[int, bytes, float]:
        if sub == ISO_INVENTORY:
            return self._inventory(data)
        uid = bytes(data[1:9])
        if len(uid) != 8:
            raise IndexError("addressed command without a UID")
        args = data[9:]
        try:
            if sub == ISO_SYSTEM_INFO:
                info = self.field.system_information(uid)
                tag = self.field.get(uid)
                size = bytes([(info.block_size or 4) - 1, (info.block_count or 1) - 1])
                ic_ref = tag.ic_reference if tag else 0
                payload = bytes([info.dsfid]) + uid + bytes([info.afi or 0]) + size
                return STATUS_OK, payload + bytes([ic_ref]), COMMAND_AIR
            if sub == ISO_READ_MULTIPLE:
                return self._read(uid, args[0], args[1])
            if sub == ISO_WRITE_MULTIPLE:
                return self._write(uid, args)
            if sub == ISO_WRITE_AFI:
                leave = self.faults.take_removal(uid) is not None
                self.field.write_afi(uid, args[0], leave=leave)
                return STATUS_OK, b"", CHANGE_AIR
            if sub == ISO_WRITE_DSFID:
                leave = self.faults.take_removal(uid) is not None
                self.field.write_dsfid(uid, args[0], leave=leave)
                return STATUS_OK, b"", CHANGE_AIR
        except AirError as exc:
            return (*_status_for(exc), COMMAND_AIR)
        return STATUS_UNKNOWN_COMMAND, b"", 0.0

    def _inventory(self, data: bytes) -> tuple[int, bytes, float]:
        mode = data[0]
        if mode & INVENTORY_MORE and self._pending_records:
            records, seconds = self._pending_records, 0.0  # already inventoried: no air
        else:
            afi = data[1] if mode & 0x10 else None
            records = [
                bytes([TR_TYPE_ISO15693, tag.dsfid]) + tag.uid
                for tag in self.field.inventory(afi=afi)
            ]
            seconds = air.inventory_seconds(len(records))
        if not records:
            return STATUS_NO_TRANSPONDER, b"", seconds
        now, self._pending_records = records[:RECORDS_PER_FRAME], records[RECORDS_PER_FRAME:]
        status = STATUS_MORE_DATA if self._pending_records else STATUS_OK
        return status, bytes([len(now)]) + b"".join(now), seconds

    def _read(self, uid: bytes, first: int, count: int) -> tuple[int, bytes, float]:
        tag = self.field.get(uid)
        if tag is None:
            return STATUS_NO_TRANSPONDER, b"", COMMAND_AIR
        memory = self.field.read_blocks(uid, first, count)
        locked = self.field.locked_flags(uid, first, count)
        size = tag.block_size
        out = bytearray([count, size])
        for i in range(count):
            out.append(0x01 if locked[i] else 0x00)
            out += memory[i * size : (i + 1) * size][::-1]  # FEIG sends each block reversed
        return STATUS_OK, bytes(out), air.read_seconds(count, size, security_status=True)

    def _write(self, uid: bytes, args: bytes) -> tuple[int, bytes, float]:
        first, count, size = args[0], args[1], args[2]
        wire = args[3:]
        if len(wire) != count * size:
            return STATUS_LENGTH_ERROR, b"", 0.0
        tag = self.field.get(uid)
        if tag is None:
            return STATUS_NO_TRANSPONDER, b"", COMMAND_AIR
        if size != tag.block_size:
            return STATUS_ISO_ERROR, bytes([ISO_ERROR_UNKNOWN]), COMMAND_AIR
        data = b"".join(wire[i * size : (i + 1) * size][::-1] for i in range(count))
        leave_after = self.faults.take_removal(uid)
        self.field.write_blocks(uid, first, data, leave_after=leave_after)
        return STATUS_OK, b"", air.write_seconds(count, size)

    # --- [0xB1] custom commands (NXP EAS) -----------------------------------------------------

    def _custom(self, data: bytes) -> tuple[int, bytes, float]:
        manufacturer, command, uid = data[0], data[1], bytes(data[3:11])
        if len(uid) != 8:
            raise IndexError("custom command without a UID")
        if manufacturer != NXP or command not in (NXP_SET_EAS, NXP_RESET_EAS):
            return STATUS_ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]), COMMAND_AIR
        try:
            leave = self.faults.take_removal(uid) is not None
            self.field.set_eas(uid, command == NXP_SET_EAS, leave=leave)
        except AirError as exc:
            return (*_status_for(exc), COMMAND_AIR)
        return STATUS_OK, b"", CHANGE_AIR


def _status_for(exc: AirError) -> tuple[int, bytes]:
    """What a FEIG reader reports when a tag fails over the air."""
    if isinstance(exc, (TagAbsent, TagLeft)):
        return STATUS_NO_TRANSPONDER, b""
    if isinstance(exc, BlockLocked):
        return STATUS_ISO_ERROR, bytes([ISO_ERROR_BLOCK_LOCKED])
    if isinstance(exc, BlockOutOfRange):
        return STATUS_ISO_ERROR, bytes([ISO_ERROR_BLOCK_NOT_AVAILABLE])
    if isinstance(exc, CommandNotSupported):
        return STATUS_ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED])
    return STATUS_ISO_ERROR, bytes([ISO_ERROR_UNKNOWN])
