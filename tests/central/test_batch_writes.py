"""One batch's writes are queued and sent together: what a row changes, later rows still see."""

from __future__ import annotations

from tests.fixtures.central import Central, open_loans, seed, txn


def test_a_stored_loan_returned_and_lent_again_in_one_batch(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    kiosk.push(txn(1, "checkout", "I1", "P1"))
    results = kiosk.push(
        txn(2, "renew", "I1", "P1"), txn(3, "checkin", "I1"), txn(4, "checkout", "I1", "P2")
    )
    assert [r["status"] for r in results] == ["accepted"] * 3
    (loan,) = open_loans(central)
    assert loan["patron_card"] == "P2" and loan["renewals"] == 0
    closed = [x for x in open_loans(central, open="false") if x["patron_card"] == "P1"]
    assert closed[0]["renewals"] == 1 and closed[0]["returned_at"] is not None


def test_a_loan_opened_renewed_and_returned_within_one_batch(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    lend, renew1, renew2 = txn(1, "checkout", "I2"), txn(2, "renew", "I2"), txn(3, "renew", "I2")
    back, again = txn(4, "checkin", "I2"), txn(5, "checkout", "I2", "P2")
    assert [r["status"] for r in kiosk.push(lend, renew1, renew2, back, again)] == ["accepted"] * 5
    loans = {x["txn_id"]: x for x in open_loans(central, open="false")}
    assert loans[lend.id]["renewals"] == 2
    assert loans[lend.id]["due_at"].startswith(renew2.due_at.strftime("%Y-%m-%dT%H:%M"))
    assert loans[lend.id]["returned_at"] is not None
    assert [x["txn_id"] for x in open_loans(central)] == [again.id]


def test_every_conflict_of_a_batch_gets_its_own_id(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    results = kiosk.push(
        txn(1, "checkout", "NOPE"),
        txn(2, "checkout", "I3"),
        txn(2, "checkout", "I4"),  # the same seq again within the batch
        txn(3, "checkout", "I3", "P2"),
    )
    assert [r["reason"] for r in results] == [
        "unknown_item",
        None,
        "seq_reused",
        "item_on_loan_to_another_patron",
    ]
    ids = [r["conflict_id"] for r in results if r["status"] == "conflict"]
    stored = {c["id"]: c["reason"] for c in central.staff.get("/conflicts").json()}
    assert [stored[i] for i in ids] == [
        "unknown_item",
        "seq_reused",
        "item_on_loan_to_another_patron",
    ]
