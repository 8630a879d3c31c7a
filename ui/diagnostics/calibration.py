"""Touch calibration check: tap five crosses (four corners and the centre), see how far off.

A worn or shifted touch panel answers a little beside the finger, worst in the corners; the
offset in millimetres tells the technician whether recalibration is due.
"""

from __future__ import annotations

import math

from ui.i18n import Translator
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.widgets import fill_parent

Qt = QtCore.Qt
TOLERANCE_MM = 5.0
MARGIN_PX = 70


class TouchCheck(QtWidgets.QWidget):
    finished = Signal(float, int)  # worst offset in mm, taps beyond the tolerance

    def __init__(self, parent: QtWidgets.QWidget, t: Translator) -> None:
        super().__init__(parent)
        self.t = t
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("background: #FFFFFF;")
        self.offsets_mm: list[float] = []
        self.index = 0

    def targets(self) -> list[QtCore.QPoint]:
        w, h, m = self.width(), self.height(), MARGIN_PX
        return [
            QtCore.QPoint(m, m),
            QtCore.QPoint(w - m, m),
            QtCore.QPoint(w - m, h - m),
            QtCore.QPoint(m, h - m),
            QtCore.QPoint(w // 2, h // 2),
        ]

    def current_target(self) -> QtCore.QPoint:
        return self.targets()[self.index]

    def start(self) -> None:
        fill_parent(self)
        self.show()
        self.raise_()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        target = self.current_target()
        point = event.position().toPoint()
        dpi = self.logicalDpiX() or 96
        distance = math.hypot(point.x() - target.x(), point.y() - target.y())
        self.offsets_mm.append(distance * 25.4 / dpi)
        self.index += 1
        if self.index >= len(self.targets()):
            misses = sum(1 for d in self.offsets_mm if d > TOLERANCE_MM)
            self.close()
            self.finished.emit(max(self.offsets_mm), misses)
        else:
            self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("#FFFFFF"))
        painter.setPen(QtGui.QColor("#1D2733"))
        font = painter.font()
        font.setPixelSize(30)
        painter.setFont(font)
        text = self.t("diag.touch.hint", done=self.index, total=len(self.targets()))
        painter.drawText(
            self.rect().adjusted(160, 0, -160, 0), Qt.AlignmentFlag.AlignCenter, text + "\n\n\n"
        )
        target = self.current_target()
        painter.setPen(QtGui.QPen(QtGui.QColor("#B4432A"), 4))
        painter.drawEllipse(target, 26, 26)
        painter.drawLine(target.x() - 44, target.y(), target.x() + 44, target.y())
        painter.drawLine(target.x(), target.y() - 44, target.x(), target.y() + 44)
        painter.end()
