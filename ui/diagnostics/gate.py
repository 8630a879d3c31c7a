"""The hidden way in: five quick taps on the branch name, then the technician PIN on a keypad."""

from __future__ import annotations

from ui.i18n import Translator
from ui.qt import QObject, QtCore, QtWidgets, Signal
from ui.widgets import Keypad, Message, button, label

Qt = QtCore.Qt


class TapGesture(QObject):
    """Fires when ``widget`` is tapped ``taps`` times, each within ``gap_ms`` of the last.

    A label that does nothing for readers, so an accidental run of taps is very unlikely.
    """

    triggered = Signal()

    def __init__(self, widget: QtWidgets.QWidget, taps: int = 5, gap_ms: int = 700) -> None:
        super().__init__(widget)
        self.taps, self.gap_ms = taps, gap_ms
        self._count = 0
        self._clock = QtCore.QElapsedTimer()
        widget.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.TouchBegin):
            quick = self._clock.isValid() and self._clock.elapsed() <= self.gap_ms
            self._count = self._count + 1 if quick else 1
            self._clock.restart()
            if self._count >= self.taps:
                self._count = 0
                self.triggered.emit()
        return False


class PinGate(QtWidgets.QFrame):
    """Asks for the technician PIN; the digits are never shown, only dots."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self.t = t
        self.setProperty("role", "row")
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(40, 36, 40, 36)
        column.setSpacing(20)
        self.title = label("", role="title")
        self.hint = label("", role="muted")
        self.field = QtWidgets.QLineEdit()
        self.field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.field.setReadOnly(True)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = Message()
        self.keypad = Keypad()
        self.keypad.digit.connect(lambda d: self.field.setText(self.field.text() + d))
        self.keypad.delete.connect(lambda: self.field.setText(self.field.text()[:-1]))
        self.keypad.clear.connect(self.field.clear)
        self.keypad.ok.connect(self._ok)
        self.cancel = button("")
        self.cancel.clicked.connect(self.cancelled.emit)
        for widget in (self.title, self.hint, self.field, self.message, self.keypad, self.cancel):
            column.addWidget(widget)

    def reset(self, problem: str = "") -> None:
        self.field.clear()
        self.message.show_text(problem, "error" if problem else "")
        self.retranslate()

    def _ok(self) -> None:
        pin = self.field.text()
        self.field.clear()
        if pin:
            self.submitted.emit(pin)

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("diag.gate.title"))
        self.hint.setText(t("diag.gate.hint"))
        self.cancel.setText(t("common.back"))
        self.keypad.set_texts(t("keypad.clear"), t("keypad.delete"), t("keypad.ok"))
