"""Help for a room without staff: wherever the screen sends a reader to staff, say what else to do.

Many 城市书房 are unstaffed for hours. A message such as "请联系工作人员" alone is a dead end
there, so a panel beside it gives the room's help phone number and a QR code of the library's
help page (``kiosk.help_phone`` / ``kiosk.help_url``), and, when the message is about a book
to hand over, what to do with the book. Which messages need it is read from the text itself
(the catalog's word for staff), so a new reason that mentions staff gets the panel too, and so
do the library system's own screen messages. With neither setting configured nothing is added.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from ui.i18n import Translator
from ui.qt import QtCore, QtGui, QtWidgets
from ui.widgets import label

Qt = QtCore.Qt

QR_PX = 220


@dataclass(frozen=True)
class HelpContact:
    """Where a reader in this room can get help when nobody is there (from the kiosk config)."""

    phone: str = ""
    url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.phone or self.url)


def mentions_staff(t: Translator, text: str) -> bool:
    """Does this reader-facing text send the reader to staff?"""
    return bool(text) and t("help.staff_word").casefold() in text.casefold()


def hands_over_book(t: Translator, text: str) -> bool:
    """Does it ask the reader to hand a book to staff ("请交给工作人员")?"""
    return bool(text) and t("help.hand_over_word").casefold() in text.casefold()


def qr_image(text: str) -> QtGui.QImage:
    """A QR code of ``text`` as an image (receipts, the help page)."""
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=2).save(buffer, format="PNG")
    image = QtGui.QImage()
    image.loadFromData(buffer.getvalue(), "PNG")
    return image


class HelpPanel(QtWidgets.QFrame):
    """Phone number, QR code and what to do with the book, for a room without staff."""

    def __init__(self, t: Translator, contact: HelpContact | None = None) -> None:
        super().__init__()
        self.t = t
        self.contact = contact or HelpContact()
        self.book = False
        self.setProperty("role", "help")
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(28, 20, 28, 20)
        row.setSpacing(28)
        texts = QtWidgets.QVBoxLayout()
        texts.setSpacing(10)
        self.heading = label("")
        self.heading.setStyleSheet("font-weight: 700;")
        self.book_line = label("")
        self.phone_label = label("")
        # the number is what the reader must read and dial: large, and never broken in two
        self.phone = label("", role="title", wrap=False)
        self.scan_hint = label("")
        for widget in (
            self.heading,
            self.book_line,
            self.phone_label,
            self.phone,
            self.scan_hint,
        ):
            texts.addWidget(widget)
        texts.addStretch(1)
        row.addLayout(texts, 1)
        self.qr = QtWidgets.QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setStyleSheet("background: #FFFFFF; padding: 8px; border-radius: 8px;")
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignVCenter)
        self.set_contact(self.contact)
        self.hide()
        t.changed.connect(lambda _: self.retranslate())

    def set_contact(self, contact: HelpContact) -> None:
        self.contact = contact
        self.qr.setVisible(bool(contact.url))
        if contact.url:
            self.qr.setPixmap(
                QtGui.QPixmap.fromImage(qr_image(contact.url)).scaled(
                    QR_PX,
                    QR_PX,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )
        self.retranslate()

    def show_for(self, texts: Iterable[str]) -> None:
        """Show the panel when any of the texts on screen sends the reader to staff."""
        texts = [text for text in texts if text]
        needed = self.contact.configured and any(mentions_staff(self.t, text) for text in texts)
        self.book = any(hands_over_book(self.t, text) for text in texts)
        self.retranslate()
        self.setVisible(needed)

    def always(self) -> None:
        """Show whenever configured (a screen that is itself the dead end: out of service)."""
        self.book = False
        self.retranslate()
        self.setVisible(self.contact.configured)

    def retranslate(self) -> None:
        t, c = self.t, self.contact
        self.heading.setText(t("help.no_staff"))
        self.phone_label.setText(t("help.phone"))
        self.phone.setText(c.phone)
        self.phone_label.setVisible(bool(c.phone))
        self.phone.setVisible(bool(c.phone))
        self.book_line.setText(t("help.book_to_box"))
        self.book_line.setVisible(self.book)
        self.scan_hint.setText(t("help.scan"))
        self.scan_hint.setVisible(bool(c.url))
