"""Landscape is its own layout (#13): tiles side by side, PIN dots beside the keypad, and every
screen within a 1920 × 1080 window, in 长者模式 too; checked on widget geometry."""

from __future__ import annotations

import pytest

from kiosk.models import CardKind
from ui.qt import QtCore, QtWidgets
from ui.session import Mode

from .test_flows import WAIT, sign_in

LANDSCAPE, PORTRAIT = (1920, 1080), (1080, 1920)


def box(kiosk, widget) -> QtCore.QRect:
    """Where ``widget`` is in the window."""
    return QtCore.QRect(widget.mapTo(kiosk.window, QtCore.QPoint(0, 0)), widget.size())


def assert_fits(kiosk, size) -> None:
    """The window kept its size (no page stretched it) and every control is inside it,
    at least a touch target each way."""
    window = kiosk.window
    assert window.size().toTuple() == size
    for control in window.findChildren(QtWidgets.QPushButton):
        if control.isVisible() and not control.visibleRegion().isEmpty():
            where = box(kiosk, control)
            assert window.rect().contains(where), control.text()
            assert where.width() >= 60 and where.height() >= 60, control.text()


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_landscape_home_has_its_tiles_side_by_side(qtbot, kiosk, elderly):
    kiosk.window.resize(*LANDSCAPE)
    kiosk.window.set_elderly(elderly)
    qtbot.wait(50)
    tiles = [box(kiosk, tile) for tile in kiosk.window.home.buttons]
    assert len({t.top() for t in tiles}) == 1  # one row
    assert tiles[0].right() < tiles[1].left() and tiles[1].right() < tiles[2].left()
    assert all(t.height() >= 2 * 150 for t in tiles)  # wide tiles made tall, not stripes
    for tile in kiosk.window.home.buttons:  # the picture stands over the word in each tile
        assert box(kiosk, tile.picture).bottom() < box(kiosk, tile.word).top()
    assert_fits(kiosk, LANDSCAPE)


def test_portrait_home_stacks_the_tiles(qtbot, kiosk):
    kiosk.window.resize(*PORTRAIT)
    qtbot.wait(50)
    tiles = [box(kiosk, tile) for tile in kiosk.window.home.buttons]
    assert len({t.left() for t in tiles}) == 1
    assert tiles[0].bottom() < tiles[1].top() and tiles[1].bottom() < tiles[2].top()
    tile = kiosk.window.home.buttons[0]
    assert box(kiosk, tile.picture).right() < box(kiosk, tile.word).left()
    assert_fits(kiosk, PORTRAIT)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_landscape_pin_dots_stand_beside_the_keypad(qtbot, kiosk, elderly):
    kiosk.window.resize(*LANDSCAPE)
    kiosk.window.set_elderly(elderly)
    kiosk.begin(Mode.BORROW)
    identify = kiosk.window.identify
    identify.ask_pin("P0001", CardKind.BARCODE)
    keys = {b.text(): b for b in identify.keypad.findChildren(QtWidgets.QPushButton)}
    for digit in "1234":
        keys[digit].click()
    qtbot.wait(50)
    dots, keypad = box(kiosk, identify.field), box(kiosk, identify.keypad)
    assert identify.field.displayText() != "1234" and len(identify.field.text()) == 4
    assert dots.right() < keypad.left()  # beside, not above
    assert dots.top() < keypad.bottom() and keypad.top() < dots.bottom()  # side by side
    assert_fits(kiosk, LANDSCAPE)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_landscape_receipt_choice_with_its_summary_fits(qtbot, kiosk, elderly):
    kiosk.window.resize(*LANDSCAPE)
    sign_in(qtbot, kiosk)
    kiosk.window.set_elderly(elderly)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.finish()
    qtbot.wait(50)
    receipt = kiosk.window.receipt
    assert receipt.summary.isVisible()
    printing, qr = box(kiosk, receipt.print_button), box(kiosk, receipt.qr_button)
    assert printing.top() == qr.top() and printing.right() < qr.left()
    assert box(kiosk, receipt.summary).bottom() < printing.top()
    assert_fits(kiosk, LANDSCAPE)
    kiosk.receipt_chosen("qr")  # the QR code takes the room the tiles leave
    qtbot.wait(50)
    assert receipt.qr.isVisible() and receipt.qr.pixmap().width() >= 200
    assert_fits(kiosk, LANDSCAPE)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_landscape_card_keypad_with_letters_fits(qtbot, kiosk, elderly):
    kiosk.window.resize(*LANDSCAPE)
    kiosk.window.set_elderly(elderly)
    kiosk.begin(Mode.BORROW)
    identify = kiosk.window.identify
    identify.ask_card_number()
    qtbot.wait(50)
    assert_fits(kiosk, LANDSCAPE)
    identify.keypad.show_letters(True)
    qtbot.wait(50)
    assert_fits(kiosk, LANDSCAPE)


def test_landscape_borrow_list_with_many_books_fits_in_elderly_mode(qtbot, kiosk):
    """The finger-wide scroll bar's own size hint (handle and track) made the list, and so
    the landscape window, taller than the screen once a message showed above the list."""
    kiosk.window.resize(*LANDSCAPE)
    kiosk.events.tap("P0092", CardKind.NFC)  # unpaid fines: a message above the list
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)
    kiosk.window.set_elderly(True)
    for pii in ("100001", "100002", "100007", "100010", "100013", "100016"):
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 6, timeout=WAIT)
    qtbot.wait(50)
    screen = kiosk.window.borrow
    assert screen.message.isVisible()
    assert screen.list.verticalScrollBar().isVisible() and screen.list.more_above.isVisible()
    assert_fits(kiosk, LANDSCAPE)


def test_landscape_help_for_a_room_without_staff_stands_beside_the_list(qtbot, make_kiosk):
    """In 长者模式 landscape the help panel under the list stretched the window to 1194 px."""
    kiosk = make_kiosk(help_phone="010-6402 8888", help_url="https://lib.example.cn/help")
    kiosk.window.resize(*LANDSCAPE)
    kiosk.begin(Mode.RETURN)
    kiosk.window.set_elderly(True)
    kiosk.events.scan("100003")
    kiosk.events.unreadable_tag(b"\xe0\x04\x01\x00\x00\x00\x00\x09", "bad CRC")
    screen = kiosk.window.give_back
    qtbot.waitUntil(lambda: screen.help.isVisible(), timeout=WAIT)
    qtbot.wait(50)
    assert box(kiosk, screen.list).right() < box(kiosk, screen.help).left()
    assert_fits(kiosk, LANDSCAPE)


def test_portrait_receipt_tiles_take_the_room_a_qr_code_is_not_using(qtbot, kiosk):
    kiosk.window.resize(*PORTRAIT)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.finish()
    qtbot.wait(50)
    receipt = kiosk.window.receipt
    printing, qr = box(kiosk, receipt.print_button), box(kiosk, receipt.qr_button)
    assert printing.bottom() < qr.top() and min(printing.height(), qr.height()) >= 300
    kiosk.receipt_chosen("qr")
    qtbot.wait(50)
    assert receipt.qr.pixmap().width() >= 500  # a large code, easy for a phone at arm's length
    assert_fits(kiosk, PORTRAIT)
