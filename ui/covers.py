"""Book covers beside the titles of the borrow and return rows, or a drawn placeholder.

The screen never waits for a cover: ``CoverShelf`` reads pictures only from the cover cache
(filled by the sync daemon), decodes them on a thread of its own and keeps the last few in
memory; until a picture is there, and for a book without one, ``CoverThumb`` draws a book
in the palette's colours with the title's first character, so rows look alike either way
and high contrast and 长者模式 apply to it as to the rest of the row.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

from kiosk.covers import CoverCache
from ui.qt import QObject, QtCore, QtGui, QtWidgets, Signal
from ui.theme import ELDERLY, NORMAL, Palette, TypeScale

log = logging.getLogger(__name__)

Qt = QtCore.Qt

#: Covers are taller than wide: about the shape of a 16开 or B5 book.
ASPECT = 0.7
#: The most memory one picture may take while decoded; a real cover needs a few MB.
ALLOCATION_LIMIT_MB = 64
#: Decoded pictures kept in memory: a stack of ten, both screens, with room to spare.
MEMORY_COVERS = 48


def thumb_size(scale: TypeScale) -> QtCore.QSize:
    """Three lines of main text high: beside a title and its due date, in either mode."""
    height = 3 * scale.body
    return QtCore.QSize(round(height * ASPECT), height)


def first_character(title: str) -> str:
    """The character the placeholder shows: the title's first letter or 汉字, skipping 《 and
    other punctuation; "" when there is none."""
    return next((ch.upper() for ch in title if ch.isalnum()), "")


class _Decode(QtCore.QRunnable):
    """Read and decode one cached picture, off the UI thread (QImage is safe there)."""

    def __init__(self, shelf: CoverShelf, reference: str, path: Path, bound: QtCore.QSize) -> None:
        super().__init__()
        self.shelf, self.reference, self.path, self.bound = shelf, reference, path, bound

    def run(self) -> None:
        reader = QtGui.QImageReader(str(self.path))
        reader.setAutoTransform(True)
        # a small file may declare a huge picture (a PNG of zeros): refuse it, do not allocate
        reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
        size = reader.size()
        if size.isValid() and (
            size.width() > self.bound.width() or size.height() > self.bound.height()
        ):
            reader.setScaledSize(size.scaled(self.bound, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            log.info("cover not shown: %s: %s", self.path.name, reader.errorString())
        elif self.shelf.cache is not None:
            self.shelf.cache.touch(self.path)  # shown: trimmed last
        self.shelf._decoded.emit(self.reference, image)


class CoverShelf(QObject):
    """The window's covers: where the cache is, what is decoded, and the palette and type
    scale the thumbnails draw with (the window restyles them on a mode switch)."""

    loaded = Signal(str)  # a reference whose picture is now in memory
    restyled = Signal()
    _decoded = Signal(str, QtGui.QImage)

    def __init__(self, cache: CoverCache | None = None) -> None:
        super().__init__()
        self.cache = cache
        self.palette: Palette = Palette()
        self.scale: TypeScale = NORMAL
        self.images: OrderedDict[str, QtGui.QImage] = OrderedDict()
        self._pending: set[str] = set()
        self._refused: set[str] = set()
        self._queued: list[tuple[str, Path]] = []
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # a picture at a time: never competes with the screen
        self._decoded.connect(self._keep)

    def set_cache(self, cache: CoverCache | None) -> None:
        self.cache = cache
        self.images.clear()
        self._refused.clear()

    def restyle(self, palette: Palette, scale: TypeScale) -> None:
        self.palette, self.scale = palette, scale
        self.restyled.emit()

    def image(self, reference: str) -> QtGui.QImage | None:
        """The decoded cover, or None now (a decode is started when the cache has it)."""
        if not reference or self.cache is None:
            return None
        image = self.images.get(reference)
        if image is not None:
            self.images.move_to_end(reference)
            return image
        if reference in self._pending or reference in self._refused:
            return None
        path = self.cache.cached(reference)
        if path is not None:
            self._pending.add(reference)
            if not self._queued:  # after this paint: the rows first, the pictures next
                QtCore.QTimer.singleShot(0, self._start_decoding)
            self._queued.append((reference, path))
        return None

    def _start_decoding(self) -> None:
        # decoded no larger than twice the elderly thumbnail: sharp on a 2× screen in either
        # mode, and a big picture costs the screen no more than a small one
        bound = thumb_size(ELDERLY) * 2
        queued, self._queued = self._queued, []
        for reference, path in queued:
            self.pool.start(_Decode(self, reference, path, bound))

    def wait_for_decoding(self, timeout_ms: int = 5000) -> bool:
        """Tests and benchmarks: let every started decode finish."""
        return self.pool.waitForDone(timeout_ms)

    def _keep(self, reference: str, image: QtGui.QImage) -> None:
        self._pending.discard(reference)
        if image.isNull():
            self._refused.add(reference)  # not a picture Qt reads: the placeholder stays
            return
        self.images[reference] = image
        while len(self.images) > MEMORY_COVERS:
            self.images.popitem(last=False)
        self.loaded.emit(reference)


class CoverThumb(QtWidgets.QWidget):
    """A row's cover at a fixed size, or the placeholder book."""

    def __init__(self, shelf: CoverShelf) -> None:
        super().__init__()
        self.shelf = shelf
        self.reference = ""
        self.title = ""
        self._pixmap: QtGui.QPixmap | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        shelf.loaded.connect(self._loaded)
        shelf.restyled.connect(self._restyled)
        self._restyled()

    def show_cover(self, reference: str, title: str) -> None:
        if (reference, title) == (self.reference, self.title):
            return
        self.reference, self.title = reference, title
        self._pixmap = None
        self.update()

    def showing_picture(self) -> bool:
        return self.shelf.image(self.reference) is not None

    def _loaded(self, reference: str) -> None:
        if reference == self.reference:
            self._pixmap = None
            self.update()

    def _restyled(self) -> None:
        self.setFixedSize(thumb_size(self.shelf.scale))
        self._pixmap = None
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
        image = self.shelf.image(self.reference)
        if image is None:
            self._placeholder(painter)
        else:
            self._picture(painter, image)
        painter.end()

    def _picture(self, painter: QtGui.QPainter, image: QtGui.QImage) -> None:
        """The cover scaled smoothly to fit, centred, with a thin edge so a white cover
        still shows its shape on a white row."""
        ratio = self.devicePixelRatioF()
        if self._pixmap is None:
            target = QtCore.QSize(round(self.width() * ratio), round(self.height() * ratio))
            scaled = image.scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self._pixmap = QtGui.QPixmap.fromImage(scaled)
            self._pixmap.setDevicePixelRatio(ratio)
        size = self._pixmap.deviceIndependentSize()
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        painter.drawPixmap(QtCore.QPointF(x, y), self._pixmap)
        painter.setPen(QtGui.QPen(QtGui.QColor(self.shelf.palette.line), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QtCore.QRectF(x + 0.5, y + 0.5, size.width() - 1, size.height() - 1))

    def _placeholder(self, painter: QtGui.QPainter) -> None:
        """A closed book: cover in the pressed-button colour with a darker spine, edged in
        the line colour, and the title's first character in ink (the palette's own pairs, so
        high contrast draws it light on dark)."""
        p = self.shelf.palette
        rect = QtCore.QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = rect.width() * 0.08
        painter.setPen(QtGui.QPen(QtGui.QColor(p.line), 2))
        painter.setBrush(QtGui.QColor(p.pressed))
        painter.drawRoundedRect(rect, radius, radius)
        spine = QtCore.QRectF(rect.left(), rect.top(), rect.width() * 0.16, rect.height())
        shade = QtGui.QColor(p.muted)
        shade.setAlpha(110)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        painter.drawRoundedRect(spine.adjusted(1, 1, 0, -1), radius, radius)
        text = first_character(self.title)
        if not text:
            return
        font = QtGui.QFont(self.font())
        font.setPixelSize(round(rect.height() * 0.42))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QtGui.QColor(p.ink))
        face = rect.adjusted(spine.width(), 0, 0, 0)
        painter.drawText(face, Qt.AlignmentFlag.AlignCenter, text)
