"""Self-tests against the simulators, each with a fault injected and then cleared."""

from __future__ import annotations

from kiosk.ports import PrinterStatus
from tests.diagnostics.conftest import TECHNICIAN_CARD, WAIT
from ui.qt import QtCore

Qt = QtCore.Qt


def opened(qtbot, kiosk, page: str):
    kiosk.controller.events.tap(TECHNICIAN_CARD)
    return kiosk.page(page)


def test_status_page_shows_devices_network_and_queue(qtbot, diag):
    page = opened(qtbot, diag, "status")
    qtbot.waitUntil(lambda: "sync.outbox" in page.checks, timeout=WAIT)
    assert page.rows["rfid"].value.text() == "已连接"
    assert page.rows["rfid"].property("tone") == "ok"
    assert page.rows["sync.outbox"].value.text() == "0 条记录待上传"
    assert "http://127.0.0.1:8470" in page.rows["upstream"].value.text()
    diag.controller.core.call(lambda core: core.set_online(False), lambda _: None)
    qtbot.waitUntil(lambda: page.rows["network"].property("tone") == "warning", timeout=WAIT)
    assert "离线" in page.rows["upstream"].value.text()


def test_status_page_turns_red_when_the_printer_is_unplugged(qtbot, diag):
    page = opened(qtbot, diag, "status")
    diag.station.raw_printer.unplug()
    diag.station.printer.status()  # the supervisor notices on its next call
    qtbot.waitUntil(lambda: page.rows["printer"].property("tone") == "error", timeout=WAIT)
    qtbot.waitUntil(lambda: page.rows["faults"].property("tone") == "error", timeout=WAIT)
    assert "printer/device_gone" in page.rows["faults"].value.text()
    assert "device_gone" in page.rows["printer"].value.text()


def test_reader_inventory_lists_uid_afi_dsfid_data_and_crc(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    diag.station.hands.place_item("100001")
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.rfid.result.property("tone") == "ok", timeout=WAIT)
    uid = diag.station.hands.tag_for("100001").uid.hex().upper()
    text = page.tags_text.text()
    for expected in (f"UID {uid}", "AFI 0x07", "DSFID 0x06", "28560-2", "PII 100001", "CRC n/a"):
        assert expected in text
    assert "1" in page.rfid.result.text()


def test_reader_faults_show_as_failed_self_tests(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    diag.station.reader.faults.corrupt_replies(1)
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.rfid.result.property("tone") == "error", timeout=WAIT)
    assert "FrameError" in page.rfid.result.text()
    diag.station.reader.faults.unplug()
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "DeviceGone" in page.rfid.result.text(), timeout=WAIT)
    assert page.rfid.state.text() == "故障"
    diag.station.reader.faults.replug()
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.rfid.result.property("tone") == "ok", timeout=WAIT)


def test_printer_paper_out_then_test_page_once_paper_is_back(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    raw = diag.station.raw_printer
    raw.set_status(PrinterStatus.PAPER_OUT)
    qtbot.mouseClick(page.paper_button, Qt.MouseButton.LeftButton)
    expected = diag.controller.t("diag.paper.paper_out")
    qtbot.waitUntil(lambda: page.printer.result.text() == expected, timeout=WAIT)
    assert page.printer.result.property("tone") == "error"
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "PaperOut" in page.printer.result.text(), timeout=WAIT)
    assert raw.printed == []
    raw.set_status(PrinterStatus.READY)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(raw.printed) == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: page.printer.result.property("tone") == "ok", timeout=WAIT)
    assert raw.printed[0].receipt.kind == "test"


def test_unplugged_printer_reports_no_answer(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    diag.station.raw_printer.unplug()
    qtbot.mouseClick(page.paper_button, Qt.MouseButton.LeftButton)
    expected = diag.controller.t("diag.paper.offline")
    qtbot.waitUntil(lambda: page.printer.result.text() == expected, timeout=WAIT)


def test_scanner_and_card_reader_show_what_they_read_and_start_no_loan(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    assert page.scans_text.text() == diag.controller.t("diag.scanner.waiting")
    diag.controller.events.scan("9787020002207")
    diag.controller.events.scan("100001")
    diag.controller.events.tap("P0001")
    assert page.scans_text.text().splitlines()[1:] == ["100001", "9787020002207"]
    assert "P0001" in page.card_text.text()
    assert diag.controller.session.mode.value == "idle"
    assert diag.controller.window.current() == "home"


def test_sound_says_plainly_that_there_is_no_audio_system(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    qtbot.mouseClick(page.sound_button, Qt.MouseButton.LeftButton)
    assert page.sound.result.text() == diag.controller.t("diag.sound.unavailable")


def test_sound_plays_through_a_sound_output_when_there_is_one(qtbot, make_diag):
    played = []
    kiosk = make_diag(sound=lambda: played.append(1))
    page = opened(qtbot, kiosk, "devices")
    qtbot.mouseClick(page.sound_button, Qt.MouseButton.LeftButton)
    assert played == [1] and page.sound.result.property("tone") == "ok"


def tap_targets(qtbot, check, offset: int = 0) -> None:
    for _ in range(5):
        target = check.current_target()
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=target + QtCore.QPoint(offset, 0))


def test_touch_check_passes_taps_on_the_crosses(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    qtbot.mouseClick(page.touch_button, Qt.MouseButton.LeftButton)
    tap_targets(qtbot, page.touch_check)
    assert page.touch.result.property("tone") == "ok"
    assert "0.0" in page.touch.result.text()


def test_touch_check_flags_taps_beside_the_crosses(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    qtbot.mouseClick(page.touch_button, Qt.MouseButton.LeftButton)
    tap_targets(qtbot, page.touch_check, offset=60)  # about 16 mm to the right
    assert page.touch.result.property("tone") == "error"
    assert "5" in page.touch.result.text()
