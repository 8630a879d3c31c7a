"""Book covers on the borrow screen (issue #13), through the real screens and read as pixels:
a cached cover beside its title, a drawn placeholder otherwise, in every mode.

With SHUFANG_SHOTS=<folder> the tests also save the screens they look at, for a person to see.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.covers import CoverCache, cache_folder_for
from kiosk.store import Store
from tests.ui.test_flows import WAIT, sign_in
from ui.covers import first_character, thumb_size
from ui.qt import QtCore, QtGui
from ui.theme import ELDERLY, HIGH_CONTRAST, NORMAL, Palette

BOOKS = ["100001", "100002", "100007", "100010", "100013", "100016", "100019", "100022"]
#: the books given a cover, each with its cover's background colour
COVERED = {"100001": "#1B3A5C", "100007": "#A7322B", "100013": "#2F6B4F", "100019": "#E0B341"}


def cover_picture(path: Path, colour: str, title: str, size=(300, 430)) -> None:
    """A cover like a publisher's: a flat colour with a band and the title in it."""
    image = QtGui.QImage(*size, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor(colour))
    painter = QtGui.QPainter(image)
    painter.fillRect(0, size[1] * 2 // 3, size[0], size[1] // 6, QtGui.QColor("#F4EFE6"))
    font = QtGui.QFont()
    font.setPixelSize(64)
    painter.setFont(font)
    painter.setPen(QtGui.QColor("#F4EFE6"))
    painter.drawText(QtCore.QRect(0, 40, size[0], 200), QtCore.Qt.AlignmentFlag.AlignHCenter, title)
    painter.end()
    assert image.save(str(path), "JPG" if path.suffix == ".jpg" else "PNG", 90)


@pytest.fixture
def covered(seeded, tmp_path):
    """The seeded kiosk with four books given covers, already fetched into the cache."""
    store = Store(seeded["database.path"])
    cache = CoverCache(cache_folder_for(seeded["database.path"]))
    for n, (pii, colour) in enumerate(COVERED.items()):
        item = store.items.get(pii)
        reference = f"https://covers.example.org/{pii}.{'jpg' if n % 2 else 'png'}"
        picture = tmp_path / Path(reference).name
        cover_picture(picture, colour, item.title)
        cache.store(reference, picture.read_bytes())
        store.items.upsert([replace(item, cover=reference)])
    store.close()
    return seeded


def borrow_stack(qtbot, kiosk, books=BOOKS):
    kiosk.window.set_cover_folder(cache_folder_for(kiosk_config(kiosk)))
    sign_in(qtbot, kiosk)
    for pii in books:
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == len(books), timeout=WAIT)
    shelf = kiosk.window.covers
    qtbot.waitUntil(
        lambda: all(
            shelf.image(kiosk.window.borrow.list.rows[p].cover.reference) is not None
            for p in COVERED
            if p in books
        ),
        timeout=WAIT,
    )
    qtbot.wait(30)
    return kiosk.window.borrow


def kiosk_config(kiosk) -> str:
    return kiosk._database_path


def pixel(widget, x: float, y: float) -> str:
    image = widget.grab().toImage()
    return image.pixelColor(round(x * (image.width() - 1)), round(y * (image.height() - 1))).name()


def near(seen: str, expected: str, tolerance: int = 8) -> bool:
    """The same colour, give or take what JPEG and smooth scaling do to a flat area."""
    a, b = QtGui.QColor(seen), QtGui.QColor(expected)
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def ink_pixels(widget, ink: str) -> int:
    image = widget.grab().toImage()
    target = QtGui.QColor(ink)
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y) == target
    )


def shoot(kiosk, name: str) -> None:
    folder = os.environ.get("SHUFANG_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        kiosk.window.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def kiosk(make_kiosk, covered):
    made = make_kiosk()
    made._database_path = covered["database.path"]
    return made


def test_a_cached_cover_shows_beside_its_title_and_a_placeholder_otherwise(qtbot, kiosk):
    screen = borrow_stack(qtbot, kiosk)
    shoot(kiosk, "borrow-covers-normal")
    for pii in BOOKS:
        thumb = screen.list.rows[pii].cover
        assert thumb.size() == thumb_size(NORMAL)
        # the thumbnail sits between the status mark and the title
        row = screen.list.rows[pii]
        assert row.mark.geometry().right() < thumb.geometry().left()
        assert thumb.geometry().right() < row.title.geometry().left()
        if pii in COVERED:
            # the cover's own colour, in its middle (under the title, above the band)
            assert near(pixel(thumb, 0.5, 0.5), COVERED[pii]), pii
        else:
            assert pixel(thumb, 0.6, 0.1) == Palette().pressed.lower(), pii  # the drawn book
            assert ink_pixels(thumb, Palette().ink) > 20, pii  # its first character in ink


def test_elderly_mode_enlarges_the_covers_and_high_contrast_redraws_the_placeholder(qtbot, kiosk):
    screen = borrow_stack(qtbot, kiosk, BOOKS[:4])
    kiosk.window.set_elderly(True)
    qtbot.wait(30)
    shoot(kiosk, "borrow-covers-elderly")
    covered, plain = screen.list.rows["100001"].cover, screen.list.rows["100002"].cover
    assert covered.size() == plain.size() == thumb_size(ELDERLY)
    assert near(pixel(covered, 0.5, 0.5), COVERED["100001"])  # scaled, not lost
    kiosk.window.set_contrast(True)
    qtbot.wait(30)
    shoot(kiosk, "borrow-covers-elderly-high-contrast")
    assert pixel(plain, 0.6, 0.1) == HIGH_CONTRAST.pressed.lower()
    assert ink_pixels(plain, HIGH_CONTRAST.ink) > 20  # white character on dark grey
    kiosk.window.set_elderly(False)
    qtbot.wait(30)
    shoot(kiosk, "borrow-covers-high-contrast")
    assert plain.size() == thumb_size(NORMAL)


def test_the_row_paints_before_its_cover_is_decoded(qtbot, kiosk):
    """Never block on loading: a row first shows the placeholder, the cover comes after."""
    kiosk.window.set_cover_folder(cache_folder_for(kiosk_config(kiosk)))
    sign_in(qtbot, kiosk)
    shelf = kiosk.window.covers
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.window.borrow.list.rows, timeout=WAIT)
    thumb = kiosk.window.borrow.list.rows["100001"].cover
    qtbot.waitUntil(lambda: bool(thumb.reference), timeout=WAIT)
    qtbot.waitUntil(lambda: thumb.showing_picture(), timeout=WAIT)
    assert shelf.images  # decoded on the shelf's thread, kept for the next row
    shelf.set_cache(None)  # no cache (never synced): the placeholder, at once
    thumb.update()
    assert not thumb.showing_picture()
    assert pixel(thumb, 0.6, 0.1) == Palette().pressed.lower()


def png_of_zeros(width: int, height: int) -> bytes:
    """A valid greyscale PNG (RFC 2083: signature, IHDR, IDAT, IEND) that is tiny on disk
    and huge in memory: a decompression bomb in miniature."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * ((width + 1) * height), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_picture_too_big_to_decode_stays_a_placeholder(qtbot, kiosk, covered, tmp_path):
    bomb = png_of_zeros(6000, 6000)  # 36 MB of pixels, 144 MB as the screen holds them
    assert len(bomb) < 200_000
    cache = CoverCache(cache_folder_for(covered["database.path"]))
    reference = "https://covers.example.org/bomb.png"
    cache.store(reference, bomb)
    store = Store(covered["database.path"])
    store.items.upsert([replace(store.items.get("100002"), cover=reference)])
    store.close()
    screen = borrow_stack(qtbot, kiosk, ["100001", "100002"])
    shelf = kiosk.window.covers
    qtbot.waitUntil(lambda: reference in shelf._refused, timeout=WAIT)
    thumb = screen.list.rows["100002"].cover
    assert not thumb.showing_picture()
    assert pixel(thumb, 0.6, 0.1) == Palette().pressed.lower()


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("三体", "三"),
        ("《活着》", "活"),
        ("the Three-Body Problem", "T"),
        ("“1984”", "1"),
        ("", ""),
    ],
)
def test_the_placeholder_shows_the_titles_first_character(title, shown):
    assert first_character(title) == shown
