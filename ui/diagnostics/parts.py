"""Pieces every diagnostics page uses: the page frame, a status row, a monospace text block."""

from __future__ import annotations

from typing import Any

from ui.i18n import Translator
from ui.qt import QtCore, QtWidgets
from ui.widgets import Message, button, label, restyle

Qt = QtCore.Qt
MONO = "font-family: 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', monospace; font-size: 19px;"
TONE_OF_STATUS = {"ok": "ok", "warning": "warning", "fail": "error"}
TONE_OF_STATE = {"ready": "ok", "connecting": "warning", "error": "error", "disconnected": "error"}


class Page(QtWidgets.QWidget):
    """A vertical page of sections; ``entered``/``left`` start and stop its refresh."""

    def __init__(self, mode: Any) -> None:
        super().__init__()
        self.mode = mode
        self.t: Translator = mode.t
        self.column = QtWidgets.QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 12, 0)
        self.column.setSpacing(16)

    def entered(self) -> None:
        """Shown: refresh what it displays."""

    def left(self) -> None:
        """Diagnostics mode closed: stop timers, forget what was shown."""

    def retranslate(self) -> None:
        """Re-read texts from the catalogs."""


class StatusRow(QtWidgets.QFrame):
    """Name on the left, value on the right; the row's colour says ok, warning or error."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "row")
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(20, 12, 20, 12)
        self.name = label("", wrap=False)
        self.name.setStyleSheet("font-weight: 600;")
        self.value = label("")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.name)
        row.addWidget(self.value, 1)

    def show_value(self, text: str, tone: str = "") -> None:
        self.value.setText(text)
        self.setProperty("tone", tone)
        restyle(self)


class Section(QtWidgets.QFrame):
    """One device or tool: a title, a state line, a row of buttons and a result message."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "row")
        self.box = QtWidgets.QVBoxLayout(self)
        self.box.setContentsMargins(20, 14, 20, 14)
        self.box.setSpacing(10)
        head = QtWidgets.QHBoxLayout()
        self.title = label("", wrap=False)
        self.title.setStyleSheet("font-weight: 700;")
        self.state = label("", role="muted", wrap=False)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.state)
        self.box.addLayout(head)
        self.buttons = QtWidgets.QHBoxLayout()
        self.buttons.setSpacing(12)
        self.box.addLayout(self.buttons)
        self.result = Message()
        self.result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.box.addWidget(self.result)

    def add_button(self, kind: str = "") -> QtWidgets.QPushButton:
        widget = button("", kind)
        self.buttons.addWidget(widget)
        return widget

    def finish_buttons(self) -> None:
        self.buttons.addStretch(1)


def mono(text: str = "") -> QtWidgets.QLabel:
    widget = label(text)
    widget.setStyleSheet(MONO)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget
