"""The pad reads what a tag's data fills and no more: the exact frames sent to the emulators.

Issue #18: the pad used to ask every tag for its system information and then read all 28
blocks. Now one read of the first 8 blocks serves an ISO 28560-3 tag and a typical ISO
28560-2 tag; more is read only when the data continues.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.items import decode_tag
from drivers.rfid.m810 import M810Reader
from drivers.rfid.m810_frame import decode_frame
from drivers.rfid.pad import PadEvent, PadWatcher
from drivers.rfid.sim import SimReader
from drivers.rfid.tag_memory import TagMemory
from kiosk.ports import TagInfo
from kiosk.tags import encode
from tests.rfid.scripted import hexbytes

UID = nxp_uid(1)
FEIG_INVENTORY = hexbytes("07 FF B0 01 00 1C 56")
FEIG_READ_0_8 = hexbytes("11 FF B0 23 01 E0 04 01 00 00 00 00 01 00 08 6A E7")
FEIG_READ_8_12 = hexbytes("11 FF B0 23 01 E0 04 01 00 00 00 00 01 08 0C 8E 6F")
FEIG_READ_8_20 = hexbytes("11 FF B0 23 01 E0 04 01 00 00 00 00 01 08 14 47 F3")
FEIG_SYSTEM_INFO = hexbytes("0F FF B0 2B 01 E0 04 01 00 00 00 00 01 68 D5")
M810_READ_0_8 = hexbytes("D6 00 0D 02 E0 04 01 00 00 00 00 01 00 08 A0 6E")
M810_READ_8_8 = hexbytes("D6 00 0D 02 E0 04 01 00 00 00 00 01 08 08 29 C7")

DDM = encode(format="28560-3", pii="31200000000451", isil="CN-110000-1", size=112)
SHORT = encode(format="28560-2", pii="90001234", isil="CN-110000-1", size=112)
LONG = encode(
    format="28560-2",
    pii="90001234",
    isil="CN-110000-1",
    set=(1, 2),
    elements={"title": "A rather long title of a book that goes on"},
    size=112,
)


class Recorded:
    """An emulator whose received request frames are kept, in order."""

    def __init__(self, emulator) -> None:  # type: ignore[no-untyped-def]
        self.frames: list[bytes] = []
        answer = emulator.answer

        def recording(frame: bytes):  # type: ignore[no-untyped-def]
            self.frames.append(frame)
            return answer(frame)

        emulator.answer = recording


@pytest.fixture
def feig() -> Iterator[tuple[FeigReader, TagField, Recorded]]:
    field = TagField()
    emulator = FeigEmulator(field)
    with EmulatorServer(emulator, kind="tcp") as server:
        reader = FeigReader.for_url(server.url)
        reader.open()
        recorded = Recorded(emulator)
        try:
            yield reader, field, recorded
        finally:
            reader.close()


@pytest.fixture
def m810() -> Iterator[tuple[M810Reader, TagField, Recorded]]:
    field = TagField()
    emulator = M810Emulator(field)
    with EmulatorServer(emulator, kind="tcp") as server:
        reader = M810Reader.for_url(server.url)
        reader.open()
        recorded = Recorded(emulator)
        try:
            yield reader, field, recorded
        finally:
            reader.close()


def poll(reader) -> list[PadEvent]:  # type: ignore[no-untyped-def]
    events: list[PadEvent] = []
    PadWatcher(reader, decode_tag, on_event=events.append).poll_once()
    return events


@pytest.mark.parametrize(("memory", "dsfid"), [(DDM, 0x3E), (SHORT, 0x06)], ids=["-3", "-2"])
def test_feig_reads_a_tag_whose_data_fits_32_bytes_in_one_command(feig, memory, dsfid) -> None:
    reader, field, recorded = feig
    field.place(SimulatedTag(UID, dsfid=dsfid, memory=memory))
    (event,) = poll(reader)
    assert recorded.frames == [FEIG_INVENTORY, FEIG_READ_0_8]
    assert event.item.pii in ("31200000000451", "90001234")
    assert (len(event.data), event.tag.block_size) == (32, 4)


def test_feig_reads_on_when_28560_2_data_continues_past_the_first_blocks(feig) -> None:
    reader, field, recorded = feig
    field.place(SimulatedTag(UID, dsfid=0x06, memory=LONG))
    (event,) = poll(reader)
    # the title runs to byte 63: 8 more blocks and 4 to spare, in one command
    assert recorded.frames == [FEIG_INVENTORY, FEIG_READ_0_8, FEIG_READ_8_12]
    assert event.item.elements["title"] == "A rather long title of a book that goes on"
    assert event.item.set == (1, 2)
    assert not event.item.warnings


def test_an_unknown_layout_is_read_whole_asking_its_memory_size_once_per_tag_type(feig) -> None:
    reader, field, recorded = feig
    garbage = bytes(range(7, 7 + 112))
    field.place(SimulatedTag(UID, memory=garbage))
    field.place(SimulatedTag(nxp_uid(2), memory=garbage))
    first, second = poll(reader)
    assert recorded.frames[:4] == [FEIG_INVENTORY, FEIG_READ_0_8, FEIG_SYSTEM_INFO, FEIG_READ_8_20]
    assert first.data == garbage and second.data == garbage
    assert sum(frame[3] == 0x2B for frame in recorded.frames) == 1  # cached for the IC type
    assert len(recorded.frames) == 6


def test_3m_reads_a_28560_3_tag_in_one_command(m810) -> None:
    reader, field, recorded = m810
    field.place(SimulatedTag(UID, memory=DDM))
    (event,) = poll(reader)
    payloads = [decode_frame(frame)[1][:1] for frame in recorded.frames]
    assert payloads == [b"\xfe", b"\x02"]
    assert recorded.frames[1] == M810_READ_0_8
    assert event.item.pii == "31200000000451"


def test_3m_reads_on_in_commands_of_its_largest_read(m810) -> None:
    reader, field, recorded = m810
    field.place(SimulatedTag(UID, memory=LONG))
    (event,) = poll(reader)
    assert recorded.frames[1:3] == [M810_READ_0_8, M810_READ_8_8]
    assert len(recorded.frames) == 4  # inventory, 0-7, 8-15, 16-19
    assert event.item.elements["title"].startswith("A rather long title")


def test_a_tag_smaller_than_the_first_read_is_read_after_learning_its_size() -> None:
    reader = SimReader(TagField([SimulatedTag(UID, block_count=4, memory=b"\x11" * 16)]))
    reader.open()
    reader.system_information = lambda uid: TagInfo(uid, block_size=4, block_count=4)  # type: ignore[attr-defined]
    data, info = TagMemory(reader).read(TagInfo(UID))
    assert (data, info.block_count) == (b"\x11" * 16, 4)


def test_block_size_is_learnt_from_what_the_read_returns() -> None:
    tag = SimulatedTag(UID, block_size=8, block_count=14, memory=DDM)
    reader = SimReader(TagField([tag]))
    reader.open()
    memory = TagMemory(reader)
    data, info = memory.read(TagInfo(UID, dsfid=0x3E))
    assert info.block_size == 8
    assert data[:32] == DDM[:32]
    assert memory.shape(TagInfo(nxp_uid(9))).block_size == 8  # the same IC type next time
