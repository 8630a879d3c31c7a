"""The card-number keypad through the real screen: letters and X as well as digits."""

from __future__ import annotations

from ui.qt import QtCore, QtGui, QtWidgets
from ui.session import Mode

Qt = QtCore.Qt
WAIT = 5000


def press(qtbot, kiosk, *labels: str) -> None:
    """Tap the visible key with each label, as a reader's finger would."""
    keypad = kiosk.window.identify.keypad
    for text in labels:
        (key,) = [
            b
            for b in keypad.findChildren(QtWidgets.QPushButton)
            if b.isVisible() and b.text() == text
        ]
        qtbot.mouseClick(key, Qt.MouseButton.LeftButton)


def open_card_keypad(qtbot, kiosk) -> None:
    kiosk.begin(Mode.BORROW)
    qtbot.mouseClick(kiosk.window.identify.type_card, Qt.MouseButton.LeftButton)
    assert kiosk.window.identify.keypad.isVisible()


def test_a_card_number_with_a_letter_is_typed_on_the_keypad(qtbot, kiosk):
    """Regression (#13 bug 2): the keypad had digits only, so no demo card could be typed."""
    open_card_keypad(qtbot, kiosk)
    keypad = kiosk.window.identify.keypad
    press(qtbot, kiosk, kiosk.t("keypad.letters"))
    assert keypad.showing_letters
    press(qtbot, kiosk, "P")
    assert not keypad.showing_letters  # one letter, then the digits come back
    press(qtbot, kiosk, "0", "0", "0", "1")
    assert kiosk.window.identify.field.text() == "P0001"
    qtbot.mouseClick(keypad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.window.identify.stage == "pin", timeout=WAIT)
    assert not keypad.x_key.isVisible() and not keypad.letters_button.isVisible()  # PIN: digits
    press(qtbot, kiosk, "1", "2", "3", "4")
    qtbot.mouseClick(keypad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)


def test_a_resident_id_number_ending_in_x_is_typed_on_the_keypad(qtbot, kiosk):
    open_card_keypad(qtbot, kiosk)
    submitted = []
    kiosk.window.identify.submitted.connect(lambda card, kind, pin: submitted.append(card))
    press(qtbot, kiosk, *"11010519491231002", "X")  # X straight from the digits page
    assert kiosk.window.identify.field.text() == "11010519491231002X"
    qtbot.mouseClick(kiosk.window.identify.keypad.ok_button, Qt.MouseButton.LeftButton)
    assert submitted == ["11010519491231002X"]


def test_every_key_is_a_large_touch_target(qtbot, kiosk):
    open_card_keypad(qtbot, kiosk)
    keypad = kiosk.window.identify.keypad
    smallest = max(60, round(15 * kiosk.window.logicalDpiX() / 25.4))  # 60 dp and 15 mm
    for letters in (False, True):
        keypad.show_letters(letters)
        qtbot.wait(20)
        keys = [b for b in keypad.findChildren(QtWidgets.QPushButton) if b.isVisible()]
        assert len(keys) == (30 if letters else 15)  # + clear, delete, OK
        for key in keys:
            assert min(key.width(), key.height()) >= smallest, key.text()
    assert keypad.width() <= kiosk.window.width()  # the letters fit a portrait screen


def test_the_ok_key_is_in_the_keys_type_and_as_wide_as_a_digit_column(qtbot, kiosk):
    """Seen in the 长者模式 screenshots: OK was in the smaller button type, and a double-width
    OK squeezed "Delete" until its word was cut."""
    kiosk.window.set_elderly(True)
    open_card_keypad(qtbot, kiosk)
    keypad = kiosk.window.identify.keypad
    (one,) = [b for b in keypad.findChildren(QtWidgets.QPushButton) if b.text() == "1"]
    ok = keypad.ok_button
    assert QtGui.QFontInfo(ok.font()).pixelSize() == QtGui.QFontInfo(one.font()).pixelSize()
    for key in (keypad.clear_button, keypad.delete_button, ok):
        assert key.width() >= key.sizeHint().width(), key.text()
