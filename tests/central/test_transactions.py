"""Transactions in: exactly once, in each kiosk's order, conflicts kept for staff."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sync import wire
from sync.central import staff_wire
from sync.central.schema import conflicts, transactions
from tests.fixtures.central import START, Central, open_loans, seed, txn


def test_the_same_batch_twice_gives_duplicates_and_no_double_loans(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    batch = [txn(1, "checkout", "I1"), txn(2, "checkout", "I2"), txn(3, "checkin", "I1")]
    first = kiosk.push(*batch)
    assert [r["status"] for r in first] == ["accepted"] * 3
    second = kiosk.push(*batch)
    assert [r["status"] for r in second] == ["duplicate"] * 3
    assert second[0]["reason"] == "already received: accepted"
    assert [loan["item_pii"] for loan in open_loans(central)] == ["I2"]
    assert len(open_loans(central, open="false")) == 2
    with central.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(transactions)).scalar() == 3


def test_a_row_repeated_within_one_batch_is_applied_once(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    row = txn(1, "checkout", "I1")
    assert [r["status"] for r in kiosk.push(row, row)] == ["accepted", "duplicate"]
    assert len(open_loans(central)) == 1


def test_rows_apply_in_seq_order_whatever_order_they_are_sent_in(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    checkout, checkin = txn(1, "checkout", "I1"), txn(2, "checkin", "I1")
    results = kiosk.push(checkin, checkout)  # reply keeps the order sent
    assert [(r["id"], r["status"]) for r in results] == [
        (checkin.id, "accepted"),
        (checkout.id, "accepted"),
    ]
    assert open_loans(central) == []
    assert open_loans(central, open="false")[0]["returned_at"] is not None


def test_a_row_older_than_what_was_applied_is_a_kept_conflict(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    kiosk.push(txn(5, "checkout", "I1"))
    late = kiosk.push(txn(3, "checkout", "I2"))[0]
    assert late["status"] == "conflict" and late["reason"] == "out_of_order"
    reused = kiosk.push(txn(5, "checkout", "I3"))[0]
    assert reused["reason"] == "seq_reused"
    assert {c["reason"] for c in central.staff.get("/conflicts").json()} == {
        "out_of_order",
        "seq_reused",
    }
    assert [loan["item_pii"] for loan in open_loans(central)] == ["I1"]


def test_each_kiosk_has_its_own_order(central: Central) -> None:
    seed(central)
    k1, k2 = central.enrol("k1"), central.enrol("k2", branch="east")
    assert k1.push(txn(10, "checkout", "I1"))[0]["status"] == "accepted"
    assert k2.push(txn(1, "checkout", "I2", "P2"))[0]["status"] == "accepted"


def test_conflicts_are_stored_with_reasons_and_never_dropped(central: Central) -> None:
    seed(central)
    k1, k2 = central.enrol("k1"), central.enrol("k2", branch="east")
    assert k1.push(txn(1, "checkout", "I1", "P1"))[0]["status"] == "accepted"
    results = k2.push(
        txn(1, "checkout", "I1", "P2"),  # the same book, another reader
        txn(2, "checkout", "NOPE", "P2"),
        txn(3, "checkout", "I3", "STRANGER"),
        txn(4, "renew", "I4", "P2"),
    )
    assert [r["reason"] for r in results] == [
        "item_on_loan_to_another_patron",
        "unknown_item",
        "unknown_patron",
        "item_not_on_loan",
    ]
    assert all(r["status"] == "conflict" and r["conflict_id"] for r in results)
    listed = central.staff.get("/conflicts", open="true").json()
    assert [c["txn_id"] for c in listed] == [r["id"] for r in results]
    assert listed[0]["kiosk_id"] == "k2" and listed[0]["branch"] == "east"
    # Replaying the conflicting rows does not add conflicts: duplicates.
    again = k2.push(txn(1, "checkout", "I1", "P2", id=results[0]["id"]))
    assert again[0]["status"] == "duplicate"
    assert len(central.staff.get("/conflicts").json()) == 4


def test_a_patron_blocked_since_the_kiosks_last_sync_is_a_conflict(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    synced = kiosk.get("/changes", cursor=0, limit=1000).json()
    kiosk.get("/changes", cursor=synced["next_cursor"])  # the kiosk has everything
    central.staff.put(
        "/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord(card_id="P1", blocks=["debt"])])
    )
    result = kiosk.push(txn(1, "checkout", "I1", "P1"))[0]
    assert (result["status"], result["reason"]) == ("conflict", "patron_blocked_since_last_sync")
    # Once the kiosk has pulled the block, lending anyway is a plain "blocked".
    fresh = kiosk.get("/changes", cursor=synced["next_cursor"]).json()
    kiosk.get("/changes", cursor=fresh["next_cursor"])
    result = kiosk.push(txn(2, "checkout", "I2", "P1"))[0]
    assert result["reason"] == "patron_blocked"
    # An online decision was the upstream's to make: accepted.
    assert kiosk.push(txn(3, "checkout", "I3", "P1", decision="online"))[0]["status"] == (
        "accepted"
    )


def test_resolving_a_conflict_by_applying_moves_the_loan(central: Central) -> None:
    seed(central)
    k1, k2 = central.enrol("k1"), central.enrol("k2")
    k1.push(txn(1, "checkout", "I1", "P1"))
    conflict_id = k2.push(txn(1, "checkout", "I1", "P2"))[0]["conflict_id"]
    reply = central.staff.post(
        f"/conflicts/{conflict_id}/resolve",
        staff_wire.ConflictResolution("apply", "book was in P2's bag"),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["resolution"] == "applied"
    assert reply.json()["resolved_by"] == "librarian"
    assert [loan["patron_card"] for loan in open_loans(central)] == ["P2"]
    again = central.staff.post(
        f"/conflicts/{conflict_id}/resolve", staff_wire.ConflictResolution("dismiss")
    )
    assert again.status_code == 409
    assert central.staff.get("/conflicts", open="true").json() == []
    assert len(central.staff.get("/conflicts").json()) == 1
    missing = central.staff.post("/conflicts/999/resolve", staff_wire.ConflictResolution("dismiss"))
    assert missing.status_code == 404


def test_renew_moves_the_due_date_and_cancel_undoes_a_checkout(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    checkout = txn(1, "checkout", "I1")
    renew = txn(2, "renew", "I1", due_days=40)
    kiosk.push(checkout, renew)
    [loan] = open_loans(central)
    assert loan["renewals"] == 1
    assert loan["due_at"].startswith((renew.at + timedelta(days=40)).date().isoformat())
    failed = txn(3, "checkout", "I2")
    cancel = txn(4, "cancel", "I2", cancels=failed.id)
    assert [r["status"] for r in kiosk.push(failed, cancel)] == ["accepted", "accepted"]
    assert [loan["item_pii"] for loan in open_loans(central)] == ["I1"]
    unknown = kiosk.push(txn(5, "cancel", "I3", cancels="no-such-id"))[0]
    assert unknown["reason"] == "cancelled_transaction_unknown"
    wrong = kiosk.push(txn(6, "cancel", "I1", cancels=renew.id))[0]
    assert wrong["reason"] == "only_checkouts_and_checkins_can_be_cancelled"
    assert open_loans(central)[0]["renewals"] == 1


def test_cancelling_a_conflicting_checkout_resolves_its_conflict(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    bad = txn(1, "checkout", "NOPE")
    kiosk.push(bad, txn(2, "cancel", "NOPE", cancels=bad.id))
    with central.engine.connect() as conn:
        row = conn.execute(sa.select(conflicts)).one()
    assert row.resolution == "cancelled"


def test_a_malformed_batch_is_refused_whole(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    good = wire.to_json(txn(1, "checkout", "I1"))
    bad = {**wire.to_json(txn(2, "checkout", "I2")), "kind": "steal"}
    reply = kiosk.post("/transactions", {"transactions": [good, bad]})
    assert reply.status_code == 422
    naive = {**wire.to_json(txn(3, "checkout", "I3")), "at": "2026-11-24T10:00:00"}
    assert kiosk.post("/transactions", {"transactions": [naive]}).status_code == 422
    long_pii = {**wire.to_json(txn(4, "checkout", "I4")), "item_pii": "9" * 65}
    assert kiosk.post("/transactions", {"transactions": [long_pii]}).status_code == 422
    assert open_loans(central) == []


def test_statistics_count_loans_returns_renewals_and_readers_per_branch_day(
    central: Central,
) -> None:
    seed(central, patrons=("P1", "P2", "P3"))
    k1, k2 = central.enrol("k1", "main"), central.enrol("k2", "east")
    day2 = START + timedelta(days=1)
    k1.push(
        txn(1, "checkout", "I1", "P1"),
        txn(2, "checkout", "I2", "P2"),
        txn(3, "renew", "I1", "P1"),
        txn(4, "checkin", "I2", "P2", at=day2),
        txn(5, "checkout", "NOPE", "P3"),
    )  # a conflict is not a loan
    k2.push(txn(1, "checkout", "I3", "P3"))
    stats = central.staff.get("/statistics").json()
    assert stats == [
        {
            "branch": "east",
            "day": "2026-11-24",
            "loans": 1,
            "returns": 0,
            "renewals": 0,
            "readers": 1,
        },
        {
            "branch": "main",
            "day": "2026-11-24",
            "loans": 2,
            "returns": 0,
            "renewals": 1,
            "readers": 2,
        },
        {
            "branch": "main",
            "day": "2026-11-25",
            "loans": 0,
            "returns": 1,
            "renewals": 0,
            "readers": 1,
        },
    ]
    assert len(central.staff.get("/statistics", branch="main", since="2026-11-25").json()) == 1


def test_a_return_older_than_the_current_loan_does_not_end_it(central: Central) -> None:
    seed(central)
    k1, k2 = central.enrol("k1"), central.enrol("k2")
    k1.push(txn(1, "checkout", "I1", "P2", at=START + timedelta(hours=2)))
    # k2 was offline: P1's return from an hour earlier arrives only now.
    late = k2.push(txn(1, "checkin", "I1", "P1", at=START + timedelta(hours=1)))[0]
    assert late["status"] == "accepted"
    assert [loan["patron_card"] for loan in open_loans(central)] == ["P2"]


def test_a_transaction_id_is_applied_once_even_from_another_kiosk(central: Central) -> None:
    seed(central)
    k1, k2 = central.enrol("k1"), central.enrol("k2")
    row = txn(1, "checkout", "I1")
    assert k1.push(row)[0]["status"] == "accepted"
    assert k2.push(row)[0]["status"] == "duplicate"
    assert len(open_loans(central)) == 1


def test_a_kiosk_cannot_cancel_another_kiosks_loan(central: Central) -> None:
    """Regression (#14, finding 3): a cancel naming another kiosk's checkout deleted its
    loan; every write is checked against the token's kiosk."""
    seed(central)
    lender, rogue = central.enrol("k1"), central.enrol("k2")
    lent = txn(2, "checkout", "I1")
    returned = txn(3, "checkin", "I2")
    lender.push(txn(1, "checkout", "I2"), lent, returned)
    replies = rogue.push(
        txn(1, "cancel", "I1", cancels=lent.id), txn(2, "cancel", "I2", cancels=returned.id)
    )
    assert [(r["status"], r["reason"]) for r in replies] == [
        ("conflict", "cancelled_transaction_of_another_kiosk")
    ] * 2
    assert [loan["item_pii"] for loan in open_loans(central)] == ["I1"]
    # the kiosk that lent it still can
    assert lender.push(txn(4, "cancel", "I1", cancels=lent.id))[0]["status"] == "accepted"
    assert open_loans(central) == []
