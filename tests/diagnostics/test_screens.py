"""Screenshots of every diagnostics page in a realistic state, for a person to look at."""

from __future__ import annotations

from kiosk.ports import PrinterStatus
from tests.diagnostics.conftest import TECHNICIAN_CARD, WAIT, shoot
from tests.diagnostics.test_entry import five_taps
from ui.qt import QtCore

Qt = QtCore.Qt


def test_screenshots_of_every_page(qtbot, diag):
    window = diag.controller.window
    five_taps(qtbot, diag)
    assert shoot(window, "01-pin-gate").stat().st_size > 0
    qtbot.mouseClick(diag.panel.gate.cancel, Qt.MouseButton.LeftButton)
    diag.station.raw_printer.set_status(PrinterStatus.PAPER_OUT)
    diag.station.printer.status()
    diag.controller.events.tap(TECHNICIAN_CARD)
    status = diag.page("status")
    qtbot.waitUntil(lambda: "database.integrity" in status.checks, timeout=WAIT)
    shoot(window, "02-status")
    devices = diag.page("devices")
    diag.station.hands.place_item("100001")
    diag.station.hands.place_item("300001", 1, 2)
    qtbot.mouseClick(devices.inventory_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: devices.rfid.result.property("tone") == "ok", timeout=WAIT)
    qtbot.mouseClick(devices.paper_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: devices.printer.result.property("tone") == "error", timeout=WAIT)
    diag.controller.events.scan("9787020002207")
    diag.controller.events.tap("P0001")
    shoot(window, "03-devices")
    diag.station.hands.remove_item("100001")
    diag.station.hands.remove_item("300001")
    tags = diag.page("tags")
    diag.station.hands.place_item("100002")
    qtbot.mouseClick(tags.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tags.read_section.result.property("tone") == "ok", timeout=WAIT)
    tags.pii.setText("100002")
    shoot(window, "04-tags")
    faults = diag.page("faults")
    qtbot.waitUntil(lambda: bool(faults.faults), timeout=WAIT)
    shoot(window, "05-faults")
    service = diag.page("service")
    qtbot.waitUntil(lambda: service.out_of_service is not None, timeout=WAIT)
    qtbot.mouseClick(service.export_buttons["zip"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: service.export.result.property("tone") == "ok", timeout=WAIT)
    shoot(window, "06-service")
    diag.page("devices")
    qtbot.mouseClick(devices.touch_button, Qt.MouseButton.LeftButton)
    check = devices.touch_check
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=check.current_target())
    shoot(window, "07-touch-check")
    for _ in range(4):
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=check.current_target())
    diag.page("service")
    qtbot.mouseClick(service.service_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current() == "out_of_service", timeout=WAIT)
    qtbot.mouseClick(diag.panel.exit_button, Qt.MouseButton.LeftButton)
    shoot(window, "08-reader-sees-out-of-service")


def test_screenshot_in_english(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    qtbot.mouseClick(diag.panel.language_button, Qt.MouseButton.LeftButton)
    status = diag.page("status")
    qtbot.waitUntil(lambda: "database.integrity" in status.checks, timeout=WAIT)
    assert diag.panel.title.text() == "Technician diagnostics"
    assert status.rows["sync.outbox"].value.text() == "0 journal rows waiting to be sent"
    shoot(diag.controller.window, "09-status-english")
