"""Getting in and out: technician card, five taps plus PIN, wrong PINs, inactivity."""

from __future__ import annotations

from kiosk.diag import DIAG_DEVICE
from tests.diagnostics.conftest import TECHNICIAN_CARD, TECHNICIAN_PIN, WAIT
from ui.qt import QtCore, QtWidgets
from ui.session import Mode

Qt = QtCore.Qt


def diag_records(kiosk) -> list[str]:
    store = kiosk.store()
    try:
        return [f.code for f in store.faults.recent(limit=1000) if f.device == DIAG_DEVICE]
    finally:
        store.close()


def five_taps(qtbot, kiosk) -> None:
    for _ in range(5):
        qtbot.mouseClick(kiosk.controller.window.header.branch, Qt.MouseButton.LeftButton)


def type_pin(qtbot, kiosk, pin: str) -> None:
    keypad = kiosk.panel.gate.keypad
    keys = {b.text(): b for b in keypad.findChildren(QtWidgets.QPushButton)}
    for digit in pin:
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keypad.ok_button, Qt.MouseButton.LeftButton)


def test_technician_card_opens_diagnostics_without_starting_a_loan(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    assert diag.mode.active and diag.panel.isVisible()
    assert diag.panel.current == "status"
    assert diag.controller.session.mode is Mode.IDLE
    assert diag.controller.window.current() == "home"
    assert diag.panel.who.text() == "操作人：李工"
    qtbot.waitUntil(lambda: "entered" in diag_records(diag), timeout=WAIT)


def test_technician_card_barcode_opens_diagnostics_too(qtbot, diag):
    diag.controller.events.scan(TECHNICIAN_CARD)
    assert diag.mode.active


def test_a_reader_card_does_not_open_diagnostics(qtbot, diag):
    diag.controller.events.tap("P0001")
    assert not diag.mode.active
    assert diag.controller.window.current() == "identify"


def test_five_taps_on_the_branch_name_then_pin_opens_diagnostics(qtbot, diag):
    five_taps(qtbot, diag)
    assert diag.panel.gate_open and not diag.mode.active
    type_pin(qtbot, diag, TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: diag.mode.active, timeout=WAIT)
    assert diag.panel.current == "status" and not diag.panel.gate_open
    qtbot.waitUntil(lambda: "entered" in diag_records(diag), timeout=WAIT)


def test_four_taps_do_nothing(qtbot, diag):
    for _ in range(4):
        qtbot.mouseClick(diag.controller.window.header.branch, Qt.MouseButton.LeftButton)
    assert not diag.panel.isVisible()


def test_wrong_pin_is_refused_and_recorded_then_locks(qtbot, diag):
    five_taps(qtbot, diag)
    type_pin(qtbot, diag, "1111")
    gate = diag.panel.gate
    qtbot.waitUntil(lambda: "还可以再试 2 次" in gate.message.text(), timeout=WAIT)
    assert not diag.mode.active and gate.field.text() == ""
    type_pin(qtbot, diag, "2222")
    qtbot.waitUntil(lambda: "还可以再试 1 次" in gate.message.text(), timeout=WAIT)
    type_pin(qtbot, diag, "3333")
    locked = diag.controller.t("diag.gate.locked")
    qtbot.waitUntil(lambda: gate.message.text() == locked, timeout=WAIT)
    type_pin(qtbot, diag, TECHNICIAN_PIN)  # even the right PIN waits out the lockout
    assert not diag.mode.active
    qtbot.waitUntil(lambda: diag_records(diag).count("pin_refused") == 3, timeout=WAIT)


def test_back_on_the_pin_pad_returns_to_the_reader_screen(qtbot, diag):
    five_taps(qtbot, diag)
    qtbot.mouseClick(diag.panel.gate.cancel, Qt.MouseButton.LeftButton)
    assert not diag.panel.isVisible() and diag.controller.window.current() == "home"


def test_diagnostics_closes_itself_after_inactivity(qtbot, make_diag):
    kiosk = make_diag(idle_timeout_ms=400)
    reasons = []
    kiosk.mode.left.connect(reasons.append)
    kiosk.controller.events.tap(TECHNICIAN_CARD)
    qtbot.waitUntil(lambda: not kiosk.mode.active, timeout=WAIT)
    assert reasons == ["idle"] and not kiosk.panel.isVisible()
    assert kiosk.controller.window.current() == "home"
    qtbot.waitUntil(lambda: "left" in diag_records(kiosk), timeout=WAIT)


def test_touches_keep_diagnostics_open(qtbot, make_diag):
    kiosk = make_diag(idle_timeout_ms=2000)
    kiosk.controller.events.tap(TECHNICIAN_CARD)
    clock = kiosk.mode._idle
    qtbot.waitUntil(lambda: clock.remainingTime() < 1500, timeout=WAIT)
    qtbot.mouseClick(kiosk.panel.tab_buttons["faults"], Qt.MouseButton.LeftButton)
    assert clock.remainingTime() > 1800 and kiosk.mode.active


def test_exit_button_leaves_and_records(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    qtbot.mouseClick(diag.panel.exit_button, Qt.MouseButton.LeftButton)
    assert not diag.mode.active and not diag.panel.isVisible()
    qtbot.waitUntil(lambda: "left" in diag_records(diag), timeout=WAIT)


def test_entering_during_a_reader_session_ends_it(qtbot, diag):
    diag.controller.begin(Mode.RETURN)
    assert diag.controller.window.current() == "return"
    diag.controller.events.tap(TECHNICIAN_CARD)
    assert diag.mode.active and diag.controller.session.mode is Mode.IDLE
    assert diag.controller.window.current() == "home"


def test_an_abandoned_pin_pad_closes_itself(qtbot, make_diag):
    kiosk = make_diag(idle_timeout_ms=300)
    five_taps(qtbot, kiosk)
    assert kiosk.panel.gate_open
    qtbot.waitUntil(lambda: not kiosk.panel.isVisible(), timeout=WAIT)
    assert not kiosk.mode.active and kiosk.controller.window.current() == "home"


def test_without_a_pin_hash_the_gesture_opens_nothing(qtbot, make_diag):
    kiosk = make_diag(pin_hash="")
    five_taps(qtbot, kiosk)
    assert not kiosk.panel.isVisible()
    qtbot.waitUntil(lambda: "pin_unset" in diag_records(kiosk), timeout=WAIT)
