"""The shape every screen shares: a title at the top, content, and actions at the bottom.

Actions sit at the bottom so that on a portrait screen every control a reader needs is within
reach of a wheelchair user.
"""

from __future__ import annotations

from ui.i18n import Translator
from ui.qt import QtWidgets
from ui.theme import Palette
from ui.widgets import label


class Screen(QtWidgets.QWidget):
    def __init__(self, t: Translator, palette: Palette) -> None:
        super().__init__()
        self.t = t
        self.palette_ = palette
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 36)
        outer.setSpacing(24)
        self.title = label("", role="title")
        self.subtitle = label("", role="muted")
        outer.addWidget(self.title)
        outer.addWidget(self.subtitle)
        self.body = QtWidgets.QVBoxLayout()
        self.body.setSpacing(20)
        outer.addLayout(self.body, 1)
        self.action_row = QtWidgets.QHBoxLayout()
        self.action_row.setSpacing(20)
        outer.addLayout(self.action_row)
        t.changed.connect(lambda _: self.retranslate())

    def retranslate(self) -> None:
        """Re-read every text from the catalogs (language switch)."""

    def entered(self) -> None:
        """Called when the screen is shown."""
