"""Every screen in both languages and both orientations: saved as PNG, readable, within reach.

Set SHUFANG_SCREENSHOTS=DIR to keep the pictures (default: the test's temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.models import CardKind
from ui.i18n import catalog
from ui.qt import QtGui, QtWidgets
from ui.session import Mode

from .tour import borrow_mixed_stack, sign_in

WAIT = 5000
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SHUFANG_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(kiosk, qtbot, folder: Path, name: str) -> Path:
    qtbot.wait(60)
    path = folder / f"{name}.png"
    assert kiosk.window.grab().save(str(path))
    return path


def is_drawn(path: Path) -> bool:
    image = QtGui.QImage(str(path))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 9)
    }
    return len(colours) > 6  # background, text, buttons and icons: never one flat colour


def visit_every_screen(qtbot, kiosk, folder: Path, tag: str) -> list[Path]:
    shots = [save(kiosk, qtbot, folder, f"{tag}-home")]
    kiosk.begin(Mode.BORROW)
    shots.append(save(kiosk, qtbot, folder, f"{tag}-identify"))
    kiosk.window.identify.ask_pin(
        "P0001", CardKind.BARCODE, kiosk.t("reason.pin_wrong", attempts=2), "error"
    )
    shots.append(save(kiosk, qtbot, folder, f"{tag}-pin-wrong"))
    kiosk.end_session()
    sign_in(qtbot, kiosk, "P0001", Mode.BORROW)
    borrow_mixed_stack(qtbot, kiosk)
    shots.append(save(kiosk, qtbot, folder, f"{tag}-borrow"))
    kiosk.finish()
    shots.append(save(kiosk, qtbot, folder, f"{tag}-receipt"))
    kiosk.receipt_chosen("qr")
    shots.append(save(kiosk, qtbot, folder, f"{tag}-receipt-qr"))
    kiosk.say_goodbye()
    shots.append(save(kiosk, qtbot, folder, f"{tag}-goodbye"))
    kiosk.end_session()
    for pii in ("100001", "300003", "300001", "100004"):
        kiosk.events.remove(pii)
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("100003")
    kiosk.events.scan("100004")
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 2, timeout=WAIT)
    shots.append(save(kiosk, qtbot, folder, f"{tag}-return"))
    kiosk.end_session()
    sign_in(qtbot, kiosk, "P0001", Mode.ACCOUNT)
    shots.append(save(kiosk, qtbot, folder, f"{tag}-account"))
    kiosk.idle_clock.warn()
    shots.append(save(kiosk, qtbot, folder, f"{tag}-idle"))
    kiosk.end_session()
    kiosk.window.show_screen("out_of_service")
    shots.append(save(kiosk, qtbot, folder, f"{tag}-out-of-service"))
    kiosk.window.show_screen("home")
    kiosk.window.set_online(False)
    shots.append(save(kiosk, qtbot, folder, f"{tag}-offline"))
    kiosk.window.set_online(True)
    return shots


@pytest.mark.slow
@pytest.mark.parametrize("orientation", list(SIZES))
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_screen_is_drawn(qtbot, make_kiosk, tmp_path, language, orientation):
    kiosk = make_kiosk(language=language)
    kiosk.window.resize(*SIZES[orientation])
    shots = visit_every_screen(qtbot, kiosk, shots_dir(tmp_path), f"{language}-{orientation}")
    assert len(shots) == 12
    for path in shots:
        assert QtGui.QImage(str(path)).size().toTuple() == SIZES[orientation]
        assert is_drawn(path), path.name


def reader_controls(window) -> list[QtWidgets.QWidget]:
    widgets = window.findChildren(QtWidgets.QPushButton) + window.findChildren(QtWidgets.QCheckBox)
    return [w for w in widgets if w.isVisible()]


def test_in_portrait_every_control_is_in_the_lower_part(qtbot, kiosk):
    kiosk.window.resize(1080, 1920)
    height = kiosk.window.height()

    def check(screen: str) -> None:
        qtbot.wait(50)
        high = [
            (w.text(), w.mapTo(kiosk.window, w.rect().center()).y())
            for w in reader_controls(kiosk.window)
            if w.mapTo(kiosk.window, w.rect().center()).y() < 0.4 * height
        ]
        assert high == [], f"{screen}: controls out of reach {high}"

    check("home")
    kiosk.begin(Mode.BORROW)
    check("identify")
    kiosk.window.identify.ask_card_number()
    check("keypad")
    kiosk.end_session()
    sign_in(qtbot, kiosk, "P0001", Mode.BORROW)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.outcomes), timeout=WAIT)
    check("borrow")
    kiosk.end_session()
    sign_in(qtbot, kiosk, "P0001", Mode.ACCOUNT)
    check("account")


def test_the_font_has_every_chinese_character_of_the_catalog(qtbot, kiosk):
    label = kiosk.window.home.title
    info = QtGui.QFontInfo(label.font())
    assert "CJK" in info.family(), f"Chinese would fall back to {info.family()}"
    metrics = QtGui.QFontMetrics(label.font())
    text = "".join(catalog("zh_CN").values())
    missing = sorted({ch for ch in text if ord(ch) > 0x2E80 and not metrics.inFontUcs4(ord(ch))})
    assert missing == []
