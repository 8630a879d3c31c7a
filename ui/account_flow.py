"""My account: the reader's loans and their renewals, one part of the reader's flows.

A mixin of :class:`ui.controller.KioskController`, which holds the state it uses (session,
window, core worker, sounds, voice guide); kept apart so each flow reads on its own.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from kiosk.core import Core
from kiosk.models import Item, Loan
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from ui.flow_host import FlowHost
from ui.session import Mode

log = logging.getLogger(__name__)

#: a reader's loans with their items, soonest due first (Circulation.loans)
Loans = list[tuple[Loan, Item | None]]
#: renewals' outcomes and the loans as they are after them
Renewed = tuple[list[Outcome], Loans]


class AccountFlow(FlowHost):
    """My account: the reader's loans and holds, renewing from the list."""

    def _load_account(self) -> None:
        patron = self.session.patron
        if patron is None:
            return  # the session ended while the account screen was being asked for
        self.core.call(
            lambda core: core.circulation.loans(patron),
            lambda loans: self._show_account(loans),
            self._identify_failed,
        )

    def _show_account(self, loans: Loans) -> None:
        patron = self.session.patron
        if patron is None:
            return
        self.window.account.show_loans(patron.initials, loans, datetime.now(UTC))
        self.window.show_screen("account")

    def renew_many(self, piis: list[str] | None) -> None:
        patron = self.session.patron
        if patron is None:
            return

        def job(core: Core) -> Renewed:
            outcomes = (
                core.circulation.renew_all(patron)
                if piis is None
                else [core.circulation.renew(patron, pii) for pii in piis]
            )
            return outcomes, core.circulation.loans(patron)

        def failed(error: str) -> None:
            log.error("renewing failed: %s", error)
            faults = [Outcome(OutcomeKind.REFUSED, Reason.KIOSK_FAULT, pii=p) for p in piis or []]
            self.window.account.show_results(faults, self.window.account.loans)
            self.sounds.play("problem")
            self.guide.renewed(faults)

        self.core.call(job, self._renewed, failed)

    def accept_renewal_fee(self, pii: str) -> None:
        """The reader accepted the charge for renewing ``pii`` on My account: renewed again
        with the charge accepted (SIP2 BO = Y); the other rows keep their results."""
        patron = self.session.patron
        if patron is None:
            return
        account = self.window.account

        def job(core: Core) -> tuple[Outcome, Loans]:
            return core.circulation.renew(patron, pii, fee_accepted=True), core.circulation.loans(
                patron
            )

        def done(result: tuple[Outcome, Loans]) -> None:
            outcome, loans = result
            self._renewed(([*(o for p, o in account.results.items() if p != pii), outcome], loans))

        def failed(error: str) -> None:
            log.error("renewing failed: %s", error)
            done((Outcome(OutcomeKind.REFUSED, Reason.KIOSK_FAULT, pii=pii), account.loans))
            self.sounds.play("problem")

        self.touched()
        self.core.call(job, done, failed)

    def _renewed(self, result: Renewed) -> None:
        """My account's renewals: shown with the loans, and counted for the summary."""
        outcomes, loans = result
        if self.session.mode is Mode.ACCOUNT and self.session.patron is not None:
            self.session.renewals.update((o.pii, o) for o in outcomes)
        self.window.account.show_results(outcomes, loans)
        self.guide.renewed(outcomes)
