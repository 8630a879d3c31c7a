"""Identifying a reader: the card, its PIN where policy wants one, lockouts and blocks."""

from __future__ import annotations

from datetime import datetime

from kiosk import ecard, rules
from kiosk.circulation.base import CirculationBase
from kiosk.models import CardKind, Decision, Patron
from kiosk.outcomes import Identification
from kiosk.pin import PIN_WITHHELD, verify_pin
from kiosk.pin_gate import PinGate
from kiosk.policy import Policy
from kiosk.reasons import Reason


class Identifying(CirculationBase):
    """Finds the patron behind a card; lending starts from what this returns."""

    def identify(
        self, card: str, kind: CardKind = CardKind.BARCODE, pin: str | None = None
    ) -> Identification:
        """Find the patron behind a card, check the PIN where policy wants one, report blocks."""
        now, policy = self.clock.now(), self.policy
        card = card.strip()
        if kind is CardKind.QR:
            try:
                card = ecard.verify(card, self.ecard_keys, now).card_id
            except ecard.ECardError as error:
                reason = Reason.ECARD_EXPIRED if error.expired else Reason.ECARD_INVALID
                return Identification(False, reason)
        patron = self.store.patrons.get(card)
        if patron is not None and not self._presentable(patron, kind):
            return Identification(False, Reason.UNKNOWN_CARD)  # never a provisional either
        if patron is None:
            if self._decision() is Decision.OFFLINE and policy.offline_unknown_cards:
                provisional = Patron(
                    card_id=card,
                    category=policy.offline_unknown_category,
                    card_kind=kind,
                    provisional=True,
                )
                return Identification(True, Reason.PROVISIONAL_OFFLINE, provisional)
            return Identification(False, Reason.UNKNOWN_CARD)
        if policy.block_lost_card and "lost_card" in patron.blocks:
            return Identification(False, Reason.CARD_LOST)
        if self._pin_needed(policy, kind, patron):
            refusal = self._check_pin(policy, patron, pin, now)
        else:  # the lockout belongs to the reader, whatever the card medium (#13 bug 4)
            refusal = PinGate(self.store, policy, now).locked(patron.card_id)
        if refusal is not None:
            return refusal
        summary = self.store.loans.summary(patron.card_id, policy.overdue_cutoff(now))
        block = rules.borrow_block(policy, patron, summary, now, self.site.tz)
        return Identification(True, Reason.OK, patron, borrow_block=block)

    @staticmethod
    def _presentable(patron: Patron, kind: CardKind) -> bool:
        # A resident ID card's chip number is printed nowhere: typed or scanned, it was
        # copied from somewhere, so only the card on the reader (or the central's signed
        # e-card for that patron) presents that patron.
        if patron.card_kind is not CardKind.RESIDENT_ID:
            return True
        return kind in (CardKind.RESIDENT_ID, CardKind.QR)

    @staticmethod
    def _pin_needed(policy: Policy, kind: CardKind, patron: Patron) -> bool:
        # A patron without a PIN on file cannot be asked for one; QR e-cards are signed.
        return bool(patron.pin_hash) and PinGate.needed_by(policy, kind)

    def _check_pin(
        self, policy: Policy, patron: Patron, pin: str | None, now: datetime
    ) -> Identification | None:
        gate = PinGate(self.store, policy, now)
        withheld = patron.pin_hash == PIN_WITHHELD
        if withheld and (self.pin_checker is None or self._decision() is Decision.OFFLINE):
            # The PIN is kept elsewhere (pin_hash_scope) and nobody can be asked: say so
            # before the reader types a PIN that cannot be checked, rather than lend without.
            return gate.locked(patron.card_id) or Identification(False, Reason.PIN_NOT_HERE)
        refusal = gate.before(patron.card_id, pin)
        if refusal is not None or pin is None:
            return refusal
        if withheld:
            assert self.pin_checker is not None
            right = self.pin_checker(patron.card_id, pin)
            if right is None:  # the central went away between the two questions
                return Identification(False, Reason.PIN_NOT_HERE)
            return gate.after(patron.card_id, right)
        assert patron.pin_hash is not None
        return gate.after(patron.card_id, verify_pin(pin, patron.pin_hash))
