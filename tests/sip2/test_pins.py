"""PINs on SIP2 sites: the kiosk asks, the ACS checks (AD → CQ), the kiosk locks out.

Regression (issue #12, point 2): with ``policy.pin_required`` and a SIP2 upstream, a scanned
card went straight to borrowing and wrong PINs never locked the card.
The ACS here is pysip2's server (tests/sip2/library.py), whose 63 handler answers CQ = Y only
when AD matches the reader's PIN, as SIP2 2.00 defines the "valid patron password" field.
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.circulation import Circulation, Site
from kiosk.models import CardKind, Patron
from kiosk.pin import hash_pin
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.library import Library, RunningServer


def live_for(server: RunningServer, store, clock, policy=TEST_POLICY) -> LiveCirculation:
    upstream = Sip2Upstream(
        make_client(server.port, timeout_s=0.3, retries=0),
        profile("standard"),
        offline_policy="allow",
        budget_s=0.5,
    )
    circulation = Circulation(store, policy, clock, Site(), online=upstream.online)
    return LiveCirculation(circulation, upstream)


def test_a_sip2_site_asks_for_the_pin_before_asking_the_acs(server, library: Library, store, clock):
    live = live_for(server, store, clock)
    asked = live.identify("R0001", CardKind.BARCODE, None)
    assert asked.reason is Reason.PIN_REQUIRED and not asked.ok
    assert asked.attempts_left == TEST_POLICY.pin_max_attempts
    assert library.requests == 0  # nothing was sent without the PIN
    assert live.identify("R0001", CardKind.BARCODE, "1234").ok


def test_wrong_pins_at_the_acs_lock_the_card_at_the_kiosk(server, library: Library, store, clock):
    live = live_for(server, store, clock)
    first = live.identify("R0001", CardKind.BARCODE, "0000")
    assert first.reason is Reason.PIN_WRONG and first.attempts_left == 2
    assert live.identify("R0001", CardKind.BARCODE, "1111").attempts_left == 1
    locked = live.identify("R0001", CardKind.BARCODE, "2222")
    assert locked.reason is Reason.PIN_LOCKED and locked.locked_until is not None
    sent = library.requests
    # even the right PIN is not tried while locked: no guessing through the kiosk
    assert live.identify("R0001", CardKind.BARCODE, "1234").reason is Reason.PIN_LOCKED
    assert library.requests == sent
    clock.advance(timedelta(minutes=TEST_POLICY.pin_lockout_minutes + 1))
    assert live.identify("R0001", CardKind.BARCODE, "1234").ok


def test_a_right_pin_clears_the_count_of_wrong_ones(server, store, clock) -> None:
    live = live_for(server, store, clock)
    live.identify("R0001", CardKind.BARCODE, "0000")
    assert live.identify("R0001", CardKind.BARCODE, "1234").ok
    assert live.identify("R0001", CardKind.BARCODE, "0000").attempts_left == 2


def test_an_unknown_card_is_not_counted_as_a_wrong_pin(server, store, clock) -> None:
    live = live_for(server, store, clock)
    assert live.identify("NOBODY", CardKind.BARCODE, "1").reason is Reason.UNKNOWN_CARD
    assert store.pin_attempts.get("NOBODY") == (0, None)


def test_nfc_cards_follow_pin_for_nfc_and_no_pin_policy_asks_none(server, store, clock):
    from dataclasses import replace

    assert live_for(server, store, clock).identify("R0001", CardKind.NFC, None).ok
    relaxed = live_for(server, store, clock, replace(TEST_POLICY, pin_required=False))
    assert relaxed.identify("R0001", CardKind.BARCODE, None).ok


def test_offline_the_local_hash_decides_with_the_same_lockout(server, store, clock) -> None:
    live = live_for(server, store, clock)
    store.patrons.upsert([Patron("R0001", pin_hash=hash_pin("4321", n=2**4))])
    server.stop()
    assert live.identify("R0001", CardKind.BARCODE, None).reason is Reason.PIN_REQUIRED
    assert live.identify("R0001", CardKind.BARCODE, "1234").reason is Reason.PIN_WRONG
    assert live.identify("R0001", CardKind.BARCODE, "4321").ok


def test_an_acs_that_ignores_the_pin_lets_no_pin_through(store, clock) -> None:
    """An ACS answering 64 without CQ cannot confirm a PIN: the kiosk refuses (fail closed)."""
    from tests.sip2.scripted import ScriptedAcs

    reply = (
        b"64              00020261124    100000000000000000000000000000AOCITY|AAR0001|AEWang|BLY|\r"
    )
    acs = ScriptedAcs(
        lambda frame: (
            [reply]
            if frame.startswith(b"63")
            else [b"98YYYYYY00500320261124    1000002.00AOCITY|BXYYYYYYYYYYYYYYYY|\r"]
        )
    )
    try:
        upstream = Sip2Upstream(
            make_client(acs.port, checksums=False), profile("standard"), budget_s=1.0
        )
        circulation = Circulation(store, TEST_POLICY, clock, Site(), online=upstream.online)
        live = LiveCirculation(circulation, upstream)
        assert live.identify("R0001", CardKind.BARCODE, "1234").reason is Reason.PIN_WRONG
        assert any(b"AD1234|" in r for r in acs.requests)
    finally:
        acs.close()


def test_a_qr_e_card_is_identified_at_the_acs_by_the_card_it_names(server, store, clock):
    """Regression: the e-card's signed text itself was sent to the ACS as the card number."""
    from datetime import timedelta

    from kiosk import ecard

    live = live_for(server, store, clock)
    seed = b"k" * 32  # the central's private key; the kiosk holds its public half
    live.circulation.ecard_keys = {"k1": ecard.public_key_of(seed)}
    token = ecard.sign("R0001", "k1", seed, clock.now() + timedelta(days=1))
    ident = live.identify(token, CardKind.QR, None)  # signed: no PIN asked
    assert ident.ok and ident.patron.card_id == "R0001"
    forged = live.identify(token[:-2] + "AA", CardKind.QR, None)
    assert forged.reason is Reason.ECARD_INVALID


def test_a_locked_reader_cannot_tap_in_on_a_sip2_site(server, library: Library, store, clock):
    """Regression (#13 bug 4): the lockout belongs to the reader, so an NFC tap (no PIN asked
    for taps by this policy) is refused while the card is locked, without asking the ACS."""
    live = live_for(server, store, clock)
    assert live.identify("R0001", CardKind.NFC, None).ok  # a tap: no PIN
    for wrong in ("0000", "1111", "2222"):
        live.identify("R0001", CardKind.BARCODE, wrong)
    sent = library.requests
    tapped = live.identify("R0001", CardKind.NFC, None)
    assert tapped.reason is Reason.PIN_LOCKED and not tapped.ok
    assert library.requests == sent
