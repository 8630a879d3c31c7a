"""A reader registered by the chip number of their resident ID card borrows by tapping it."""

from __future__ import annotations

import pytest

from kiosk.core import open_core
from kiosk.models import CardKind, Patron

WAIT = 5000
CHIP_NUMBER = "0A1B2C3D4E5F6071"


@pytest.fixture
def kiosk(seeded, make_kiosk):
    core = open_core(seeded)
    core.store.patrons.upsert(
        [Patron(CHIP_NUMBER, "adult", card_kind=CardKind.RESIDENT_ID, initials="王**")]
    )
    core.close()
    return make_kiosk()


def test_an_id_card_tap_at_home_signs_the_reader_in(qtbot, kiosk):
    kiosk.events.tap(CHIP_NUMBER, CardKind.RESIDENT_ID)
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)
    assert kiosk.session.patron.card_id == CHIP_NUMBER
    assert kiosk.session.patron.card_kind is CardKind.RESIDENT_ID


def test_the_chip_number_typed_on_the_keypad_is_an_unknown_card(qtbot, kiosk):
    kiosk.events.tap(CHIP_NUMBER, CardKind.TYPED)
    expected = kiosk.t("reason.unknown_card")
    qtbot.waitUntil(lambda: kiosk.window.identify.message.text() == expected, timeout=WAIT)
    assert kiosk.session.patron is None
