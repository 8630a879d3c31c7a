"""Circulation: one scenario per reason code, plus PIN lockout, atomicity and tag security."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import replace
from datetime import date, timedelta

import pytest

from kiosk import ecard
from kiosk.circulation import Circulation
from kiosk.models import CardKind, Item, ItemStatus, Patron, Rotation, Security, TxnKind
from kiosk.outcomes import OutcomeKind
from kiosk.pin import PIN_WITHHELD, hash_pin
from kiosk.reasons import Reason
from tests.conftest import TEST_POLICY

PIN = "2468"
PIN_HASH = hash_pin(PIN, n=2**10)  # cheap cost for tests; verification reads n from the hash
SEED = b"k" * 32  # the central's private key; kiosks get KEY, its public half
KEY = ecard.public_key_of(SEED)


@pytest.fixture
def lib(store, clock):
    """A small library: adult, child and problem patrons; books, a DVD, a set, a reference."""
    store.upsert_items(
        [
            Item("B1", "三体", owner_isil="CN-110000-1", branch="main"),
            Item("B2", "活着", owner_isil="CN-110000-1", branch="main"),
            Item("B3", "Emma", owner_isil="CN-110000-1", branch="main"),
            Item("D1", "流浪地球", item_class="dvd", branch="main"),
            Item("D2", "英雄", item_class="dvd", branch="main"),
            Item("D3", "霸王别姬", item_class="dvd", branch="main"),
            Item("S1", "新概念英语 + CD", set_size=2, branch="main"),
            Item("R1", "现代汉语词典", item_class="reference", branch="main"),
            Item("N1", "Rare book", status=ItemStatus.NOT_FOR_LOAN),
            Item("L1", "Lost book", status=ItemStatus.LOST),
            Item("X1", "Other library's book", owner_isil="CN-310000-2", branch="pudong"),
            Item("X2", "Other branch's book", owner_isil="CN-110000-1", branch="haidian"),
            *[Item(f"M{n}", f"Many {n}", branch="main") for n in range(12)],
        ]
    )
    year = date(2027, 11, 1)
    store.upsert_patrons(
        [
            Patron("A1", "adult", initials="W.", pin_hash=PIN_HASH, expires_on=year),
            Patron("A2", "adult", initials="L.", pin_hash=PIN_HASH, expires_on=year),
            Patron("C1", "child", pin_hash=PIN_HASH, expires_on=year),
            Patron("E1", "adult", pin_hash=PIN_HASH, expires_on=date(2026, 11, 1)),
            Patron("LOST", "adult", pin_hash=PIN_HASH, blocks=("lost_card",)),
            Patron("BLK", "adult", pin_hash=PIN_HASH, blocks=("manual",)),
            Patron("FINE", "adult", pin_hash=PIN_HASH, fines_cents=5000),
            Patron("NOPIN", "adult"),
            Patron("AWAY", "adult", pin_hash=PIN_WITHHELD, expires_on=year),
        ]
    )
    return store


def who(store, card):
    return store.patron(card)


# --- one scenario per reason ---------------------------------------------------------------


def s_ok(c, s, clock, online):
    return c.checkout(who(s, "A1"), "B1").reason


def s_unknown_card(c, s, clock, online):
    return c.identify("NOBODY", CardKind.BARCODE, PIN).reason


def s_card_expired(c, s, clock, online):
    ident = c.identify("E1", CardKind.BARCODE, PIN)
    assert ident.ok, "an expired card still identifies (to return and see loans)"
    assert c.checkout(who(s, "E1"), "B1").reason is ident.borrow_block
    return ident.borrow_block


def s_card_lost(c, s, clock, online):
    return c.identify("LOST", CardKind.BARCODE, PIN).reason


def s_patron_blocked(c, s, clock, online):
    return c.checkout(who(s, "BLK"), "B1").reason


def s_too_many_overdue(c, s, clock, online):
    c.checkout(who(s, "A1"), "B1")
    clock.advance(timedelta(days=40))
    return c.checkout(who(s, "A1"), "B2").reason


def s_fines_too_high(c, s, clock, online):
    return c.checkout(who(s, "FINE"), "B1").reason


def s_pin_required(c, s, clock, online):
    return c.identify("A1", CardKind.BARCODE).reason


def s_pin_wrong(c, s, clock, online):
    return c.identify("A1", CardKind.TYPED, "0000").reason


def s_pin_locked(c, s, clock, online):
    for _ in range(3):
        result = c.identify("A1", CardKind.BARCODE, "0000")
    return result.reason


def s_pin_not_here(c, s, clock, online):
    online.up = False  # the reader's PIN hash is kept elsewhere (pin_hash_scope)
    return c.identify("AWAY", CardKind.BARCODE).reason


def s_ecard_invalid(c, s, clock, online):
    token = ecard.sign("A1", "k1", b"x" * 32, clock.now() + timedelta(days=1))  # not SEED
    return c.identify(token, CardKind.QR).reason


def s_ecard_expired(c, s, clock, online):
    token = ecard.sign("A1", "k1", SEED, clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=6))
    return c.identify(token, CardKind.QR).reason


def s_provisional_offline(c, s, clock, online):
    online.up = False
    c._policy = lambda: replace(TEST_POLICY, offline_unknown_cards=True)
    ident = c.identify("NEWCARD", CardKind.BARCODE, None)
    assert ident.patron.provisional and ident.patron.category == "adult"
    return ident.reason


def s_unknown_item(c, s, clock, online):
    return c.checkout(who(s, "A1"), "NOPE").reason


def s_not_for_loan(c, s, clock, online):
    assert c.checkout(who(s, "A1"), "N1").reason is Reason.NOT_FOR_LOAN  # by status
    return c.checkout(who(s, "A1"), "R1").reason  # by rule


def s_item_not_available(c, s, clock, online):
    return c.checkout(who(s, "A1"), "L1").reason


def s_already_on_loan(c, s, clock, online):
    c.checkout(who(s, "A2"), "B1")
    return c.checkout(who(s, "A1"), "B1").reason


def s_already_yours(c, s, clock, online):
    c.checkout(who(s, "A1"), "B1")
    outcome = c.checkout(who(s, "A1"), "B1")
    assert outcome.kind is OutcomeKind.OFFER and outcome.loan.patron_card == "A1"
    return outcome.reason


def s_on_hold_for_another(c, s, clock, online):
    s.add_hold("B1", "A2", clock.now())
    return c.checkout(who(s, "A1"), "B1").reason


def s_set_incomplete(c, s, clock, online):
    outcome = c.checkout(who(s, "A1"), "S1", frozenset({1}))
    assert outcome.details == {"missing": [2], "of": 2}
    return outcome.reason


def s_limit_reached(c, s, clock, online):
    for n in range(5):
        assert c.checkout(who(s, "C1"), f"M{n}").ok
    return c.checkout(who(s, "C1"), "M5").reason


def s_class_limit_reached(c, s, clock, online):
    assert c.checkout(who(s, "A1"), "D1").ok and c.checkout(who(s, "A1"), "D2").ok
    return c.checkout(who(s, "A1"), "D3").reason


def s_offline_limit_reached(c, s, clock, online):
    online.up = False
    for n in range(3):
        assert c.checkout(who(s, "A1"), f"M{n}").offline
    return c.checkout(who(s, "A1"), "M3").reason


def s_kiosk_closed(c, s, clock, online):
    c._policy = lambda: replace(
        TEST_POLICY,
        enforce_hours=True,
        hours={d: "12:00-13:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    assert not c.checkout(who(s, "A1"), "B1").ok  # 10:00 local
    assert c.checkin("B1").reason is Reason.NOT_ON_LOAN  # returns are always taken
    return c.checkout(who(s, "A1"), "B1").reason


def s_not_on_loan(c, s, clock, online):
    return c.checkin("B2").reason


def s_send_to_owner(c, s, clock, online):
    c.checkout(who(s, "A1"), "X1")
    outcome = c.checkin("X1")
    assert outcome.ok and outcome.send_to_owner and s.item("X1").status is ItemStatus.IN_TRANSIT
    c.checkout(who(s, "A1"), "X2")
    assert c.checkin("X2").send_to_owner  # another branch of the same library
    return outcome.reason


def s_send_to_room(c, s, clock, online):
    """A rotation plan moves B1 to another room (issue #17); a hold here comes first."""
    s.set_rotation(Rotation("B1", "west", "城西书房", 7))
    c.checkout(who(s, "A1"), "B1")
    outcome = c.checkin("B1")
    assert outcome.ok and not outcome.send_to_owner and outcome.details == {"room": "城西书房"}
    assert s.item("B1").status is ItemStatus.IN_TRANSIT
    s.set_rotation(Rotation("B2", "west", "", 7))
    s.add_hold("B2", "A2", clock.now())
    c.checkout(who(s, "A1"), "B2")
    assert c.checkin("B2").reason is Reason.HOLD_WAITING
    s.set_rotation(Rotation("B3", "main", "", 7))  # arriving here: a plain return
    c.checkout(who(s, "A1"), "B3")
    assert c.checkin("B3").reason is Reason.OK
    return outcome.reason


def s_hold_waiting(c, s, clock, online):
    c.checkout(who(s, "A1"), "B1")
    s.add_hold("B1", "A2", clock.now())
    outcome = c.checkin("B1")
    assert outcome.ok and outcome.hold_waiting
    return outcome.reason


def s_not_your_loan(c, s, clock, online):
    c.checkout(who(s, "A2"), "B1")
    return c.renew(who(s, "A1"), "B1").reason


def s_renewal_limit(c, s, clock, online):
    c.checkout(who(s, "A1"), "D1")
    assert c.renew(who(s, "A1"), "D1").ok
    return c.renew(who(s, "A1"), "D1").reason


def s_renew_on_hold(c, s, clock, online):
    c.checkout(who(s, "A1"), "B1")
    s.add_hold("B1", "A2", clock.now())
    return c.renew(who(s, "A1"), "B1").reason


def s_renew_too_soon(c, s, clock, online):
    from_today = Circulation(s, replace(TEST_POLICY, renew_from="today"), clock, c.site)
    from_today.checkout(who(s, "A1"), "B1")
    return from_today.renew(who(s, "A1"), "B1").reason


def s_security_failed(c, s, clock, online):
    outcome = c.checkout(who(s, "A1"), "B1")
    return c.security_failed(outcome.txn_id).reason


SCENARIOS = {
    Reason.OK: s_ok,
    Reason.UNKNOWN_CARD: s_unknown_card,
    Reason.CARD_EXPIRED: s_card_expired,
    Reason.CARD_LOST: s_card_lost,
    Reason.PATRON_BLOCKED: s_patron_blocked,
    Reason.TOO_MANY_OVERDUE: s_too_many_overdue,
    Reason.FINES_TOO_HIGH: s_fines_too_high,
    Reason.PIN_REQUIRED: s_pin_required,
    Reason.PIN_WRONG: s_pin_wrong,
    Reason.PIN_LOCKED: s_pin_locked,
    Reason.PIN_NOT_HERE: s_pin_not_here,
    Reason.ECARD_INVALID: s_ecard_invalid,
    Reason.ECARD_EXPIRED: s_ecard_expired,
    Reason.PROVISIONAL_OFFLINE: s_provisional_offline,
    Reason.UNKNOWN_ITEM: s_unknown_item,
    Reason.NOT_FOR_LOAN: s_not_for_loan,
    Reason.ITEM_NOT_AVAILABLE: s_item_not_available,
    Reason.ALREADY_ON_LOAN: s_already_on_loan,
    Reason.ALREADY_YOURS: s_already_yours,
    Reason.ON_HOLD_FOR_ANOTHER: s_on_hold_for_another,
    Reason.SET_INCOMPLETE: s_set_incomplete,
    Reason.LIMIT_REACHED: s_limit_reached,
    Reason.CLASS_LIMIT_REACHED: s_class_limit_reached,
    Reason.OFFLINE_LIMIT_REACHED: s_offline_limit_reached,
    Reason.KIOSK_CLOSED: s_kiosk_closed,
    Reason.NOT_ON_LOAN: s_not_on_loan,
    Reason.SEND_TO_OWNER: s_send_to_owner,
    Reason.SEND_TO_ROOM: s_send_to_room,
    Reason.HOLD_WAITING: s_hold_waiting,
    Reason.NOT_YOUR_LOAN: s_not_your_loan,
    Reason.RENEWAL_LIMIT: s_renewal_limit,
    Reason.RENEW_ON_HOLD: s_renew_on_hold,
    Reason.RENEW_TOO_SOON: s_renew_too_soon,
    Reason.SECURITY_FAILED: s_security_failed,
}


#: Reasons only a library system gives (SIP2): their scenarios are tests/sip2/habits.py's.
UPSTREAM_ONLY = {
    Reason.ITEM_MISSING,
    Reason.FEE_REQUIRED,
    Reason.ACS_REFUSED,
    Reason.NO_ANSWER,
    Reason.TO_STAFF,
    Reason.LIBRARY_SYSTEM_DOWN,
    Reason.FEE_TO_ACCEPT,
    Reason.RENEWAL_FEE_TO_ACCEPT,  # tests/sip2/test_fees.py
}
#: Reasons the UI gives when the kiosk itself fails: scenario in tests/ui/test_full_disk.py.
UI_ONLY = {Reason.KIOSK_FAULT}


def test_every_reason_code_has_a_scenario():
    assert set(SCENARIOS) | UPSTREAM_ONLY | UI_ONLY == set(Reason)


@pytest.mark.parametrize("reason", list(SCENARIOS), ids=lambda r: r.value)
def test_reason_scenario(reason, lib, make_circulation, clock, online):
    circ = make_circulation(ecard_keys={"k1": KEY})
    assert SCENARIOS[reason](circ, lib, clock, online) is reason
    assert reason.message_key == f"reason.{reason.value}"


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
    outcome = circ.checkout(lib.patron("A1"), "B1")
    assert outcome.ok and lib.item("B1").status is ItemStatus.ON_LOAN
    (row,) = lib.pending_journal(10)
    assert (row.id, row.kind, row.item_pii, row.security) == (
        outcome.txn_id,
        TxnKind.CHECKOUT,
        "B1",
        Security.PENDING,
    )
    assert lib.loan("B1").txn_id == outcome.txn_id


def test_due_date_is_end_of_local_day(lib, circ):
    due = circ.checkout(lib.patron("A1"), "B1").due_at
    local = due.astimezone(circ.site.tz)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-22", 23, 59)


def test_dvd_and_child_rules_apply(lib, circ):
    dvd = circ.checkout(lib.patron("A1"), "D1").due_at.astimezone(circ.site.tz).date()
    child = circ.checkout(lib.patron("C1"), "B1").due_at.astimezone(circ.site.tz).date()
    assert dvd.isoformat() == "2026-12-01" and child.isoformat() == "2026-12-15"


def test_own_hold_is_filled_by_the_loan(lib, circ, clock):
    lib.add_hold("B1", "A1", clock.now())
    assert circ.checkout(lib.patron("A1"), "B1").ok
    assert lib.first_hold("B1") is None


def test_set_complete_on_the_pad_borrows_and_barcode_skips_set_check(lib, circ):
    assert circ.checkout(lib.patron("A1"), "S1", frozenset({1, 2})).ok
    circ.checkin("S1")
    assert circ.checkout(lib.patron("A1"), "S1").ok  # a barcode scan carries no parts


def test_incomplete_set_return_is_refused_and_loan_kept(lib, circ):
    circ.checkout(lib.patron("A1"), "S1", frozenset({1, 2}))
    outcome = circ.checkin("S1", frozenset({2}))
    assert outcome.reason is Reason.SET_INCOMPLETE and outcome.details["missing"] == [1]
    assert lib.loan("S1") is not None


def test_renewal_moves_due_date_from_today(lib, make_circulation, clock):
    circ = make_circulation(replace(TEST_POLICY, renew_from="today"))
    first = circ.checkout(lib.patron("A1"), "B1").due_at
    clock.advance(timedelta(days=20))
    renewed = circ.renew(lib.patron("A1"), "B1")
    assert renewed.ok and renewed.due_at - first == timedelta(days=20)
    assert renewed.details["previous_due"] == first  # the reader sees old -> new
    assert lib.loan("B1").renewals == 1


def test_renewal_moves_due_date_from_the_due_date(lib, circ, clock):
    first = circ.checkout(lib.patron("A1"), "B1").due_at
    renewed = circ.renew(lib.patron("A1"), "B1")  # the same day: a whole period more
    assert renewed.ok and renewed.due_at - first == timedelta(days=28)
    assert lib.loan("B1").renewals == 1


def test_a_renewal_that_would_not_move_the_due_date_is_declined_without_using_one(
    lib, make_circulation, clock
):
    """Regression (#13 bug 3): renewing an item borrowed today said 已续借 with the same due
    date and used up a renewal, so the next try said the limit was reached."""
    circ = make_circulation(replace(TEST_POLICY, renew_from="today"))
    due = circ.checkout(lib.patron("A1"), "B1").due_at  # 28 days, due 2026-12-22 (fixture)
    refused = circ.renew(lib.patron("A1"), "B1")
    assert refused.reason is Reason.RENEW_TOO_SOON and not refused.ok
    assert refused.details["renew_on"] == due.astimezone(circ.site.tz).date() - timedelta(27)
    assert refused.txn_id is None and lib.loan("B1").renewals == 0
    assert [t.kind for t in lib.journal(10)] == [TxnKind.CHECKOUT]  # nothing journaled
    clock.advance(timedelta(days=1))  # the first day it moves the due date
    assert clock.now().astimezone(circ.site.tz).date() == refused.details["renew_on"]
    renewed = circ.renew(lib.patron("A1"), "B1")
    assert renewed.ok and renewed.due_at - due == timedelta(days=1)


def test_blocked_patron_cannot_renew(lib, circ, clock):
    circ.checkout(lib.patron("A1"), "B1")
    lib.upsert_patrons([replace(lib.patron("A1"), blocks=("debt",))])
    assert circ.renew(lib.patron("A1"), "B1").reason is Reason.PATRON_BLOCKED


def test_renew_all_reports_each_item(lib, circ):
    circ.checkout(lib.patron("A1"), "B1")
    circ.checkout(lib.patron("A1"), "D1")
    circ.renew(lib.patron("A1"), "D1")
    outcomes = {o.pii: o.reason for o in circ.renew_all(lib.patron("A1"))}
    assert outcomes == {"B1": Reason.OK, "D1": Reason.RENEWAL_LIMIT}


def test_checkin_then_checkout_again(lib, circ):
    circ.checkout(lib.patron("A1"), "B1")
    returned = circ.checkin("B1")
    assert returned.ok and returned.loan.patron_card == "A1"
    assert lib.item("B1").status is ItemStatus.AVAILABLE
    assert circ.checkout(lib.patron("A2"), "B1").ok


def test_offline_checkout_is_marked_and_journaled_offline(lib, circ, online):
    online.up = False
    outcome = circ.checkout(lib.patron("A1"), "B1")
    assert outcome.offline and lib.loan("B1").offline
    assert lib.pending_journal(1)[0].decision.value == "offline"


def test_loans_lists_soonest_due_first(lib, circ, clock):
    circ.checkout(lib.patron("A1"), "B1")
    circ.checkout(lib.patron("A1"), "D1")
    assert [item.pii for _, item in circ.loans(lib.patron("A1"))] == ["D1", "B1"]


# --- the journal is atomic with the loan ----------------------------------------------------


def test_failure_after_the_loan_write_leaves_neither_loan_nor_journal(lib, make_circulation):
    lib.append_journal(_seed_txn(lib))
    circ = make_circulation(new_id=lambda: "fixed-id")  # collides with the existing row
    with pytest.raises(sqlite3.IntegrityError):
        circ.checkout(lib.patron("A1"), "B1")
    assert lib.loan("B1") is None
    assert lib.item("B1").status is ItemStatus.AVAILABLE
    assert [t.id for t in lib.pending_journal(10)] == ["fixed-id"]


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
    circ.checkout(lib.patron("A1"), "B1")
    with pytest.raises(sqlite3.IntegrityError):
        circ.checkin("B1")
    assert lib.loan("B1") is not None and lib.item("B1").status is ItemStatus.ON_LOAN


# --- tag security follow-up ------------------------------------------------------------------


def test_security_done_marks_the_row(lib, circ):
    outcome = circ.checkout(lib.patron("A1"), "B1")
    circ.security_done(outcome.txn_id)
    assert lib.transaction(outcome.txn_id).security is Security.DONE


def test_failed_checkout_write_cancels_the_loan_and_journals_it(lib, circ):
    outcome = circ.checkout(lib.patron("A1"), "B1")
    cancel = circ.security_failed(outcome.txn_id)
    assert lib.loan("B1") is None and lib.item("B1").status is ItemStatus.AVAILABLE
    rows = lib.pending_journal(10)
    assert [(r.kind, r.cancels) for r in rows] == [
        (TxnKind.CHECKOUT, None),
        (TxnKind.CANCEL, outcome.txn_id),
    ]
    assert rows[0].security is Security.FAILED and rows[1].id == cancel.txn_id


def test_failed_checkin_write_brings_the_loan_back(lib, circ, clock):
    lent = circ.checkout(lib.patron("A1"), "B1")
    circ.security_done(lent.txn_id)
    returned = circ.checkin("B1")
    circ.security_failed(returned.txn_id)
    loan = lib.loan("B1")
    assert loan.patron_card == "A1" and loan.due_at == lent.due_at and loan.txn_id == lent.txn_id
    assert lib.item("B1").status is ItemStatus.ON_LOAN


def test_security_failed_twice_is_refused(lib, circ):
    outcome = circ.checkout(lib.patron("A1"), "B1")
    circ.security_failed(outcome.txn_id)
    with pytest.raises(ValueError, match="no pending security"):
        circ.security_failed(outcome.txn_id)


def test_circulation_accepts_a_policy_callable(lib, store, clock):
    policy = {"now": TEST_POLICY}
    circ = Circulation(store, lambda: policy["now"], clock)
    policy["now"] = replace(TEST_POLICY, max_loans={"*": 0})
    assert circ.checkout(lib.patron("A1"), "B1").reason is Reason.LIMIT_REACHED


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
