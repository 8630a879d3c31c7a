"""A reader whose PIN this kiosk cannot check offline is told so on the screen (issue #14).

The central sends the marker instead of the hash to kiosks outside ``pin_hash_scope``; while
offline such a kiosk refuses before asking for the PIN, in plain words, with the way out
(the QR e-card) and the help panel. Set SHUFANG_SCREENSHOTS=DIR to keep the pictures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.core import open_core
from kiosk.models import CardKind, Patron
from kiosk.pin import PIN_WITHHELD
from kiosk.store.state import ONLINE_KEY
from ui.i18n import catalog
from ui.session import Mode

WAIT = 5000


@pytest.fixture
def away_reader(seeded):
    core = open_core(seeded)
    core.store.patrons.upsert([Patron("P7777", "adult", pin_hash=PIN_WITHHELD)])
    core.store.state.set_text(ONLINE_KEY, "0")
    core.close()
    return seeded


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_offline_the_screen_says_the_pin_cannot_be_checked_here(
    qtbot, make_kiosk, away_reader, tmp_path, language
) -> None:
    kiosk = make_kiosk(language=language)
    kiosk.begin(Mode.BORROW)
    kiosk.card_presented("P7777", CardKind.BARCODE)
    expected = catalog(language)["reason.pin_not_here"]
    screen = kiosk.window.identify
    qtbot.waitUntil(lambda: expected in screen.message.text(), timeout=WAIT)
    assert kiosk.window.current() == "identify"
    assert kiosk.session.patron is None  # nobody signed in without a PIN
    # the banner "借还照常进行" would contradict the refusal: hidden while it shows, and the
    # picture points at the scanner window, where the QR e-card (the way out) is shown
    assert kiosk.window.banner.isHidden()
    assert screen.picture.step == "scan"
    assert kiosk.window.online is False  # still offline: only the banner stepped aside
    folder = Path(os.environ.get("SHUFANG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    qtbot.wait(60)
    assert kiosk.window.grab().save(str(folder / f"pin-not-here-{language}.png"))


def test_the_banner_and_the_card_picture_come_back_for_the_next_reader(
    qtbot, make_kiosk, away_reader
) -> None:
    kiosk = make_kiosk(language="zh_CN")
    kiosk.begin(Mode.BORROW)
    # offline: the banner tells everyone (after the first status poll)
    qtbot.waitUntil(lambda: kiosk.window.banner.isVisibleTo(kiosk.window), timeout=WAIT)
    kiosk.card_presented("P7777", CardKind.BARCODE)
    screen = kiosk.window.identify
    qtbot.waitUntil(lambda: screen.picture.step == "scan", timeout=WAIT)
    assert kiosk.window.banner.isHidden()
    kiosk.window.show_screen("home")
    assert kiosk.window.banner.isVisibleTo(kiosk.window)
    kiosk.begin(Mode.BORROW)
    assert screen.picture.step == "card"
