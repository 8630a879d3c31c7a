"""A reader whose PIN hash this kiosk does not hold (``pin_hash_scope``), issue #14 finding 6.

The central sends ``PIN_WITHHELD`` in place of a hash to kiosks outside the scope. Such a
reader must never get in without a PIN (the old rule "no hash on file, no PIN asked" would
have let anyone in with a card number). Online the central checks the PIN; offline the kiosk
says in plain words that it cannot check it here, before the reader types it in vain.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.models import CardKind, Patron
from kiosk.pin import PIN_WITHHELD, verify_pin
from kiosk.reasons import Reason

PIN = "2468"


class CentralPins:
    """A stand-in for the central's PIN check: knows one PIN, or is unreachable."""

    def __init__(self) -> None:
        self.reachable = True
        self.asked: list[str] = []

    def __call__(self, card: str, pin: str) -> bool | None:
        self.asked.append(card)
        return (pin == PIN) if self.reachable else None


@pytest.fixture
def away(store):
    store.patrons.upsert(
        [Patron("AWAY", "adult", pin_hash=PIN_WITHHELD, expires_on=date(2027, 12, 31))]
    )
    return store


def test_the_marker_is_never_a_hash_that_any_pin_matches() -> None:
    for pin in ("", "0000", PIN, PIN_WITHHELD, "withheld$"):
        assert not verify_pin(pin, PIN_WITHHELD)


def test_offline_the_kiosk_says_it_cannot_check_the_pin_before_asking_for_it(
    away, make_circulation, online
) -> None:
    online.up = False
    circ = make_circulation(pin_checker=CentralPins())
    for pin in (None, PIN, "0000"):
        ident = circ.identify("AWAY", CardKind.BARCODE, pin)
        assert not ident.ok and ident.reason is Reason.PIN_NOT_HERE
    # Nothing was counted against the reader: the PIN was never checked.
    assert away.pin_attempts.get("AWAY") == (0, None)


def test_without_a_central_to_ask_the_reader_is_refused_even_online(away, make_circulation) -> None:
    ident = make_circulation().identify("AWAY", CardKind.BARCODE, PIN)
    assert ident.reason is Reason.PIN_NOT_HERE


def test_online_the_central_checks_the_pin(away, make_circulation) -> None:
    central = CentralPins()
    circ = make_circulation(pin_checker=central)
    assert circ.identify("AWAY", CardKind.BARCODE).reason is Reason.PIN_REQUIRED
    assert central.asked == []  # no PIN yet: nothing to ask
    wrong = circ.identify("AWAY", CardKind.BARCODE, "0000")
    assert wrong.reason is Reason.PIN_WRONG and wrong.attempts_left == 2
    right = circ.identify("AWAY", CardKind.BARCODE, PIN)
    assert right.ok and right.patron is not None and right.patron.card_id == "AWAY"
    assert central.asked == ["AWAY", "AWAY"]


def test_wrong_pins_checked_by_the_central_lock_the_card_here_too(
    away, make_circulation, clock
) -> None:
    central = CentralPins()
    circ = make_circulation(pin_checker=central)
    for _ in range(3):
        last = circ.identify("AWAY", CardKind.BARCODE, "0000")
    assert last.reason is Reason.PIN_LOCKED
    asked = len(central.asked)
    assert circ.identify("AWAY", CardKind.BARCODE, PIN).reason is Reason.PIN_LOCKED
    assert len(central.asked) == asked  # a locked card is not tried against the central
    clock.advance(timedelta(minutes=16))
    assert circ.identify("AWAY", CardKind.BARCODE, PIN).ok


def test_a_central_that_goes_away_mid_check_gives_the_plain_refusal(away, make_circulation) -> None:
    central = CentralPins()
    central.reachable = False
    circ = make_circulation(pin_checker=central)
    ident = circ.identify("AWAY", CardKind.BARCODE, PIN)
    assert ident.reason is Reason.PIN_NOT_HERE
    assert away.pin_attempts.get("AWAY") == (0, None)


def test_a_qr_ecard_needs_no_pin_so_it_still_works_offline(
    away, make_circulation, online, clock
) -> None:
    from kiosk import ecard

    seed = b"k" * 32  # the central's private key; the kiosk holds its public half
    online.up = False
    circ = make_circulation(ecard_keys={"k1": ecard.public_key_of(seed)})
    token = ecard.sign("AWAY", "k1", seed, clock.now() + timedelta(days=1))
    assert circ.identify(token, CardKind.QR).ok


def test_a_lockout_from_elsewhere_never_shortens_a_longer_one_here(store, clock) -> None:
    """``PinAttempts.apply_lockout`` (the change feed's ``lockout``) keeps the later end."""
    later, sooner = clock.now() + timedelta(minutes=30), clock.now() + timedelta(minutes=10)
    store.pin_attempts.record_failure("P1", 2, None)
    store.pin_attempts.apply_lockout("P1", sooner)
    assert store.pin_attempts.get("P1")[0] == 0  # locked now: the count starts again after
    store.pin_attempts.apply_lockout("P1", later)
    store.pin_attempts.apply_lockout("P1", sooner)
    assert store.pin_attempts.lockouts_after(clock.now(), clock.now()) == [("P1", later)]
