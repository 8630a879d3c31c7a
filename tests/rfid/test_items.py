"""Tags on a simulated pad become items: sets grouped, garbled tags reported, AFI written."""

from __future__ import annotations

import pytest

from drivers.rfid.field import SimulatedTag, nxp_uid
from drivers.rfid.items import AfiSecurity, PadItems, decode_tag
from drivers.rfid.pad import PadWatcher
from drivers.rfid.sim import SimReader
from kiosk.ports import DeviceTimeout, TagProblem, TagWriteError, tag_label
from kiosk.tags import dsfid_for, encode
from tests.waiting import wait_until


def library_tag(
    serial: int, pii: str, part: int = 1, of: int = 1, fmt: str = "28560-2"
) -> SimulatedTag:
    data = encode(format=fmt, pii=pii, isil="CN-110000-1", set=(part, of), size=112)
    return SimulatedTag(uid=nxp_uid(serial), dsfid=dsfid_for(fmt), afi=0x07, memory=data)


@pytest.fixture
def pad():
    reader = SimReader()
    seen: list[tuple] = []
    items = PadItems(
        on_item=lambda *a: seen.append(("item", *a)),
        on_gone=lambda pii: seen.append(("gone", pii)),
        on_unreadable=lambda uid, why: seen.append(("bad", uid, why)),
    )
    watcher = PadWatcher(
        reader, decode_tag, on_event=items.handle, polls_per_second=50, missing_polls=2
    ).start()
    yield reader, seen
    watcher.stop()


def test_a_single_book_arrives_as_its_pii(pad):
    reader, seen = pad
    reader.place(library_tag(1, "100001", fmt="28560-3"))
    wait_until(lambda: seen, what="item")
    assert seen == [("item", "100001", None, (nxp_uid(1),))]


def test_set_parts_are_grouped_and_leaving_needs_every_part_gone(pad):
    reader, seen = pad
    reader.place(library_tag(1, "300001", 1, 2))
    wait_until(lambda: len(seen) == 1, what="first part")
    assert seen[0][2] == frozenset({1})
    reader.place(library_tag(2, "300001", 2, 2))
    wait_until(lambda: len(seen) == 2, what="second part")
    assert seen[1] == ("item", "300001", frozenset({1, 2}), (nxp_uid(1), nxp_uid(2)))
    reader.remove(nxp_uid(1))
    reader.remove(nxp_uid(2))
    wait_until(lambda: ("gone", "300001") in seen, what="gone")
    assert seen.count(("gone", "300001")) == 1


def test_a_garbled_tag_is_reported_not_swallowed(pad):
    reader, seen = pad
    reader.place(SimulatedTag(uid=nxp_uid(9), dsfid=0x06, memory=bytes([0x11, 0x7F]) + b"ab"))
    wait_until(lambda: seen, what="report")
    kind, uid, why = seen[0]
    assert kind == "bad" and uid == nxp_uid(9) and why


def test_security_writes_every_part_and_eas():
    reader = SimReader()
    reader.open()
    tags = [reader.place(library_tag(n, "300001", n, 2)) for n in (1, 2)]
    security = AfiSecurity(reader, afi_secured=0x07, afi_on_loan=0xC2)
    security.secure((tags[0].uid, tags[1].uid), on_loan=True)
    assert [t.afi for t in tags] == [0xC2, 0xC2] and not any(t.eas for t in tags)
    security.secure(tags[0].uid, on_loan=False)
    assert tags[0].afi == 0x07 and tags[0].eas


def test_locked_afi_surfaces_as_a_write_error():
    reader = SimReader()
    reader.open()
    tag = reader.place(library_tag(1, "100001"))
    tag.afi_locked = True
    with pytest.raises(TagWriteError):
        AfiSecurity(reader, 0x07, 0xC2).secure(tag.uid, on_loan=True)


def test_a_stack_of_ten_tags_is_reported_as_one_event():
    reader = SimReader()
    stacks: list[list] = []
    watcher = PadWatcher(reader, decode_tag, on_stack=stacks.append, polls_per_second=50)
    for n in range(10):
        reader.place(library_tag(100 + n, f"20000{n}"))
    reader.open()
    watcher.poll_once()
    (stack,) = stacks
    assert sorted(e.item.pii for e in stack) == [f"20000{n}" for n in range(10)]
    watcher.poll_once()
    assert len(stacks) == 1  # nothing new arrived: no second event


def test_a_stack_shows_each_item_as_read_and_hands_over_the_stack_whole():
    # issue #18: rows appear while the stack is read; the stack is decided as one, a set
    # placed whole arrives with both parts, never part by part
    reader = SimReader()
    reader.open()
    seen: list[tuple] = []
    items = PadItems(
        on_item=lambda *a: seen.append(("item", *a)),
        on_gone=lambda pii: None,
        on_seen=lambda pii, position, size: seen.append(("seen", pii, position, size)),
    )
    watcher = PadWatcher(reader, decode_tag, on_event=items.handle, on_stack=items.stack_read)
    reader.place(library_tag(1, "100001"))
    reader.place(library_tag(2, "300001", 1, 2))
    reader.place(library_tag(3, "300001", 2, 2))
    watcher.poll_once()
    assert seen == [
        ("seen", "100001", 1, 3),
        ("seen", "300001", 2, 3),
        ("seen", "300001", 3, 3),
        ("item", "100001", None, (nxp_uid(1),)),
        ("item", "300001", frozenset({1, 2}), (nxp_uid(2), nxp_uid(3))),
    ]


class FailingSecondTag(SimReader):
    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        if uid == nxp_uid(2):
            raise DeviceTimeout("no answer")
        return super().read_blocks(uid, first, count)


def test_a_stack_whose_last_tag_could_not_be_read_is_still_handed_over():
    reader = FailingSecondTag()
    reader.open()
    seen: list[tuple] = []
    items = PadItems(on_item=lambda *a: seen.append(a), on_gone=lambda pii: None)
    watcher = PadWatcher(reader, decode_tag, on_event=items.handle, on_stack=items.stack_read)
    reader.place(library_tag(1, "100001"))
    reader.place(library_tag(2, "100002"))
    watcher.poll_once()  # the second tag's read fails: it is tried again at the next poll
    assert [pii for pii, *_ in seen] == ["100001"]


def test_each_kind_of_unreadable_tag_is_told_apart(pad):
    """The reader's remedy differs (#13): a tag not read is placed again, a blank or garbled
    one is scanned by its barcode. The driver says which; its error text goes to the log."""
    reader, seen = pad
    reader.place(SimulatedTag(uid=nxp_uid(5), dsfid=0x06, block_count=0))  # memory unreadable
    reader.place(SimulatedTag(uid=nxp_uid(6), dsfid=0x06, memory=bytearray(112)))  # blank
    reader.place(SimulatedTag(uid=nxp_uid(9), dsfid=0x06, memory=bytearray(b"\x11\x7fab")))
    wait_until(lambda: len(seen) == 3, what="three reports")
    problems = {uid: why for _, uid, why in seen}
    assert problems == {
        nxp_uid(5): TagProblem.NOT_READ,
        nxp_uid(6): TagProblem.BLANK,
        nxp_uid(9): TagProblem.UNDECODABLE,
    }


def test_an_unreadable_tag_leaving_is_reported_under_its_label(pad):
    """Its row on the screen goes when the book is lifted, as a read book's does (#13 bug 5)."""
    reader, seen = pad
    reader.place(SimulatedTag(uid=nxp_uid(6), dsfid=0x06, memory=bytearray(112)))
    wait_until(lambda: seen, what="report")
    reader.remove(nxp_uid(6))
    wait_until(lambda: len(seen) == 2, what="gone")
    assert seen[1] == ("gone", tag_label(nxp_uid(6)))
