"""A reader whose PIN this kiosk cannot check offline is told so on the screen (issue #14).

The central sends the marker instead of the hash to kiosks outside ``pin_hash_scope``; while
offline such a kiosk refuses before asking for the PIN, in plain words, with the way out
(the QR e-card) and the help panel. Set SHUFANG_SCREENSHOTS=DIR to keep the pictures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.core import ONLINE_KEY, open_core
from kiosk.models import CardKind, Patron
from kiosk.pin import PIN_WITHHELD
from ui.i18n import catalog
from ui.session import Mode

WAIT = 5000


@pytest.fixture
def away_reader(seeded):
    core = open_core(seeded)
    core.store.upsert_patrons([Patron("P7777", "adult", pin_hash=PIN_WITHHELD)])
    core.store.set_state(ONLINE_KEY, "0")
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
    folder = Path(os.environ.get("SHUFANG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    qtbot.wait(60)
    assert kiosk.window.grab().save(str(folder / f"pin-not-here-{language}.png"))
