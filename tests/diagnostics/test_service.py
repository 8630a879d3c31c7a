"""Out of service round trip, restart, the diagnostics bundle and the filtered fault log."""

from __future__ import annotations

import json
import tarfile
import zipfile
from datetime import UTC, datetime

import pytest

from kiosk.diag import DIAG_DEVICE
from kiosk.store.state import OUT_OF_SERVICE_KEY
from tests.diagnostics.conftest import TECHNICIAN_CARD, WAIT
from tests.diagnostics.test_entry import diag_records
from ui.qt import QtCore

Qt = QtCore.Qt


def state(kiosk) -> str | None:
    store = kiosk.store()
    try:
        return store.state.text(OUT_OF_SERVICE_KEY)
    finally:
        store.close()


def test_out_of_service_round_trip_changes_the_reader_screen(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    page = diag.page("service")
    qtbot.waitUntil(lambda: page.out_of_service is False, timeout=WAIT)
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: diag.controller.window.current() == "out_of_service", timeout=WAIT)
    assert state(diag) == "1" and page.out_of_service
    assert page.service_button.text() == "恢复服务"
    qtbot.mouseClick(diag.panel.exit_button, Qt.MouseButton.LeftButton)
    assert diag.controller.window.stack.currentWidget().isVisible()
    assert diag.controller.window.current() == "out_of_service"  # what readers now see
    diag.controller.events.tap(TECHNICIAN_CARD)  # a technician still gets in
    page = diag.page("service")
    qtbot.waitUntil(lambda: page.out_of_service is True, timeout=WAIT)
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: diag.controller.window.current() == "home", timeout=WAIT)
    assert state(diag) == "0"
    qtbot.waitUntil(
        lambda: {"out_of_service", "in_service"} <= set(diag_records(diag)), timeout=WAIT
    )


def test_restart_needs_a_second_tap_and_is_recorded_first(qtbot, diag):
    diag.controller.events.tap(TECHNICIAN_CARD)
    page = diag.page("service")
    qtbot.mouseClick(page.restart_button, Qt.MouseButton.LeftButton)
    assert diag.restarts == [] and page.restart_button.text() == "再点一次确认重启"
    qtbot.mouseClick(page.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: diag.restarts == [1], timeout=WAIT)
    assert "restart" in diag_records(diag) and not diag.mode.active


def bundle_texts(names_and_bytes) -> dict[str, str]:
    return {name: content.decode("utf-8") for name, content in names_and_bytes}


def export(qtbot, kiosk, kind: str):
    kiosk.controller.events.tap(TECHNICIAN_CARD)
    page = kiosk.page("service")
    qtbot.mouseClick(page.export_buttons[kind], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.export.result.property("tone") == "ok", timeout=WAIT)
    folder = kiosk.mode.ctx.export_folder()
    (written,) = list(folder.iterdir())
    return written


def assert_no_secrets(texts: dict[str, str]) -> None:
    names = {name.split("/", 1)[1] for name in texts}
    assert {"manifest.json", "config.json", "faults.json", "integrity.json"} <= names
    everything = "\n".join(texts.values())
    for secret in (
        "secret-enrolment-token",
        "cCC3lKfhJqDFZI1bmpZnjloYx1z_s3zj_j0HBFuJUaY",
        "scrypt$",
        "T9001",
    ):
        assert secret not in everything
    assert "P0001" not in everything  # no patron data, only counts
    config = json.loads(next(v for k, v in texts.items() if k.endswith("config.json")))
    assert config["upstream.token"] == "<redacted>" and config["kiosk.isil"] == "CN-110000-1"
    integrity = json.loads(next(v for k, v in texts.items() if k.endswith("integrity.json")))
    assert integrity["problems"] == [] and integrity["row_counts"]["patrons"] > 0


def test_bundle_exports_as_zip_without_secrets(qtbot, diag):
    path = export(qtbot, diag, "zip")
    assert path.name.endswith(".zip")
    with zipfile.ZipFile(path) as archive:
        assert_no_secrets(bundle_texts((n, archive.read(n)) for n in archive.namelist()))
    qtbot.waitUntil(lambda: "bundle_exported" in diag_records(diag), timeout=WAIT)


def test_bundle_exports_as_tar_gz(qtbot, diag):
    path = export(qtbot, diag, "tar")
    assert path.name.endswith(".tar.gz")
    with tarfile.open(path) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        assert_no_secrets(bundle_texts((m.name, archive.extractfile(m).read()) for m in members))


def test_bundle_exports_into_a_folder_with_logs(qtbot, make_diag, tmp_path):
    log = tmp_path / "kiosk.log"
    log.write_text("2026-11-24 printer: paper_out\n", encoding="utf-8")
    kiosk = make_diag(log_paths=(log,))
    folder = export(qtbot, kiosk, "folder")
    assert folder.is_dir() and folder.name.startswith("shufang-diag-kiosk-01-")
    texts = {f"x/{p.relative_to(folder)}": p.read_text("utf-8") for p in folder.rglob("*.*")}
    assert_no_secrets(texts)
    assert "paper_out" in texts["x/logs/kiosk.log"]


def test_fault_log_filters_by_device_severity_and_open(qtbot, diag):
    store = diag.store()
    now = datetime.now(UTC)
    store.faults.record("printer", "paper_out", "warning", "printer is out of paper", now)
    store.faults.record("rfid", "timeout", "error", "reader did not answer", now)
    store.faults.clear("rfid", "timeout", now)
    store.close()
    diag.controller.events.tap(TECHNICIAN_CARD)
    page = diag.page("faults")
    qtbot.waitUntil(lambda: len(page.faults) >= 3, timeout=WAIT)  # two faults and the entry
    page.device.setCurrentIndex(page.device.findData("printer"))
    assert [f.code for f in page.filtered()] == ["paper_out"]
    assert "printer/paper_out" in page.listing.text()
    page.device.setCurrentIndex(0)
    page.severity.setCurrentIndex(page.severity.findData("error"))
    assert [f.code for f in page.filtered()] == ["timeout"]
    page.open_only.setChecked(True)
    assert page.filtered() == []
    page.severity.setCurrentIndex(0)
    assert {f.code for f in page.filtered()} == {"paper_out"}
    page.open_only.setChecked(False)
    page.device.setCurrentIndex(page.device.findData(DIAG_DEVICE))
    assert "entered" in {f.code for f in page.filtered()}


def test_out_of_service_and_the_audit_reach_the_heartbeat(qtbot, diag):
    """The sync daemon's heartbeat tells the central service what the technician did."""
    heartbeat = pytest.importorskip("sync.daemon.heartbeat")
    diag.controller.events.tap(TECHNICIAN_CARD)
    page = diag.page("service")
    qtbot.waitUntil(lambda: page.out_of_service is False, timeout=WAIT)
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "out_of_service" in diag_records(diag), timeout=WAIT)
    store = diag.store()
    try:
        beat, _ = heartbeat.build_heartbeat(store, None)
    finally:
        store.close()
    assert beat.state == "out_of_service"
    sent = {(f.device, f.code, f.severity) for f in beat.faults}
    assert {(DIAG_DEVICE, "entered", "info"), (DIAG_DEVICE, "out_of_service", "info")} <= sent
