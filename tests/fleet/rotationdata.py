"""A small city for the rotation pages: two named rooms, a shelf of books with call numbers
and 中图法 classes, one of them lent today (so it is not proposed)."""

from __future__ import annotations

from dataclasses import replace

from sync import wire
from sync.central import staff_wire
from tests.fixtures.central import Central, txn

#: (pii, title, call number, CLC class), out of shelf order on purpose.
BOOKS = (
    ("31001", "平凡的世界", "I247.5/112", "I247.5"),
    ("31002", "边城", "I246.5/3", "I246.5"),
    ("31003", "呐喊", "I210.6/1", "I210.6"),
    ("31004", "围城", "I246.5/27", "I246.5"),
    ("31005", "史记选", "K204.2/9", "K204.2"),
    ("31006", "红岩", "I247.5/8", "I247.5"),
    ("31007", "人间词话", "I207.2/5", "I207.2"),
)
LENT_TODAY = "31006"
#: The west room's novels, both lent today: it reads class I, so it is where main's go.
WEST_BOOKS = (("32001", "白鹿原", "I247.5/30", "I247.5"), ("32002", "活着", "I247.5/41", "I247.5"))


def seed(central: Central) -> None:
    reply = central.staff.put(
        "/admin/branches",
        staff_wire.BranchBatch(
            [
                staff_wire.BranchRecord("main", district="城东区", name="城东书房"),
                staff_wire.BranchRecord("west", district="城西区", name="城西书房"),
            ]
        ),
    )
    assert reply.status_code == 200, reply.text
    reply = central.staff.put(
        "/admin/items",
        staff_wire.ItemBatch(
            [
                wire.ItemRecord(pii, title, call_number=call, branch=branch, clc_class=clc)
                for branch, books in (("main", BOOKS), ("west", WEST_BOOKS))
                for pii, title, call, clc in books
            ]
        ),
    )
    assert reply.status_code == 200, reply.text
    reply = central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    assert reply.status_code == 200, reply.text
    kiosk = central.enrol("k-main", "main")
    rows = []
    for pii in (LENT_TODAY, *(book[0] for book in WEST_BOOKS)):
        rows += [txn(len(rows) + 1, "checkout", pii), txn(len(rows) + 2, "checkin", pii)]
    assert {r["status"] for r in kiosk.push(*rows)} == {"accepted"}


def boxed(row: wire.TransactionIn) -> wire.TransactionIn:
    """A return as a kiosk that told the reader to use the transfer box sends it."""
    return replace(row, reason="send_to_room")
