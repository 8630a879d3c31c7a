"""One scenario per reason code: each is reached through the real circulation core, and every
reason is covered here, by a library system's tests or by the UI's (split from
test_circulation.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk import ecard
from kiosk.circulation import Circulation
from kiosk.models import CardKind, ItemStatus, Rotation
from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from tests.conftest import TEST_POLICY
from tests.unit.library import KEY, PIN, SEED, who

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
    s.holds.add("B1", "A2", clock.now())
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
    assert (
        outcome.ok and outcome.send_to_owner and s.items.get("X1").status is ItemStatus.IN_TRANSIT
    )
    c.checkout(who(s, "A1"), "X2")
    assert c.checkin("X2").send_to_owner  # another branch of the same library
    return outcome.reason


def s_send_to_room(c, s, clock, online):
    """A rotation plan moves B1 to another room (issue #17); a hold here comes first."""
    s.rotations.set(Rotation("B1", "west", "城西书房", 7))
    c.checkout(who(s, "A1"), "B1")
    outcome = c.checkin("B1")
    assert outcome.ok and not outcome.send_to_owner and outcome.details == {"room": "城西书房"}
    assert s.items.get("B1").status is ItemStatus.IN_TRANSIT
    s.rotations.set(Rotation("B2", "west", "", 7))
    s.holds.add("B2", "A2", clock.now())
    c.checkout(who(s, "A1"), "B2")
    assert c.checkin("B2").reason is Reason.HOLD_WAITING
    s.rotations.set(Rotation("B3", "main", "", 7))  # arriving here: a plain return
    c.checkout(who(s, "A1"), "B3")
    assert c.checkin("B3").reason is Reason.OK
    return outcome.reason


def s_hold_waiting(c, s, clock, online):
    c.checkout(who(s, "A1"), "B1")
    s.holds.add("B1", "A2", clock.now())
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
    s.holds.add("B1", "A2", clock.now())
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
#: The tag reasons come from the RFID driver: tests/ui/test_unreadable_tags.py.
UI_ONLY = {Reason.KIOSK_FAULT, Reason.TAG_NOT_READ, Reason.TAG_UNREADABLE}


def test_every_reason_code_has_a_scenario():
    assert set(SCENARIOS) | UPSTREAM_ONLY | UI_ONLY == set(Reason)


@pytest.mark.parametrize("reason", list(SCENARIOS), ids=lambda r: r.value)
def test_reason_scenario(reason, lib, make_circulation, clock, online):
    circ = make_circulation(ecard_keys={"k1": KEY})
    assert SCENARIOS[reason](circ, lib, clock, online) is reason
    assert reason.message_key == f"reason.{reason.value}"
