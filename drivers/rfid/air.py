"""How long a reader exchange takes: ISO 15693 air time and serial time, in one pacing model.

The paced emulators sleep exactly what these functions say, and the floor computation
(``drivers.rfid.floor``) adds up the same numbers for the least set of exchanges a stack
needs; so a measured stack time divided by the floor says how much of it is our choice of
exchanges, not the physics.

Facts from ISO/IEC 15693-2 (air interface) and -3 (anticollision, commands), with the carrier
``fc`` = 13.56 MHz:

- reader to tag, 1-out-of-4 coding: 26.48 kbit/s (fc/512); start of frame 75.52 µs, end of
  frame 37.76 µs;
- tag to reader, high data rate with one subcarrier: 26.69 kbit/s (fc/508), modelled here at
  the same 26.48 kbit/s (1 % apart); start and end of frame 151.04 µs each;
- t1, the tag's response delay: 4352/fc = 320.9 µs; t2, the least wait before the reader's
  next end-of-frame after an answer: 4192/fc = 309.2 µs; t3 for a slot nobody answers in:
  t1 + the tag's start of frame, then the reader moves on;
- an Inventory request is 5 bytes (flags, command, mask length, CRC-16), 16 time slots; each
  answer is 12 bytes (flags, DSFID, UID, CRC-16);
- an addressed Read Multiple Blocks request is 13 bytes (flags, command, UID, first block,
  count - 1, CRC-16); the answer is flags, per block an optional security status byte and the
  block's bytes, CRC-16;
- a write answers only after the EEPROM is programmed (the standard lets it take up to
  20 ms); ``PROGRAMMING_S`` is an assumed ~5 ms per block, of the order chip data sheets give.

Inventory time is a lower bound: the tags are taken to fall into distinct slots (16 per
round). A reader meets collisions and needs more rounds; a floor must not.
"""

from __future__ import annotations

import math

CARRIER_HZ = 13_560_000
AIR_BITS_PER_SECOND = 26_480
READER_SOF_S = 75.52e-6
READER_EOF_S = 37.76e-6
TAG_SOF_S = 151.04e-6
TAG_EOF_S = 151.04e-6
T1_S = 4352 / CARRIER_HZ
T2_S = 4192 / CARRIER_HZ
T3_S = T1_S + TAG_SOF_S
PROGRAMMING_S = 0.005

SLOTS = 16
INVENTORY_REQUEST_BYTES = 5
INVENTORY_ANSWER_BYTES = 12
ADDRESSED_HEAD_BYTES = 10  # flags, command, UID (8)
CRC_BYTES = 2
READ_REQUEST_BYTES = ADDRESSED_HEAD_BYTES + 2 + CRC_BYTES  # first block, count - 1
SHORT_ANSWER_BYTES = 1 + CRC_BYTES  # flags, CRC: what a write or an AFI change answers
SYSTEM_INFO_ANSWER_BYTES = 15  # flags, info flags, UID, DSFID, AFI, memory size (2), IC, CRC


def serial_seconds(count: int, baudrate: int, bits_per_char: int) -> float:
    """The time ``count`` bytes take on a serial line (start, data, parity and stop bits)."""
    return count * bits_per_char / baudrate


def _bits(count: int) -> float:
    return count * 8 / AIR_BITS_PER_SECOND


def request_seconds(count: int) -> float:
    """A reader-to-tag frame of ``count`` bytes on the air, with its start and end of frame."""
    return READER_SOF_S + _bits(count) + READER_EOF_S


def answer_seconds(count: int) -> float:
    """A tag's answer of ``count`` bytes, from the end of the request: t1, then the frame."""
    return T1_S + TAG_SOF_S + _bits(count) + TAG_EOF_S


def inventory_seconds(tags: int) -> float:
    """A 16-slot inventory that finds ``tags`` tags, in as few rounds as slots allow."""
    rounds = max(1, math.ceil(tags / SLOTS))
    total = 0.0
    left = tags
    for _ in range(rounds):
        found = min(left, SLOTS)
        left -= found
        total += request_seconds(INVENTORY_REQUEST_BYTES)
        total += found * (answer_seconds(INVENTORY_ANSWER_BYTES) + T2_S)
        total += (SLOTS - found) * T3_S
        total += (SLOTS - 1) * READER_EOF_S  # the reader's end of frame opens each next slot
    return total


def read_seconds(blocks: int, block_size: int, *, security_status: bool = True) -> float:
    """An addressed Read Multiple Blocks of ``blocks`` blocks and its answer."""
    per_block = block_size + (1 if security_status else 0)
    return request_seconds(READ_REQUEST_BYTES) + answer_seconds(1 + blocks * per_block + CRC_BYTES)


def write_seconds(blocks: int, block_size: int) -> float:
    """Writing ``blocks`` blocks one Write Single Block each (what library tags implement)."""
    one = request_seconds(ADDRESSED_HEAD_BYTES + 1 + block_size + CRC_BYTES)
    return blocks * (one + PROGRAMMING_S + answer_seconds(SHORT_ANSWER_BYTES))


def command_seconds(argument_bytes: int = 0, *, writes: bool = False) -> float:
    """One short addressed command (system information, write AFI, EAS) and its answer.

    ``writes`` adds the programming time a change to the tag's memory takes; system
    information answers 15 bytes instead of the short answer.
    """
    request = request_seconds(ADDRESSED_HEAD_BYTES + argument_bytes + CRC_BYTES)
    if writes:
        return request + PROGRAMMING_S + answer_seconds(SHORT_ANSWER_BYTES)
    return request + answer_seconds(SYSTEM_INFO_ANSWER_BYTES)
