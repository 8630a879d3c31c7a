"""The sim: reader and its field under concurrent hands, and the simulated tag model."""

from __future__ import annotations

import threading

import pytest

from drivers.rfid.field import (
    BlockLocked,
    BlockOutOfRange,
    SimulatedTag,
    TagAbsent,
    TagField,
    TagLeft,
    nxp_uid,
)
from drivers.rfid.sim import SimReader


def test_tags_can_be_placed_and_removed_while_the_reader_polls() -> None:
    reader = SimReader()
    reader.open()
    stop = threading.Event()
    errors: list[BaseException] = []
    rounds = 0

    def hands() -> None:
        nonlocal rounds
        try:
            while not stop.is_set():
                for n in range(5):
                    reader.field.place(SimulatedTag(nxp_uid(n + rounds * 5)))
                for tag in reader.field.tags():
                    reader.field.remove(tag.uid)
                rounds += 1
        except BaseException as exc:  # surfaced to the test thread below
            errors.append(exc)

    thread = threading.Thread(target=hands)
    thread.start()
    try:
        for _ in range(500):
            assert len(reader.inventory()) <= 5
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert rounds > 0
    assert reader.inventory() == []


def test_a_tag_starts_blank_with_the_memory_its_size_allows() -> None:
    tag = SimulatedTag(nxp_uid(1), block_count=8, memory=bytearray(b"ABC"))
    assert bytes(tag.memory) == b"ABC" + bytes(29)
    with pytest.raises(ValueError):
        SimulatedTag(nxp_uid(1), block_count=1, memory=bytearray(5))
    with pytest.raises(ValueError):
        SimulatedTag(b"\x01\x02")


def test_the_field_speaks_in_air_outcomes() -> None:
    field = TagField([SimulatedTag(nxp_uid(1), locked_blocks={2}, block_count=4)])
    with pytest.raises(TagAbsent):
        field.read_blocks(nxp_uid(2), 0, 1)
    with pytest.raises(BlockOutOfRange):
        field.read_blocks(nxp_uid(1), 3, 2)
    with pytest.raises(BlockLocked):
        field.write_blocks(nxp_uid(1), 2, b"ABCD")
    with pytest.raises(TagLeft) as left:
        field.write_blocks(nxp_uid(1), 0, b"AAAABBBB", leave_after=1)
    assert left.value.written == 1
    assert field.get(nxp_uid(1)) is None


def test_an_afi_inventory_only_finds_tags_with_that_afi() -> None:
    field = TagField([SimulatedTag(nxp_uid(1), afi=0x07), SimulatedTag(nxp_uid(2), afi=0xC2)])
    assert [tag.uid for tag in field.inventory(afi=0x07)] == [nxp_uid(1)]


def test_the_sim_reader_places_and_removes_tags_for_the_demo_panel() -> None:
    reader = SimReader()
    reader.open()
    tag = reader.place(SimulatedTag(nxp_uid(9), afi=0x07))
    assert [info.uid for info in reader.inventory()] == [tag.uid]
    assert reader.remove(tag.uid) is tag
    assert reader.inventory() == []
