"""Circulation: PIN lockout, atomicity, tag security and identification details (the reason
scenarios are in test_reason_scenarios.py, the library they lend from in library.py)."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk import ecard
from kiosk.circulation import Circulation
from kiosk.models import CardKind, ItemStatus, Security, TxnKind
from kiosk.reasons import Reason
from tests.conftest import TEST_POLICY
from tests.unit.library import KEY, PIN, SEED

# --- identification details ----------------------------------------------------------------


def test_lockout_ends_after_the_configured_minutes(lib, circ, clock):
    for _ in range(3):
        circ.identify("A1", CardKind.BARCODE, "0000")
    locked = circ.identify("A1", CardKind.BARCODE, PIN)
    assert locked.reason is Reason.PIN_LOCKED
    assert locked.locked_until == clock.now() + timedelta(minutes=15)
    clock.advance(timedelta(minutes=15, seconds=1))
    assert circ.identify("A1", CardKind.BARCODE, PIN).ok


def test_right_pin_resets_the_failure_count(lib, circ):
    circ.identify("A1", CardKind.BARCODE, "0000")
    circ.identify("A1", CardKind.BARCODE, "0000")
    assert circ.identify("A1", CardKind.BARCODE, PIN).ok
    assert circ.identify("A1", CardKind.BARCODE, "0000").attempts_left == 2


def test_nfc_tap_needs_no_pin_unless_policy_says(lib, make_circulation):
    assert make_circulation().identify("A1", CardKind.NFC).ok
    strict = make_circulation(replace(TEST_POLICY, pin_for_nfc=True))
    assert strict.identify("A1", CardKind.NFC).reason is Reason.PIN_REQUIRED


def test_pin_not_asked_when_policy_off_or_patron_has_none(lib, make_circulation):
    assert make_circulation(replace(TEST_POLICY, pin_required=False)).identify("A1").ok
    assert make_circulation().identify("NOPIN").ok


def test_valid_ecard_identifies_without_pin(lib, make_circulation, clock):
    circ = make_circulation(ecard_keys={"k1": KEY})
    token = ecard.sign("A1", "k1", SEED, clock.now() + timedelta(days=1))
    ident = circ.identify(token, CardKind.QR)
    assert ident.ok and ident.patron.card_id == "A1"


def test_an_old_hmac_e_card_is_refused_as_unreadable(lib, make_circulation, clock):
    """SF1 cards were HMAC-signed with a secret every kiosk held; the reader sees the
    e-card refused ("cannot be read, please refresh it"), never a sign-in."""
    import hashlib
    import hmac

    circ = make_circulation(ecard_keys={"k1": KEY})
    body = f"SF1.k1.{ecard.encode_key(b'A1')}.{int(clock.now().timestamp()) + 86400}"
    mac = ecard.encode_key(hmac.new(KEY, body.encode(), hashlib.sha256).digest())
    assert circ.identify(f"{body}.{mac}", CardKind.QR).reason is Reason.ECARD_INVALID


def test_unknown_card_offline_refused_unless_policy_allows(lib, circ, online):
    online.up = False
    assert circ.identify("NEWCARD", CardKind.BARCODE).reason is Reason.UNKNOWN_CARD


def test_provisional_patron_borrows_within_offline_limit(lib, make_circulation, online):
    online.up = False
    circ = make_circulation(replace(TEST_POLICY, offline_unknown_cards=True))
    patron = circ.identify("NEWCARD").patron
    results = [circ.checkout(patron, f"M{n}").reason for n in range(4)]
    assert results == [Reason.OK] * 3 + [Reason.OFFLINE_LIMIT_REACHED]


# --- loans, renewals, returns ----------------------------------------------------------------


def test_checkout_writes_loan_status_and_journal_together(lib, circ, clock):
    outcome = circ.checkout(lib.patrons.get("A1"), "B1")
    assert outcome.ok and lib.items.get("B1").status is ItemStatus.ON_LOAN
    (row,) = lib.journal.pending(10)
    assert (row.id, row.kind, row.item_pii, row.security) == (
        outcome.txn_id,
        TxnKind.CHECKOUT,
        "B1",
        Security.PENDING,
    )
    assert lib.loans.get("B1").txn_id == outcome.txn_id


def test_due_date_is_end_of_local_day(lib, circ):
    due = circ.checkout(lib.patrons.get("A1"), "B1").due_at
    local = due.astimezone(circ.site.tz)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-22", 23, 59)


def test_dvd_and_child_rules_apply(lib, circ):
    dvd = circ.checkout(lib.patrons.get("A1"), "D1").due_at.astimezone(circ.site.tz).date()
    child = circ.checkout(lib.patrons.get("C1"), "B1").due_at.astimezone(circ.site.tz).date()
    assert dvd.isoformat() == "2026-12-01" and child.isoformat() == "2026-12-15"


def test_own_hold_is_filled_by_the_loan(lib, circ, clock):
    lib.holds.add("B1", "A1", clock.now())
    assert circ.checkout(lib.patrons.get("A1"), "B1").ok
    assert lib.holds.first("B1") is None


def test_set_complete_on_the_pad_borrows_and_barcode_skips_set_check(lib, circ):
    assert circ.checkout(lib.patrons.get("A1"), "S1", frozenset({1, 2})).ok
    circ.checkin("S1")
    assert circ.checkout(lib.patrons.get("A1"), "S1").ok  # a barcode scan carries no parts


def test_incomplete_set_return_is_refused_and_loan_kept(lib, circ):
    circ.checkout(lib.patrons.get("A1"), "S1", frozenset({1, 2}))
    outcome = circ.checkin("S1", frozenset({2}))
    assert outcome.reason is Reason.SET_INCOMPLETE and outcome.details["missing"] == [1]
    assert lib.loans.get("S1") is not None


def test_renewal_moves_due_date_from_today(lib, make_circulation, clock):
    circ = make_circulation(replace(TEST_POLICY, renew_from="today"))
    first = circ.checkout(lib.patrons.get("A1"), "B1").due_at
    clock.advance(timedelta(days=20))
    renewed = circ.renew(lib.patrons.get("A1"), "B1")
    assert renewed.ok and renewed.due_at - first == timedelta(days=20)
    assert renewed.details["previous_due"] == first  # the reader sees old -> new
    assert lib.loans.get("B1").renewals == 1


def test_renewal_moves_due_date_from_the_due_date(lib, circ, clock):
    first = circ.checkout(lib.patrons.get("A1"), "B1").due_at
    renewed = circ.renew(lib.patrons.get("A1"), "B1")  # the same day: a whole period more
    assert renewed.ok and renewed.due_at - first == timedelta(days=28)
    assert lib.loans.get("B1").renewals == 1


def test_a_renewal_that_would_not_move_the_due_date_is_declined_without_using_one(
    lib, make_circulation, clock
):
    """Regression (#13 bug 3): renewing an item borrowed today said 已续借 with the same due
    date and used up a renewal, so the next try said the limit was reached."""
    circ = make_circulation(replace(TEST_POLICY, renew_from="today"))
    due = circ.checkout(lib.patrons.get("A1"), "B1").due_at  # 28 days, due 2026-12-22 (fixture)
    refused = circ.renew(lib.patrons.get("A1"), "B1")
    assert refused.reason is Reason.RENEW_TOO_SOON and not refused.ok
    assert refused.details["renew_on"] == due.astimezone(circ.site.tz).date() - timedelta(27)
    assert refused.txn_id is None and lib.loans.get("B1").renewals == 0
    assert [t.kind for t in lib.journal.recent(10)] == [TxnKind.CHECKOUT]  # nothing journaled
    clock.advance(timedelta(days=1))  # the first day it moves the due date
    assert clock.now().astimezone(circ.site.tz).date() == refused.details["renew_on"]
    renewed = circ.renew(lib.patrons.get("A1"), "B1")
    assert renewed.ok and renewed.due_at - due == timedelta(days=1)


def test_blocked_patron_cannot_renew(lib, circ, clock):
    circ.checkout(lib.patrons.get("A1"), "B1")
    lib.patrons.upsert([replace(lib.patrons.get("A1"), blocks=("debt",))])
    assert circ.renew(lib.patrons.get("A1"), "B1").reason is Reason.PATRON_BLOCKED


def test_renew_all_reports_each_item(lib, circ):
    circ.checkout(lib.patrons.get("A1"), "B1")
    circ.checkout(lib.patrons.get("A1"), "D1")
    circ.renew(lib.patrons.get("A1"), "D1")
    outcomes = {o.pii: o.reason for o in circ.renew_all(lib.patrons.get("A1"))}
    assert outcomes == {"B1": Reason.OK, "D1": Reason.RENEWAL_LIMIT}


def test_checkin_then_checkout_again(lib, circ):
    circ.checkout(lib.patrons.get("A1"), "B1")
    returned = circ.checkin("B1")
    assert returned.ok and returned.loan.patron_card == "A1"
    assert lib.items.get("B1").status is ItemStatus.AVAILABLE
    assert circ.checkout(lib.patrons.get("A2"), "B1").ok


def test_offline_checkout_is_marked_and_journaled_offline(lib, circ, online):
    online.up = False
    outcome = circ.checkout(lib.patrons.get("A1"), "B1")
    assert outcome.offline and lib.loans.get("B1").offline
    assert lib.journal.pending(1)[0].decision.value == "offline"


def test_loans_lists_soonest_due_first(lib, circ, clock):
    circ.checkout(lib.patrons.get("A1"), "B1")
    circ.checkout(lib.patrons.get("A1"), "D1")
    assert [item.pii for _, item in circ.loans(lib.patrons.get("A1"))] == ["D1", "B1"]


# --- the journal is atomic with the loan ----------------------------------------------------


def test_failure_after_the_loan_write_leaves_neither_loan_nor_journal(lib, make_circulation):
    lib.journal.append(_seed_txn(lib))
    circ = make_circulation(new_id=lambda: "fixed-id")  # collides with the existing row
    with pytest.raises(sqlite3.IntegrityError):
        circ.checkout(lib.patrons.get("A1"), "B1")
    assert lib.loans.get("B1") is None
    assert lib.items.get("B1").status is ItemStatus.AVAILABLE
    assert [t.id for t in lib.journal.pending(10)] == ["fixed-id"]


def _seed_txn(store):
    from kiosk.models import Decision, Transaction
    from tests.conftest import START

    return Transaction(
        "fixed-id",
        0,
        TxnKind.CHECKIN,
        "",
        "B9",
        START,
        None,
        Decision.ONLINE,
        "ok",
        Security.NOT_NEEDED,
    )


def test_failure_in_checkin_journal_keeps_the_loan(lib, make_circulation):
    ids = iter(["c1", "c1"])
    circ = make_circulation(new_id=lambda: next(ids))
    circ.checkout(lib.patrons.get("A1"), "B1")
    with pytest.raises(sqlite3.IntegrityError):
        circ.checkin("B1")
    assert lib.loans.get("B1") is not None and lib.items.get("B1").status is ItemStatus.ON_LOAN


# --- tag security follow-up ------------------------------------------------------------------


def test_security_done_marks_the_row(lib, circ):
    outcome = circ.checkout(lib.patrons.get("A1"), "B1")
    circ.security_done(outcome.txn_id)
    assert lib.journal.get(outcome.txn_id).security is Security.DONE


def test_failed_checkout_write_cancels_the_loan_and_journals_it(lib, circ):
    outcome = circ.checkout(lib.patrons.get("A1"), "B1")
    cancel = circ.security_failed(outcome.txn_id)
    assert lib.loans.get("B1") is None and lib.items.get("B1").status is ItemStatus.AVAILABLE
    rows = lib.journal.pending(10)
    assert [(r.kind, r.cancels) for r in rows] == [
        (TxnKind.CHECKOUT, None),
        (TxnKind.CANCEL, outcome.txn_id),
    ]
    assert rows[0].security is Security.FAILED and rows[1].id == cancel.txn_id


def test_failed_checkin_write_brings_the_loan_back(lib, circ, clock):
    lent = circ.checkout(lib.patrons.get("A1"), "B1")
    circ.security_done(lent.txn_id)
    returned = circ.checkin("B1")
    circ.security_failed(returned.txn_id)
    loan = lib.loans.get("B1")
    assert loan.patron_card == "A1" and loan.due_at == lent.due_at and loan.txn_id == lent.txn_id
    assert lib.items.get("B1").status is ItemStatus.ON_LOAN


def test_security_failed_twice_is_refused(lib, circ):
    outcome = circ.checkout(lib.patrons.get("A1"), "B1")
    circ.security_failed(outcome.txn_id)
    with pytest.raises(ValueError, match="no pending security"):
        circ.security_failed(outcome.txn_id)


def test_circulation_accepts_a_policy_callable(lib, store, clock):
    policy = {"now": TEST_POLICY}
    circ = Circulation(store, lambda: policy["now"], clock)
    policy["now"] = replace(TEST_POLICY, max_loans={"*": 0})
    assert circ.checkout(lib.patrons.get("A1"), "B1").reason is Reason.LIMIT_REACHED


def test_ecard_key_is_base64(clock):
    key = base64.urlsafe_b64encode(KEY).decode()
    assert ecard.decode_key(key) == KEY == ecard.decode_key(ecard.encode_key(KEY))
    assert len(ecard.encode_key(KEY)) == 43  # unpadded, as the config's pattern wants


def test_a_locked_reader_cannot_sign_in_with_a_tap_that_needs_no_pin(lib, circ, clock):
    """Regression (#13 bug 4): after three wrong PINs the screen said locked, yet an NFC tap
    of the same card (no PIN asked for taps) signed in at once."""
    assert circ.identify("A1", CardKind.NFC).ok  # a tap needs no PIN by this policy
    for _ in range(3):
        circ.identify("A1", CardKind.BARCODE, "0000")
    tapped = circ.identify("A1", CardKind.NFC)
    assert tapped.reason is Reason.PIN_LOCKED and not tapped.ok
    assert tapped.locked_until == clock.now() + timedelta(minutes=15)
    clock.advance(timedelta(minutes=15, seconds=1))
    assert circ.identify("A1", CardKind.NFC).ok


def test_a_recorded_checkout_keeps_the_time_it_was_decided(lib, circ, clock):
    """#19 smell: record_checkout took ``at`` and ignored it, so a loan decided at the
    checkout's clock reading was stamped with a later one."""
    decided = clock.now()
    clock.advance(timedelta(seconds=90))
    due = decided + timedelta(days=28)
    loan = circ.record_checkout("A1", "B1", due, at=decided)
    assert loan.loaned_at == decided
    row = circ.store.journal.get(loan.txn_id)
    assert row is not None and row.at == decided and row.kind is TxnKind.CHECKOUT
