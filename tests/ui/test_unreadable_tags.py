"""A tag that names no item tells the reader what to do about it (#13: no dead ends).

Through the real RFID path (simulated reader, pad watcher, item tracker on driver threads)
into the real screens: a tag whose memory cannot be read asks for the book to be placed
again; a blank or garbled one asks for its barcode to be scanned (the kiosk has a scanner,
so "give it to staff" is not the first answer in a room without staff).
"""

from __future__ import annotations

import pytest

from drivers.rfid.field import SimulatedTag, nxp_uid
from drivers.rfid.items import PadItems, decode_tag
from drivers.rfid.pad import PadWatcher
from drivers.rfid.sim import SimReader
from ui.i18n import catalog
from ui.session import Mode

WAIT = 5000


@pytest.fixture
def pad(kiosk):
    reader = SimReader()
    events = kiosk.events
    items = PadItems(
        on_item=events.place, on_gone=events.remove, on_unreadable=events.unreadable_tag
    )
    watcher = PadWatcher(
        reader, decode_tag, on_event=items.handle, polls_per_second=50, missing_polls=2
    ).start()
    yield reader
    watcher.stop()


@pytest.mark.parametrize(
    ("tag", "key"),
    [
        (SimulatedTag(uid=nxp_uid(5), dsfid=0x06, block_count=0), "reason.tag_not_read"),
        (SimulatedTag(uid=nxp_uid(6), dsfid=0x06, memory=bytearray(112)), "reason.tag_unreadable"),
        (
            SimulatedTag(uid=nxp_uid(9), dsfid=0x06, memory=bytearray(b"\x11\x7fab")),
            "reason.tag_unreadable",
        ),
    ],
    ids=["not-read", "blank", "garbled"],
)
def test_an_unreadable_tag_on_the_return_pad_says_what_to_do(qtbot, kiosk, pad, tag, key):
    kiosk.begin(Mode.RETURN)
    pad.place(tag)
    screen = kiosk.window.give_back
    label = tag.uid.hex().upper()
    qtbot.waitUntil(lambda: label in screen.list.rows, timeout=WAIT)
    row = screen.list.rows[label]
    words = catalog("zh_CN")
    qtbot.waitUntil(lambda: row.detail.text() == words[key], timeout=WAIT)
    assert row.title.text() == words["item.unknown_tag"]  # not the tag's UID
    assert "工作人员" not in row.detail.text()


def test_its_row_goes_when_the_book_is_lifted(qtbot, kiosk, pad):
    kiosk.begin(Mode.RETURN)
    tag = pad.place(SimulatedTag(uid=nxp_uid(6), dsfid=0x06, memory=bytearray(112)))
    screen = kiosk.window.give_back
    label = tag.uid.hex().upper()
    qtbot.waitUntil(lambda: label in screen.list.rows, timeout=WAIT)
    screen.lifted_ms = 50
    pad.remove(tag.uid)
    qtbot.waitUntil(lambda: label not in screen.list.rows, timeout=WAIT)
