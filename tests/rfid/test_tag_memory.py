"""The pad reads what a tag's data fills and no more: the exact frames sent to the emulators.

Issue #18: the pad used to ask every tag for its system information and then read all 28
blocks. Now one read of the first 8 blocks serves an ISO 28560-3 tag and a typical ISO
28560-2 tag; more is read only when the data continues.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.items import AfiSecurity, decode_tag
from drivers.rfid.m810 import M810Reader
from drivers.rfid.m810_frame import decode_frame
from drivers.rfid.pad import PadEvent, PadWatcher
from drivers.rfid.sim import SimReader
from drivers.rfid.tag_memory import TagMemory
from kiosk.ports import TagInfo
from kiosk.tags import decode, encode
from kiosk.tags.errors import TagEncodeError
from tests.rfid.scripted import hexbytes
from tests.tags.strategies import fixed_piis, object_piis
from tests.tags.vectors import ANNEX_B1, extension_block, with_crc

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


# --- a stack reads what its tags hold (issue #18) ------------------------------------------


def short(n: int) -> bytes:
    """An ISO 28560-2 tag of 19 bytes (PII, owner, terminator), the stack's usual tag."""
    return encode(format="28560-2", pii=f"9000{n:04d}", isil="CN-110000-1", size=112)


def feig_reads(frames: list[bytes]) -> list[tuple[int, int, int]]:
    """Read Multiple Blocks requests as (UID serial, first block, count): FEIG request
    ``LEN ADR B0 23 MODE UID(8) DB-ADR DB-N CRC2``."""
    return [(f[12], f[13], f[14]) for f in frames if f[2:4] == b"\xb0\x23"]


def m810_reads(frames: list[bytes]) -> list[tuple[int, int, int]]:
    """3M 810 reads: payload ``02 UID(8) FIRST N``."""
    payloads = [decode_frame(frame)[1] for frame in frames]
    return [(p[8], p[9], p[10]) for p in payloads if p[0] == 0x02]


def test_feig_reads_the_rest_of_a_stack_only_as_far_as_its_first_tag_needed(feig) -> None:
    reader, field, recorded = feig
    for n in range(1, 5):
        field.place(SimulatedTag(nxp_uid(n), dsfid=0x06, memory=short(n)))
    events = poll(reader)
    assert [e.item.pii for e in events] == [f"9000{n:04d}" for n in range(1, 5)]
    # the first tag: 8 blocks, where its 19 bytes end; the others: those 5 blocks, and no
    # system information: one inventory and one read a tag, what the floor counts
    assert feig_reads(recorded.frames) == [(1, 0, 8), (2, 0, 5), (3, 0, 5), (4, 0, 5)]
    assert len(recorded.frames) == 5
    assert all(not e.item.warnings for e in events)


def test_a_28560_2_tag_whose_data_runs_past_the_first_read_gets_a_second_read(feig) -> None:
    reader, field, recorded = feig
    field.place(SimulatedTag(nxp_uid(1), dsfid=0x06, memory=short(1)))
    field.place(SimulatedTag(nxp_uid(2), dsfid=0x06, memory=LONG))
    first, second = poll(reader)
    # the long tag is read as far as the short one needed (5 blocks); its data goes on (a
    # precursor at byte 19 whose length byte is byte 20): 4 blocks to spare, which show
    # the title's length, then to the title's end (byte 63) and 4 blocks to spare
    assert feig_reads(recorded.frames) == [(1, 0, 8), (2, 0, 5), (2, 5, 5), (2, 10, 10)]
    assert second.item.elements["title"] == "A rather long title of a book that goes on"
    assert second.data == LONG[:80] and not second.item.warnings
    assert first.item.pii == "90000001"


def test_a_28560_3_tag_whose_pii_is_flagged_into_an_extension_block_is_read_on(feig) -> None:
    # ISO 28560-3: PII field 01 00..00 = the PII is too long, see the library extension
    # block; built from Annex B.1 with a 20-character PII in that block
    basic = bytearray(ANNEX_B1) + bytes(2)
    basic[3:19] = b"\x01" + bytes(15)
    memory = with_crc(bytes(basic)) + extension_block(1, b"\x00" + b"31200000000000004519\x00")
    reader, field, recorded = feig
    field.place(SimulatedTag(UID, dsfid=0x3E, memory=memory + b"\x00"))
    (event,) = poll(reader)
    assert event.item.pii == "31200000000000004519" and not event.item.warnings
    # 32 bytes, then the flagged extension (at least 23 bytes) in one more command
    assert feig_reads(recorded.frames) == [(1, 0, 8), (1, 8, 11)]
    assert len(recorded.frames) == 3


def test_3m_learns_a_stack_of_28560_2_tags_without_a_dsfid_and_a_28560_3_tag_still_reads(
    m810,
) -> None:
    reader, field, recorded = m810
    for n in range(1, 4):
        field.place(SimulatedTag(nxp_uid(n), dsfid=0x06, memory=short(n)))
    field.place(SimulatedTag(nxp_uid(4), dsfid=0x3E, memory=DDM))
    field.place(SimulatedTag(nxp_uid(5), dsfid=0x06, memory=short(5)))  # no DSFID on a 3M
    events = poll(reader)
    assert [e.item.pii for e in events] == [
        "90000001",
        "90000002",
        "90000003",
        "31200000000451",
        "90000005",
    ]
    # nothing cut short: the only warnings are the DSFID the 3M 810 does not report
    assert all(w.startswith("DSFID is 0x00") for e in events for w in e.item.warnings)
    # a 28560-3 tag read as 5 blocks does not end there: read on to its 32 bytes; after it
    # the stack's tags are read 8 blocks first again
    assert m810_reads(recorded.frames) == [
        (1, 0, 8),
        (2, 0, 5),
        (3, 0, 5),
        (4, 0, 5),
        (4, 5, 3),
        (5, 0, 8),
    ]


def test_tags_read_in_part_are_written_without_asking_their_shape(feig) -> None:
    # AFI, EAS and block writes reach tags of which only 5 blocks were read
    reader, field, recorded = feig
    tags = [SimulatedTag(nxp_uid(n), dsfid=0x06, afi=0x07, memory=short(n)) for n in (1, 2)]
    for tag in tags:
        field.place(tag)
    poll(reader)
    recorded.frames.clear()
    AfiSecurity(reader, 0x07, 0xC2).secure((tags[0].uid, tags[1].uid), on_loan=True)
    reader.write_blocks(tags[1].uid, 4, b"\x00\x00\x00\x00")
    assert [t.afi for t in tags] == [0xC2, 0xC2] and not any(t.eas for t in tags)
    assert bytes(tags[1].memory[16:20]) == bytes(4)
    assert not any(frame[3] == 0x2B for frame in recorded.frames)  # no system information


# --- whatever a stack holds, reading less decodes the same ---------------------------------

_object_tags = st.builds(
    lambda pii, title: ("28560-2", pii, {"title": title} if title else {}),
    object_piis,
    st.one_of(st.none(), st.text("abcdefghij klmnop", min_size=1, max_size=60)),
)
_fixed_tags = st.builds(lambda pii: ("28560-3", pii, {}), fixed_piis)
_stack_tags = st.lists(
    st.tuples(st.one_of(_object_tags, _fixed_tags, st.just(("blank", "", {}))), st.booleans()),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_stack_tags)
def test_any_stack_decodes_the_same_from_what_the_pad_reads_as_from_whole_memory(stack) -> None:
    # formats mixed in any order, with the DSFID reported or not (the 3M 810 reports none):
    # a first read sized by earlier tags never cuts a tag's data short
    reader = SimReader()
    reader.open()
    memory = TagMemory(reader)
    for n, ((fmt, pii, elements), reports_dsfid) in enumerate(stack, 1):
        if fmt == "blank":
            data, dsfid = bytes(112), 0
        else:
            try:
                data = encode(format=fmt, pii=pii, isil="CN-110000-1", elements=elements, size=112)
            except TagEncodeError:
                continue  # too long for the tag: not a stack a library could have written
            dsfid = 0x06 if fmt == "28560-2" else 0x3E
        uid = nxp_uid(n)
        reader.place(SimulatedTag(uid, dsfid=dsfid, memory=data))
        info = TagInfo(uid, dsfid=dsfid if reports_dsfid else 0)
        read, _ = memory.read(info)
        assert data.startswith(read)
        if fmt == "blank":
            continue
        whole, part = decode(data, dsfid=info.dsfid), decode(read, dsfid=info.dsfid)
        assert (part.pii, part.set, part.isil, part.elements) == (
            whole.pii,
            whole.set,
            whole.isil,
            whole.elements,
        )
