"""A walk through every reader screen of a kiosk, for checks that must hold on each of them.

``tour`` drives the real controller (seeded database, core on its worker) and calls ``visit``
with the screen's name once it is showing; ``prepare`` runs after every session end, so a
reader's mode (elderly, high contrast) can be chosen again for the next session.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.models import CardKind
from ui.qt import QtWidgets
from ui.session import Mode

WAIT = 5000

Visit = Callable[[str], None]


def sign_in(qtbot, kiosk, card: str, mode: Mode) -> None:
    kiosk.begin(mode)
    kiosk.card_presented(card, CardKind.NFC)
    target = "borrow" if mode is Mode.BORROW else "account"
    qtbot.waitUntil(lambda: kiosk.window.current() == target, timeout=WAIT)


def borrow_mixed_stack(qtbot, kiosk) -> None:
    """Place four items at once (two loans, a set with a part missing, one refused) and wait
    until every row has its answer: a borrow screen showing each kind of row."""
    for pii, parts in (
        ("100001", None),
        ("300003", None),
        ("300001", frozenset({1})),
        ("100004", None),
    ):
        kiosk.events.place(pii, parts)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 4, timeout=WAIT)


def tour(qtbot, kiosk, visit: Visit, prepare: Callable[[], None] = lambda: None) -> list[str]:
    seen: list[str] = []

    def at(name: str) -> None:
        qtbot.wait(30)
        seen.append(name)
        visit(name)

    def next_session() -> None:
        kiosk.end_session()
        prepare()

    prepare()
    at("home")
    kiosk.begin(Mode.BORROW)
    at("identify")
    kiosk.window.identify.ask_card_number()
    at("card-keypad")
    kiosk.window.identify.ask_pin(
        "P0001", CardKind.BARCODE, kiosk.t("reason.pin_wrong", attempts=2), "error"
    )
    at("pin-wrong")
    kiosk.window.identify.reset()
    kiosk.window.identify.show_problem(kiosk.t("reason.unknown_card"))
    at("unknown-card")
    next_session()
    sign_in(qtbot, kiosk, "P0001", Mode.BORROW)
    borrow_mixed_stack(qtbot, kiosk)
    at("borrow")
    kiosk.finish()
    at("receipt")
    kiosk.receipt_chosen("qr")
    at("receipt-qr")
    kiosk.say_goodbye()
    at("goodbye")
    next_session()
    for pii in ("100001", "300003", "300001", "100004"):
        kiosk.events.remove(pii)
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("100003")
    kiosk.events.scan("100004")
    kiosk.events.scan("999999")
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 3, timeout=WAIT)
    at("return")
    next_session()
    sign_in(qtbot, kiosk, "P0001", Mode.ACCOUNT)
    at("account")
    kiosk.idle_clock.warn()
    at("idle")
    next_session()
    kiosk.window.show_screen("out_of_service")
    at("out-of-service")
    kiosk.window.show_screen("home")
    # offline as the kiosk learns it (the status poll reads the core), so the poll cannot
    # put the header back to "connecting" before the picture is taken
    kiosk.core.call(lambda core: core.set_online(False), lambda _: None, lambda _: None)
    qtbot.waitUntil(lambda: kiosk.window.banner.isVisibleTo(kiosk.window), timeout=WAIT)
    at("offline")
    assert kiosk.window.banner.isVisibleTo(kiosk.window)
    kiosk.core.call(lambda core: core.set_online(True), lambda _: None, lambda _: None)
    qtbot.waitUntil(lambda: kiosk.window.online is True, timeout=WAIT)
    return seen


def showing(window: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """What the reader can see and touch now: the idle box when it covers the screen."""
    return window.idle if window.idle.isVisible() else window


def visible(root: QtWidgets.QWidget, kind) -> list:
    widgets = root.findChildren(kind)
    return [w for w in widgets if w.isVisible() and not w.visibleRegion().isEmpty()]
