"""Diagnostics shows a tapped resident ID card's chip number: how a site reads it to register
the reader (docs/install.md, "The resident ID card as a library card")."""

from __future__ import annotations

from kiosk.models import CardKind
from tests.diagnostics.conftest import TECHNICIAN_CARD, shoot


def test_a_tapped_id_card_shows_its_chip_number_and_what_it_is(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    page = diag.page("devices")
    diag.controller.events.tap("0A1B2C3D4E5F6071", CardKind.RESIDENT_ID)
    assert page.card_text.text() == "最近一张卡：0A1B2C3D4E5F6071（身份证芯片号）"
    assert diag.controller.session.mode.value == "idle"  # no loan started
    shoot(diag.controller.window, "10-id-card-chip-number")
