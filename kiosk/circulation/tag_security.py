"""The tag-security follow-up: a tag write that worked, or one that failed for good and undoes
its transaction, so the loan and the tag's security never disagree (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime

from kiosk.circulation.base import CirculationBase
from kiosk.models import Decision, ItemStatus, Loan, Security, Transaction, TxnKind
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason


class TagSecurity(CirculationBase):
    """``security_done`` / ``security_failed`` for a journaled checkout or checkin."""

    def security_done(self, txn_id: str) -> None:
        self.store.journal.set_security(txn_id, Security.DONE)

    def security_failed(self, txn_id: str) -> Outcome:
        """Undo the transaction whose tag write failed for good, journaling the undo.

        A checkout is cancelled (the loan goes); a checkin is cancelled (the loan comes back),
        so the loan and the tag's security never disagree. The reader is asked to place the
        item again.
        """
        now, decision = self.clock.now(), self._decision()
        original = self.store.journal.get(txn_id)
        if original is None or original.security is not Security.PENDING:
            raise ValueError(f"transaction {txn_id} has no pending security write")
        item = self.store.items.get(original.item_pii)
        cancel_id = self._new_id()
        due: datetime | None = None
        with self.store.atomic():
            self.store.journal.set_security(txn_id, Security.FAILED)
            if original.kind is TxnKind.CHECKOUT:
                self.store.loans.delete(original.item_pii)
                self.store.items.set_status(original.item_pii, ItemStatus.AVAILABLE)
            elif original.kind is TxnKind.CHECKIN and original.patron_card:
                # the cancel carries the reinstated loan's due date, for an upstream that
                # must lend it again (a SIP2 checkout with BI = Y needs one)
                due = self._reinstate_loan(original)
            self.store.journal.append(
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
        history = self.store.journal.recent(limit=50, item_pii=checkin.item_pii)
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
        self.store.loans.insert(
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
        self.store.items.set_status(checkin.item_pii, ItemStatus.ON_LOAN)
        return due
