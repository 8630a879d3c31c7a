"""Collection rotation end to end (issue #17): a plan made centrally reaches the kiosks, a
return of a planned book tells the reader where it goes, and the plan's progress follows.

Real parts: the central on 127.0.0.1 (SQLite and PostgreSQL), two kiosks on their own SQLite
files, each with its sync daemon.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.diag.checks import transfer_box_check
from kiosk.models import ItemStatus
from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from sync import wire
from sync.central import rotation, rotation_moves, staff_wire
from sync.central.database import reading, writing
from tests.fixtures.central import Central, seed
from tests.sync.kiosks import make_kiosk


def _plan(central: Central, piis: list[str], to_branch: str = "west") -> int:
    with writing(central.engine) as conn:
        return rotation.create_plan(conn, "main", to_branch, piis, "librarian", central.clock.now())


def _progress(central: Central, plan_id: int) -> dict[str, str]:
    with reading(central.engine) as conn:
        found = rotation.plan(conn, plan_id)
    assert found is not None
    return {item.pii: item.shelf_state for item in found.items}


def test_a_returned_planned_book_goes_to_the_transfer_box_and_the_plan_follows_it(
    central: Central, tmp_path: Path
):
    seed(central, items=6, patrons=("P1",))
    reply = central.staff.put(
        "/admin/branches",
        staff_wire.BranchBatch(
            [staff_wire.BranchRecord("west", district="城西区", name="城西书房")]
        ),
    )
    assert reply.status_code == 200, reply.text
    here = make_kiosk(central, tmp_path, "k-main", branch="main")
    there = make_kiosk(central, tmp_path, "k-west", branch="west")
    try:
        assert here.sync().ok
        lent = here.core.circulation.checkout(here.patron("P1"), "I1")
        assert lent.kind is OutcomeKind.ACCEPTED
        assert here.sync().ok

        plan_id = _plan(central, ["I1", "I2", "I3"])
        assert _progress(central, plan_id) == {"I1": "on_loan", "I2": "on_shelf", "I3": "on_shelf"}

        assert here.sync().ok  # the pull brings the plan's items
        flagged = here.store.rotations.get("I1")
        assert flagged is not None and (flagged.to_branch, flagged.room) == ("west", "城西书房")
        assert here.store.rotations.get("I4") is None

        returned = here.core.circulation.checkin("I1")
        assert returned.kind is OutcomeKind.ACCEPTED
        assert returned.reason is Reason.SEND_TO_ROOM
        assert returned.details == {"room": "城西书房"}
        assert not returned.send_to_owner  # not "goes back to another library"
        assert here.store.items.get("I1").status is ItemStatus.IN_TRANSIT
        assert here.store.journal.recent(limit=1)[0].reason == Reason.SEND_TO_ROOM
        box = transfer_box_check(here.store)  # the technician's diagnostics say what to take
        assert box.value == "城西书房 1"

        # a book nobody else plans for is a plain return
        assert here.core.circulation.checkin("I4").reason is Reason.NOT_ON_LOAN

        assert here.sync().push.acked == 1
        assert _progress(central, plan_id) == {
            "I1": "in_transit", "I2": "on_shelf", "I3": "on_shelf",
        }  # fmt: skip

        # The transfer box reaches the west room: staff place the book on its kiosk.
        assert there.sync().ok
        arrived = there.core.circulation.checkin("I1")
        assert arrived.kind is OutcomeKind.ACCEPTED and arrived.reason is Reason.OK
        assert there.store.items.get("I1").status is ItemStatus.AVAILABLE
        assert there.sync().ok
        assert _progress(central, plan_id)["I1"] == "arrived"
        with reading(central.engine) as conn:
            (found,) = [p for p in rotation.plans(conn) if p.id == plan_id]
        assert found.counts == {"arrived": 1, "on_shelf": 2}

        # Both kiosks learn the book is the west room's now and no longer travels.
        assert there.sync().ok and here.sync().ok
        assert transfer_box_check(here.store).value == ""  # it has reached its room
        for kiosk in (here, there):
            assert kiosk.store.rotations.get("I1") is None
            assert kiosk.store.items.get("I1").branch == "west"
        back_home = there.core.circulation.checkin("I1")
        assert back_home.reason is Reason.NOT_ON_LOAN  # not sent anywhere again
    finally:
        here.close()
        there.close()


def test_a_kiosk_of_another_room_sends_a_planned_book_on_to_its_destination(
    central: Central, tmp_path: Path
):
    """Borrowed in one room, returned in a third: it still goes to the plan's room, marked
    in transit, not "back to its owner"."""
    seed(central, items=3, patrons=("P1",))
    here = make_kiosk(central, tmp_path, "k-main", branch="main")
    third = make_kiosk(central, tmp_path, "k-east", branch="east")
    try:
        assert here.sync().ok
        assert here.core.circulation.checkout(here.patron("P1"), "I0").ok
        assert here.sync().ok
        plan_id = _plan(central, ["I0"])
        assert third.sync().ok
        returned = third.core.circulation.checkin("I0")
        assert returned.reason is Reason.SEND_TO_ROOM
        assert returned.details == {"room": "west"}  # no room name set: its code
        assert third.sync().ok
        assert _progress(central, plan_id) == {"I0": "in_transit"}
    finally:
        here.close()
        third.close()


def test_cancelling_a_plan_lets_its_books_stay(central: Central, tmp_path: Path):
    seed(central, items=3, patrons=("P1",))
    plan_id = _plan(central, ["I0", "I1"])
    here = make_kiosk(central, tmp_path, "k-main", branch="main")
    try:
        assert here.sync().ok and here.store.rotations.get("I0") is not None
        with writing(central.engine) as conn:
            assert rotation_moves.cancel(conn, plan_id, "librarian", central.clock.now()) == 2
        assert here.sync().ok
        assert here.store.rotations.get("I0") is None
        assert here.core.circulation.checkin("I0").reason is Reason.NOT_ON_LOAN
    finally:
        here.close()


def test_a_page_with_records_a_kiosk_does_not_know_still_applies(tmp_path: Path):
    """The wire format is shared: an entity from a newer central is skipped, the rotation
    records around it are stored and the cursor moves, so the kiosk never stalls on it."""
    from kiosk.clock import ManualClock
    from kiosk.store import Store
    from sync.daemon.pull import apply_page, cursor_of
    from tests.fixtures.central import START

    store = Store(tmp_path / "kiosk.db")
    record = {"item_pii": "I1", "to_branch": "west", "to_name": "城西书房", "plan_id": 2}
    page = [
        {"seq": 1, "entity": "rotation", "op": "upsert", "key": "I1", "rotation": record},
        {"seq": 2, "entity": "shelf_label", "op": "upsert", "key": "x", "shelf_label": {"a": 1}},
        {"seq": 3, "entity": "rotation", "op": "upsert", "key": "I2",
         "rotation": {**record, "item_pii": "I2", "to_name": ""}},
        {"seq": 4, "entity": "rotation", "op": "delete", "key": "I2"},
    ]  # fmt: skip
    apply_page(store, page, 4, ManualClock(START))
    assert store.rotations.get("I1").room == "城西书房"
    assert store.rotations.get("I2") is None
    assert cursor_of(store) == 4
    decoded = wire.from_json(
        wire.ChangesPage, {"changes": page, "next_cursor": 4, "has_more": False}
    )
    assert decoded.changes[0].rotation == wire.RotationRecord("I1", "west", "城西书房", 2)
    store.close()
