"""Circulation use cases: checkout, checkin, renew; identify and the tag-security follow-up
come from their own modules of this package.

Every change of a loan is written in the same SQLite transaction as its journal row, so the
loan and the record that will be sent upstream can never disagree. Time comes from the clock
passed in; transaction ids from ``new_id`` (a UUID4 by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk import rules
from kiosk.circulation.identify import Identifying
from kiosk.circulation.tag_security import TagSecurity
from kiosk.models import Decision, Item, ItemStatus, Loan, Patron, Security, TxnKind
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason


class Circulation(Identifying, TagSecurity):
    """The kiosk's lending desk: every decision about a card or an item goes through here."""

    # --- checkout ------------------------------------------------------------------------

    def checkout(
        self,
        patron: Patron,
        pii: str,
        parts_seen: frozenset[int] | None = None,
        *,
        fee_accepted: bool = False,
    ) -> Outcome:
        """Lend by the local rules. ``fee_accepted`` is part of the one circulation interface
        (a library system may charge for an item); local items carry no charge."""
        now, policy, decision = self.clock.now(), self.policy, self._decision()
        offline = decision is Decision.OFFLINE

        def refuse(reason: Reason, item: Item | None = None, **details: Any) -> Outcome:
            return Outcome(
                OutcomeKind.REFUSED, reason, pii=pii, item=item, offline=offline, details=details
            )

        if policy.enforce_hours and not policy.is_open(now, self.site.tz):
            return refuse(Reason.KIOSK_CLOSED)
        item = self.store.items.get(pii)
        if item is None:
            return refuse(Reason.UNKNOWN_ITEM)
        current = self.store.loans.get(pii)
        if current is not None:
            if current.patron_card == patron.card_id:
                return Outcome(
                    OutcomeKind.OFFER,
                    Reason.ALREADY_YOURS,
                    pii=pii,
                    item=item,
                    loan=current,
                    due_at=current.due_at,
                    offline=offline,
                )
            return refuse(Reason.ALREADY_ON_LOAN, item)
        summary = self.store.loans.summary(patron.card_id, policy.overdue_cutoff(now))
        block = rules.borrow_block(policy, patron, summary, now, self.site.tz)
        if block is not None:
            return refuse(block, item)
        rule = policy.rule_for(patron.category, item.item_class)
        refusal = rules.item_refusal(item, rule)
        if refusal is not None:
            return refuse(refusal, item)
        missing = rules.missing_parts(item, parts_seen)
        if missing:
            return refuse(Reason.SET_INCOMPLETE, item, missing=missing, of=item.set_size)
        hold = self.store.holds.first(pii)
        refusal = rules.hold_refusal(hold, patron) or rules.limit_refusal(
            policy, patron, item, rule, summary, offline
        )
        if refusal is Reason.OFFLINE_LIMIT_REACHED:
            return refuse(refusal, item, limit=policy.offline_max_items)
        if refusal is not None:
            return refuse(refusal, item)
        due = policy.due_at(now, rule.loan_days, self.site.tz)
        loan = self.record_checkout(
            patron.card_id, pii, due, decision, at=now, hold_id=hold.id if hold else None
        )
        txn_id = loan.txn_id
        return Outcome(
            OutcomeKind.ACCEPTED,
            Reason.OK,
            pii=pii,
            item=item,
            loan=loan,
            txn_id=txn_id,
            due_at=due,
            offline=offline,
        )

    def checkout_stack(
        self, patron: Patron, items: Sequence[tuple[str, frozenset[int] | None]]
    ) -> list[Outcome]:
        """A stack placed at once, one outcome per item in order. Locally each is decided
        in turn (no waiting on anyone); a library system decides them at the same time."""
        return [self.checkout(patron, pii, parts) for pii, parts in items]

    # --- checkin -------------------------------------------------------------------------

    def checkin(
        self,
        pii: str,
        parts_seen: frozenset[int] | None = None,
        *,
        journal_every_return: bool = False,
    ) -> Outcome:
        """A return: always taken for a known item; other owners' items are sent home.

        ``journal_every_return``: where another system is the authority on loans (a SIP2
        library system), a return is journaled even when this kiosk knows of no loan (lent
        at the desk or at another kiosk), or the item at all, so that the replay tells the
        library system and the item does not stay charged to the reader there.
        """
        now, decision = self.clock.now(), self._decision()
        offline = decision is Decision.OFFLINE
        item = self.store.items.get(pii)
        if item is None and journal_every_return:
            txn_id = self._new_id()
            self.store.journal.append(
                self._txn(txn_id, TxnKind.CHECKIN, "", pii, now, None, decision, Security.PENDING)
            )
            return Outcome(OutcomeKind.ACCEPTED, Reason.OK, pii=pii, txn_id=txn_id, offline=offline)
        if item is None:
            return Outcome(OutcomeKind.REFUSED, Reason.UNKNOWN_ITEM, pii=pii, offline=offline)
        missing = rules.missing_parts(item, parts_seen)
        if missing:
            return Outcome(
                OutcomeKind.REFUSED,
                Reason.SET_INCOMPLETE,
                pii=pii,
                item=item,
                offline=offline,
                details={"missing": missing, "of": item.set_size},
            )
        # A rotation plan moving the item (issue #17): away to its new room from anywhere
        # else, and at home here once it reaches a kiosk of that room.
        rotation = self.store.rotations.get(pii)
        arriving = rotation is not None and rotation.to_branch == self.site.branch
        transfer = rotation is None and rules.needs_transfer(item, self.site.isil, self.site.branch)
        hold = self.store.holds.first(pii)
        if transfer:
            reason = Reason.SEND_TO_OWNER
        elif hold is not None:  # a reader waiting here comes before the plan
            reason = Reason.HOLD_WAITING
        elif rotation is not None and not arriving:
            reason = Reason.SEND_TO_ROOM
        else:
            reason = Reason.OK
        details = {"room": rotation.room} if reason is Reason.SEND_TO_ROOM and rotation else {}
        away = transfer or reason is Reason.SEND_TO_ROOM
        loan = self.store.loans.get(pii)
        # A planned item is journaled even off loan (staff emptying a shelf or unpacking the
        # transfer box at the destination), so the central sees where it is.
        if (
            loan is None
            and item.status is not ItemStatus.ON_LOAN
            and not journal_every_return
            and rotation is None
        ):
            return Outcome(
                OutcomeKind.ACCEPTED,
                Reason.NOT_ON_LOAN if reason is Reason.OK else reason,
                pii=pii,
                item=item,
                offline=offline,
                send_to_owner=transfer,
                hold_waiting=hold is not None,
            )
        txn_id = self._new_id()
        with self.store.atomic():
            if loan is not None:
                self.store.loans.delete(pii)
            status = ItemStatus.IN_TRANSIT if away else ItemStatus.AVAILABLE
            self.store.items.set_status(pii, status)
            self.store.journal.append(
                self._txn(
                    txn_id,
                    TxnKind.CHECKIN,
                    loan.patron_card if loan else "",
                    pii,
                    now,
                    loan.due_at if loan else None,
                    decision,
                    Security.PENDING,
                    reason=reason,
                )
            )
        return Outcome(
            OutcomeKind.ACCEPTED,
            reason,
            pii=pii,
            item=item,
            loan=loan,
            txn_id=txn_id,
            offline=offline,
            send_to_owner=transfer,
            hold_waiting=hold is not None,
            details=details,
        )

    # --- renewals and the account ----------------------------------------------------------

    def renew(self, patron: Patron, pii: str, *, fee_accepted: bool = False) -> Outcome:
        """Renew by the local rules; ``fee_accepted`` belongs to the one circulation interface
        (a library system may charge for a renewal), and local rules charge nothing."""
        now, policy, decision = self.clock.now(), self.policy, self._decision()
        offline = decision is Decision.OFFLINE
        item = self.store.items.get(pii)
        loan = self.store.loans.get(pii)
        if item is None or loan is None:
            reason = Reason.UNKNOWN_ITEM if item is None else Reason.NOT_ON_LOAN
            return Outcome(OutcomeKind.REFUSED, reason, pii=pii, item=item, offline=offline)
        summary = self.store.loans.summary(patron.card_id, policy.overdue_cutoff(now))
        rule = policy.rule_for(patron.category, item.item_class)
        refusal = rules.renewal_refusal(
            loan, patron, rule, self.store.holds.first(pii)
        ) or rules.borrow_block(policy, patron, summary, now, self.site.tz)
        if refusal is not None:
            return Outcome(
                OutcomeKind.REFUSED,
                refusal,
                pii=pii,
                item=item,
                loan=loan,
                due_at=loan.due_at,
                offline=offline,
            )
        due = policy.renewal_due(loan.due_at, now, rule.loan_days, self.site.tz)
        if due is None:  # a renewal that changes nothing is not one (issue #13, bug 3)
            return Outcome(
                OutcomeKind.REFUSED,
                Reason.RENEW_TOO_SOON,
                pii=pii,
                item=item,
                loan=loan,
                due_at=loan.due_at,
                offline=offline,
                details={
                    "renew_on": policy.first_renewal_day(loan.due_at, rule.loan_days, self.site.tz)
                },
            )
        renewed = self.record_renewal(loan, due, decision, at=now)
        txn_id = renewed.txn_id
        return Outcome(
            OutcomeKind.ACCEPTED,
            Reason.OK,
            pii=pii,
            item=item,
            loan=renewed,
            txn_id=txn_id,
            due_at=due,
            offline=offline,
            details={"previous_due": loan.due_at},
        )

    # --- writing a decision: the loan change and its journal row, in one transaction ----------

    def record_checkout(
        self,
        card: str,
        pii: str,
        due: datetime,
        decision: Decision = Decision.ONLINE,
        *,
        at: datetime | None = None,
        hold_id: int | None = None,
    ) -> Loan:
        """Lend ``pii`` to ``card`` until ``due`` and journal it; the rules were applied by
        the caller (this core's checkout, or a library system that decided online). ``at``:
        when it was decided (the checkout's own clock reading), else now."""
        now = at or self.clock.now()
        loan = Loan(pii, card, now, due, 0, decision is Decision.OFFLINE, self._new_id())
        with self.store.atomic():
            self.store.loans.insert(loan)
            self.store.items.set_status(pii, ItemStatus.ON_LOAN)
            if hold_id is not None:  # the patron's own hold is filled by this loan
                self.store.holds.remove(hold_id)
            self.store.journal.append(
                self._txn(
                    loan.txn_id, TxnKind.CHECKOUT, card, pii, now, due, decision, Security.PENDING
                )
            )
        return loan

    def record_renewal(
        self,
        loan: Loan,
        due: datetime,
        decision: Decision = Decision.ONLINE,
        *,
        at: datetime | None = None,
    ) -> Loan:
        """Move ``loan`` to ``due`` as one more renewal and journal it (rules already applied)."""
        renewed = replace(loan, due_at=due, renewals=loan.renewals + 1, txn_id=self._new_id())
        with self.store.atomic():
            self.store.loans.renew(loan.item_pii, due, renewed.renewals, renewed.txn_id)
            self.store.journal.append(
                self._txn(
                    renewed.txn_id,
                    TxnKind.RENEW,
                    loan.patron_card,
                    loan.item_pii,
                    at or self.clock.now(),
                    due,
                    decision,
                    Security.NOT_NEEDED,
                )
            )
        return renewed

    def renew_all(self, patron: Patron) -> list[Outcome]:
        held = self.store.loans.of_patron(patron.card_id)
        return [self.renew(patron, loan.item_pii) for loan in held]

    def loans(self, patron: Patron) -> list[tuple[Loan, Item | None]]:
        """The patron's current loans, soonest due first, with their items."""
        held = self.store.loans.of_patron(patron.card_id)
        return [(loan, self.store.items.get(loan.item_pii)) for loan in held]
