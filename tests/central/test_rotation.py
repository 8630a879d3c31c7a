"""Collection rotation on the central (issue #17), on SQLite and PostgreSQL: the city-wide
suggestion checked against hand-counted figures, and what a plan refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from sync import wire
from sync.central import rotation, rotation_proposals, staff_wire
from sync.central.database import reading, writing
from tests.fixtures.central import START, Central, txn

#: room -> [(pii, 中图法 class)]
SHELVES = {
    "A": [("A-I1", "I247.5"), ("A-I2", "I247.5"), ("A-I3", "I246"), ("A-I4", "I210"),
          ("A-K1", "K204"), ("A-K2", "K825"), ("A-TP", "TP311.1")],
    "B": [("B-I1", "I247.5"), ("B-I2", "I712")],
    "C": [("C-I1", "I247.5"), ("C-I2", "I247.5"), ("C-I3", "I313"), ("C-I4", "I561"),
          ("C-K1", "K204"), ("C-K2", "K928")],
}  # fmt: skip
#: Lent today (the window is the last 180 days): B's two I books, one of C's, C's K books
#: three times between them, A's TP book.
LENT = ["B-I1", "B-I2", "C-I1", "C-K1", "C-K2", "C-K1", "A-TP"]


def _city(central: Central) -> None:
    records = [
        wire.ItemRecord(pii, f"书 {pii}", call_number=f"{clc}/{n}", branch=room, clc_class=clc)
        for room, shelf in SHELVES.items()
        for n, (pii, clc) in enumerate(shelf, start=1)
    ]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(records)).status_code == 200
    assert (
        central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    ).status_code == 200
    kiosk = central.enrol("k-c", "C")
    rows, seq = [], 0
    for pii in LENT:
        seq += 1
        rows.append(txn(seq, "checkout", pii))
        seq += 1
        rows.append(txn(seq, "checkin", pii))
    assert {r["status"] for r in kiosk.push(*rows)} == {"accepted"}


def test_the_suggestion_sends_each_rooms_unread_classes_where_they_are_read(
    central: Central,
) -> None:
    """Hand count. A: I stale 4, K stale 2 (TP lent). B reads I at 2 loans / 2 held = 100 per
    100 volumes, C at 1/4 = 25; C reads K at 3/2 = 150. A sends I to B (4) and, with a batch
    of 5, one K to C; C sends its 3 unread I books to B; B has nothing unread; nobody else
    holds TP."""
    _city(central)
    today = START.date().isoformat()
    with reading(central.engine) as conn:
        found = rotation_proposals.suggest(conn, idle_days=90, today=today, batch=5)
    assert [(s.from_branch, s.to_branch, s.clc, s.stale, s.quantity, s.loans_per_100)
            for s in found] == [
        ("A", "B", "I", 4, 4, 100.0),
        ("A", "C", "K", 2, 1, 150.0),
        ("C", "B", "I", 3, 3, 100.0),
    ]  # fmt: skip
    with writing(central.engine) as conn:  # a plan takes its items out of the next suggestion
        picked = rotation_proposals.propose(conn, "A", idle_days=90, today=today, clc_prefix="I")
        assert [c.pii for c in picked] == ["A-I4", "A-I3", "A-I1", "A-I2"]
        rotation.create_plan(conn, "A", "B", [c.pii for c in picked], "t", central.clock.now())
    with reading(central.engine) as conn:
        after = rotation_proposals.suggest(conn, idle_days=90, today=today, batch=5)
    assert [(s.from_branch, s.clc, s.quantity) for s in after] == [("A", "K", 2), ("C", "I", 3)]


def test_a_plan_refuses_items_it_cannot_move(central: Central) -> None:
    _city(central)
    now = central.clock.now()
    with writing(central.engine) as conn:
        rotation.create_plan(conn, "A", "B", ["A-I1"], "t", now)
    for piis, to, why in (
        (["A-I2"], "A", "two different rooms"),
        (["NOPE"], "B", "not in the catalog: NOPE"),
        (["B-I1"], "C", "not held by A: B-I1"),
        (["A-I1"], "C", "already on another plan: A-I1"),
        ([], "B", "at least one item"),
    ):
        with writing(central.engine) as conn, pytest.raises(rotation.PlanError, match=why):
            rotation.create_plan(conn, "A", to, piis, "t", now)


@pytest.mark.parametrize(
    ("clc", "main"), [("I247.55", "I"), ("TP311.1", "TP"), ("TN91", "TN"), ("T-0", "T"), ("", "")]
)
def test_the_main_class_of_a_clc_number(clc: str, main: str) -> None:
    assert rotation_proposals.clc_main_class(clc) == main


def test_call_numbers_sort_in_shelf_order() -> None:
    """The class digit by digit (a class before its subdivisions: I246 before I246.5), then
    the book number by value (3 before 27)."""
    calls = ["I246.5/27", "I246.5/3", "I247.5/112", "I207.2/5", "I246.5/3-2", "I246/9"]
    assert sorted(calls, key=rotation.shelf_key) == [
        "I207.2/5", "I246/9", "I246.5/3", "I246.5/3-2", "I246.5/27", "I247.5/112",
    ]  # fmt: skip


def test_a_limited_proposal_takes_the_stalest_and_lists_them_in_shelf_order(
    central: Central,
) -> None:
    records = [
        wire.ItemRecord(f"D{n}", f"书 {n}", call_number=f"I1/{n}", branch="D", clc_class="I1")
        for n in (1, 2, 3)
    ]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(records)).status_code == 200
    assert (
        central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    ).status_code == 200
    kiosk = central.enrol("k-d", "D")
    rows = [
        txn(1, "checkout", "D1", at=START - timedelta(days=200)),
        txn(2, "checkin", "D1", at=START - timedelta(days=199)),
        txn(3, "checkout", "D2", at=START - timedelta(days=100)),
        txn(4, "checkin", "D2", at=START - timedelta(days=99)),
    ]
    assert {r["status"] for r in kiosk.push(*rows)} == {"accepted"}
    with reading(central.engine) as conn:
        two = rotation_proposals.propose(
            conn, "D", idle_days=90, today=START.date().isoformat(), limit=2
        )
    assert [c.pii for c in two] == ["D1", "D3"]  # never lent and 200 days; not 100 days
    assert two[0].last_lent_day is not None and two[1].last_lent_day is None


def test_staff_scripts_make_a_plan_and_read_its_progress_over_the_api(central: Central) -> None:
    _city(central)
    made = central.staff.post(
        "/admin/rotation/plans",
        staff_wire.RotationPlanIn("A", "B", ["A-I1", "A-I2"], note="library system batch 2026-12"),
    )
    assert made.status_code == 200, made.text
    plan = made.json()
    assert (plan["from_branch"], plan["to_branch"], plan["created_by"]) == ("A", "B", "librarian")
    assert plan["counts"] == {"on_shelf": 2}
    refused = central.staff.post(
        "/admin/rotation/plans", staff_wire.RotationPlanIn("A", "C", ["A-I1"])
    )
    assert refused.status_code == 422 and "already on another plan" in refused.text
    too_long = central.staff.post(
        "/admin/rotation/plans", staff_wire.RotationPlanIn("A", "B", ["x" * 65])
    )
    assert too_long.status_code == 422
    listed = central.staff.get("/rotation/plans")
    assert listed.status_code == 200
    assert [(p["id"], p["counts"]) for p in listed.json()] == [(plan["id"], {"on_shelf": 2})]
    kiosk = central.enrol("k-a", "A")
    assert kiosk.get("/rotation/plans").status_code in (401, 403)
    assert kiosk.post(
        "/admin/rotation/plans", staff_wire.RotationPlanIn("A", "B", ["A-I3"])
    ).status_code in (401, 403)


def test_only_a_return_the_kiosk_sent_to_the_transfer_box_is_in_transit(
    central: Central,
) -> None:
    """The central follows what the reader was told: a kiosk that had not pulled the plan
    yet (a plain return), or one that kept the book for a reader waiting here, leaves the
    book on the plan's pick list; an older kiosk that sends no reason too."""
    _city(central)
    with writing(central.engine) as conn:
        plan_id = rotation.create_plan(
            conn, "A", "B", ["A-I1", "A-I2", "A-I3", "A-I4"], "t", central.clock.now()
        )
    kiosk = central.enrol("k-a", "A")
    rows = [
        replace(txn(1, "checkin", "A-I1"), reason="send_to_room"),
        replace(txn(2, "checkin", "A-I2"), reason="ok"),
        replace(txn(3, "checkin", "A-I3"), reason="hold_waiting"),
        txn(4, "checkin", "A-I4"),
    ]
    assert {r["status"] for r in kiosk.push(*rows)} == {"accepted"}
    with reading(central.engine) as conn:
        found = rotation.plan(conn, plan_id)
    assert found is not None
    assert {i.pii: i.shelf_state for i in found.items} == {
        "A-I1": "in_transit", "A-I2": "on_shelf", "A-I3": "on_shelf", "A-I4": "on_shelf",
    }  # fmt: skip


def test_a_cancelled_return_puts_the_item_back_on_loan_and_waiting(central: Central) -> None:
    """Regression: the kiosk told the reader to use the transfer box, then the tag write
    failed and it journaled a cancel of the return: the reader still holds the book, so the
    central must not count it in transit. Both ways a cancel arrives: in a later push, and in
    the same push as the return (a kiosk that was offline)."""
    _city(central)
    kiosk = central.enrol("k-a", "A")
    lent = [txn(1, "checkout", "A-I1"), txn(2, "checkout", "A-I2")]
    assert {r["status"] for r in kiosk.push(*lent)} == {"accepted"}
    with writing(central.engine) as conn:
        plan_id = rotation.create_plan(conn, "A", "B", ["A-I1", "A-I2"], "t", central.clock.now())

    def states() -> dict[str, str]:
        with reading(central.engine) as conn:
            found = rotation.plan(conn, plan_id)
            listed = {p.id: p.counts for p in rotation.plans(conn)}
        assert found is not None
        assert listed[plan_id] == found.counts  # the plans list counts as the plan's page does
        return {i.pii: i.shelf_state for i in found.items}

    boxed = replace(txn(3, "checkin", "A-I1"), reason="send_to_room")
    assert [r["status"] for r in kiosk.push(boxed)] == ["accepted"]
    assert states() == {"A-I1": "in_transit", "A-I2": "on_loan"}
    undone = kiosk.push(txn(4, "cancel", "A-I1", cancels=boxed.id))
    assert [r["status"] for r in undone] == ["accepted"]
    assert states() == {"A-I1": "on_loan", "A-I2": "on_loan"}
    together = replace(txn(5, "checkin", "A-I2"), reason="send_to_room")
    replies = kiosk.push(together, txn(6, "cancel", "A-I2", cancels=together.id))
    assert [r["status"] for r in replies] == ["accepted", "accepted"]
    assert states() == {"A-I1": "on_loan", "A-I2": "on_loan"}
    # the reader brings A-I1 back for real: now it goes into the box
    again = replace(txn(7, "checkin", "A-I1"), reason="send_to_room")
    assert [r["status"] for r in kiosk.push(again)] == ["accepted"]
    assert states() == {"A-I1": "in_transit", "A-I2": "on_loan"}
