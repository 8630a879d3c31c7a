"""Contrast, type sizes and touch targets, in normal, elderly (长者模式) and high-contrast modes.

Thresholds: WCAG 2.x contrast ≥ 4.5:1 (formula from WCAG 2.2 "relative luminance"); MIIT's
elderly-friendly design guidance (2021): main text ≥ 18 pt, ≥ 30 pt in elderly mode, touch
targets ≥ 60 × 60 dp (taken here as 60 px at 96 dpi, stricter than Android's 1/160 inch).
The screen checks measure what is drawn: fonts from the widgets, colours from the pixels.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from ui.qt import QtCore, QtGui, QtWidgets
from ui.theme import (
    ELDERLY,
    HIGH_CONTRAST,
    NORMAL,
    PX_PER_PT,
    TEXT_PAIRS,
    Palette,
    contrast_ratio,
    relative_luminance,
)
from ui.widgets import ItemList, ItemRow

from .tour import showing, tour, visible

PALETTES = {"normal": Palette(), "high_contrast": HIGH_CONTRAST}
MIN_TARGET_PX = 60


def pt(px: float) -> float:
    return px / PX_PER_PT


# --- the formula, checked against WCAG's published figures ----------------------------------


def test_contrast_formula_matches_wcag_examples():
    # WCAG 2.x: black on white is 21:1; identical colours 1:1; #777777 on white ≈ 4.48:1 (fails
    # AA), #767676 ≈ 4.54:1 (the lightest grey that passes, WebAIM's contrast checker).
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("palette", list(PALETTES))
def test_every_text_and_background_pair_has_contrast_4_5(palette):
    p = PALETTES[palette]
    low = [
        (fg, bg, where, round(contrast_ratio(getattr(p, fg), getattr(p, bg)), 2))
        for fg, bg, where in TEXT_PAIRS
        if contrast_ratio(getattr(p, fg), getattr(p, bg)) < 4.5
    ]
    assert low == []


def test_type_sizes_per_mode():
    assert pt(NORMAL.body) >= 18 and pt(NORMAL.button) >= 18 and pt(NORMAL.row_detail) >= 18
    for size in (ELDERLY.body, ELDERLY.button, ELDERLY.row_detail, ELDERLY.tile_word):
        assert pt(size) >= 30
    assert pt(ELDERLY.small) >= 18 and pt(ELDERLY.tile_hint) >= 18
    for scale in (NORMAL, ELDERLY):
        assert scale.row_detail >= scale.body  # a due date or reason is never the small print
        assert scale.target >= MIN_TARGET_PX
    bigger = [f for f in vars(NORMAL) if getattr(ELDERLY, f) <= getattr(NORMAL, f)]
    assert bigger == [], "elderly mode enlarges everything"


# --- what the screens draw ---------------------------------------------------------------


def colour_counts(image: QtGui.QImage, rect: QtCore.QRect) -> Counter:
    part = image.copy(rect).convertToFormat(QtGui.QImage.Format.Format_RGB32)
    data = memoryview(bytes(part.constBits())).cast("I")
    return Counter(value & 0xFFFFFF for value in data)


def hex_of(value: int) -> str:
    return f"#{value:06X}"


def text_contrast(image: QtGui.QImage, rect: QtCore.QRect) -> float:
    """Background = the commonest colour; text = the frequent colour furthest from it.

    Anti-aliased edges only lower a colour's contrast, so the fully inked stroke pixels decide.
    """
    counts = colour_counts(image, rect)
    background, _ = counts.most_common(1)[0]
    floor = max(4, sum(counts.values()) // 500)
    candidates = [c for c, n in counts.items() if n >= floor and c != background]
    if not candidates:
        return 1.0
    return max(contrast_ratio(hex_of(c), hex_of(background)) for c in candidates)


def text_widgets(root) -> list[QtWidgets.QWidget]:
    found = []
    for kind in (QtWidgets.QLabel, QtWidgets.QPushButton, QtWidgets.QLineEdit):
        found += [w for w in visible(root, kind) if w.text().strip()]
    return found


def is_secondary(widget: QtWidgets.QWidget) -> bool:
    """Status lines, hints and the header's switches; everything else is main text."""
    if widget.property("kind") == "chip" or widget.property("role") in ("muted", "tile_hint"):
        return not isinstance(widget.parentWidget(), ItemRow)
    return False


ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
MODES = {
    "normal": (False, False),
    "elderly": (True, False),
    "high_contrast": (False, True),
}


@pytest.mark.slow
@pytest.mark.parametrize("orientation", list(ORIENTATIONS))
@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("mode", list(MODES))
def test_every_screen_meets_contrast_size_and_target_rules(
    qtbot, make_kiosk, mode, language, orientation
):
    kiosk = make_kiosk(language=language)
    window = kiosk.window
    display = QtCore.QSize(*ORIENTATIONS[orientation])
    window.resize(display)
    elderly, high_contrast = MODES[mode]
    main_px = (30 if elderly else 18) * PX_PER_PT
    secondary_px = (18 if elderly else 15) * PX_PER_PT
    problems: list[str] = []

    def prepare() -> None:
        window.set_elderly(elderly)
        window.set_contrast(high_contrast)

    def visit(screen: str) -> None:
        root = showing(window)
        image = window.grab().toImage()
        if os.environ.get("SHUFANG_SCREENSHOTS"):  # keep the pictures to look at
            folder = Path(os.environ["SHUFANG_SCREENSHOTS"])
            folder.mkdir(parents=True, exist_ok=True)
            image.save(str(folder / f"{language}-{orientation}-{mode}-{screen}.png"))
        if window.size() != display:  # a screen that does not fit the display grows the window
            problems.append(f"{screen}: window {window.width()}×{window.height()}")
        ratio = image.width() / window.width()
        # the "上面还有 N 本" button lies over the row scrolled half out of view, by design
        covers = [
            item_list.more_above
            for item_list in visible(root, ItemList)
            if item_list.more_above.isVisible()
        ]
        overlays = [QtCore.QRect(b.mapTo(window, QtCore.QPoint(0, 0)), b.size()) for b in covers]
        for widget in text_widgets(root):
            text = widget.text().replace("\n", " ")[:24]
            size = QtGui.QFontInfo(widget.font()).pixelSize()
            least = secondary_px if is_secondary(widget) else main_px
            if size < round(least):
                problems.append(f"{screen}: '{text}' is {size} px, needs {round(least)}")
            box = widget.visibleRegion().boundingRect()
            top_left = widget.mapTo(window, box.topLeft())
            rect = QtCore.QRect(
                round(top_left.x() * ratio),
                round(top_left.y() * ratio),
                round(box.width() * ratio),
                round(box.height() * ratio),
            )
            under = any(QtCore.QRect(top_left, box.size()).intersects(o) for o in overlays)
            if under and widget not in covers:
                continue
            contrast = text_contrast(image, rect)
            if contrast < 4.5:
                problems.append(f"{screen}: '{text}' contrast {contrast:.2f}")
        for row in visible(root, ItemRow):
            title = QtGui.QFontInfo(row.title.font()).pixelSize()
            detail = QtGui.QFontInfo(row.detail.font()).pixelSize()
            if detail < title:
                problems.append(f"{screen}: row detail {detail} px under its title {title} px")
        for control in visible(root, QtWidgets.QPushButton):
            # narrower than its own text and padding: the words are cut ("Delete" → "elet")
            if control.text() and control.sizeHint().width() > control.width():
                problems.append(f"{screen}: '{control.text()}' is cut off")
        for control in visible(root, QtWidgets.QPushButton) + visible(root, QtWidgets.QCheckBox):
            if min(control.width(), control.height()) < MIN_TARGET_PX:
                name = control.text() or control.property("icon_name") or type(control).__name__
                problems.append(f"{screen}: '{name}' is {control.width()}×{control.height()}")

    seen = tour(qtbot, kiosk, visit, prepare)
    assert len(seen) >= 12
    assert problems == []


def test_elderly_mode_enlarges_tiles_keypad_and_stays_for_the_session(qtbot, kiosk):
    window = kiosk.window
    tile, key = window.home.borrow_button, window.identify.keypad.ok_button
    before = (tile.minimumHeight(), QtGui.QFontInfo(tile.word.font()).pixelSize())
    qtbot.mouseClick(window.header.text_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.elderly and window.header.text_button.property("on")
    assert tile.minimumHeight() > before[0]
    assert QtGui.QFontInfo(tile.word.font()).pixelSize() > before[1]
    assert QtGui.QFontInfo(key.font()).pixelSize() >= round(30 * PX_PER_PT)
    from ui.session import Mode

    kiosk.begin(Mode.BORROW)
    kiosk.window.identify.ask_card_number()
    assert window.elderly, "stays on through the session's screens"
    kiosk.end_session()
    assert not window.elderly, "the next reader starts in the normal mode"
