"""The FEIG driver at the byte level: exact frames written, exact frames parsed."""

from __future__ import annotations

import pytest
import serial

from drivers.rfid.feig import FeigReader
from drivers.rfid.field import nxp_uid
from kiosk.ports import (
    DeviceError,
    DeviceState,
    DeviceTimeout,
    FrameError,
    NoTag,
    TagInfo,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)
from tests.rfid.scripted import ScriptedPort, hexbytes, scripted_transport

UID = nxp_uid(1)  # E0 04 01 00 00 00 00 01
VERSION_REPLY = hexbytes("0D 00 65 00 03 02 00 00 4A 00 08 7B 7D")
RF_RESET_REPLY = hexbytes("06 00 69 00 F6 FA")
OK_REPLY = hexbytes("06 00 B0 00 D5 72")
NO_TRANSPONDER = hexbytes("06 00 B0 01 5C 63")


def opened(*replies: bytes | None) -> tuple[FeigReader, ScriptedPort]:
    port = ScriptedPort([VERSION_REPLY, RF_RESET_REPLY, *replies])
    reader = FeigReader(scripted_transport(port, baudrate=38400, timeout=0.05))
    reader.open()
    port.written.clear()
    return reader, port


def test_opening_asks_the_software_version_then_resets_rf() -> None:
    port = ScriptedPort([VERSION_REPLY, RF_RESET_REPLY])
    reader = FeigReader(scripted_transport(port, baudrate=38400))
    reader.open()
    assert port.written == [hexbytes("05 FF 65 E5 CB"), hexbytes("05 FF 69 89 01")]
    assert reader.state is DeviceState.READY
    assert reader.reader_info().firmware == "3.2.0"
    assert "0x4A" in reader.reader_info().model


def test_the_serial_line_defaults_to_38400_8e1() -> None:
    reader = FeigReader.for_url("loop://")
    transport = reader._link.transport
    assert (transport.baudrate, transport.parity) == (38400, serial.PARITY_EVEN)


def test_inventory_writes_the_iso_host_frame_and_parses_data_sets() -> None:
    reader, port = opened(
        hexbytes("11 00 B0 00 01 03 3E E0 04 01 00 00 00 00 01 D9 90"),
        hexbytes("13 00 B0 00 3E E0 04 01 00 00 00 00 01 07 03 1B 01 7E 73"),
    )
    tags = reader.inventory()
    assert port.written == [hexbytes("07 FF B0 01 00 1C 56")]
    assert tags == [TagInfo(UID, dsfid=0x3E)]


def test_inventory_never_asks_tags_for_their_system_information() -> None:
    # issue #18: a stack paid one Get System Information per tag before it could be read
    inventory = hexbytes("11 00 B0 00 01 03 3E E0 04 01 00 00 00 00 01 D9 90")
    reader, port = opened(inventory, inventory)
    reader.inventory()
    reader.inventory()
    assert port.written == [hexbytes("07 FF B0 01 00 1C 56")] * 2


def test_system_information_reports_afi_and_memory_and_is_remembered_by_inventory() -> None:
    inventory = hexbytes("11 00 B0 00 01 03 3E E0 04 01 00 00 00 00 01 D9 90")
    sysinfo = hexbytes("13 00 B0 00 3E E0 04 01 00 00 00 00 01 07 03 1B 01 7E 73")
    reader, port = opened(sysinfo, inventory)
    details = TagInfo(UID, dsfid=0x3E, afi=0x07, block_size=4, block_count=28)
    assert reader.system_information(UID) == details
    assert port.written == [hexbytes("0F FF B0 2B 01 E0 04 01 00 00 00 00 01 68 D5")]
    assert reader.inventory() == [details]


def test_a_read_reply_tells_the_block_size_for_the_next_write() -> None:
    # DB-SIZE 4 in the read reply: the write needs no system information first
    reader, port = opened(
        hexbytes("12 00 B0 00 02 04 00 44 43 42 41 00 48 47 46 45 54 F2"), OK_REPLY
    )
    reader.read_blocks(UID, 0, 2)
    reader.write_blocks(UID, 0, b"ABCDEFGH")
    assert [frame[3] for frame in port.written] == [0x23, 0x24]


def test_no_transponder_means_an_empty_inventory() -> None:
    reader, _ = opened(NO_TRANSPONDER)
    assert reader.inventory() == []


def test_read_blocks_reverses_each_block_back_into_memory_order() -> None:
    reader, port = opened(hexbytes("12 00 B0 00 02 04 00 44 43 42 41 00 48 47 46 45 54 F2"))
    assert reader.read_blocks(UID, 0, 2) == b"ABCDEFGH"
    assert port.written == [hexbytes("11 FF B0 23 01 E0 04 01 00 00 00 00 01 00 02 30 48")]


def test_write_blocks_sends_blocks_reversed_with_their_size() -> None:
    sysinfo = hexbytes("13 00 B0 00 3E E0 04 01 00 00 00 00 01 07 03 1B 01 7E 73")
    reader, port = opened(sysinfo, OK_REPLY)
    reader.write_blocks(UID, 0, b"ABCDEFGH")
    assert port.written[-1] == hexbytes(
        "1A FF B0 24 01 E0 04 01 00 00 00 00 01 00 02 04 44 43 42 41 48 47 46 45 6A 7E"
    )


def test_write_afi_frame() -> None:
    reader, port = opened(OK_REPLY)
    reader.write_afi(UID, 0xC2)
    assert port.written == [hexbytes("10 FF B0 27 01 E0 04 01 00 00 00 00 01 C2 49 A1")]


def test_write_dsfid_frame() -> None:
    # [0xB0] sub-command 0x29 (ISO 15693 Write DSFID), MODE 01 addressed, UID, DSFID 0x3E
    reader, port = opened(OK_REPLY)
    reader.write_dsfid(UID, 0x3E)
    assert port.written == [hexbytes("10 FF B0 29 01 E0 04 01 00 00 00 00 01 3E 77 D5")]


def test_write_dsfid_updates_the_remembered_tag_details() -> None:
    inventory = hexbytes("11 00 B0 00 01 03 00 E0 04 01 00 00 00 00 01 A1 43")
    sysinfo = hexbytes("13 00 B0 00 00 E0 04 01 00 00 00 00 01 07 03 1B 01 88 AC")
    reader, _ = opened(sysinfo, OK_REPLY, inventory)
    assert reader.system_information(UID).dsfid == 0x00
    reader.write_dsfid(UID, 0x3E)
    assert reader.inventory() == [TagInfo(UID, dsfid=0x3E, afi=0x07, block_size=4, block_count=28)]


def test_write_dsfid_refuses_a_value_that_is_not_a_byte() -> None:
    reader, port = opened()
    with pytest.raises(ValueError):
        reader.write_dsfid(UID, 0x100)
    assert port.written == []


def test_set_eas_goes_through_the_nxp_custom_command() -> None:
    reader, port = opened(hexbytes("06 00 B1 00 0D 6B"))
    reader.set_eas(UID, True)
    assert port.written == [hexbytes("10 FF B1 04 A2 01 E0 04 01 00 00 00 00 01 85 CD")]


def test_eas_on_firmware_without_custom_commands_is_unsupported() -> None:
    reader, _ = opened(hexbytes("06 00 B1 80 05 EF"))
    with pytest.raises(UnsupportedOperation):
        reader.set_eas(UID, True)


def status_reply(status: int, data: bytes = b"") -> bytes:
    from drivers.rfid.feig_frame import FeigReply, encode_reply

    return encode_reply(FeigReply(0, 0xB0, status, data))


@pytest.mark.parametrize(
    ("status", "data", "error"),
    [
        (0x01, b"", TagRemoved),
        (0x03, b"", TagWriteError),
        (0x95, b"\x12", TagWriteError),
        (0x95, b"\x01", UnsupportedOperation),
        (0x82, b"", UnsupportedOperation),
        (0x81, b"", FrameError),
        (0x84, b"", DeviceError),
    ],
)
def test_write_statuses_map_onto_the_error_tree(
    status: int, data: bytes, error: type[Exception]
) -> None:
    reader, _ = opened(status_reply(status, data))
    with pytest.raises(error):
        reader.write_afi(UID, 0xC2)


@pytest.mark.parametrize(
    ("status", "data", "error"),
    [
        (0x01, b"", TagRemoved),
        (0x95, b"\x12", TagWriteError),
        (0x95, b"\x01", UnsupportedOperation),
        (0x80, b"", UnsupportedOperation),
    ],
)
def test_write_dsfid_statuses_map_onto_the_error_tree(
    status: int, data: bytes, error: type[Exception]
) -> None:
    reader, _ = opened(status_reply(status, data))
    with pytest.raises(error):
        reader.write_dsfid(UID, 0x3E)


def test_reading_with_no_transponder_is_no_tag() -> None:
    reader, _ = opened(NO_TRANSPONDER)
    with pytest.raises(NoTag):
        reader.read_blocks(UID, 0, 1)


def test_silence_is_a_timeout_and_puts_the_reader_in_error() -> None:
    reader, _ = opened(None)
    with pytest.raises(DeviceTimeout):
        reader.inventory()
    assert reader.state is DeviceState.ERROR


def test_a_reply_to_another_command_is_a_frame_error() -> None:
    reader, _ = opened(RF_RESET_REPLY)
    with pytest.raises(FrameError):
        reader.inventory()


def test_a_frame_cut_short_is_a_frame_error() -> None:
    reader, _ = opened(OK_REPLY[:4])
    with pytest.raises(FrameError, match="cut short"):
        reader.write_afi(UID, 0x07)


class StateWatchingPort(ScriptedPort):
    """Remembers the reader's state at every write, to see CONNECTING during the handshake."""

    reader: FeigReader | None = None
    states: list[DeviceState]

    def write(self, data: bytes) -> int:
        assert self.reader is not None
        self.states.append(self.reader.state)
        return super().write(data)


def test_the_reader_is_connecting_while_it_handshakes() -> None:
    port = StateWatchingPort([VERSION_REPLY, RF_RESET_REPLY, NO_TRANSPONDER])
    port.states = []
    reader = FeigReader(scripted_transport(port, baudrate=38400))
    port.reader = reader
    reader.open()
    reader.inventory()
    assert port.states == [DeviceState.CONNECTING, DeviceState.CONNECTING, DeviceState.READY]


def test_a_tag_without_system_information_is_written_in_4_byte_blocks() -> None:
    unsupported = status_reply(0x95, b"\x01")
    reader, port = opened(unsupported, OK_REPLY)
    reader.write_blocks(UID, 0, b"ABCDEFGH")
    assert port.written[-1][15] == 4  # DB-SIZE
