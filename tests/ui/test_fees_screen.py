"""The charge offer through the real touch screen against a SIP2 ACS that imitates Koha.

The ACS's frames are tests/sip2/test_fees.py's (Koha's C4/SIP/ILS/Transaction/Checkout.pm
habit: refused with fee type 06 and BV until the checkout carries BO = Y).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.core import Core
from kiosk.models import CardKind, Item, Patron
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from tests.sip2.conftest import make_client
from tests.sip2.scripted import ScriptedAcs
from tests.sip2.test_fees import answer
from ui.qt import QtCore, QtWidgets
from ui.session import Mode


def koha_core(probe: Callable[[], Core], acs: ScriptedAcs) -> Callable[[], Core]:
    """The kiosk's core lending through ``acs`` with Koha's dialect, the DVD 1000001 known."""

    def factory() -> Core:
        core = probe()
        upstream = Sip2Upstream(
            make_client(acs.port, checksums=False), profile("koha"), budget_s=2.0
        )
        core.store.items.upsert([Item("1000001", "DVD")])
        core.circulation.set_online_source(upstream.online)
        core.circulation = LiveCirculation(core.circulation, upstream)
        return core

    return factory


def test_the_reader_accepts_the_charge_on_the_touch_screen(qtbot, make_kiosk, probe) -> None:
    """Through the real screens (#12 point 6): the offer shows an accept button on the item's
    row; pressing it borrows the item and the ACS sees BO = Y once, only then."""
    acs = ScriptedAcs(answer)
    try:
        kiosk = make_kiosk(koha_core(probe, acs))
        kiosk.begin(Mode.BORROW)
        kiosk.card_presented("R1", CardKind.NFC)
        qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=5000)
        kiosk.events.scan("1000001")
        qtbot.waitUntil(lambda: "1000001" in kiosk.session.outcomes, timeout=5000)
        assert kiosk.session.outcomes["1000001"].reason is Reason.FEE_TO_ACCEPT
        row = kiosk.window.borrow.list.rows["1000001"]
        assert "5.00" in row.detail.text()
        (accept,) = [
            b
            for b in row.findChildren(QtWidgets.QPushButton)
            if b.text() == kiosk.t("borrow.accept_fee")
        ]
        qtbot.mouseClick(accept, QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: kiosk.session.outcomes["1000001"].ok, timeout=5000)
        assert [b"|BOY|" in r for r in acs.requests if r.startswith(b"11")] == [False, True]
    finally:
        acs.close()


def test_the_reader_accepts_a_renewal_charge_on_my_account(qtbot, make_kiosk, probe) -> None:
    """My account: a renewal the ACS charges for shows the charge and a button on the row
    (not "ask staff"); pressing it renews with BO = Y and the row shows old -> new dates."""
    acs = ScriptedAcs(answer)
    try:
        kiosk = make_kiosk(koha_core(probe, acs))
        done: list[object] = []
        kiosk.core.call(
            lambda core: core.circulation.checkout(Patron("R1"), "1000001", fee_accepted=True),
            done.append,
        )
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
        kiosk.begin(Mode.ACCOUNT)
        kiosk.card_presented("R1", CardKind.NFC)
        qtbot.waitUntil(lambda: kiosk.window.current() == "account", timeout=5000)
        account = kiosk.window.account
        qtbot.mouseClick(account.renew_everything, QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "1000001" in account.accepts, timeout=5000)
        row = account.list.rows["1000001"]
        assert "2.00" in row.detail.text() and row.property("tone") == "warning"
        assert account.accepts["1000001"].text() == kiosk.t("borrow.accept_renewal_fee")
        qtbot.mouseClick(account.accepts["1000001"], QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: account.results["1000001"].ok, timeout=5000)
        assert "1000001" not in account.accepts and row.property("tone") == "ok"
        assert [b"|BOY|" in r for r in acs.requests if r.startswith(b"29")] == [False, True]
    finally:
        acs.close()
