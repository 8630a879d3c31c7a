"""FEIG ISO Host protocol reader (ID CPR.M02 / CPR.02 / MR101 class) as a kiosk TagReader.

Facts from FEIG's ISO Host manual as published with the Biblio-RFID project: the
commands below, status bytes, 38400 baud 8E1. Byte order on the wire: the UID is sent most
significant byte first (E0 ...), as ``TagInfo.uid`` holds it; block data is sent with each
block's bytes reversed relative to tag memory, so the driver reverses them back
(``reverse_blocks``; Biblio-RFID does the same for the CPR-M02).
"""

from __future__ import annotations

import serial

from drivers.rfid.feig_frame import (
    ANY_READER,
    MAX_FRAME,
    MIN_REPLY,
    FeigReply,
    FeigRequest,
    decode_reply,
    encode_request,
)
from drivers.rfid.link import LinkedReader, ReaderLink
from drivers.rfid.transport import SerialTransport
from kiosk.ports import (
    DeviceError,
    FrameError,
    NoTag,
    ReaderInfo,
    TagInfo,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)

CMD_SOFTWARE_VERSION = 0x65
CMD_RF_RESET = 0x69
CMD_ISO_HOST = 0xB0
CMD_CUSTOM = 0xB1

ISO_INVENTORY = 0x01
ISO_READ_MULTIPLE = 0x23
ISO_WRITE_MULTIPLE = 0x24
ISO_WRITE_AFI = 0x27
ISO_WRITE_DSFID = 0x29  # ISO/IEC 15693-3 command code; [0xB0] passes ISO codes through
ISO_SYSTEM_INFO = 0x2B

MODE_NON_ADDRESSED = 0x00
MODE_ADDRESSED = 0x01
INVENTORY_MORE = 0x80  # ask for the rest after status 0x94

TR_TYPE_ISO15693 = 0x03
NXP = 0x04  # IC manufacturer code, selects NXP's custom command set in [0xB1]
NXP_SET_EAS = 0xA2
NXP_RESET_EAS = 0xA3

STATUS_OK = 0x00
STATUS_NO_TRANSPONDER = 0x01
STATUS_DATA_FALSE = 0x02
STATUS_WRITE_ERROR = 0x03
STATUS_ADDRESS_ERROR = 0x04
STATUS_WRONG_TRANSPONDER = 0x05
STATUS_WRITE_PROTECT = 0x14
STATUS_UNKNOWN_COMMAND = 0x80
STATUS_LENGTH_ERROR = 0x81
STATUS_NOT_AVAILABLE = 0x82
STATUS_RF_ERROR = 0x83
STATUS_MORE_DATA = 0x94
STATUS_ISO_ERROR = 0x95

ISO_ERROR_NOT_SUPPORTED = 0x01
ISO_ERROR_OPTION_NOT_SUPPORTED = 0x03
ISO_WRITE_REFUSALS = frozenset({0x0F, 0x11, 0x12, 0x13, 0x14})

READ_REPLY_HEAD = 8  # LEN ADR CMD STATUS DB-N DB-SIZE ... CRC2
WRITE_CHUNK = 8


def read_feig_frame(transport: SerialTransport, deadline: float) -> bytes:
    """Read exactly one reply frame, sized by its LEN byte."""
    head = transport.read_exact(1, deadline)
    if head[0] < MIN_REPLY:
        raise FrameError(f"LEN byte {head[0]:#04x} is too small for a reply")
    return head + transport.read_exact(head[0] - 1, deadline)


class FeigReader(LinkedReader):
    """A FEIG reader in ISO Host mode. Thread-safe: one exchange at a time."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        address: int = ANY_READER,
        reverse_blocks: bool = True,
    ) -> None:
        self._link = ReaderLink(transport)
        self.address = address
        self.reverse_blocks = reverse_blocks
        self._info: ReaderInfo | None = None
        self._tag_details: dict[bytes, TagInfo] = {}
        self._block_sizes: dict[bytes, int] = {}  # per UID, from read replies (DB-SIZE)

    @classmethod
    def for_url(
        cls,
        url: str,
        *,
        baudrate: int = 38400,
        parity: str = serial.PARITY_EVEN,
        timeout: float = 0.5,
        address: int = ANY_READER,
    ) -> FeigReader:
        """A reader on any pyserial URL; the defaults are FEIG's factory settings (38400 8E1)."""
        transport = SerialTransport(url, baudrate=baudrate, parity=parity, timeout=timeout)
        return cls(transport, address=address)

    # --- lifecycle ---------------------------------------------------------------------------

    def _forget(self) -> None:
        self._tag_details.clear()
        self._block_sizes.clear()

    def _handshake(self) -> None:
        self._info = self._software_version()
        self._expect_ok(self._command(CMD_RF_RESET))

    def reader_info(self) -> ReaderInfo:
        with self._link.lock:
            if self._info is None:
                self._info = self._software_version()
            return self._info

    def _software_version(self) -> ReaderInfo:
        reply = self._expect_ok(self._command(CMD_SOFTWARE_VERSION))
        data = reply.data
        if len(data) < 5:
            raise FrameError(f"software version reply too short: {data.hex(' ')}")
        # SW-REV (2), D-REV, HW-TYPE, SW-TYPE, TR-TYPE (2): SW-TYPE names the reader family,
        # but FEIG's table of type codes is not public here, so it is reported as a number.
        firmware = f"{data[0]}.{data[1]}.{data[2]}"
        return ReaderInfo(model=f"FEIG ISO Host (SW-TYPE 0x{data[4]:02X})", firmware=firmware)

    # --- ISO 15693 ---------------------------------------------------------------------------

    def inventory(self) -> list[TagInfo]:
        """UIDs and DSFIDs, as the inventory reports them; no tag is asked for its system
        information here (a stack would pay one exchange per tag for it). Details already
        learnt (``system_information``, a write) are kept while the tag stays."""
        with self._link.lock:
            seen: list[TagInfo] = []
            mode = MODE_NON_ADDRESSED
            while True:
                reply = self._iso(ISO_INVENTORY, bytes([mode]))
                if reply.status == STATUS_NO_TRANSPONDER:
                    break
                if reply.status not in (STATUS_OK, STATUS_MORE_DATA):
                    self._raise_for(reply, writing=False)
                seen += self._parse_inventory(reply.data)
                if reply.status != STATUS_MORE_DATA:
                    break
                mode = INVENTORY_MORE
            present = {tag.uid for tag in seen}
            for known in (self._tag_details, self._block_sizes):
                for uid in [uid for uid in known if uid not in present]:
                    del known[uid]
            return [self._tag_details.get(tag.uid, tag) for tag in seen]

    @staticmethod
    def _parse_inventory(data: bytes) -> list[TagInfo]:
        if not data:
            raise FrameError("inventory reply has no DATA-SETS byte")
        count, records = data[0], data[1:]
        if len(records) != count * 10:
            raise FrameError(f"{count} data sets need {count * 10} bytes, got {len(records)}")
        tags = []
        for i in range(count):
            record = records[i * 10 : (i + 1) * 10]
            if record[0] != TR_TYPE_ISO15693:
                continue  # another transponder type (ISO 14443 etc.) is not a library tag
            tags.append(TagInfo(uid=bytes(record[2:10]), dsfid=record[1]))
        return tags

    def system_information(self, uid: bytes) -> TagInfo:
        with self._link.lock:
            info = self._system_information(uid)
            self._tag_details[uid] = info
            return info

    def _system_information(self, uid: bytes) -> TagInfo:
        reply = self._iso(ISO_SYSTEM_INFO, bytes([MODE_ADDRESSED]) + _uid(uid))
        self._raise_for(reply, writing=False)
        data = reply.data
        if len(data) < 13:
            raise FrameError(f"system information reply too short: {data.hex(' ')}")
        # DSFID, UID(8), AFI, MEM-SIZE: block size - 1 (low 5 bits), block count - 1, IC-REF
        return TagInfo(
            uid=bytes(data[1:9]),
            dsfid=data[0],
            afi=data[9],
            block_size=(data[10] & 0x1F) + 1,
            block_count=data[11] + 1,
        )

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        if count < 1 or first < 0:
            raise ValueError("read at least one block from a non-negative address")
        with self._link.lock:
            out = bytearray()
            chunk = self.max_read_blocks(self._block_sizes.get(uid, 4))
            for start in range(first, first + count, chunk):
                n = min(chunk, first + count - start)
                request = bytes([MODE_ADDRESSED]) + _uid(uid) + bytes([start, n])
                reply = self._iso(ISO_READ_MULTIPLE, request)
                self._raise_for(reply, writing=False)
                out += self._parse_blocks(uid, reply.data, n)
            return bytes(out)

    @staticmethod
    def max_read_blocks(block_size: int = 4) -> int:
        """The most blocks one read returns: what fits a reply frame (LEN is one byte)."""
        return (MAX_FRAME - READ_REPLY_HEAD) // (block_size + 1)

    def _parse_blocks(self, uid: bytes, data: bytes, expected: int) -> bytes:
        if len(data) < 2:
            raise FrameError("read reply has no DB-N/DB-SIZE")
        count, size = data[0], data[1]
        records = data[2:]
        if count != expected or len(records) != count * (size + 1):
            raise FrameError(f"asked {expected} blocks, reply holds {count} x {size}: {data.hex()}")
        self._block_sizes[uid] = size  # DB-SIZE: the block size, learnt from the read itself
        out = bytearray()
        for i in range(count):
            block = records[i * (size + 1) + 1 : (i + 1) * (size + 1)]  # skip security status
            out += block[::-1] if self.reverse_blocks else block
        return bytes(out)

    def write_blocks(self, uid: bytes, first: int, data: bytes) -> None:
        with self._link.lock:
            size = self._block_size(uid)
            if not data or len(data) % size:
                raise ValueError(f"write whole {size}-byte blocks, not {len(data)} bytes")
            blocks = [data[i : i + size] for i in range(0, len(data), size)]
            for offset in range(0, len(blocks), WRITE_CHUNK):
                chunk = blocks[offset : offset + WRITE_CHUNK]
                wire = b"".join(b[::-1] if self.reverse_blocks else b for b in chunk)
                request = (
                    bytes([MODE_ADDRESSED]) + _uid(uid) + bytes([first + offset, len(chunk), size])
                )
                reply = self._iso(ISO_WRITE_MULTIPLE, request + wire)
                self._raise_for(reply, writing=True)

    def _block_size(self, uid: bytes) -> int:
        if uid in self._block_sizes:
            return self._block_sizes[uid]
        known = self._tag_details.get(uid)
        if known is None or known.block_size is None:
            try:
                known = self._system_information(uid)
            except NoTag as exc:
                raise TagRemoved(f"tag {uid.hex()} is no longer in the field") from exc
            except UnsupportedOperation:
                return 4  # tags without Get System Information are 4-byte-block tags
            self._tag_details[uid] = known
        return known.block_size or 4

    def write_afi(self, uid: bytes, afi: int) -> None:
        with self._link.lock:
            reply = self._iso(ISO_WRITE_AFI, bytes([MODE_ADDRESSED]) + _uid(uid) + bytes([afi]))
            self._raise_for(reply, writing=True)
            known = self._tag_details.get(uid)
            if known is not None:
                self._tag_details[uid] = TagInfo(
                    known.uid, known.dsfid, afi, known.block_size, known.block_count
                )

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        """ISO 15693 Write DSFID (0x29) through [0xB0], built exactly like Write AFI (0x27).

        Request data: sub-command 0x29, MODE 0x01 (addressed), the UID, the DSFID byte. The
        code 0x29 is ISO/IEC 15693-3's; that [0xB0] takes it with the same MODE/UID layout as
        0x27 follows the pattern of the other ISO sub-commands in this module (0x23, 0x24,
        0x27, 0x2B: ISO code, MODE, UID, arguments). The irreversible Lock DSFID is not offered.
        """
        if not 0 <= dsfid <= 0xFF:
            raise ValueError(f"a DSFID is one byte, not {dsfid}")
        with self._link.lock:
            request = bytes([MODE_ADDRESSED]) + _uid(uid) + bytes([dsfid])
            reply = self._iso(ISO_WRITE_DSFID, request)
            self._raise_for(reply, writing=True)
            known = self._tag_details.get(uid)
            if known is not None:
                self._tag_details[uid] = TagInfo(
                    known.uid, dsfid, known.afi, known.block_size, known.block_count
                )

    def set_eas(self, uid: bytes, enabled: bool) -> None:
        """Set or reset NXP ICODE EAS through FEIG's [0xB1] custom-command pass-through.

        Readers whose firmware lacks [0xB1] answer "unknown command", and tags that are not
        NXP answer an ISO "not supported" error; both surface as ``UnsupportedOperation``.
        The irreversible EAS lock (0xA4) is deliberately not offered.
        """
        nxp_command = NXP_SET_EAS if enabled else NXP_RESET_EAS
        request = bytes([NXP, nxp_command, MODE_ADDRESSED]) + _uid(uid)
        with self._link.lock:
            reply = self._reply_to(FeigRequest(self.address, CMD_CUSTOM, request))
            self._raise_for(reply, writing=True)

    # --- plumbing ----------------------------------------------------------------------------

    def _iso(self, subcommand: int, data: bytes) -> FeigReply:
        return self._reply_to(FeigRequest(self.address, CMD_ISO_HOST, bytes([subcommand]) + data))

    def _command(self, command: int, data: bytes = b"") -> FeigReply:
        return self._reply_to(FeigRequest(self.address, command, data))

    def _reply_to(self, request: FeigRequest) -> FeigReply:
        frame = self._link.exchange(encode_request(request), read_feig_frame)
        reply = decode_reply(frame)
        if reply.command != request.command:
            raise FrameError(f"reply to {reply.command:#04x}, asked {request.command:#04x}")
        return reply

    def _expect_ok(self, reply: FeigReply) -> FeigReply:
        self._raise_for(reply, writing=False)
        return reply

    @staticmethod
    def _raise_for(reply: FeigReply, *, writing: bool) -> None:
        """Turn a FEIG status byte into the port's error tree.

        A write to a tag that no longer answers is ``TagRemoved``, not ``NoTag``: the kiosk
        only writes to tags it has just seen, and part of the data may have reached the tag.
        """
        status = reply.status
        if status == STATUS_OK:
            return
        detail = f"FEIG status 0x{status:02X} {reply.data.hex(' ')}".strip()
        if status == STATUS_NO_TRANSPONDER:
            raise (TagRemoved if writing else NoTag)(detail)
        if status in (STATUS_UNKNOWN_COMMAND, STATUS_NOT_AVAILABLE, STATUS_WRONG_TRANSPONDER):
            raise UnsupportedOperation(detail)
        if status == STATUS_LENGTH_ERROR:
            raise FrameError(detail)
        if status == STATUS_ISO_ERROR and reply.data:
            iso_error = reply.data[0]
            if iso_error in (ISO_ERROR_NOT_SUPPORTED, ISO_ERROR_OPTION_NOT_SUPPORTED):
                raise UnsupportedOperation(f"{detail} (tag does not support the command)")
            if writing and iso_error in ISO_WRITE_REFUSALS:
                raise TagWriteError(f"{detail} (tag refused the write)")
        if writing and status in (
            STATUS_WRITE_ERROR,
            STATUS_ADDRESS_ERROR,
            STATUS_WRITE_PROTECT,
            STATUS_ISO_ERROR,
        ):
            raise TagWriteError(detail)
        if writing and status in (STATUS_DATA_FALSE, STATUS_RF_ERROR):
            # the tag stopped answering properly mid-write: treat as gone, data uncertain
            raise TagRemoved(detail)
        raise DeviceError(detail)


def _uid(uid: bytes) -> bytes:
    if len(uid) != 8:
        raise ValueError(f"an ISO 15693 UID has 8 bytes, got {len(uid)}")
    return uid
