"""The pacing model (ISO 15693 air time, serial time) and the stack floor built on it.

Timing facts are checked against ISO/IEC 15693-2 in carrier cycles (fc = 13.56 MHz), and the
wire sizes the floor assumes against frames the drivers and emulators really exchange, so the
floor cannot drift away from what the paced emulators do.
"""

from __future__ import annotations

import time

import pytest

from drivers.rfid import air, floor
from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.feig_frame import FeigRequest, encode_request
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.m810 import CMD_INVENTORY, CMD_READ, M810Reader
from drivers.rfid.m810_frame import encode_frame

FC = 13.56e6


def test_air_timing_is_iso_15693_in_carrier_cycles():
    assert pytest.approx(FC / 512, rel=1e-3) == air.AIR_BITS_PER_SECOND  # 1 out of 4
    assert pytest.approx(4352 / FC) == air.T1_S
    assert pytest.approx(4192 / FC) == air.T2_S
    assert pytest.approx(4 * 256 / FC, rel=1e-3) == air.READER_SOF_S  # 75.52 µs
    assert pytest.approx(2 * 256 / FC, rel=1e-3) == air.READER_EOF_S  # 37.76 µs
    assert pytest.approx(2048 / FC, rel=1e-3) == air.TAG_SOF_S  # 151.04 µs


def test_a_tag_answer_is_its_delay_its_frame_and_its_bits():
    # a 12-byte inventory answer: t1, SOF, 96 bits at 26.48 kbit/s, EOF
    expected = 4352 / FC + 2 * 151.04e-6 + 96 / 26_480
    assert air.answer_seconds(12) == pytest.approx(expected)


def test_inventory_grows_with_the_tags_that_answer_and_needs_a_round_per_16():
    one, ten, sixteen, seventeen = (air.inventory_seconds(n) for n in (1, 10, 16, 17))
    assert one < ten < sixteen < seventeen
    per_answer = air.answer_seconds(12) + air.T2_S - air.T3_S
    assert ten - one == pytest.approx(9 * per_answer)
    # the 17th tag costs a whole new round of 16 slots
    assert seventeen - sixteen > air.request_seconds(5) + 15 * air.T3_S


def test_serial_time_counts_every_bit_of_a_character():
    assert air.serial_seconds(384, 38400, 11) == pytest.approx(0.11)  # 8E1: 11 bits
    assert air.serial_seconds(192, 19200, 10) == pytest.approx(0.1)  # 8N1: 10 bits


def _feig_answer(emulator: FeigEmulator, data: bytes) -> bytes:
    answer = emulator.answer(encode_request(FeigRequest(0xFF, 0xB0, data)))
    assert answer is not None
    return answer.reply


def test_feig_wire_sizes_are_the_frames_the_emulator_exchanges():
    tags = [SimulatedTag(nxp_uid(n), memory=bytes(range(1, 113))) for n in range(3)]
    emulator = FeigEmulator(TagField(tags))
    wire = floor.FEIG
    inventory = bytes([0x01, 0x00])
    assert len(encode_request(FeigRequest(0xFF, 0xB0, inventory))) == wire.inventory_request
    reply = _feig_answer(emulator, inventory)
    assert len(reply) == wire.inventory_reply_head + 3 * wire.inventory_record
    read = bytes([0x23, 0x01]) + tags[0].uid + bytes([0, 5])
    assert len(encode_request(FeigRequest(0xFF, 0xB0, read))) == wire.read_request
    reply = _feig_answer(emulator, read)
    assert len(reply) == wire.read_reply_head + 5 * (4 + wire.read_block_extra)


def test_feig_reads_at_most_what_one_frame_holds():
    wire = floor.FEIG
    blocks = wire.max_read_blocks(4)
    assert blocks == 49
    assert wire.read_reply_head + blocks * 5 <= 255 < wire.read_reply_head + (blocks + 1) * 5


def test_3m_wire_sizes_are_the_frames_the_emulator_exchanges():
    tags = [SimulatedTag(nxp_uid(n), memory=bytes(range(1, 113))) for n in range(3)]
    emulator = M810Emulator(TagField(tags))
    wire = floor.M810
    assert len(encode_frame(CMD_INVENTORY)) == wire.inventory_request
    answer = emulator.answer(encode_frame(CMD_INVENTORY))
    assert answer is not None
    assert len(answer.reply) == wire.inventory_reply_head + 3 * wire.inventory_record
    read = encode_frame(bytes([CMD_READ]) + tags[0].uid + bytes([0, 8]))
    assert len(read) == wire.read_request
    answer = emulator.answer(read)
    assert answer is not None
    assert len(answer.reply) == wire.read_reply_head + 8 * (4 + wire.read_block_extra)
    assert wire.max_read_blocks(4) == 8


def test_the_floor_is_one_inventory_and_the_reads_of_the_bytes_held():
    wire = floor.FEIG
    stack = floor.stack_floor([20, 32, 120], wire)
    inventory = wire.serial(7 + 7 + 3 * 10) + air.inventory_seconds(3)
    reads = [
        wire.serial(17 + 8 + n * 5) + air.read_seconds(n, 4, security_status=True)
        for n in (5, 8, 30)  # 20, 32 and 120 bytes: 5, 8 and 30 blocks, one command each
    ]
    assert stack.inventory_s == pytest.approx(inventory)
    assert stack.reads_s == pytest.approx(sum(reads))
    assert stack.first_item_s == pytest.approx(inventory + reads[0])
    assert stack.exchanges == 4


def test_a_tag_larger_than_the_readers_largest_read_costs_more_commands():
    assert floor.read_floor(64, floor.M810)[1] == 2  # 16 blocks, 8 a command
    assert floor.read_floor(64, floor.FEIG)[1] == 1
    assert floor.read_floor(0, floor.FEIG) == (0.0, 0)


@pytest.mark.parametrize("protocol", ["feig", "3m810"])
def test_a_paced_emulator_takes_at_least_the_floor_for_one_read(protocol):
    tag = SimulatedTag(nxp_uid(1), memory=bytes(range(1, 33)))
    if protocol == "feig":
        server = EmulatorServer(FeigEmulator(TagField([tag])), paced=True, kind="tcp")
        wire, make = floor.FEIG, FeigReader.for_url
    else:
        server = EmulatorServer(M810Emulator(TagField([tag])), paced=True, kind="tcp")
        wire, make = floor.M810, M810Reader.for_url
    with server:
        reader = make(server.url, timeout=2.0)
        reader.open()
        try:
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                assert reader.read_blocks(tag.uid, 0, 8) == bytes(range(1, 33))
                best = min(best, time.perf_counter() - started)
        finally:
            reader.close()
    expected, _ = floor.read_floor(32, wire)
    assert expected <= best < expected + 0.05, (best, expected)
