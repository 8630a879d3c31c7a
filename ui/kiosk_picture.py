"""A moving picture of this kiosk that shows the reader where to act.

Readers in an unstaffed room, many of them elderly or children, find the pad, the card
reader or the scanner window faster from a picture of the machine in front of them than
from words (#13, "Pictures and motion"). The picture is drawn, not bundled: a front view of
the machine model the site configures (``ui.kiosk_model``), its parts where that model has
them, the part for this step lit and labelled, and a short looping motion of what to do there
(a stack of books settling on the pad, a card moving to the reader). It is drawn from the
theme's palette, so high contrast applies to it, and it animates only while it is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ui.i18n import Translator
from ui.qt import QtCore, QtGui, QtWidgets
from ui.theme import Palette

Qt = QtCore.Qt
Rect = tuple[float, float, float, float]  # x, y, width, height as fractions of the view


@dataclass(frozen=True, slots=True)
class KioskModel:
    """Where a machine model keeps its parts, as fractions of a front view of the machine."""

    name: str
    body: Rect
    screen: Rect
    pad: Rect
    card_reader: Rect
    scanner: Rect
    printer: Rect


#: ``ui.kiosk_model`` values: an upright floor-standing kiosk (screen above a book shelf with
#: the pad; card reader and scanner window beside the screen, receipts below), and a desk
#: kiosk (a landscape screen with the pad to its right on the desk).
MODELS = {
    "upright": KioskModel(
        "upright",
        body=(0.30, 0.02, 0.40, 0.96),
        screen=(0.34, 0.06, 0.32, 0.40),
        pad=(0.33, 0.58, 0.34, 0.12),
        card_reader=(0.57, 0.48, 0.09, 0.07),
        scanner=(0.34, 0.48, 0.09, 0.07),
        printer=(0.44, 0.80, 0.12, 0.05),
    ),
    "desk": KioskModel(
        "desk",
        body=(0.08, 0.20, 0.84, 0.72),
        screen=(0.12, 0.26, 0.46, 0.46),
        pad=(0.63, 0.58, 0.26, 0.24),
        card_reader=(0.63, 0.28, 0.11, 0.12),
        scanner=(0.78, 0.28, 0.11, 0.12),
        printer=(0.26, 0.78, 0.18, 0.06),
    ),
}

#: the steps a picture can show: the part lit, and its label's translation key
STEPS = {
    "place_books": ("pad", "picture.pad"),
    "card": ("card_reader", "picture.card_reader"),
    "scan": ("scanner", "picture.scanner"),
    "receipt": ("printer", "picture.printer"),
}
LOOP_MS = 2400  # one motion, then it starts again
FRAME_MS = 40


def _screen_colour(p: Palette) -> str:
    """A switched-off screen is dark: the ink on a light page, a dark grey on black."""
    return p.ink if QtGui.QColor(p.paper).lightness() > 128 else p.disabled_bg


class KioskPicture(QtWidgets.QWidget):
    def __init__(self, t: Translator, palette: Palette, step: str = "place_books") -> None:
        super().__init__()
        self.t = t
        self.palette_ = palette
        self.model = MODELS["upright"]
        self.step = step
        self.phase = 0.0  # 0..1 through the loop
        self._clock = QtCore.QElapsedTimer()
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self.setMinimumHeight(220)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding
        )

    def set_model(self, name: str) -> None:
        self.model = MODELS.get(name, MODELS["upright"])
        self.update()

    def set_step(self, step: str) -> None:
        if step not in STEPS:
            raise ValueError(f"no picture step {step!r}")
        self.step = step
        self.update()

    @property
    def animating(self) -> bool:
        return self._timer.isActive()

    # --- animation: only while shown, so a hidden picture costs nothing -----------------

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        self._clock.start()
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def _tick(self) -> None:
        self.phase = (self._clock.elapsed() % LOOP_MS) / LOOP_MS
        self.update()

    # --- drawing ------------------------------------------------------------------------

    def _box(self, rect: Rect) -> QtCore.QRectF:
        """A model rectangle in this widget, the view kept at 4:3 and centred."""
        width, height = float(self.width()), float(self.height())
        side = min(width, height * 4 / 3)
        view = QtCore.QRectF((width - side) / 2, (height - side * 3 / 4) / 2, side, side * 3 / 4)
        x, y, w, h = rect
        return QtCore.QRectF(
            view.x() + x * view.width(),
            view.y() + y * view.height(),
            w * view.width(),
            h * view.height(),
        )

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p, m = self.palette_, self.model
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        line = QtGui.QPen(QtGui.QColor(p.ink), 3)
        painter.setPen(line)
        painter.setBrush(QtGui.QColor(p.card))
        painter.drawRoundedRect(self._box(m.body), 18, 18)
        painter.setBrush(QtGui.QColor(_screen_colour(p)))
        painter.drawRoundedRect(self._box(m.screen), 8, 8)
        part, label_key = STEPS[self.step]
        glow = 0.55 + 0.45 * math.sin(self.phase * 2 * math.pi)
        for name in ("pad", "card_reader", "scanner", "printer"):
            box = self._box(getattr(m, name))
            lit = name == part
            colour = QtGui.QColor(p.primary if lit else p.line)
            if lit:
                colour.setAlphaF(0.35 + 0.5 * glow)
            painter.setPen(QtGui.QPen(QtGui.QColor(p.primary if lit else p.muted), 3))
            painter.setBrush(colour)
            painter.drawRoundedRect(box, 6, 6)
        target = self._box(getattr(m, part))
        self._draw_motion(painter, target)
        self._draw_label(painter, target, self.t(label_key))
        painter.end()

    def _draw_motion(self, painter: QtGui.QPainter, target: QtCore.QRectF) -> None:
        """What the reader does there, moving towards the lit part and settling on it."""
        p = self.palette_
        settle = min(1.0, self.phase / 0.6)
        ease = 1 - (1 - settle) ** 3
        painter.setPen(QtGui.QPen(QtGui.QColor(p.ink), 2))
        if self.step == "place_books":
            book_h = target.height() * 0.28
            lift = (1 - ease) * target.height() * 2.2
            colours = (p.accent, p.calm, p.primary)
            for n, colour in enumerate(colours):
                width = target.width() * (0.72 - 0.08 * n)
                top = target.bottom() - target.height() * 0.2 - book_h * (n + 1) - lift
                painter.setBrush(QtGui.QColor(colour))
                painter.drawRoundedRect(
                    QtCore.QRectF(target.center().x() - width / 2, top, width, book_h), 3, 3
                )
        elif self.step in ("card", "scan"):
            size = target.height() * 1.3
            start = QtCore.QPointF(target.center().x() + size * 2.2, target.center().y() + size)
            end = target.center()
            centre = start + (end - start) * ease
            painter.setBrush(QtGui.QColor(p.calm if self.step == "card" else p.accent))
            painter.drawRoundedRect(
                QtCore.QRectF(centre.x() - size * 0.8, centre.y() - size / 2, size * 1.6, size),
                6,
                6,
            )
        else:  # receipt: paper comes out of the slot
            paper = QtCore.QRectF(
                target.x() + target.width() * 0.15,
                target.bottom(),
                target.width() * 0.7,
                target.height() * 2.5 * ease,
            )
            painter.setBrush(QtGui.QColor(p.card))
            painter.drawRect(paper)

    def _draw_label(self, painter: QtGui.QPainter, target: QtCore.QRectF, text: str) -> None:
        """The part's name in a tag beside the machine, with a line to the part: the tag never
        covers the machine or the motion."""
        p = self.palette_
        font = QtGui.QFont(self.font())
        font.setPixelSize(max(20, min(44, int(self.height() * 0.06))))
        font.setBold(True)
        painter.setFont(font)
        metrics = QtGui.QFontMetricsF(font)
        pad = metrics.height() * 0.4
        width, height = metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad
        body = self._box(self.model.body)
        on_right = target.center().x() >= body.center().x()
        gap = 24.0
        if on_right:
            x = min(body.right() + gap, self.width() - width - 4)
        else:
            x = max(body.left() - gap - width, 4.0)
        tag = QtCore.QRectF(x, target.center().y() - height / 2, width, height)
        painter.setPen(QtGui.QPen(QtGui.QColor(p.primary), 4))
        start = QtCore.QPointF(tag.left() if on_right else tag.right(), tag.center().y())
        tip = QtCore.QPointF(target.right() if on_right else target.left(), target.center().y())
        painter.drawLine(start, tip)
        painter.setBrush(QtGui.QColor(p.primary))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(tag, height / 2, height / 2)
        painter.setPen(QtGui.QColor(p.primary_ink))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
