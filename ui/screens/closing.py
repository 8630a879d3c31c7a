"""The end of a session: receipt choice, goodbye, and the out-of-service notice."""

from __future__ import annotations

from ui.help import HelpPanel
from ui.i18n import Translator
from ui.icons import pixmap
from ui.kiosk_picture import KioskPicture
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.screens.base import Screen
from ui.summary import SessionSummary, summary_lines
from ui.theme import Palette
from ui.widgets import BigAction, Message, button, label

Qt = QtCore.Qt


class SummaryLine(QtWidgets.QLabel):
    """The session's closing summary in large green type, a clause a line (借书成功，共 3 本 /
    请在12月31日前归还); the same words as ``summary_sentence`` speaks."""

    def __init__(self, t: Translator) -> None:
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
        text = summary_lines(self.summary, self.t.language)
        self.setText(text)
        self.setVisible(bool(text))


class QrView(QtWidgets.QWidget):
    """A QR code as large as its place allows, in whole modules: it fills the space of a
    portrait screen and shrinks beside the summary in landscape, instead of a fixed 420 px
    picture that pushed a landscape window past 1080 pixels."""

    BOX_PX = 10  # qrcode's pixels per module in the image it makes

    def __init__(self) -> None:
        super().__init__()
        self.image = QtGui.QImage()
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding
        )
        self.setMinimumSize(200, 200)

    def set_image(self, image: QtGui.QImage) -> None:
        self.image = image
        self.update()

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(420, 420)

    def pixmap(self) -> QtGui.QPixmap:
        """The code as drawn now: the largest whole number of pixels per module that fits."""
        if self.image.isNull():
            return QtGui.QPixmap()
        modules = max(1, self.image.width() // self.BOX_PX)
        side = max(modules, min(self.width(), self.height(), 720) // modules * modules)
        return QtGui.QPixmap.fromImage(
            self.image.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        picture = self.pixmap()
        if picture.isNull():
            return
        painter = QtGui.QPainter(self)
        x = (self.width() - picture.width()) // 2
        y = (self.height() - picture.height()) // 2
        painter.drawPixmap(x, y, picture)
        painter.end()


class ReceiptScreen(Screen):
    chosen = Signal(str)  # "print", "qr", "none"

    def __init__(self, t: Translator, palette: Palette) -> None:
        super().__init__(t, palette)
        # the summary and the hint, and the QR code under them (portrait) or beside them
        # (landscape, where a code under two messages would be too small to scan)
        self.summary = SummaryLine(t)
        self.message = Message()
        self.qr = QrView()
        self.qr.hide()
        texts = QtWidgets.QVBoxLayout()
        texts.setSpacing(20)
        texts.addWidget(self.summary)
        texts.addWidget(self.message)
        texts.addStretch(1)
        self.top = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.top.setSpacing(20)
        self.top.addLayout(texts, 0)
        self.top.addWidget(self.qr, 4)
        # while printing: where the receipt comes out of this machine
        self.picture = KioskPicture(t, palette, "receipt")
        self.picture.hide()
        self.top.addWidget(self.picture, 4)
        self.body.addLayout(self.top, 0)  # 4 while a QR code or the picture shows
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
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.none_button)
        self.showing_qr = self.printing = False
        self.retranslate()

    def set_portrait(self, portrait: bool) -> None:
        self.top.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        self.top.setStretch(0, 0 if portrait else 1)
        self.top.setStretch(1, 4 if portrait else 1)
        self.choices.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        for tile in (self.print_button, self.qr_button):
            tile.set_stacked(not portrait)

    def entered(self) -> None:
        self.showing_qr = self.printing = False
        self.title.setText(self.t("receipt.title"))
        self.body.setStretch(0, 0)  # the choice tiles take the room the QR code would
        self.qr.hide()
        self.picture.hide()
        self.message.show_text("")
        for widget in (self.print_button, self.qr_button):
            widget.show()
        self.none_button.setText(self.t("receipt.none"))  # it said 完成 under a QR code

    def show_qr(self, image: QtGui.QImage, problem: str = "") -> None:
        self.print_button.hide()
        self.qr_button.hide()
        # The question is answered: the title now says what to do with the code.
        self.showing_qr, self.printing = True, False
        self.title.setText(self.t("receipt.qr_title"))
        self.picture.hide()  # the printer failed: the code instead
        self.qr.set_image(image)
        self.body.setStretch(0, 4)
        self.qr.show()
        self.message.show_text(problem or self.t("receipt.qr_hint"), "error" if problem else "")
        self.none_button.setText(self.t("common.finish"))

    def show_printing(self) -> None:
        """The choice is made: the tiles give way to where the receipt comes out."""
        self.message.show_text(self.t("receipt.printing"), "ok")
        self.printing = True
        self.title.setText(self.t("receipt.printing_title"))
        self.none_button.setText(self.t("common.finish"))
        self.print_button.hide()
        self.qr_button.hide()
        self.body.setStretch(0, 4)
        self.picture.show()

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary.show_summary(summary)

    def retranslate(self) -> None:
        t = self.t
        self.summary.retranslate()
        self.title.setText(
            t(
                "receipt.qr_title"
                if self.showing_qr
                else "receipt.printing_title"
                if self.printing
                else "receipt.title"
            )
        )
        self.subtitle.setText("")
        self.print_button.set_texts(t("receipt.print"), "")
        self.qr_button.set_texts(t("receipt.qr"), t("receipt.qr_hint"))
        self.none_button.setText(
            t("common.finish" if self.showing_qr or self.printing else "receipt.none")
        )


class GoodbyeScreen(Screen):
    def __init__(self, t: Translator, palette: Palette) -> None:
        super().__init__(t, palette)
        self.title.setProperty("role", "display")
        self.subtitle.hide()
        # what was done first, in the largest type after the thanks; then the reminder
        self.summary = SummaryLine(t)
        self.body.addWidget(self.summary)
        self.hint = label("", role="message")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.hint)
        self.tick = QtWidgets.QLabel()  # a large green ✓ when the session did something
        self.tick.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addStretch(1)
        self.body.addWidget(self.tick)
        self.body.addStretch(2)
        self.retranslate()

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary.show_summary(summary)
        self.retranslate()

    def retranslate(self) -> None:
        self.summary.retranslate()
        self.tick.setPixmap(pixmap("check", self.palette_.success, 280))
        self.tick.setVisible(bool(self.summary.summary))
        self.title.setText(self.t("goodbye.title"))
        self.hint.setText(self.t("goodbye.hint"))


class OutOfServiceScreen(Screen):
    def __init__(self, t: Translator, palette: Palette) -> None:
        super().__init__(t, palette)
        self.title.setProperty("role", "display")
        self.note = label("", role="message")
        self.help = HelpPanel(t)  # the kiosk itself is the dead end: say where help is
        self.storage_fault = False
        self.body.addStretch(1)
        self.body.addWidget(self.note)
        self.body.addWidget(self.help)
        self.body.addStretch(2)
        self.retranslate()

    def set_storage_fault(self, on: bool) -> None:
        """Say why when the kiosk knows: its storage failed, and it comes back by itself."""
        self.storage_fault = on
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t("oos.title"))
        self.subtitle.setText("")
        self.note.setText(self.t("oos.storage" if self.storage_fault else "oos.hint"))
        self.help.always()
