"""The 3M 810 driver at the byte level, including the published probe exchange."""

from __future__ import annotations

import pytest
import serial

from drivers.rfid.field import nxp_uid
from drivers.rfid.m810 import M810Reader
from drivers.rfid.m810_frame import encode_frame
from kiosk.ports import (
    DeviceError,
    DeviceState,
    FrameError,
    NoTag,
    TagInfo,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)
from tests.rfid.scripted import ScriptedPort, hexbytes, scripted_transport

UID = nxp_uid(1)
PROBE = hexbytes("D5 00 05 04 00 11 8C 66")
PROBE_REPLY = hexbytes("D5 00 09 04 00 11 0A 05 00 02 72 50")
INIT = hexbytes("D6 00 0C 13 04 01 00 02 00 03 00 04 00 AA F2")
INIT_REPLY = hexbytes("D6 00 0C 13 00 02 01 01 03 02 02 03 00 E7 78")
INVENTORY = hexbytes("D6 00 05 FE 00 05 FA 40")
ONE_TAG = hexbytes("D6 00 0F FE 00 00 05 01 E0 04 01 00 00 00 00 01 B7 E1")
NO_TAGS = encode_frame(hexbytes("FE 00 00 05 00"))


def opened(*replies: bytes | None) -> tuple[M810Reader, ScriptedPort]:
    port = ScriptedPort([PROBE_REPLY, INIT_REPLY, *replies])
    reader = M810Reader(scripted_transport(port, baudrate=19200, timeout=0.05))
    reader.open()
    port.written.clear()
    return reader, port


def test_opening_sends_the_published_probe_then_the_initialisation() -> None:
    port = ScriptedPort([PROBE_REPLY, INIT_REPLY])
    reader = M810Reader(scripted_transport(port, baudrate=19200))
    reader.open()
    assert port.written == [PROBE, INIT]
    assert reader.state is DeviceState.READY
    assert reader.reader_info().firmware == "10.5.0.2"
    assert reader.reader_info().model == "3M 810"


def test_the_serial_line_defaults_to_19200_8n1() -> None:
    transport = M810Reader.for_url("loop://")._link.transport
    assert (transport.baudrate, transport.parity) == (19200, serial.PARITY_NONE)


def test_a_wrong_probe_reply_leaves_the_reader_in_error() -> None:
    port = ScriptedPort([encode_frame(hexbytes("04 00 12 00"), 0xD5)])
    reader = M810Reader(scripted_transport(port, baudrate=19200))
    with pytest.raises(FrameError):
        reader.open()
    assert reader.state is DeviceState.ERROR


def test_inventory_frame_and_reply() -> None:
    reader, port = opened(ONE_TAG)
    assert reader.inventory() == [TagInfo(UID)]
    assert port.written == [INVENTORY]


def test_an_empty_inventory() -> None:
    reader, _ = opened(NO_TAGS)
    assert reader.inventory() == []


def test_uids_sent_least_significant_byte_first_are_turned_around_both_ways() -> None:
    lsb_first = encode_frame(hexbytes("FE 00 00 05 01") + UID[::-1])
    reader, port = opened(lsb_first, encode_frame(hexbytes("09 00") + UID[::-1]))
    assert reader.inventory() == [TagInfo(UID)]
    reader.write_afi(UID, 0x07)
    assert port.written[-1] == encode_frame(hexbytes("09") + UID[::-1] + b"\x07")


def test_read_blocks_frame_and_block_numbered_reply() -> None:
    reply = hexbytes(
        "D6 00 19 02 00 E0 04 01 00 00 00 00 01 02 00 00 41 42 43 44 01 00 45 46 47 48 76 99"
    )
    reader, port = opened(reply)
    assert reader.read_blocks(UID, 0, 2) == b"ABCDEFGH"
    assert port.written == [hexbytes("D6 00 0D 02 E0 04 01 00 00 00 00 01 00 02 01 24")]


def test_write_blocks_from_block_zero_is_one_frame() -> None:
    reader, port = opened(hexbytes("D6 00 0D 04 00 E0 04 01 00 00 00 00 01 02 70 55"))
    reader.write_blocks(UID, 0, b"ABCDEFGH")
    assert port.written == [
        hexbytes("D6 00 16 04 E0 04 01 00 00 00 00 01 00 02 00 41 42 43 44 45 46 47 48 FA 50")
    ]


def test_write_blocks_elsewhere_reads_the_head_and_writes_from_zero() -> None:
    head = encode_frame(hexbytes("02 00") + UID + hexbytes("01 00 00 57 58 59 5A"))
    written = encode_frame(hexbytes("04 00") + UID + hexbytes("02"))
    reader, port = opened(head, written)
    reader.write_blocks(UID, 1, b"ABCD")
    assert port.written[0] == encode_frame(hexbytes("02") + UID + hexbytes("00 01"))
    assert port.written[1] == encode_frame(
        hexbytes("04") + UID + hexbytes("00 02 00") + b"WXYZABCD"
    )


def test_write_afi_frame() -> None:
    reader, port = opened(hexbytes("D6 00 0C 09 00 E0 04 01 00 00 00 00 01 49 BF"))
    reader.write_afi(UID, 0xC2)
    assert port.written == [hexbytes("D6 00 0C 09 E0 04 01 00 00 00 00 01 C2 97 65")]


def test_read_afi() -> None:
    reader, port = opened(encode_frame(hexbytes("0A 00") + UID + hexbytes("07")))
    assert reader.read_afi(UID) == 0x07
    assert port.written == [encode_frame(hexbytes("0A") + UID)]


FAILED_AFI = hexbytes("D6 00 04 09 06 7D A1")


def test_a_failed_afi_write_is_retried_before_giving_up() -> None:
    ok = hexbytes("D6 00 0C 09 00 E0 04 01 00 00 00 00 01 49 BF")
    reader, port = opened(FAILED_AFI, ok)
    reader.write_afi(UID, 0xC2)
    assert len(port.written) == 2


def test_a_refused_afi_write_with_the_tag_still_there_is_a_write_error() -> None:
    reader, port = opened(FAILED_AFI, FAILED_AFI, FAILED_AFI, ONE_TAG)
    with pytest.raises(TagWriteError):
        reader.write_afi(UID, 0xC2)
    assert port.written[-1] == INVENTORY


def test_a_failed_write_with_the_tag_gone_is_tag_removed() -> None:
    reader, _ = opened(encode_frame(hexbytes("04 06")), NO_TAGS)
    with pytest.raises(TagRemoved):
        reader.write_blocks(UID, 0, b"ABCD")


def test_a_failed_read_with_the_tag_gone_is_no_tag_and_with_it_there_a_device_error() -> None:
    reader, _ = opened(encode_frame(hexbytes("02 06")), NO_TAGS)
    with pytest.raises(NoTag):
        reader.read_blocks(UID, 0, 1)
    reader, _ = opened(encode_frame(hexbytes("02 06")), ONE_TAG)
    with pytest.raises(DeviceError):
        reader.read_blocks(UID, 0, 1)


def test_eas_is_unsupported_and_sends_nothing() -> None:
    reader, port = opened()
    with pytest.raises(UnsupportedOperation):
        reader.set_eas(UID, True)
    assert port.written == []


def test_a_reply_echoing_another_command_is_a_frame_error() -> None:
    reader, _ = opened(encode_frame(hexbytes("09 00") + UID))
    with pytest.raises(FrameError):
        reader.inventory()
