"""Tag tools: read a tag, re-encode a blank one from a scanned barcode, set and clear security."""

from __future__ import annotations

import pytest

from drivers.rfid.field import SimulatedTag, nxp_uid
from kiosk.ports import UnsupportedOperation
from kiosk.tags import decode, dsfid_for
from tests.diagnostics.conftest import TECHNICIAN_CARD, WAIT
from ui.qt import QtCore

Qt = QtCore.Qt


def tags_page(kiosk):
    kiosk.controller.events.tap(TECHNICIAN_CARD)
    return kiosk.page("tags")


def blank_tag(serial: int = 77) -> SimulatedTag:
    return SimulatedTag(uid=nxp_uid(serial))


@pytest.mark.parametrize("tag_format", ["28560-2", "28560-3"])
def test_a_blank_tag_is_encoded_from_a_scanned_barcode_and_reads_back_the_same(
    qtbot, make_diag, tag_format
):
    kiosk = make_diag(tag_format=tag_format)
    page = tags_page(kiosk)
    tag = kiosk.station.reader.place(blank_tag())
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    unreadable = kiosk.controller.t("diag.tags.unreadable")
    qtbot.waitUntil(lambda: page.read_section.result.text() == unreadable, timeout=WAIT)
    assert "blank" in page.decoded_text.text()
    kiosk.controller.events.scan("100001")  # the item's barcode, scanned on this page
    assert page.pii.text() == "100001"
    qtbot.mouseClick(page.keypad.ok_button, Qt.MouseButton.LeftButton)
    written = kiosk.controller.t("diag.tags.written")
    qtbot.waitUntil(lambda: page.write_section.result.text() == written, timeout=WAIT)
    assert tag.dsfid == dsfid_for(tag_format)  # the DSFID was written after the blocks
    decoded = decode(bytes(tag.memory), dsfid=tag.dsfid, block_size=tag.block_size)
    assert (decoded.format, decoded.pii, decoded.isil) == (tag_format, "100001", "CN-110000-1")
    assert decoded.warnings == []
    assert "PII 100001" in page.decoded_text.text()
    assert f"DSFID 0x{dsfid_for(tag_format):02X}" in page.decoded_text.text()
    assert "  ! " not in page.decoded_text.text()
    assert page.raw_text.text().startswith("00  ")
    assert kiosk.controller.session.mode.value == "idle"  # the scan started no loan


def test_reading_a_library_tag_shows_decoded_and_raw_content(qtbot, diag):
    page = tags_page(diag)
    diag.station.hands.place_item("100002")
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.read_section.result.property("tone") == "ok", timeout=WAIT)
    assert "PII 100002" in page.decoded_text.text()
    assert len(page.raw_text.text().splitlines()) == 28  # one line per 4-byte block


def test_a_non_item_barcode_is_not_written(qtbot, diag):
    page = tags_page(diag)
    diag.station.reader.place(blank_tag())
    page.pii.setText("ABC")
    qtbot.mouseClick(page.keypad.ok_button, Qt.MouseButton.LeftButton)
    assert page.write_section.result.text() == diag.controller.t("diag.tags.bad_barcode")


def test_tools_ask_for_exactly_one_tag(qtbot, diag):
    page = tags_page(diag)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    none = diag.controller.t("diag.tags.none")
    qtbot.waitUntil(lambda: page.read_section.result.text() == none, timeout=WAIT)
    diag.station.reader.place(blank_tag(1))
    diag.station.reader.place(blank_tag(2))
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    several = diag.controller.t("diag.tags.several")
    qtbot.waitUntil(lambda: page.read_section.result.text() == several, timeout=WAIT)


def test_tag_removed_mid_write_is_reported(qtbot, diag):
    page = tags_page(diag)
    tag = diag.station.reader.place(blank_tag())
    diag.station.reader.faults.remove_during_write(tag.uid, after_blocks=2)
    page.pii.setText("100001")
    qtbot.mouseClick(page.keypad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.write_section.result.property("tone") == "error", timeout=WAIT)
    assert "left the field" in page.write_section.result.text()


def test_security_is_set_and_cleared_with_the_policy_afi(qtbot, diag):
    page = tags_page(diag)
    diag.station.hands.place_item("100001")
    tag = diag.station.hands.tag_for("100001")
    qtbot.mouseClick(page.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tag.afi == 0xC2, timeout=WAIT)
    assert not tag.eas
    qtbot.waitUntil(lambda: "0xC2" in page.security_section.result.text(), timeout=WAIT)
    qtbot.mouseClick(page.secure_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tag.afi == 0x07 and tag.eas, timeout=WAIT)


class NoDsfidReader:
    """The station's reader, but like a 3M 810: it cannot write the DSFID."""

    def __init__(self, reader) -> None:
        self._reader = reader

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        raise UnsupportedOperation("3M 810 Write DSFID is not publicly documented")


def test_a_reader_that_cannot_write_the_dsfid_still_encodes_but_warns(qtbot, make_diag, station):
    kiosk = make_diag(tag_format="28560-3", reader=NoDsfidReader(station.reader))
    page = tags_page(kiosk)
    tag = station.reader.place(blank_tag())
    page.pii.setText("100001")
    qtbot.mouseClick(page.keypad.ok_button, Qt.MouseButton.LeftButton)
    written = kiosk.controller.t("diag.tags.written")
    qtbot.waitUntil(lambda: page.write_section.result.text().startswith(written), timeout=WAIT)
    assert tag.dsfid == 0x00
    assert decode(bytes(tag.memory), dsfid=tag.dsfid).pii == "100001"
    for shown in (page.write_section.result.text(), page.decoded_text.text()):
        assert "DSFID not written" in shown
        assert "0x3E" in shown
