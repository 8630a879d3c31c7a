"""Offers on the borrow screen: "already yours: renew?" and "this item has a charge: accept?".

A mixin of :class:`ui.controller.KioskController`, which holds the state it uses; each offer
is answered by calling the core again (renew, or borrow / renew with the charge accepted).
"""

from __future__ import annotations

from kiosk.outcomes import Outcome
from kiosk.reasons import Reason
from ui.flow_host import FlowHost
from ui.session import Mode


class OfferFlow(FlowHost):
    """What the kiosk offers after an outcome: renew one, borrow the rest of a set."""

    def renew_one(self, pii: str) -> None:
        patron = self.session.patron
        if patron is None:
            return
        self.core.call(
            lambda core: core.circulation.renew(patron, pii),
            self._renewal_done,
            lambda error: self._items_failed([pii], error),
        )

    def _renewal_done(self, outcome: Outcome) -> None:
        """A renewal asked for on the borrow screen ("already yours: renew?")."""
        if self.session.mode is Mode.BORROW and self.session.patron is not None:
            self.session.renewals[outcome.pii] = outcome
        self._item_done(self.window.borrow, outcome)

    def accept_fee(self, pii: str) -> None:
        """The reader pressed "accept the charge": the same item is borrowed again with the
        charge accepted (the library system gets fee acknowledged, SIP2 BO = Y); for a
        renewal offered on this screen ("already yours: renew?") it is renewed again."""
        s, screen = self.session, self.window.borrow
        patron = s.patron
        if patron is None or pii in s.in_flight:
            return
        self.touched()
        offer = s.renewals.get(pii)
        if offer is not None and offer.reason is Reason.RENEWAL_FEE_TO_ACCEPT:
            s.in_flight.add(pii)
            screen.working(pii)
            self.core.call(
                lambda core: core.circulation.renew(patron, pii, fee_accepted=True),
                self._renewal_done,
                lambda error: self._items_failed([pii], error),
            )
            return
        parts, uid = self.on_pad.get(pii, (None, None))
        number = s.number
        s.in_flight.add(pii)
        screen.working(pii)

        def decided(outcome: Outcome) -> None:
            if outcome.ok and outcome.txn_id is not None:
                self._write_tag(screen, outcome, uid, number, on_loan=True)
            else:
                self._item_done(screen, outcome, number)

        self.core.call(
            lambda core: core.circulation.checkout(patron, pii, parts, fee_accepted=True),
            decided,
            lambda error: self._items_failed([pii], error),
        )
