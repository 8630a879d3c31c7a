"""3M 810 library RFID reader as a kiosk TagReader, from the Biblio-RFID reverse engineering.

Known (serial captures published by Biblio-RFID): the version probe, an initialisation
command sent after it, inventory ``FE``, read blocks ``02``, write blocks ``04``, read AFI
``0A`` and write AFI ``09``; replies echo the command, then ``00`` for success or ``06`` for
failure. Not known, and therefore not sent:

- EAS set/reset: no capture of it exists, so ``set_eas`` raises ``UnsupportedOperation``.
- Write DSFID: no capture of it exists either, so ``write_dsfid`` raises
  ``UnsupportedOperation`` rather than guess at a command byte.
- Tag system information (block size, block count): the driver assumes 4-byte blocks.
- The meaning of the bytes around the block count in write requests: captures only show
  writes starting at block 0 (``04 UID 00 N 00 DATA``), so a write starting elsewhere is
  done as read-modify-write from block 0.
- What a ``06`` failure means: the driver runs an inventory to tell "tag gone" from
  "tag refused".
- The UID's byte order on the wire: the driver learns it from the first inventory (an
  ISO 15693 UID always starts with E0), and returns UIDs most significant byte first.
"""

from __future__ import annotations

import serial

from drivers.rfid.link import LinkedReader, ReaderLink
from drivers.rfid.m810_frame import (
    HEADER,
    PROBE_PREFIX,
    decode_frame,
    encode_frame,
    payload_length,
)
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

PROBE = bytes.fromhex("04 00 11")
PROBE_REPLY_PREFIX = bytes.fromhex("04 00 11")
# Sent by Biblio-RFID right after the probe; its meaning (RF on? statistics?) is unknown.
INIT = bytes.fromhex("13 04 01 00 02 00 03 00 04 00")
CMD_INVENTORY = bytes.fromhex("FE 00 05")
INVENTORY_REPLY_PREFIX = bytes.fromhex("FE 00 00 05")
CMD_READ = 0x02
CMD_WRITE = 0x04
CMD_WRITE_AFI = 0x09
CMD_READ_AFI = 0x0A
OK = 0x00
FAILED = 0x06
BLOCK_SIZE = 4
READ_CHUNK = 8  # the largest read seen in captures
AFI_RETRIES = 3  # a 06 on AFI writes is often transient; Biblio-RFID retries too


def read_m810_frame(transport: SerialTransport, deadline: float) -> bytes:
    """Read exactly one frame: the 3-byte header, then as many bytes as it announces."""
    header = transport.read_exact(HEADER, deadline)
    return header + transport.read_exact(payload_length(header), deadline)


class M810Reader(LinkedReader):
    """A 3M 810 reader. Thread-safe: one exchange at a time."""

    model = "3M 810"

    def __init__(self, transport: SerialTransport) -> None:
        self._link = ReaderLink(transport)
        self._info: ReaderInfo | None = None
        self._uid_lsb_first: bool | None = None

    @classmethod
    def for_url(cls, url: str, *, baudrate: int = 19200, timeout: float = 0.5) -> M810Reader:
        """A reader on any pyserial URL; 19200 8N1 as the reader ships."""
        transport = SerialTransport(
            url, baudrate=baudrate, parity=serial.PARITY_NONE, timeout=timeout
        )
        return cls(transport)

    def reader_info(self) -> ReaderInfo:
        with self._link.lock:
            if self._info is None:
                self._info = self._probe()
            return self._info

    def _handshake(self) -> None:
        self._info = self._probe()
        reply = self._exchange(INIT)
        if reply[:2] != bytes([INIT[0], OK]):
            raise FrameError(f"unexpected reply to initialisation: {reply.hex(' ')}")

    def _probe(self) -> ReaderInfo:
        frame = self._link.exchange(encode_frame(PROBE, PROBE_PREFIX), read_m810_frame)
        _, payload = decode_frame(frame)
        if not payload.startswith(PROBE_REPLY_PREFIX) or len(payload) < 7:
            raise FrameError(f"not a 3M 810 version reply: {payload.hex(' ')}")
        version = ".".join(str(b) for b in payload[3:7])
        return ReaderInfo(model=self.model, firmware=version)

    # --- ISO 15693 ---------------------------------------------------------------------------

    def inventory(self) -> list[TagInfo]:
        with self._link.lock:
            reply = self._exchange(CMD_INVENTORY)
            if not reply.startswith(INVENTORY_REPLY_PREFIX) or len(reply) < 5:
                raise FrameError(f"not an inventory reply: {reply.hex(' ')}")
            count, uids = reply[4], reply[5:]
            if len(uids) != count * 8:
                raise FrameError(f"{count} tags need {count * 8} bytes, got {len(uids)}")
            wire = [uids[i * 8 : (i + 1) * 8] for i in range(count)]
            if wire and self._uid_lsb_first is None:
                self._uid_lsb_first = wire[0][0] != 0xE0 and wire[0][7] == 0xE0
            return [TagInfo(uid=self._from_wire(uid)) for uid in wire]

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        if count < 1 or first < 0:
            raise ValueError("read at least one block from a non-negative address")
        with self._link.lock:
            blocks: dict[int, bytes] = {}
            for start in range(first, first + count, READ_CHUNK):
                n = min(READ_CHUNK, first + count - start)
                reply = self._exchange(bytes([CMD_READ]) + self._to_wire(uid) + bytes([start, n]))
                self._check(reply, CMD_READ, uid, writing=False)
                blocks.update(self._parse_blocks(reply))
            missing = [n for n in range(first, first + count) if n not in blocks]
            if missing:
                raise FrameError(f"reader did not return blocks {missing}")
            return b"".join(blocks[n] for n in range(first, first + count))

    @staticmethod
    def max_read_blocks(block_size: int = BLOCK_SIZE) -> int:
        """The most blocks one read asks for: the largest read public captures show."""
        return READ_CHUNK

    @staticmethod
    def _parse_blocks(reply: bytes) -> dict[int, bytes]:
        # 02 00 UID(8) N then N x (block number LE16, 4 data bytes)
        if len(reply) < 11:
            raise FrameError(f"read reply too short: {reply.hex(' ')}")
        count, records = reply[10], reply[11:]
        if len(records) != count * (2 + BLOCK_SIZE):
            raise FrameError(f"{count} blocks need {count * 6} bytes, got {len(records)}")
        out = {}
        for i in range(count):
            record = records[i * 6 : (i + 1) * 6]
            out[int.from_bytes(record[:2], "little")] = bytes(record[2:])
        return out

    def write_blocks(self, uid: bytes, first: int, data: bytes) -> None:
        if not data or len(data) % BLOCK_SIZE:
            raise ValueError(f"write whole {BLOCK_SIZE}-byte blocks, not {len(data)} bytes")
        with self._link.lock:
            if first:
                try:
                    head = self.read_blocks(uid, 0, first)
                except NoTag as exc:
                    raise TagRemoved(f"tag {uid.hex()} left before the write") from exc
                data = head + data
            count = len(data) // BLOCK_SIZE
            request = bytes([CMD_WRITE]) + self._to_wire(uid) + bytes([0, count, 0]) + data
            reply = self._exchange(request)
            self._check(reply, CMD_WRITE, uid, writing=True)

    def write_afi(self, uid: bytes, afi: int) -> None:
        with self._link.lock:
            request = bytes([CMD_WRITE_AFI]) + self._to_wire(uid) + bytes([afi])
            for _ in range(AFI_RETRIES - 1):
                reply = self._exchange(request)
                if reply[:2] == bytes([CMD_WRITE_AFI, OK]):
                    return
            self._check(self._exchange(request), CMD_WRITE_AFI, uid, writing=True)

    def read_afi(self, uid: bytes) -> int:
        with self._link.lock:
            reply = self._exchange(bytes([CMD_READ_AFI]) + self._to_wire(uid))
            self._check(reply, CMD_READ_AFI, uid, writing=False)
            if len(reply) < 11:
                raise FrameError(f"AFI reply too short: {reply.hex(' ')}")
            return reply[10]

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        """Not known for the 3M 810: no public capture shows a Write DSFID command.

        Biblio-RFID's captures cover version, init, inventory, read/write blocks and read/write
        AFI only; sending a guessed byte to a reader could do anything, so nothing is sent.
        """
        raise UnsupportedOperation("3M 810 Write DSFID is not publicly documented")

    def set_eas(self, uid: bytes, enabled: bool) -> None:
        """Not known for the 3M 810: no public capture shows an EAS command."""
        raise UnsupportedOperation("3M 810 EAS commands are not publicly documented")

    # --- plumbing ----------------------------------------------------------------------------

    def _exchange(self, payload: bytes) -> bytes:
        frame = self._link.exchange(encode_frame(payload), read_m810_frame)
        _, reply = decode_frame(frame)
        if not reply or reply[0] != payload[0]:
            raise FrameError(f"reply {reply.hex(' ')} does not answer {payload[:1].hex()}")
        return reply

    def _check(self, reply: bytes, command: int, uid: bytes, *, writing: bool) -> None:
        """Raise for a failed reply; the reader says only "06", so ask the field why."""
        if len(reply) >= 2 and reply[1] == OK:
            return
        detail = f"3M 810 command {command:02X} failed: {reply.hex(' ')}"
        if len(reply) < 2 or reply[1] != FAILED:
            raise FrameError(detail)
        present = any(tag.uid == uid for tag in self.inventory())
        if writing:
            raise (TagWriteError if present else TagRemoved)(detail)
        raise (DeviceError if present else NoTag)(detail)

    def _to_wire(self, uid: bytes) -> bytes:
        if len(uid) != 8:
            raise ValueError(f"an ISO 15693 UID has 8 bytes, got {len(uid)}")
        return uid[::-1] if self._uid_lsb_first else uid

    def _from_wire(self, uid: bytes) -> bytes:
        return uid[::-1] if self._uid_lsb_first else uid
