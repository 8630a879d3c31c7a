"""The attract screen: branch, today's hours, and the three things a reader can do.

Portrait stacks the three tiles, within reach at the bottom; landscape is its own layout, the
tiles side by side with the picture over the word, instead of three wide stripes.
"""

from __future__ import annotations

from ui.i18n import Translator
from ui.qt import QtWidgets, Signal
from ui.screens.base import Screen
from ui.theme import Palette
from ui.widgets import BigAction, label


class HomeScreen(Screen):
    borrow = Signal()
    give_back = Signal()
    account = Signal()

    def __init__(self, t: Translator, palette: Palette, branch_name: str, hours_today: str) -> None:
        super().__init__(t, palette)
        self.branch_name = branch_name
        self.hours_today = hours_today
        self.title.setProperty("role", "display")
        self.body.addStretch(2)
        self.hours = label("", role="muted")
        self.body.addWidget(self.hours)
        self.tiles = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.tiles.setSpacing(20)
        self.borrow_button = BigAction("borrow", "primary", palette.primary_ink)
        self.return_button = BigAction("return", "accent", palette.accent_ink)
        self.account_button = BigAction("account", "calm", palette.primary_ink)
        for widget, signal in (
            (self.borrow_button, self.borrow),
            (self.return_button, self.give_back),
            (self.account_button, self.account),
        ):
            widget.clicked.connect(signal.emit)
            self.tiles.addWidget(widget, 1)
        self.body.addLayout(self.tiles, 6)
        self.retranslate()

    @property
    def buttons(self) -> tuple[BigAction, ...]:
        return (self.borrow_button, self.return_button, self.account_button)

    def set_portrait(self, portrait: bool) -> None:
        self.tiles.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        for tile in self.buttons:
            tile.set_stacked(not portrait)

    def set_hours(self, hours_today: str) -> None:
        self.hours_today = hours_today
        self.retranslate()

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("home.welcome", branch=self.branch_name))
        self.subtitle.setText(t("app.name"))
        self.hours.setText(
            t("home.hours_today", hours=self.hours_today)
            if self.hours_today
            else t("home.closed_today")
        )
        self.borrow_button.set_texts(t("home.borrow"), t("home.borrow_hint"))
        self.return_button.set_texts(t("home.return"), t("home.return_hint"))
        self.account_button.set_texts(t("home.account"), t("home.account_hint"))
