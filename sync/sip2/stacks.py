"""A stack's items asked of the ACS at once: one request per free session of a pool.

A mixin of :class:`sync.sip2.library_system.Sip2Upstream`: with a ``Sip2Pool`` the ACS works on
every item of a stack (or every loan of "renew all") at the same time, so a reader's stack
takes one message's time rather than one per item (#12 point 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from sync.sip2.client import Sip2Client
from sync.sip2.errors import Unavailable
from sync.sip2.pool import Sip2Pool


class StackRequests:
    client: Sip2Client | Sip2Pool

    # Sip2Upstream decides each item at the ACS (and takes more keywords than the stacks use)
    def checkout(self, card: str, pii: str, pin: str | None = None) -> Outcome:
        raise NotImplementedError

    def renew(self, card: str, pii: str, *, due_before: datetime | None = None) -> Outcome:
        raise NotImplementedError

    def checkout_stack(self, card: str, piis: list[str], pin: str | None = None) -> list[Outcome]:
        """Check out a stack of items at once, one request per free session, answers in order.

        With one session this is the plain one-at-a-time loop; with a ``Sip2Pool`` the ACS
        works on every item of the stack at the same time. An item the ACS could not answer
        for in time comes back refused with ``details["unavailable"]``, for the caller to
        decide offline if it may.
        """
        sessions = getattr(self.client, "size", 1)
        if sessions <= 1 or len(piis) <= 1:
            return [self._checkout_or_unavailable(card, pii, pin) for pii in piis]
        with ThreadPoolExecutor(min(sessions, len(piis))) as workers:
            return list(workers.map(lambda p: self._checkout_or_unavailable(card, p, pin), piis))

    def renew_stack(
        self, card: str, loans: Sequence[tuple[str, datetime | None]]
    ) -> list[Outcome | None]:
        """Renew several loans at once (``(pii, due_before)`` each), one request per free
        session like :meth:`checkout_stack`; ``None`` where the ACS could not be reached."""
        sessions = getattr(self.client, "size", 1)

        def one(loan: tuple[str, datetime | None]) -> Outcome | None:
            try:
                return self.renew(card, loan[0], due_before=loan[1])
            except Unavailable:
                return None

        if sessions <= 1 or len(loans) <= 1:
            return [one(loan) for loan in loans]
        with ThreadPoolExecutor(min(sessions, len(loans))) as workers:
            return list(workers.map(one, loans))

    def _checkout_or_unavailable(self, card: str, pii: str, pin: str | None) -> Outcome:
        try:
            return self.checkout(card, pii, pin)
        except Unavailable:
            return Outcome(
                OutcomeKind.REFUSED,
                Reason.ITEM_NOT_AVAILABLE,
                pii=pii,
                details={"unavailable": True, "decided_by": "sip2"},
            )
