"""The end of a session: receipt choice, goodbye, and the out-of-service notice."""

from __future__ import annotations

from ui.help import HelpPanel
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.screens.base import Screen
from ui.summary import SessionSummary, summary_sentence
from ui.widgets import BigAction, Message, button, label

Qt = QtCore.Qt


class SummaryLine(QtWidgets.QLabel):
    """The session's closing summary in large green type ("借书成功，共 3 本，…")."""

    def __init__(self, t) -> None:
        super().__init__()
        self.t = t
        self.summary = SessionSummary()
        self.setProperty("role", "summary")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary = summary
        self.retranslate()

    def retranslate(self) -> None:
        text = summary_sentence(self.summary, self.t.language)
        self.setText(text)
        self.setVisible(bool(text))


class ReceiptScreen(Screen):
    chosen = Signal(str)  # "print", "qr", "none"

    def __init__(self, t, palette) -> None:
        super().__init__(t, palette)
        self.summary = SummaryLine(t)
        self.body.addWidget(self.summary)
        self.message = Message()
        self.body.addWidget(self.message)
        self.qr = QtWidgets.QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.hide()
        self.body.addWidget(self.qr, 1)
        self.body.addStretch(1)
        self.print_button = BigAction("printer", "primary", palette.primary_ink)
        self.qr_button = BigAction("qr", "calm", palette.primary_ink)
        self.none_button = button("", "", "cross", palette.ink)
        self.print_button.clicked.connect(lambda: self.chosen.emit("print"))
        self.qr_button.clicked.connect(lambda: self.chosen.emit("qr"))
        self.none_button.clicked.connect(lambda: self.chosen.emit("none"))
        # portrait: one over the other; landscape: side by side, so the summary fits above
        self.choices = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.choices.setSpacing(20)
        self.choices.addWidget(self.print_button, 1)
        self.choices.addWidget(self.qr_button, 1)
        self.body.addLayout(self.choices, 2)
        self.actions.addStretch(1)
        self.actions.addWidget(self.none_button)
        self.retranslate()

    def set_portrait(self, portrait: bool) -> None:
        self.choices.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        for tile in (self.print_button, self.qr_button):
            tile.set_stacked(not portrait)

    def entered(self) -> None:
        self.qr.hide()
        self.message.show_text("")
        for widget in (self.print_button, self.qr_button):
            widget.show()
        self.none_button.setText(self.t.t("receipt.none"))  # it said 完成 under a QR code

    def show_qr(self, image: QtGui.QImage, problem: str = "") -> None:
        self.print_button.hide()
        self.qr_button.hide()
        self.qr.setPixmap(
            QtGui.QPixmap.fromImage(image).scaled(
                420,
                420,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        self.qr.show()
        self.message.show_text(problem or self.t.t("receipt.qr_hint"), "error" if problem else "")
        self.none_button.setText(self.t.t("common.finish"))

    def show_printing(self) -> None:
        self.message.show_text(self.t.t("receipt.printing"), "ok")

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary.show_summary(summary)

    def retranslate(self) -> None:
        t = self.t.t
        self.summary.retranslate()
        self.title.setText(t("receipt.title"))
        self.subtitle.setText("")
        self.print_button.set_texts(t("receipt.print"), "")
        self.qr_button.set_texts(t("receipt.qr"), t("receipt.qr_hint"))
        self.none_button.setText(t("receipt.none"))


class GoodbyeScreen(Screen):
    def __init__(self, t, palette) -> None:
        super().__init__(t, palette)
        self.title.setProperty("role", "display")
        self.summary = SummaryLine(t)
        self.body.addWidget(self.summary)
        self.body.addStretch(1)
        self.retranslate()

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary.show_summary(summary)

    def retranslate(self) -> None:
        self.summary.retranslate()
        self.title.setText(self.t.t("goodbye.title"))
        self.subtitle.setText(self.t.t("goodbye.hint"))


class OutOfServiceScreen(Screen):
    def __init__(self, t, palette) -> None:
        super().__init__(t, palette)
        self.title.setProperty("role", "display")
        self.note = label("", role="message")
        self.help = HelpPanel(t)  # the kiosk itself is the dead end: say where help is
        self.body.addStretch(1)
        self.body.addWidget(self.note)
        self.body.addWidget(self.help)
        self.body.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t.t("oos.title"))
        self.subtitle.setText("")
        self.note.setText(self.t.t("oos.hint"))
        self.help.always()
