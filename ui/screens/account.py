"""My account: current loans with due dates, overdue marked, renew selected or all."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.models import Item, Loan
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from ui.help import HelpPanel
from ui.i18n import Translator
from ui.qt import QtWidgets, Signal
from ui.screens.base import Screen
from ui.text import due_change_text, format_date, outcome_text
from ui.theme import Palette
from ui.widgets import ItemList, button, label


class AccountScreen(Screen):
    renew = Signal(list)  # PIIs
    renew_all = Signal()
    fee_accepted = Signal(str)  # the reader accepts the charge for renewing an item (BO = Y)
    finished = Signal()

    def __init__(self, t: Translator, palette: Palette, tz: ZoneInfo) -> None:
        super().__init__(t, palette)
        self.tz = tz
        self.initials = ""
        self.now: datetime | None = None
        self.loans: list[tuple[Loan, Item | None]] = []
        self.results: dict[str, Outcome] = {}
        self.checks: dict[str, QtWidgets.QCheckBox] = {}
        self.accepts: dict[str, QtWidgets.QPushButton] = {}
        self.empty = label("", role="message")
        self.body.addWidget(self.empty)
        self.list = ItemList()
        self.body.addWidget(self.list, 1)
        self.help = HelpPanel(t)  # a renewal refused "ask staff" in a room without staff
        self.body.addWidget(self.help)
        self.spacer = QtWidgets.QWidget()
        self.body.addWidget(self.spacer, 1)
        self.renew_selected = button("", "", "clock", palette.ink)
        self.renew_selected.clicked.connect(
            lambda: self.renew.emit([p for p, c in self.checks.items() if c.isChecked()])
        )
        self.renew_everything = button("", "calm", "clock", palette.primary_ink)
        self.renew_everything.clicked.connect(self.renew_all.emit)
        self.finish = button("", "primary", "check", palette.primary_ink)
        self.finish.clicked.connect(self.finished.emit)
        for widget in (self.renew_selected, self.renew_everything):
            self.action_row.addWidget(widget)
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.finish)
        self.retranslate()

    def show_loans(
        self, initials: str, loans: list[tuple[Loan, Item | None]], now: datetime
    ) -> None:
        self.initials, self.loans, self.now = initials, loans, now
        self.results.clear()
        self.list.clear()
        self.checks.clear()
        self.accepts.clear()
        for loan, _ in loans:
            row = self.list.row(loan.item_pii)
            check = QtWidgets.QCheckBox()
            check.toggled.connect(self._ticks_changed)
            self.checks[loan.item_pii] = check
            row.action_box.addWidget(check)
        self.retranslate()

    def show_results(self, outcomes: list[Outcome], loans: list[tuple[Loan, Item | None]]) -> None:
        self.loans = loans
        self.results = {o.pii: o for o in outcomes}
        for check in self.checks.values():
            check.setChecked(False)
        self.retranslate()

    def _offer_fee(self, pii: str, result: Outcome | None) -> None:
        """A renewal the library system charges for: a button on the row accepts the charge;
        it goes once the renewal is decided either way."""
        offered = result is not None and result.reason is Reason.RENEWAL_FEE_TO_ACCEPT
        button_ = self.accepts.get(pii)
        if offered and button_ is None:
            button_ = button(self.t("borrow.accept_renewal_fee"), "chip")
            button_.clicked.connect(lambda: self.fee_accepted.emit(pii))
            self.list.row(pii).action_box.insertWidget(0, button_)
            self.accepts[pii] = button_
        elif button_ is not None and not offered:
            self.accepts.pop(pii).deleteLater()
        elif button_ is not None:
            button_.setText(self.t("borrow.accept_renewal_fee"))

    def _ticks_changed(self, _on: bool = False) -> None:
        """续借所选 works only with something ticked; until then it is shown unavailable and
        says what to do first, instead of doing nothing when pressed (#13 bug 5)."""
        ticked = any(c.isChecked() for c in self.checks.values())
        self.renew_selected.setEnabled(ticked)
        self.renew_selected.setText(
            self.t("account.renew_selected" if ticked or not self.loans else "account.tick_first")
        )

    def retranslate(self) -> None:
        t, p = self.t, self.palette_
        self.title.setText(t("account.title"))
        self.subtitle.setText(
            t("borrow.greeting", initials=self.initials)
            + "  ·  "
            + t("account.loans_count", count=len(self.loans))
        )
        self.empty.setText(t("account.none"))
        self.empty.setVisible(not self.loans)
        self.list.setVisible(bool(self.loans))
        self.spacer.setVisible(not self.loans)
        self.renew_everything.setText(t("account.renew_all"))
        self._ticks_changed()
        self.renew_everything.setEnabled(bool(self.loans))
        self.finish.setText(t("common.finish"))
        self.list.more_text = lambda count: t("list.more_above", count=count)
        for loan, item in self.loans:
            title = item.title if item else loan.item_pii
            detail = t("item.due", date=format_date(self.t, loan.due_at, self.tz))
            tone, colour = "", p.muted
            if self.now and loan.due_at < self.now:
                detail += "  ·  " + t("account.overdue")
                tone, colour = "warning", p.warning
            result = self.results.get(loan.item_pii)
            if result is not None and result.ok:
                detail = due_change_text(self.t, result, self.tz)
                tone, colour = "ok", p.success
            elif result is not None and (
                result.reason is Reason.RENEW_TOO_SOON or result.kind is OutcomeKind.OFFER
            ):
                detail += "  ·  " + outcome_text(self.t, result, self.tz)
                tone, colour = "warning", p.warning  # nothing wrong: just not yet, or a charge
            elif result is not None:
                detail += "  ·  " + outcome_text(self.t, result, self.tz)
                tone, colour = "error", p.error
            self.list.row(loan.item_pii).show_state(title, detail, tone, colour)
            self._offer_fee(loan.item_pii, result)
        self.help.show_for(
            row.detail.text() for row in self.list.rows.values() if row.property("tone") == "error"
        )
