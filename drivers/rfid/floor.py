"""The least time a reader can take to inventory a stack and read what its tags hold.

One inventory (more reply frames when the tags do not fit one), then per tag the blocks that
hold its data, in as few Read Multiple Blocks commands as the reader's largest read allows;
every exchange costs its request and reply bytes on the serial line plus its air time, from
the same model the paced emulators sleep by (``drivers.rfid.air``). Nothing else: no system
information, no reads past the data, no gaps between exchanges. A pad that reads a stack in
``t`` seconds is ``t / floor`` from the best any driver on that reader could do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.rfid import air


@dataclass(frozen=True, slots=True)
class ReaderWire:
    """The bytes a reader protocol puts on the serial line per exchange, and its limits.

    Sizes are whole frames (framing, address, status and CRC included); ``tests/rfid``
    checks them against frames the drivers and emulators really build.
    """

    name: str
    baudrate: int
    bits_per_char: int
    inventory_request: int
    inventory_reply_head: int
    inventory_record: int
    records_per_reply: int
    read_request: int
    read_reply_head: int
    read_block_extra: int  # bytes the reply adds per block (security status, block number)
    max_frame: int
    security_status: bool  # whether the reader asks tags for block security status

    def max_read_blocks(self, block_size: int) -> int:
        """The most blocks one read command returns: what fits the reader's largest frame."""
        return (self.max_frame - self.read_reply_head) // (block_size + self.read_block_extra)

    def serial(self, count: int) -> float:
        return air.serial_seconds(count, self.baudrate, self.bits_per_char)


#: FEIG ISO Host, 38400 8E1: ``LEN ADR CMD [STATUS] DATA CRC16``; LEN is one byte.
FEIG = ReaderWire(
    name="FEIG ISO Host",
    baudrate=38400,
    bits_per_char=11,
    inventory_request=7,  # LEN ADR B0 01 MODE CRC2
    inventory_reply_head=7,  # LEN ADR B0 STATUS DATA-SETS ... CRC2
    inventory_record=10,  # TR-TYPE DSFID UID(8)
    records_per_reply=24,
    read_request=17,  # LEN ADR B0 23 MODE UID(8) DB-ADR DB-N CRC2
    read_reply_head=8,  # LEN ADR B0 STATUS DB-N DB-SIZE ... CRC2
    read_block_extra=1,  # the block's security status byte
    max_frame=255,
    security_status=True,
)

#: 3M 810, 19200 8N1: ``D6 LEN16 PAYLOAD CRC16``; reads of at most 8 blocks are known.
M810 = ReaderWire(
    name="3M 810",
    baudrate=19200,
    bits_per_char=10,
    inventory_request=8,  # D6 LEN16 FE 00 05 CRC2
    inventory_reply_head=10,  # D6 LEN16 FE 00 00 05 N ... CRC2
    inventory_record=8,  # UID(8)
    records_per_reply=10_000,  # one reply holds every tag (16-bit length)
    read_request=16,  # D6 LEN16 02 UID(8) FIRST N CRC2
    read_reply_head=16,  # D6 LEN16 02 00 UID(8) N ... CRC2
    read_block_extra=2,  # the block number, 16 bits
    max_frame=16 + 8 * 6,  # the largest read seen in captures: 8 blocks
    security_status=False,
)


@dataclass(frozen=True, slots=True)
class Floor:
    """The floor of one stack, split by phase; ``first_item_s`` is the inventory and the
    first tag's reads: the earliest any pad could show one item."""

    inventory_s: float
    reads_s: float
    first_item_s: float
    exchanges: int

    @property
    def total_s(self) -> float:
        return self.inventory_s + self.reads_s


def inventory_floor(tags: int, wire: ReaderWire) -> tuple[float, int]:
    """Seconds and exchanges for one inventory finding ``tags`` tags."""
    frames = max(1, math.ceil(tags / wire.records_per_reply))
    serial = frames * (wire.inventory_request + wire.inventory_reply_head)
    serial += tags * wire.inventory_record
    return wire.serial(serial) + air.inventory_seconds(tags), frames


def read_floor(held: int, wire: ReaderWire, block_size: int = 4) -> tuple[float, int]:
    """Seconds and exchanges to read the ``held`` bytes at the start of one tag's memory."""
    blocks = math.ceil(held / block_size)
    per_command = wire.max_read_blocks(block_size)
    seconds, commands = 0.0, 0
    while blocks > 0:
        n = min(blocks, per_command)
        blocks -= n
        commands += 1
        reply = wire.read_reply_head + n * (block_size + wire.read_block_extra)
        seconds += wire.serial(wire.read_request + reply)
        seconds += air.read_seconds(n, block_size, security_status=wire.security_status)
    return seconds, commands


def stack_floor(held: Sequence[int], wire: ReaderWire, block_size: int = 4) -> Floor:
    """The floor for a stack whose tags hold ``held`` bytes each (see ``kiosk.tags.extent``)."""
    inventory_s, exchanges = inventory_floor(len(held), wire)
    reads = [read_floor(n, wire, block_size) for n in held]
    first = reads[0][0] if reads else 0.0
    return Floor(
        inventory_s=inventory_s,
        reads_s=sum(seconds for seconds, _ in reads),
        first_item_s=inventory_s + first,
        exchanges=exchanges + sum(commands for _, commands in reads),
    )
