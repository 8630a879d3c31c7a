"""The moving picture of the machine (#13 "Pictures and motion"), through the real screens.

It must show where to act on this machine model (the lit part is where the model has it),
move (frames differ over time), stop when hidden, give way to the rows once books are
placed, and follow high contrast. Pixels are read from the widget as drawn offscreen.
"""

from __future__ import annotations

from tests.ui.test_flows import WAIT, sign_in
from ui.kiosk_picture import MODELS, STEPS, KioskPicture
from ui.qt import QtGui
from ui.session import Mode


def grab(widget) -> QtGui.QImage:
    return widget.grab().toImage()


def lit_centre(picture: KioskPicture) -> tuple[int, int]:
    part, _ = STEPS[picture.step]
    box = picture._box(getattr(picture.model, part))
    return int(box.center().x()), int(box.center().y())


def test_the_borrow_screen_shows_the_pad_until_the_first_book_then_the_rows(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    picture = kiosk.window.borrow.picture
    qtbot.waitUntil(lambda: picture.isVisible() and picture.animating, timeout=WAIT)
    assert not kiosk.window.borrow.list.isVisible()
    first = grab(picture)
    qtbot.wait(600)
    assert grab(picture) != first, "the picture does not move"
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert not picture.isVisible() and not picture.animating
    assert kiosk.window.borrow.list.isVisible()


def test_a_blocked_reader_is_not_shown_where_to_place_books(qtbot, kiosk):
    kiosk.begin(Mode.BORROW)
    kiosk.window.borrow.start("王*", block_text="您的借书证已过期")
    assert not kiosk.window.borrow.picture.isVisibleTo(kiosk.window.borrow)


def test_the_card_step_lights_the_card_reader_where_the_model_has_it(qtbot, kiosk):
    kiosk.begin(Mode.BORROW)
    picture = kiosk.window.identify.picture
    qtbot.waitUntil(lambda: picture.isVisible(), timeout=WAIT)
    assert picture.step == "card"
    seen = {}
    for name in MODELS:
        kiosk.window.set_kiosk_model(name)
        qtbot.wait(50)
        x, y = lit_centre(picture)
        colour = grab(picture).pixelColor(x, y)
        seen[name] = (x, y)
        # the lit part is drawn in the primary colour (blended with the card behind it)
        assert colour.green() > colour.red(), (name, colour.name())
    assert seen["upright"] != seen["desk"], "both models draw the card reader in one place"


def test_high_contrast_repaints_the_picture_in_its_palette(qtbot, kiosk):
    kiosk.begin(Mode.BORROW)
    picture = kiosk.window.identify.picture
    qtbot.waitUntil(lambda: picture.isVisible(), timeout=WAIT)
    body = picture._box(picture.model.body)
    point = (int(body.left() + 12), int(body.bottom() - 12))  # the machine's plain front
    before = grab(picture).pixelColor(*point).name()
    normal_card = kiosk.window.palette_.card.lower()
    kiosk.window.set_contrast(True)
    qtbot.wait(60)
    after = grab(picture).pixelColor(*point).name()
    assert before == normal_card and after == kiosk.window.palette_.card.lower() != normal_card


def test_while_the_receipt_prints_the_picture_shows_where_it_comes_out(qtbot, make_kiosk):
    """The choice tiles give way to the printer's slot on this machine; if the printer fails
    the QR code takes its place."""
    import threading

    from kiosk.ports import PaperOut

    release, fail = threading.Event(), threading.Event()

    class SlowPrinter:
        def print_receipt(self, receipt) -> None:
            release.wait(5)
            if fail.is_set():
                raise PaperOut("paper out")

    kiosk = make_kiosk(printer=SlowPrinter())
    for failing, pii in ((False, "100001"), (True, "100007")):
        release.clear()
        if failing:
            fail.set()
        sign_in(qtbot, kiosk)
        kiosk.events.place(pii)
        qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
        kiosk.finish()
        screen = kiosk.window.receipt
        assert not screen.picture.isVisible()
        kiosk.receipt_chosen("print")
        qtbot.waitUntil(lambda: screen.picture.isVisible(), timeout=WAIT)  # noqa: B023
        assert screen.picture.step == "receipt" and not screen.print_button.isVisible()
        assert screen.title.text() == "请取走凭条"  # no longer asking 需要凭条吗
        assert screen.none_button.text() == kiosk.t("common.finish")
        release.set()
        if failing:
            qtbot.waitUntil(lambda: screen.qr.isVisible(), timeout=WAIT)  # noqa: B023
            assert not screen.picture.isVisible()
        else:
            qtbot.waitUntil(lambda: kiosk.window.current() == "goodbye", timeout=WAIT)
        kiosk.end_session()
        kiosk.events.remove(pii)
