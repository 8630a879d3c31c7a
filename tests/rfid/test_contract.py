"""The TagReader contract: the simulator and FEIG and 3M over emulators all pass it."""

from __future__ import annotations

import pytest

from drivers.rfid.field import SimulatedTag, nxp_uid
from kiosk.ports import (
    DeviceGone,
    DeviceState,
    DeviceTimeout,
    FrameError,
    NoTag,
    ReaderInfo,
    TagReader,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)
from tests.rfid.rigs import Rig
from tests.waiting import wait_until


def place(rig: Rig, serial: int = 1, **kwargs: object) -> SimulatedTag:
    return rig.field.place(SimulatedTag(nxp_uid(serial), **kwargs))  # type: ignore[arg-type]


def test_every_reader_is_a_tag_reader(rig: Rig) -> None:
    assert isinstance(rig.reader, TagReader)


def test_a_new_reader_is_disconnected_and_opening_makes_it_ready(rig: Rig) -> None:
    assert rig.reader.state is DeviceState.DISCONNECTED
    rig.reader.open()
    assert rig.reader.state is DeviceState.READY
    rig.reader.close()
    assert rig.reader.state is DeviceState.DISCONNECTED


def test_reader_info_names_a_model(open_rig: Rig) -> None:
    info = open_rig.reader.reader_info()
    assert isinstance(info, ReaderInfo)
    assert info.model


def test_inventory_of_an_empty_pad_is_empty(open_rig: Rig) -> None:
    assert open_rig.reader.inventory() == []


def test_inventory_finds_every_placed_tag(open_rig: Rig) -> None:
    placed = {place(open_rig, n, dsfid=0x3E, afi=0x07).uid for n in range(1, 6)}
    found = open_rig.reader.inventory()
    assert {tag.uid for tag in found} == placed


def test_inventory_reports_dsfid_afi_and_memory_where_the_protocol_tells(open_rig: Rig) -> None:
    place(open_rig, 7, dsfid=0x3E, afi=0x07, block_count=28)
    (tag,) = open_rig.reader.inventory()
    assert tag.uid == nxp_uid(7)
    if open_rig.reports_tag_details:
        assert (tag.dsfid, tag.afi, tag.block_size, tag.block_count) == (0x3E, 0x07, 4, 28)
    elif open_rig.reports_dsfid:  # an ISO 15693 inventory answer carries the DSFID
        assert tag.dsfid == 0x3E


def test_a_removed_tag_is_no_longer_inventoried(open_rig: Rig) -> None:
    a, b = place(open_rig, 1), place(open_rig, 2)
    open_rig.field.remove(a.uid)
    assert [tag.uid for tag in open_rig.reader.inventory()] == [b.uid]


def test_read_blocks_returns_tag_memory_in_order(open_rig: Rig) -> None:
    memory = bytes(range(112))
    tag = place(open_rig, memory=bytearray(memory))
    assert open_rig.reader.read_blocks(tag.uid, 0, 28) == memory
    assert open_rig.reader.read_blocks(tag.uid, 3, 2) == memory[12:20]


def test_written_blocks_read_back(open_rig: Rig) -> None:
    tag = place(open_rig)
    data = b"\x11\x01\x011000000056" + bytes(7)
    open_rig.reader.write_blocks(tag.uid, 0, data[:20])
    open_rig.reader.write_blocks(tag.uid, 6, b"DK-7")
    assert open_rig.reader.read_blocks(tag.uid, 0, 7) == data[:20] + bytes(4) + b"DK-7"
    assert bytes(tag.memory[:28]) == data[:20] + bytes(4) + b"DK-7"


def test_write_afi_changes_the_tag(open_rig: Rig) -> None:
    tag = place(open_rig, afi=0x07)
    open_rig.reader.write_afi(tag.uid, 0xC2)
    assert tag.afi == 0xC2
    open_rig.reader.write_afi(tag.uid, 0x07)
    assert tag.afi == 0x07


def test_write_dsfid_changes_the_tag_where_supported(open_rig: Rig) -> None:
    tag = place(open_rig, dsfid=0x00)
    if not open_rig.writes_dsfid:
        with pytest.raises(UnsupportedOperation):
            open_rig.reader.write_dsfid(tag.uid, 0x3E)
        assert tag.dsfid == 0x00
        return
    open_rig.reader.write_dsfid(tag.uid, 0x3E)
    assert tag.dsfid == 0x3E
    open_rig.reader.write_dsfid(tag.uid, 0x06)
    assert tag.dsfid == 0x06


def test_a_written_dsfid_is_what_the_next_inventory_reports(open_rig: Rig) -> None:
    tag = place(open_rig, dsfid=0x00)
    open_rig.reader.inventory()  # the reader may remember the tag's details from this visit
    if not open_rig.writes_dsfid:
        return
    open_rig.reader.write_dsfid(tag.uid, 0x3E)
    (seen,) = open_rig.reader.inventory()
    assert seen.dsfid == 0x3E


def test_eas_is_set_and_reset_where_supported(open_rig: Rig) -> None:
    tag = place(open_rig)
    if not open_rig.supports_eas:
        with pytest.raises(UnsupportedOperation):
            open_rig.reader.set_eas(tag.uid, True)
        return
    open_rig.reader.set_eas(tag.uid, True)
    assert tag.eas is True
    open_rig.reader.set_eas(tag.uid, False)
    assert tag.eas is False


def test_eas_on_a_tag_without_eas_is_unsupported(open_rig: Rig) -> None:
    tag = place(open_rig, eas_supported=False)
    with pytest.raises(UnsupportedOperation):
        open_rig.reader.set_eas(tag.uid, True)


def test_reading_a_tag_that_is_not_there_is_no_tag(open_rig: Rig) -> None:
    with pytest.raises(NoTag):
        open_rig.reader.read_blocks(nxp_uid(99), 0, 1)


def test_writing_to_a_tag_that_is_gone_is_tag_removed(open_rig: Rig) -> None:
    with pytest.raises(TagRemoved):
        open_rig.reader.write_afi(nxp_uid(99), 0xC2)
    with pytest.raises(TagRemoved):
        open_rig.reader.write_blocks(nxp_uid(99), 0, b"ABCD")


def test_a_tag_leaving_mid_write_is_tag_removed_and_only_partly_written(open_rig: Rig) -> None:
    tag = place(open_rig)
    open_rig.faults.remove_during_write(tag.uid, after_blocks=2)
    with pytest.raises(TagRemoved):
        open_rig.reader.write_blocks(tag.uid, 0, b"AAAABBBBCCCCDDDD")
    assert bytes(tag.memory[:16]) == b"AAAABBBB" + bytes(8)
    assert open_rig.reader.inventory() == []


def test_a_tag_leaving_during_an_afi_write_is_tag_removed(open_rig: Rig) -> None:
    tag = place(open_rig, afi=0x07)
    open_rig.faults.remove_during_write(tag.uid)
    with pytest.raises(TagRemoved):
        open_rig.reader.write_afi(tag.uid, 0xC2)


def test_writing_a_dsfid_to_a_tag_that_is_gone_is_tag_removed(open_rig: Rig) -> None:
    expected = TagRemoved if open_rig.writes_dsfid else UnsupportedOperation
    with pytest.raises(expected):
        open_rig.reader.write_dsfid(nxp_uid(99), 0x3E)


def test_a_tag_leaving_during_a_dsfid_write_is_tag_removed(open_rig: Rig) -> None:
    tag = place(open_rig, dsfid=0x00)
    if not open_rig.writes_dsfid:
        return
    open_rig.faults.remove_during_write(tag.uid)
    with pytest.raises(TagRemoved):
        open_rig.reader.write_dsfid(tag.uid, 0x3E)


def test_writing_a_locked_dsfid_is_a_write_error(open_rig: Rig) -> None:
    tag = place(open_rig, dsfid=0x00, dsfid_locked=True)
    with pytest.raises(TagWriteError if open_rig.writes_dsfid else UnsupportedOperation):
        open_rig.reader.write_dsfid(tag.uid, 0x3E)
    assert tag.dsfid == 0x00


def test_writing_a_locked_block_is_a_write_error(open_rig: Rig) -> None:
    tag = place(open_rig, locked_blocks={0})
    with pytest.raises(TagWriteError):
        open_rig.reader.write_blocks(tag.uid, 0, b"ABCD")


def test_writing_a_locked_afi_is_a_write_error(open_rig: Rig) -> None:
    tag = place(open_rig, afi=0x07, afi_locked=True)
    with pytest.raises(TagWriteError):
        open_rig.reader.write_afi(tag.uid, 0xC2)


def test_no_reply_is_a_timeout_and_the_reader_recovers(open_rig: Rig) -> None:
    place(open_rig)
    open_rig.faults.drop_replies(1)
    with pytest.raises(DeviceTimeout):
        open_rig.reader.inventory()
    assert open_rig.reader.state is DeviceState.ERROR
    assert len(open_rig.reader.inventory()) == 1
    assert open_rig.reader.state is DeviceState.READY


def test_a_corrupted_reply_is_a_frame_error_and_the_reader_recovers(open_rig: Rig) -> None:
    place(open_rig)
    open_rig.faults.corrupt_replies(1)
    with pytest.raises(FrameError):
        open_rig.reader.inventory()
    assert len(open_rig.reader.inventory()) == 1
    assert open_rig.reader.state is DeviceState.READY


def test_an_unplugged_reader_is_gone_until_replugged_and_reopened(open_rig: Rig) -> None:
    place(open_rig)
    open_rig.faults.unplug()
    with pytest.raises(DeviceGone):
        open_rig.reader.inventory()
    assert open_rig.reader.state is DeviceState.ERROR
    with pytest.raises(DeviceGone):
        open_rig.reader.inventory()
    open_rig.faults.replug()
    if open_rig.server is not None:
        wait_until(lambda: open_rig.server is not None and open_rig.server.plugged, what="replug")
    open_rig.reader.open()
    assert open_rig.reader.state is DeviceState.READY
    assert len(open_rig.reader.inventory()) == 1


def test_opening_an_unplugged_reader_fails_with_an_error_state(rig: Rig) -> None:
    rig.faults.unplug()
    if rig.server is not None:
        wait_until(lambda: rig.server is not None and not rig.server.plugged, what="unplug")
    with pytest.raises((DeviceGone, DeviceTimeout)):
        rig.reader.open()
    assert rig.reader.state is DeviceState.ERROR


def test_operations_on_a_closed_reader_are_device_gone(rig: Rig) -> None:
    with pytest.raises(DeviceGone):
        rig.reader.inventory()
