"""Who is borrowing: scan, tap or show a card, or type the number and PIN on the keypad."""

from __future__ import annotations

from kiosk.models import CardKind
from kiosk.reasons import Reason
from ui.help import HelpPanel
from ui.i18n import Translator
from ui.kiosk_picture import KioskPicture
from ui.qt import QtCore, QtWidgets, Signal
from ui.screens.base import Screen
from ui.theme import Palette
from ui.widgets import Keypad, Message, button

Qt = QtCore.Qt


#: what a reader refused for this reason can do instead, as a picture step: a PIN this
#: kiosk cannot check offline → show the QR e-card at the scanner window
WAYS_OUT = {Reason.PIN_NOT_HERE: "scan"}
#: refusals that are the network outage, said for this reader: the banner's "借还照常进行"
#: above them would contradict them
OUTAGE_REASONS = frozenset({Reason.PIN_NOT_HERE})


class IdentifyScreen(Screen):
    submitted = Signal(str, str, object)  # card, CardKind value, PIN or None
    cancelled = Signal()
    outage_explained = Signal(bool)  # the window hides the offline banner meanwhile

    CARD, PIN, PROMPT = "card", "pin", "prompt"

    def __init__(self, t: Translator, palette: Palette) -> None:
        super().__init__(t, palette)
        self.stage = self.PROMPT
        self.card = ""
        self.kind = CardKind.TYPED
        # where the card reader is on this machine, and a card moving to it
        self.picture = KioskPicture(t, palette, "card")
        # Portrait: picture, message, field and keypad in a column, keypad lowest. Landscape:
        # the keypad stands beside them, so the screen fits 1080 pixels of height.
        self.split = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.split.setSpacing(32)
        column = QtWidgets.QVBoxLayout()
        column.addStretch(1)  # while typing, the picture hides and the keypad stays low
        column.addWidget(self.picture, 4)
        self.message = Message()
        column.addWidget(self.message)
        self.help = HelpPanel(t)  # a card problem in a room without staff
        column.addWidget(self.help)
        self.field = QtWidgets.QLineEdit()
        self.field.setReadOnly(True)  # filled by the keypad only
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.field)
        self.split.addLayout(column, 1)
        self.keypad = Keypad()
        self.split.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addLayout(self.split, 1)
        self.keypad.digit.connect(self._digit)
        self.keypad.delete.connect(lambda: self.field.setText(self.field.text()[:-1]))
        self.keypad.clear.connect(self.field.clear)
        self.keypad.ok.connect(self._ok)
        self.back = button("", "", "back", palette.ink)
        self.back.clicked.connect(self.cancelled.emit)
        self.type_card = button("", "primary", "card", palette.primary_ink)
        self.type_card.clicked.connect(self.ask_card_number)
        self.action_row.addWidget(self.back)
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.type_card)
        self.retranslate()

    def set_portrait(self, portrait: bool) -> None:
        self.split.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        self.keypad.set_compact(not portrait)

    # --- stages --------------------------------------------------------------------------

    def entered(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.stage, self.card, self.kind = self.PROMPT, "", CardKind.TYPED
        self.field.clear()
        self.message.show_text("")
        self.help.hide()
        self.picture.set_step("card")
        self._show_stage()

    def ask_card_number(self) -> None:
        self.stage = self.CARD
        self.field.clear()
        self.field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Normal)
        self.keypad.allow_letters(True)
        self._show_stage()

    def ask_pin(self, card: str, kind: CardKind, message: str = "", tone: str = "") -> None:
        self.stage, self.card, self.kind = self.PIN, card, kind
        self.field.clear()
        self.field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.keypad.allow_letters(False)
        self.message.show_text(message, tone)
        self.help.show_for([message] if tone == "error" else [])
        self._show_stage()

    def show_problem(self, text: str, reason: Reason | None = None) -> None:
        """A refusal; for some reasons the picture shows the way out instead of the card
        reader, and the offline banner steps aside where the refusal itself is the outage."""
        self.message.show_text(text, "error")
        way_out = WAYS_OUT.get(reason) if reason else None
        if way_out:
            self.picture.set_step(way_out)
        self.outage_explained.emit(reason in OUTAGE_REASONS)
        self.help.show_for([text])
        if self.stage == self.CARD:
            self.field.clear()

    def busy(self, text: str) -> None:
        self.message.show_text(text)
        self.help.hide()

    def _show_stage(self) -> None:
        typing = self.stage in (self.CARD, self.PIN)
        self.field.setVisible(typing)
        self.keypad.setVisible(typing)
        self.picture.setVisible(not typing)
        self.type_card.setVisible(self.stage == self.PROMPT)
        self.retranslate()

    # --- keypad --------------------------------------------------------------------------

    def _digit(self, digit: str) -> None:
        if len(self.field.text()) < (12 if self.stage == self.PIN else 20):
            self.field.setText(self.field.text() + digit)

    def _ok(self) -> None:
        value = self.field.text()
        if not value:
            return
        if self.stage == self.CARD:
            self.card, self.kind = value, CardKind.TYPED
            self.submitted.emit(value, CardKind.TYPED.value, None)
        elif self.stage == self.PIN:
            self.field.clear()
            self.submitted.emit(self.card, self.kind.value, value)

    def retranslate(self) -> None:
        t = self.t
        titles = {
            self.PROMPT: "identify.title",
            self.CARD: "identify.card_label",
            self.PIN: "identify.pin_title",
        }
        self.title.setText(t(titles[self.stage]))
        self.subtitle.setText(
            t("identify.pin_hint") if self.stage == self.PIN else t("identify.hint")
        )
        self.keypad.set_texts(
            t("keypad.clear"),
            t("keypad.delete"),
            t("keypad.ok"),
            t("keypad.letters"),
            t("keypad.digits"),
        )
        self.back.setText(t("common.back"))
        self.type_card.setText(t("identify.type_card"))
