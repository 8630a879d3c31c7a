"""Circulation with the library system deciding while it answers, and the kiosk when it may not."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kiosk import ecard
from kiosk.circulation import Circulation
from kiosk.models import (
    CardKind,
    Decision,
    Item,
    Patron,
    TxnKind,
)
from kiosk.outcomes import Identification, Outcome, OutcomeKind
from kiosk.pin_gate import PinGate
from kiosk.ports import TxnReply
from kiosk.reasons import Reason
from sync.sip2.errors import Unavailable
from sync.sip2.library_system import Sip2Upstream

log = logging.getLogger(__name__)

#: The library system is unreachable and does not allow offline transactions: nothing can
#: be lent, returned or renewed, and the reader is told so (not "you can return").
NO_LIBRARY_SYSTEM = Reason.LIBRARY_SYSTEM_DOWN


class LiveCirculation:
    """The kiosk's use cases with a SIP2 library system as the authority while online.

    Online, the ACS's verdict rules: a refusal is shown with the ACS's words, an acceptance
    is journaled as decided online with the ACS's due date and marked synced at once (the
    ACS already applied it, so the replay must not send it again). When the ACS
    cannot answer within the budget the core decides offline, but only if the ACS's last
    status allowed offline transactions (or the site's policy overrides). ``circulation``
    must be built with ``online=upstream.online`` so its journal rows say who decided.
    """

    def __init__(
        self,
        circulation: Circulation,
        upstream: Sip2Upstream,
    ) -> None:
        self.circulation = circulation
        self.upstream = upstream
        self.store = circulation.store

    def _closed(self, pii: str = "") -> Outcome:
        return Outcome(
            OutcomeKind.REFUSED, NO_LIBRARY_SYSTEM, pii=pii, details={"upstream": "unavailable"}
        )

    # --- identification ------------------------------------------------------------------

    def identify(
        self, card: str, kind: CardKind = CardKind.BARCODE, pin: str | None = None
    ) -> Identification:
        """The ACS identifies the card and checks the PIN (``AD``/``CQ``); the kiosk asks for
        the PIN and applies the lockout, as it does offline with the local hash."""
        if kind is CardKind.QR:  # a signed e-card names the card: the ACS knows the card
            try:
                card = ecard.verify(
                    card.strip(), self.circulation.ecard_keys, self.circulation.clock.now()
                ).card_id
            except ecard.ECardError:
                return self.circulation.identify(card, kind, pin)  # says invalid or expired
        gate = PinGate(self.store, self.circulation.policy, self.circulation.clock.now())
        asked = gate.needed(kind)
        refusal = gate.before(card, pin) if asked else gate.locked(card)
        if refusal is not None:  # locked out: whatever the medium, the ACS is not asked
            return refusal
        try:
            answer = self.upstream.identify(card, pin, kind)
        except Unavailable:
            if self.upstream.offline_allowed():
                return self.circulation.identify(card, kind, pin)
            return Identification(False, NO_LIBRARY_SYSTEM)
        ident = answer.identification
        if asked and (ident.ok or ident.reason is Reason.PIN_WRONG):
            refusal = gate.after(card, ident.ok)
            if refusal is not None:
                return refusal
        if ident.ok and ident.patron is not None:
            local = self.store.patrons.get(card)
            if local is not None:  # keep the local category (loan rules) and card kind
                patron = replace(ident.patron, category=local.category, pin_hash=local.pin_hash)
                ident = replace(ident, patron=patron)
        return ident

    # --- checkout ------------------------------------------------------------------------

    def checkout(
        self,
        patron: Patron,
        pii: str,
        parts_seen: frozenset[int] | None = None,
        *,
        fee_accepted: bool = False,
    ) -> Outcome:
        """Lend through the ACS. An item with a charge comes back as an offer
        (``FEE_TO_ACCEPT``, details ``fee``) when the policy says ask; the UI calls again
        with ``fee_accepted`` once the reader accepted, and the ACS gets BO = Y."""
        try:
            verdict = self.upstream.checkout(patron.card_id, pii, fee_acknowledged=fee_accepted)
        except Unavailable:
            verdict = None
        return self._settle_checkout(patron, pii, parts_seen, verdict, fee_accepted)

    def checkout_stack(
        self, patron: Patron, items: Sequence[tuple[str, frozenset[int] | None]]
    ) -> list[Outcome]:
        """Check out a stack placed at once: the ACS decides every item at the same time
        (one SIP2 session each, up to ``sip2.sessions``), then each verdict is recorded here,
        on the caller's thread, in the stack's order (the database keeps one writer).

        The UI calls this once for the items on the pad instead of ``checkout`` per item,
        and writes each tag from the outcomes as usual.
        """
        if len(items) <= 1:
            return [self.checkout(patron, pii, parts) for pii, parts in items]
        verdicts = self.upstream.checkout_stack(patron.card_id, [pii for pii, _ in items])
        return [
            self._settle_checkout(
                patron, pii, parts, None if verdict.details.get("unavailable") else verdict
            )
            for (pii, parts), verdict in zip(items, verdicts, strict=True)
        ]

    def _settle_checkout(
        self,
        patron: Patron,
        pii: str,
        parts_seen: frozenset[int] | None,
        verdict: Outcome | None,
        fee_accepted: bool = False,
    ) -> Outcome:
        """Record the ACS's verdict (None: it could not be reached in time) as the outcome."""
        if verdict is None:
            if not self.upstream.offline_allowed():
                return self._closed(pii)
            return self.circulation.checkout(patron, pii, parts_seen)
        item = self.store.items.get(pii)
        if verdict.reason is Reason.FEE_REQUIRED and not fee_accepted:
            return self._fee_offer(replace(verdict, item=item))
        if not verdict.ok:
            return replace(verdict, item=item)
        due = verdict.due_at or self.circulation.clock.now()
        with self.store.atomic():
            if item is None:  # the ACS knows it, the local copy of the catalog not yet
                item = Item(pii, verdict.details.get("title", ""))
                self.store.items.upsert([item])
            self.store.loans.delete(pii)
            loan = self.circulation.record_checkout(patron.card_id, pii, due)
            self._synced(loan.txn_id)
        return replace(verdict, item=item, txn_id=loan.txn_id, loan=loan)

    def _fee_offer(self, refused: Outcome, offer: Reason = Reason.FEE_TO_ACCEPT) -> Outcome:
        """The charge shown for the reader to accept (``offer``: to borrow, or to renew), or a
        refusal where the policy says so."""
        if self.circulation.policy.fee_items != "ask":
            return refused
        cents = refused.details.get("fee_cents") or 0
        currency = refused.details.get("currency") or ""
        fee = f"{cents // 100}.{cents % 100:02d}" + (f" {currency}" if currency else "")
        return replace(
            refused,
            kind=OutcomeKind.OFFER,
            reason=offer,
            details={**refused.details, "fee": fee},
        )

    def security_done(self, txn_id: str) -> None:
        self.circulation.security_done(txn_id)

    def security_failed(self, txn_id: str) -> Outcome:
        """The tag write failed for good: cancel at the ACS, then locally. A checkout is
        cancelled with 09 and BI = Y, a return with 11 and BI = Y (the loan comes back).

        If the ACS cannot be told now, the core journals the cancel as offline and the
        replay sends it later, so the ACS and the kiosk end up agreeing either way.
        """
        original = self.store.journal.get(txn_id)
        told = False
        if original is not None and original.decision is Decision.ONLINE:
            card, pii = original.patron_card, original.item_pii
            try:
                if original.kind is TxnKind.CHECKOUT:
                    told = self.upstream.cancel_checkout(card, pii).ok
                elif original.kind is TxnKind.CHECKIN and card:
                    loan_due = original.due_at or self.circulation.clock.now()
                    told = self.upstream.cancel_checkin(card, pii, loan_due).ok
            except Unavailable:
                log.warning("sip2: cancel of %s deferred to the replay", txn_id)
        outcome = self.circulation.security_failed(txn_id)
        if told and outcome.txn_id:
            self._synced(outcome.txn_id)
        return outcome

    # --- checkin and renew ---------------------------------------------------------------

    def checkin(self, pii: str, parts_seen: frozenset[int] | None = None) -> Outcome:
        try:
            verdict = self.upstream.checkin(pii)
        except Unavailable:
            if not self.upstream.offline_allowed():
                return self._closed(pii)
            # the library system is the authority: every offline return is replayed to it
            return self.circulation.checkin(pii, parts_seen, journal_every_return=True)
        local = self.circulation.checkin(pii, parts_seen)
        if verdict.ok and local.txn_id:
            self._synced(local.txn_id)
        if not verdict.ok and not local.ok:
            return replace(verdict, item=local.item)
        routed = verdict.ok and verdict.reason is not Reason.OK  # the ACS named a bin
        return replace(
            local if local.ok else verdict,
            reason=verdict.reason if routed else (local if local.ok else verdict).reason,
            send_to_owner=verdict.send_to_owner or local.send_to_owner,
            hold_waiting=verdict.hold_waiting or local.hold_waiting,
            details={**local.details, **verdict.details},
        )

    def renew(self, patron: Patron, pii: str, *, fee_accepted: bool = False) -> Outcome:
        """Renew through the ACS. A renewal with a charge comes back as an offer, like a
        checkout's; the UI calls again with ``fee_accepted`` and the ACS gets BO = Y."""
        try:
            current = self.store.loans.get(pii)
            verdict = self.upstream.renew(
                patron.card_id,
                pii,
                due_before=current.due_at if current else None,
                fee_acknowledged=fee_accepted,
            )
        except Unavailable:
            verdict = None
        return self._settle_renewal(patron, pii, verdict, fee_accepted)

    def _settle_renewal(
        self, patron: Patron, pii: str, verdict: Outcome | None, fee_accepted: bool = False
    ) -> Outcome:
        """Record the ACS's verdict here, on the caller's thread (the one writer); ``None``
        (no answer) renews by the local rules when the site allows offline lending."""
        if verdict is None:
            if not self.upstream.offline_allowed():
                return self._closed(pii)
            return self.circulation.renew(patron, pii)
        item, loan = self.store.items.get(pii), self.store.loans.get(pii)
        if verdict.reason is Reason.FEE_REQUIRED and not fee_accepted:
            return self._fee_offer(replace(verdict, item=item), Reason.RENEWAL_FEE_TO_ACCEPT)
        if not verdict.ok or loan is None:
            return replace(verdict, item=item)
        with self.store.atomic():
            renewed = self.circulation.record_renewal(loan, verdict.due_at or loan.due_at)
            self._synced(renewed.txn_id)
        return replace(
            verdict,
            item=item,
            loan=renewed,
            txn_id=renewed.txn_id,
            details={**verdict.details, "previous_due": loan.due_at},  # old -> new on screen
        )

    def _synced(self, txn_id: str) -> None:
        reply = TxnReply(txn_id, "accepted", "decided online by the ACS")
        self.store.journal.mark_acked([reply], self.circulation.clock.now())

    def renew_all(self, patron: Patron) -> list[Outcome]:
        """Each current loan renewed through the library system, one outcome per item: the
        ACS works on them at the same time (one session each, up to ``sip2.sessions``), as
        for a stack placed at once; each verdict is then recorded here in the loans' order."""
        loans = self.store.loans.of_patron(patron.card_id)
        verdicts = self.upstream.renew_stack(
            patron.card_id, [(loan.item_pii, loan.due_at) for loan in loans]
        )
        return [
            self._settle_renewal(patron, loan.item_pii, verdict)
            for loan, verdict in zip(loans, verdicts, strict=True)
        ]

    def __getattr__(self, name: str) -> Any:
        # loans(), policy, site, clock...: what the local core already answers
        return getattr(self.circulation, name)
