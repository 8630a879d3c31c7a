"""The PIN policy (ask, count wrong tries, lock out) for every decider of a PIN: local or ACS.

The kiosk's own hash decides offline; a library system decides online (SIP2 ``AD``/``CQ``).
Either way the kiosk asks for the PIN and applies the same lockout, so a SIP2 site cannot
be brute-forced at the kiosk just because the ACS holds the PINs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.clock import from_text
from kiosk.models import CardKind
from kiosk.outcomes import Identification
from kiosk.policy import Policy
from kiosk.reasons import Reason
from kiosk.store import Store

#: Cards read from a chip on the card reader: ``pin_for_nfc`` decides whether they need a PIN.
TAPPED = frozenset({CardKind.NFC, CardKind.RESIDENT_ID})


class PinGate:
    """One identification's view of the PIN policy and the card's wrong-PIN count."""

    def __init__(self, store: Store, policy: Policy, now: datetime) -> None:
        self.store = store
        self.policy = policy
        self.now = now

    @staticmethod
    def needed_by(policy: Policy, kind: CardKind) -> bool:
        """Whether ``policy`` wants a PIN with this kind of card (QR e-cards are signed)."""
        if not policy.pin_required or kind is CardKind.QR:
            return False
        return kind not in TAPPED or policy.pin_for_nfc

    def needed(self, kind: CardKind) -> bool:
        return self.needed_by(self.policy, kind)

    def locked(self, card: str) -> Identification | None:
        """The refusal while the reader is locked out after wrong PINs, however the card is
        presented now: a tap that needs no PIN must not open what three wrong PINs closed."""
        _failures, locked_text = self.store.pin_attempts.get(card)
        if locked_text and from_text(locked_text) > self.now:
            return Identification(False, Reason.PIN_LOCKED, locked_until=from_text(locked_text))
        return None

    def before(self, card: str, pin: str | None) -> Identification | None:
        """A refusal before any PIN is checked: the card is locked out, or no PIN was given."""
        failures, _locked = self.store.pin_attempts.get(card)
        refusal = self.locked(card)
        if refusal is not None:
            return refusal
        if pin is None:
            return Identification(
                False, Reason.PIN_REQUIRED, attempts_left=self.policy.pin_max_attempts - failures
            )
        return None

    def after(self, card: str, right: bool) -> Identification | None:
        """Record the verdict on the PIN; a refusal (wrong, or now locked) when it was wrong."""
        failures, _locked = self.store.pin_attempts.get(card)
        if right:
            if failures:
                self.store.pin_attempts.clear(card)
            return None
        failures += 1
        if failures >= self.policy.pin_max_attempts:
            until = self.now + timedelta(minutes=self.policy.pin_lockout_minutes)
            self.store.pin_attempts.record_failure(card, 0, until)
            return Identification(False, Reason.PIN_LOCKED, locked_until=until)
        self.store.pin_attempts.record_failure(card, failures, None)
        return Identification(
            False, Reason.PIN_WRONG, attempts_left=self.policy.pin_max_attempts - failures
        )
