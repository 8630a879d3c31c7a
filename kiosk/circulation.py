"""Circulation use cases: identify, checkout, checkin, renew, and the tag-security follow-up.

Every change of a loan is written in the same SQLite transaction as its journal row, so the
loan and the record that will be sent upstream can never disagree. Time comes from the clock
passed in; transaction ids from ``new_id`` (a UUID4 by default).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import ecard, rules
from kiosk.clock import Clock
from kiosk.models import (
    CardKind,
    Decision,
    Item,
    ItemStatus,
    Loan,
    Patron,
    Security,
    Transaction,
    TxnKind,
)
from kiosk.outcomes import Identification, Outcome, OutcomeKind
from kiosk.pin import PIN_WITHHELD, verify_pin
from kiosk.pin_gate import PinGate
from kiosk.policy import Policy
from kiosk.reasons import Reason
from kiosk.store import Store


@dataclass(frozen=True)
class Site:
    """Where the kiosk stands: decides transfers, due-date days and opening hours."""

    kiosk_id: str = "kiosk-01"
    branch: str = "main"
    isil: str = ""
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def _new_uuid() -> str:
    return str(uuid.uuid4())


#: Asks the central whether ``pin`` is the reader's (card, pin) → right or wrong, or None
#: when the central cannot answer now. For readers whose PIN hash this kiosk does not hold.
PinChecker = Callable[[str, str], "bool | None"]


class Circulation:
    def __init__(
        self,
        store: Store,
        policy: Policy | Callable[[], Policy],
        clock: Clock,
        site: Site | None = None,
        *,
        online: Callable[[], bool] = lambda: True,
        new_id: Callable[[], str] = _new_uuid,
        ecard_keys: Mapping[str, bytes] | None = None,
        pin_checker: PinChecker | None = None,
    ) -> None:
        self.store = store
        self.pin_checker = pin_checker
        self._policy = policy if callable(policy) else (lambda: policy)
        self.clock = clock
        self.site = site or Site()
        self._online = online
        self._new_id = new_id
        self.ecard_keys = dict(ecard_keys or {})

    @property
    def policy(self) -> Policy:
        return self._policy()

    def set_online_source(self, online: Callable[[], bool]) -> None:
        """Who says whether the kiosk is online (the SIP2 upstream replaces the daemon's flag)."""
        self._online = online

    def _decision(self) -> Decision:
        return Decision.ONLINE if self._online() else Decision.OFFLINE

    # --- identification ------------------------------------------------------------------

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
        patron = self.store.patron(card)
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
        summary = self.store.patron_summary(patron.card_id, policy.overdue_cutoff(now))
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
        item = self.store.item(pii)
        if item is None:
            return refuse(Reason.UNKNOWN_ITEM)
        current = self.store.loan(pii)
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
        summary = self.store.patron_summary(patron.card_id, policy.overdue_cutoff(now))
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
        hold = self.store.first_hold(pii)
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
        item = self.store.item(pii)
        if item is None and journal_every_return:
            txn_id = self._new_id()
            self.store.append_journal(
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
        rotation = self.store.rotation(pii)
        arriving = rotation is not None and rotation.to_branch == self.site.branch
        transfer = rotation is None and rules.needs_transfer(item, self.site.isil, self.site.branch)
        hold = self.store.first_hold(pii)
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
        loan = self.store.loan(pii)
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
                self.store.delete_loan(pii)
            self.store.set_item_status(pii, ItemStatus.IN_TRANSIT if away else ItemStatus.AVAILABLE)
            self.store.append_journal(
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
        item = self.store.item(pii)
        loan = self.store.loan(pii)
        if item is None or loan is None:
            reason = Reason.UNKNOWN_ITEM if item is None else Reason.NOT_ON_LOAN
            return Outcome(OutcomeKind.REFUSED, reason, pii=pii, item=item, offline=offline)
        summary = self.store.patron_summary(patron.card_id, policy.overdue_cutoff(now))
        rule = policy.rule_for(patron.category, item.item_class)
        refusal = rules.renewal_refusal(
            loan, patron, rule, self.store.first_hold(pii)
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
        the caller (this core's checkout, or a library system that decided online)."""
        now = self.clock.now()
        loan = Loan(pii, card, now, due, 0, decision is Decision.OFFLINE, self._new_id())
        with self.store.atomic():
            self.store.insert_loan(loan)
            self.store.set_item_status(pii, ItemStatus.ON_LOAN)
            if hold_id is not None:  # the patron's own hold is filled by this loan
                self.store.remove_hold(hold_id)
            self.store.append_journal(
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
            self.store.renew_loan(loan.item_pii, due, renewed.renewals, renewed.txn_id)
            self.store.append_journal(
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
        return [self.renew(patron, loan.item_pii) for loan in self.store.loans_for(patron.card_id)]

    def loans(self, patron: Patron) -> list[tuple[Loan, Item | None]]:
        """The patron's current loans, soonest due first, with their items."""
        return [
            (loan, self.store.item(loan.item_pii)) for loan in self.store.loans_for(patron.card_id)
        ]

    # --- tag security, tied to the loan (DESIGN.md) -----------------------------------------

    def security_done(self, txn_id: str) -> None:
        self.store.set_security(txn_id, Security.DONE)

    def security_failed(self, txn_id: str) -> Outcome:
        """Undo the transaction whose tag write failed for good, journaling the undo.

        A checkout is cancelled (the loan goes); a checkin is cancelled (the loan comes back),
        so the loan and the tag's security never disagree. The reader is asked to place the
        item again.
        """
        now, decision = self.clock.now(), self._decision()
        original = self.store.transaction(txn_id)
        if original is None or original.security is not Security.PENDING:
            raise ValueError(f"transaction {txn_id} has no pending security write")
        item = self.store.item(original.item_pii)
        cancel_id = self._new_id()
        due: datetime | None = None
        with self.store.atomic():
            self.store.set_security(txn_id, Security.FAILED)
            if original.kind is TxnKind.CHECKOUT:
                self.store.delete_loan(original.item_pii)
                self.store.set_item_status(original.item_pii, ItemStatus.AVAILABLE)
            elif original.kind is TxnKind.CHECKIN and original.patron_card:
                # the cancel carries the reinstated loan's due date, for an upstream that
                # must lend it again (a SIP2 checkout with BI = Y needs one)
                due = self._reinstate_loan(original)
            self.store.append_journal(
                self._txn(
                    cancel_id,
                    TxnKind.CANCEL,
                    original.patron_card,
                    original.item_pii,
                    now,
                    due,
                    decision,
                    Security.NOT_NEEDED,
                    reason=Reason.SECURITY_FAILED,
                    cancels=txn_id,
                )
            )
        return Outcome(
            OutcomeKind.REFUSED,
            Reason.SECURITY_FAILED,
            pii=original.item_pii,
            item=item,
            txn_id=cancel_id,
            offline=decision is Decision.OFFLINE,
        )

    def _reinstate_loan(self, checkin: Transaction) -> datetime:
        history = self.store.journal(limit=50, item_pii=checkin.item_pii)
        lent = next(
            (
                t
                for t in history
                if t.seq < checkin.seq and t.kind in (TxnKind.CHECKOUT, TxnKind.RENEW)
            ),
            None,
        )
        renewals = sum(
            1
            for t in history
            if t.seq < checkin.seq
            and t.kind is TxnKind.RENEW
            and lent is not None
            and t.seq >= lent.seq
        )
        loaned_at = lent.at if lent else checkin.at
        due = checkin.due_at or (lent.due_at if lent and lent.due_at else checkin.at)
        self.store.insert_loan(
            Loan(
                checkin.item_pii,
                checkin.patron_card,
                loaned_at,
                due,
                renewals,
                lent.decision is Decision.OFFLINE if lent else False,
                lent.id if lent else checkin.id,
            )
        )
        self.store.set_item_status(checkin.item_pii, ItemStatus.ON_LOAN)
        return due

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _txn(
        txn_id: str,
        kind: TxnKind,
        card: str,
        pii: str,
        at: datetime,
        due: datetime | None,
        decision: Decision,
        security: Security,
        reason: Reason = Reason.OK,
        cancels: str | None = None,
    ) -> Transaction:
        return Transaction(
            id=txn_id,
            seq=0,
            kind=kind,
            patron_card=card,
            item_pii=pii,
            at=at,
            due_at=due,
            decision=decision,
            reason=reason.value,
            security=security,
            cancels=cancels,
        )
