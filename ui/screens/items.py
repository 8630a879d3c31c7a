"""Borrow and return: items appear one by one as they are placed or scanned."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from ui.covers import CoverShelf
from ui.help import HelpPanel
from ui.i18n import Translator
from ui.kiosk_picture import KioskPicture
from ui.qt import QtCore, QtWidgets, Signal
from ui.screens.base import Screen
from ui.text import due_change_text, format_date, outcome_text
from ui.theme import Palette
from ui.widgets import ItemList, ItemRow, Message, button, label

#: a charge offered for the reader to accept, and the button that accepts it
FEE_OFFERS = {
    Reason.FEE_TO_ACCEPT: "borrow.accept_fee",
    Reason.RENEWAL_FEE_TO_ACCEPT: "borrow.accept_renewal_fee",
}


class ItemsScreen(Screen):
    """Shared by borrowing (``mode='borrow'``) and returning (``mode='return'``)."""

    finished = Signal()
    renew_requested = Signal(str)
    fee_accepted = Signal(str)  # the reader accepts an item's charge (SIP2 BO = Y)

    #: how long a lifted book's row stays, marked 已拿走, before it goes
    LIFTED_MS = 2000

    def __init__(
        self,
        t: Translator,
        palette: Palette,
        mode: str,
        tz: ZoneInfo,
        covers: CoverShelf | None = None,
    ) -> None:
        super().__init__(t, palette)
        self.mode = mode
        self.tz = tz
        self.initials = ""
        self.block_text = ""
        self.count = 0
        self.instructions = label("", role="message")
        self.message = Message()
        self.list = ItemList(covers)  # rows with the book's cover beside the title
        # a room without staff: where the book goes, phone, QR code; right under the rows
        # (they gather at the bottom) that send the reader to staff; in landscape beside
        # them, where under them the window would grow past 1080 pixels in 长者模式
        self.help = HelpPanel(t)
        column = QtWidgets.QVBoxLayout()
        column.setSpacing(20)
        column.addWidget(self.instructions)
        column.addWidget(self.message)
        # Until the first book is placed: where the pad is, and a stack settling on it.
        self.picture = KioskPicture(t, palette, "place_books")
        column.addWidget(self.picture, 1)
        column.addWidget(self.list, 1)
        self.middle = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.middle.setSpacing(20)
        self.middle.addLayout(column, 1)
        self.middle.addWidget(self.help, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        self.body.addLayout(self.middle, 1)
        # what the session has done so far: main text, not a grey footnote (#13)
        self.tally = label("", role="tally")
        self.finish = button("", "primary", "check", palette.primary_ink)
        self.finish.clicked.connect(self.finished.emit)
        self.action_row.addWidget(self.tally, 1)
        self.action_row.addWidget(self.finish)
        self.outcomes: dict[str, Outcome] = {}
        #: rows whose book was lifted off: marked now, taken away when the timer fires
        self.lifting: dict[str, QtCore.QTimer] = {}
        self.gone: set[str] = set()  # rows taken away; their outcomes still count
        self.lifted_ms = self.LIFTED_MS
        self.retranslate()

    def set_portrait(self, portrait: bool) -> None:
        self.middle.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        self.middle.setStretch(1, 0 if portrait else 1)

    def start(self, initials: str = "", block_text: str = "") -> None:
        self.initials, self.block_text, self.count = initials, block_text, 0
        self.outcomes.clear()
        for timer in self.lifting.values():
            timer.stop()
        self.lifting.clear()
        self.gone.clear()
        self.list.clear()
        self.message.show_text(block_text, "error" if block_text else "")
        self._show_picture()
        self.retranslate()

    def _show_picture(self) -> None:
        """The picture while there is nothing else to look at: no rows yet (or all lifted
        away), and not for a reader who may not borrow now."""
        empty = not self.list.rows and not self.block_text
        self.picture.setVisible(empty)
        self.list.setVisible(not empty)

    def working(self, pii: str, title: str = "") -> None:
        self._keep(pii)
        row = self.list.row(pii)
        self._show_picture()
        row.show_state(title or pii, self.t("item.working"), "", self.palette_.muted)
        if row.cover is not None:
            row.cover.show_cover("", title)

    def show_outcome(self, outcome: Outcome) -> None:
        self._keep(outcome.pii)
        self.outcomes[outcome.pii] = outcome
        self._paint(outcome)
        self._show_picture()
        self.count = sum(1 for o in self.outcomes.values() if o.ok)
        self._paint_tally()

    def lifted(self, pii: str) -> None:
        """The book was lifted off the pad: its row says 已拿走 for a moment, then goes, as a
        reader expects (#13 bug 5: rows stayed after their books were taken away). The
        tally keeps counting it."""
        row = self.list.rows.get(pii)
        if row is None or pii not in self.outcomes or pii in self.lifting:
            return
        detail = row.detail.text().split("\n")[0]
        row.show_state(
            row.title.text(), f"{self.t('item.lifted')}  ·  {detail}", "gone", self.palette_.muted
        )
        timer = QtCore.QTimer(self, singleShot=True, interval=self.lifted_ms)
        timer.timeout.connect(lambda: self._drop(pii))
        self.lifting[pii] = timer
        timer.start()
        self._update_help()

    def placed_again(self, pii: str) -> None:
        """A lifted book is back on the pad: its row stays (or comes back) as it was."""
        if self._keep(pii) and pii in self.outcomes:
            self._paint(self.outcomes[pii])

    def _keep(self, pii: str) -> bool:
        """Stop taking ``pii``'s row away; True when it was lifted or gone."""
        timer = self.lifting.pop(pii, None)
        if timer is not None:
            timer.stop()
        was_gone = pii in self.gone
        self.gone.discard(pii)
        return timer is not None or was_gone

    def _drop(self, pii: str) -> None:
        self.lifting.pop(pii, None)
        self.gone.add(pii)
        self.list.drop(pii)
        self._show_picture()
        self._update_help()

    def _paint(self, outcome: Outcome) -> None:
        p, t = self.palette_, self.t
        row = self.list.row(outcome.pii)
        title = outcome.item.title if outcome.item else outcome.pii
        if outcome.reason in (Reason.TAG_NOT_READ, Reason.TAG_UNREADABLE):
            title = t("item.unknown_tag")  # its UID would mean nothing to a reader
        if outcome.ok and self.mode == "borrow" and "previous_due" in outcome.details:
            detail, tone, colour = due_change_text(self.t, outcome, self.tz), "ok", p.success
        elif outcome.ok and self.mode == "borrow" and outcome.due_at is not None:
            detail = t("item.due", date=format_date(self.t, outcome.due_at, self.tz))
            tone, colour = "ok", p.success
        elif outcome.ok:
            detail = (
                t("item.returned")
                if outcome.reason in (Reason.OK, Reason.NOT_ON_LOAN)
                else outcome_text(self.t, outcome, self.tz)
            )
            # a return that worked is a success, even when the book goes to a shelf or box
            # next (#13 bug 5: amber rows made readers think it had failed)
            tone, colour = "ok", p.success
        elif outcome.kind is OutcomeKind.OFFER:
            detail, tone, colour = outcome_text(self.t, outcome, self.tz), "warning", p.warning
        else:
            detail, tone, colour = outcome_text(self.t, outcome, self.tz), "error", p.error
        if outcome.offline and outcome.ok:
            detail += "  ·  " + t("item.recorded_offline")
        # the library system's own words for the reader (SIP2 AF), shown as it sent them
        for message in outcome.details.get("screen_messages", ()):
            if message and message not in detail:
                detail += "\n" + message
        row.show_state(title, detail, tone, colour)
        if row.cover is not None:
            row.cover.show_cover(outcome.item.cover if outcome.item else "", title)
        self._offer_renewal(row, outcome)
        self._update_help()

    def _update_help(self) -> None:
        """Offer the no-staff help while a message or a refused item sends the reader to staff."""
        problems = [self.message.text() if self.message.isVisibleTo(self) else ""]
        if self.block_text:
            problems.append(self.instructions.text())
        problems += [
            row.detail.text()
            for row in self.list.rows.values()
            if row.property("tone") in ("error", "warning")
        ]
        self.help.show_for(problems)

    def _offer_renewal(self, row: ItemRow, outcome: Outcome) -> None:
        while row.action_box.count():
            taken = row.action_box.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        if outcome.kind is OutcomeKind.OFFER and outcome.reason is Reason.ALREADY_YOURS:
            renew = button(self.t("borrow.renew"), "chip")
            renew.clicked.connect(lambda: self.renew_requested.emit(outcome.pii))
            row.action_box.addWidget(renew)
        elif outcome.kind is OutcomeKind.OFFER and outcome.reason in FEE_OFFERS:
            accept = button(self.t(FEE_OFFERS[outcome.reason]), "chip")
            accept.clicked.connect(lambda: self.fee_accepted.emit(outcome.pii))
            row.action_box.addWidget(accept)

    def _paint_tally(self) -> None:
        key = "borrow.count" if self.mode == "borrow" else "return.count"
        self.tally.setText(self.t(key, count=self.count))

    def retranslate(self) -> None:
        t = self.t
        if self.mode == "borrow":
            self.title.setText(t("borrow.blocked") if self.block_text else t("borrow.title"))
            self.tally.setVisible(not self.block_text)  # "0 borrowed" says nothing here
            self.subtitle.setText(
                t("borrow.greeting", initials=self.initials) if self.initials else ""
            )
            # a reader who cannot borrow now is not invited to place books (#13 bug 4): the
            # message says why, the instructions what can still be done
            self.instructions.setText(
                t("borrow.blocked_help") if self.block_text else t("borrow.place_items")
            )
        else:
            self.title.setText(t("return.title"))
            self.subtitle.setText("")
            self.instructions.setText(t("return.place_items"))
        self.finish.setText(t("common.finish"))
        self.list.more_text = lambda count: t("list.more_above", count=count)
        self.list.more_above.setText(t("list.more_above", count=self.list.rows_above()))
        for outcome in self.outcomes.values():
            if outcome.pii not in self.gone:
                self._paint(outcome)
        for pii in list(self.lifting):  # still marked, in the new words and colours
            self.lifting.pop(pii).stop()
            self.lifted(pii)
        self._paint_tally()
        self._update_help()
