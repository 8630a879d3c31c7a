"""The library system as the kiosk's live upstream: SIP2 answers mapped to Outcome and Reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from kiosk.models import CardKind, Loan
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from kiosk.store.state import SIP2_OFFLINE_OK_KEY, State
from sync.sip2 import lost_reply, replies, routing, sc_requests, verdicts
from sync.sip2.client import Sip2Client
from sync.sip2.dialects import Dialect
from sync.sip2.errors import ReplyLost, Unavailable
from sync.sip2.fields import (
    CHARGED_ITEMS,
    DESTINATION,
    DUE_DATE,
    PERMANENT_LOCATION,
    SCREEN_MESSAGE,
    SORT_BIN,
    parse_date,
    sip_date,
)
from sync.sip2.messages import Message
from sync.sip2.pool import Sip2Pool
from sync.sip2.refusals import (
    Operation,
    PatronState,
    Source,
    explained,
    item_reason,
    patron_reason,
)
from sync.sip2.routing import Route
from sync.sip2.stacks import StackRequests

log = logging.getLogger(__name__)


class Sip2Upstream(StackRequests):
    """Live decisions from a library system, each within the kiosk's latency budget.

    Raises ``Unavailable`` when the ACS cannot answer in time; the caller then decides
    offline, but only if ``offline_allowed()`` says so (the ACS's last ``98`` said "off-line
    ok", or the site's policy overrides it).
    """

    def __init__(
        self,
        client: Sip2Client | Sip2Pool,
        dialect: Dialect,
        *,
        budget_s: float = 2.0,
        offline_policy: str = "acs",
        tz: tzinfo = UTC,
        now: Callable[[], datetime] | None = None,
        state: State | None = None,
        late_reply_s: float = 5.0,
    ) -> None:
        if offline_policy not in ("acs", "allow", "deny"):
            raise ValueError("offline_policy must be acs, allow or deny")
        self.client = client
        self.dialect = dialect
        self.budget_s = budget_s
        self.offline_policy = offline_policy
        self.tz = tz
        self.now = now or client.now
        self.state = state
        self.late_reply_s = late_reply_s
        self._healthy = False
        self._remembered: datetime | None = None

    # --- state ---------------------------------------------------------------------------

    def online(self) -> bool:
        """Whether the last exchange with the ACS worked (the core's ``online`` callable)."""
        return self._healthy and (self.client.status is None or self.client.status.online)

    def offline_allowed(self) -> bool:
        if self.offline_policy != "acs":
            return self.offline_policy == "allow"
        status = self.client.status
        if status is not None:
            return status.offline_ok
        # after a restart while the ACS is down, the last status seen before still rules
        return self.state is not None and self.state.get(SIP2_OFFLINE_OK_KEY)

    def _remember_status(self) -> None:
        status = self.client.status
        if self.state is None or status is None or status.at == self._remembered:
            return
        self._remembered = status.at
        self.state.set(SIP2_OFFLINE_OK_KEY, status.offline_ok)

    def refresh_status(self) -> bool:
        """Ask 99 now; returns whether the ACS is online. Never raises for a network fault."""
        try:
            status = self.client.sc_status(self.budget_s)
        except Unavailable:
            self._healthy = False
            return False
        self._healthy = True
        self._remember_status()
        return status.online

    def _ask(self, message: Message, *, once: bool = False) -> Message:
        """Send ``message``, retried as the connection allows; ``once`` for a state-changing
        request, sent at most once: ``ReplyLost`` when it may have applied (the link is not
        marked down for that: the ACS was there when the request went)."""
        try:
            reply = self.client.exchange(
                message,
                self.budget_s,
                once=once,
                late_reply_s=self.late_reply_s if once else 0.0,
            )
        except ReplyLost:
            raise
        except Unavailable:
            self._healthy = False
            raise
        self._healthy = True
        self._remember_status()
        return reply

    def _after_lost_reply(
        self, operation: Operation, card: str, pii: str, due_before: datetime | None = None
    ) -> Outcome:
        """What the ACS did with a request whose reply was lost (``lost_reply.settle``, from
        item information and, for a checkout, the patron's charged items); ``NO_ANSWER``
        when even that cannot be learnt."""
        details: dict[str, Any] = {"decided_by": "sip2", "reply_lost": True}
        try:
            facts = self.item_information(pii)
            return lost_reply.settle(
                operation, card, facts, lambda: self._charged_to(card, pii), self.now(),
                due_before, details,
            )  # fmt: skip
        except Unavailable:
            details["uncertain"] = True
            log.warning("sip2 %s: reply lost and the item could not be checked", operation.value)
        return lost_reply.outcome(details, pii, OutcomeKind.REFUSED, Reason.NO_ANSWER)

    def _charged_to(self, card: str, pii: str) -> bool | None:
        """Whether ``pii`` is among the patron's charged items (63, summary position 3);
        None when the ACS lists none although it counts some (it ignores the summary)."""
        message = sc_requests.patron_information(
            self.client.account,
            card,
            None,
            at=self.date_field(self.now()),
            summary=sc_requests.CHARGED_ITEMS_SUMMARY,
        )
        reply = self._ask(message)
        listed = reply.all(CHARGED_ITEMS)
        if pii in listed:
            return True
        counted = replies.count(reply.fixed.get("charged_items_count"))
        return None if not listed and counted else False

    def date_field(self, when: datetime) -> str:
        """An 18-character date in the zone the dialect expects."""
        return sip_date(when, self.tz if self.dialect.due_dates_local else None)

    # --- patrons -------------------------------------------------------------------------

    def identify(
        self, card: str, pin: str | None = None, kind: CardKind = CardKind.BARCODE
    ) -> replies.PatronAnswer:
        """Patron status (23) or information (63, per dialect) with the PIN checked by the ACS."""
        now = self.date_field(self.now())
        if self.dialect.patron_query == "23":
            message = sc_requests.patron_status(self.client.account, card, pin, at=now)
        else:
            message = sc_requests.patron_information(self.client.account, card, pin, at=now)
        return verdicts.patron_answer(self._ask(message), card, pin, kind, self.dialect)

    def patron_state(self, card: str) -> PatronState | None:
        """The patron's standing asked again now (63/23 per dialect, no PIN); None if the
        ACS cannot answer in time (a refusal is then explained without it)."""
        try:
            answer = self.identify(card, None)
        except Unavailable:
            return None
        return answer.state

    # --- items ---------------------------------------------------------------------------

    def _outcome(
        self,
        reply: Message,
        pii: str,
        ok: bool,
        operation: Operation | None,
        card: str = "",
        **extra: Any,
    ) -> Outcome:
        refused: tuple[Reason, Source] | None = None
        if not ok and operation is None:
            refused = Reason.ACS_REFUSED, Source.UNKNOWN
        elif not ok and operation is not None:
            refused = self.refusal(reply, operation, card, pii)
        return verdicts.outcome(reply, pii, refused, **extra)

    def refusal(
        self, reply: Message, operation: Operation, card: str, pii: str
    ) -> tuple[Reason, Source]:
        """Why the ACS refused, in the order of ``sync.sip2.refusals`` (fields, patron,
        item, words); asks 63/23 and 17 only as far as the earlier steps left it open."""
        extra = self.dialect.extra(operation)
        texts = reply.all(SCREEN_MESSAGE)
        fields = verdicts.fields_reason(reply, operation)
        if fields is not None:
            return explained(operation, fields=fields)
        if card and operation in (Operation.CHECKOUT, Operation.RENEW):
            state = self.patron_state(card)
            patron = None
            if state is not None and operation is Operation.CHECKOUT:
                patron = verdicts.borrow_block(state, self.dialect)
            elif state is not None:
                patron = patron_reason(state, operation, extra)
            if patron is not None:
                return explained(operation, patron=patron)
        try:
            item = item_reason(self.item_information(pii).state(), operation, card)
        except Unavailable:
            item = None
        return explained(operation, item=item, texts=texts, extra=extra)

    def checkout(
        self, card: str, pii: str, pin: str | None = None, *, fee_acknowledged: bool = False
    ) -> Outcome:
        """Check out at the ACS; ``fee_acknowledged`` sends BO = Y for an item with a charge
        the reader has accepted (a refusal for a charge is ``FEE_REQUIRED`` with the fee)."""
        return self._lend(Operation.CHECKOUT, card, pii, pin, fee_acknowledged, None)

    def cancel_checkout(self, card: str, pii: str) -> Outcome:
        """Undo an online checkout whose tag-security write failed (``BI`` = Y)."""
        now = self.date_field(self.now())
        account = self.client.account
        if self.dialect.cancel_with == "11":
            message = sc_requests.checkout(account, card, pii, at=now, due=now, cancel=True)
        else:
            message = sc_requests.checkin(account, pii, at=now, cancel=True)
        reply = self._ask(message)
        return self._outcome(reply, pii, reply.flag("ok"), None)

    def cancel_checkin(self, card: str, pii: str, due_at: datetime) -> Outcome:
        """Undo an online return whose tag write failed: a checkout with ``BI`` = Y (SIP2
        2.00, "Cancel": a checkout used to cancel a failed checkin), so the loan comes back
        with the due date the reader had."""
        message = sc_requests.checkout(
            self.client.account,
            card,
            pii,
            at=self.date_field(self.now()),
            due=self.date_field(due_at),
            cancel=True,
        )
        reply = self._ask(message)
        return self._outcome(reply, pii, reply.flag("ok"), None)

    def checkin(self, pii: str) -> Outcome:
        now = self.date_field(self.now())
        message = sc_requests.checkin(self.client.account, pii, at=now)
        try:
            reply = self._ask(message, once=True)
        except ReplyLost:
            return self._after_lost_reply(Operation.CHECKIN, "", pii)
        route = self.checkin_route(reply)
        transfer, hold = route.sends_away, route.holds
        outcome = self._outcome(
            reply,
            pii,
            reply.flag("ok"),
            Operation.CHECKIN,
            send_to_owner=transfer,
            hold_waiting=hold,
            details={
                "route": route.value,
                "destination": reply.get(DESTINATION, "") or "",
                "sort_bin": reply.get(SORT_BIN, "") or "",
                "resensitize": reply.fixed.get("resensitize", "Y"),
                "permanent_location": reply.get(PERMANENT_LOCATION, "") or "",
            },
        )
        if outcome.ok and route is not Route.SHELF:
            reason = {
                Route.STAFF: Reason.TO_STAFF,
                Route.HOLD_HERE: Reason.HOLD_WAITING,
            }.get(route, Reason.SEND_TO_OWNER)
            outcome = replace(outcome, reason=reason)
        return outcome

    def checkin_route(self, reply: Message) -> Route:
        """Where a returned item goes (see ``routing.checkin_route``)."""
        here = {self.client.account.location_code, self.client.account.institution_id} - {""}
        return routing.checkin_route(reply, here, self.dialect.transfer_when_location_differs)

    def renew(
        self,
        card: str,
        pii: str,
        pin: str | None = None,
        *,
        due_before: datetime | None = None,
        fee_acknowledged: bool = False,
    ) -> Outcome:
        """Renew at the ACS; ``due_before`` (the loan's due date now) lets a lost reply be
        judged by whether the due date moved, never by sending the renewal again.
        ``fee_acknowledged`` sends BO = Y: the SIP2 spec has the ACS refuse a renewal that
        carries a charge until the reader has accepted it, exactly as for a checkout."""
        return self._lend(Operation.RENEW, card, pii, pin, fee_acknowledged, due_before)

    def _lend(
        self,
        operation: Operation,
        card: str,
        pii: str,
        pin: str | None,
        fee_acknowledged: bool,
        due_before: datetime | None,
    ) -> Outcome:
        """Checkout (11) or renew (29): the same fields, asked once (a lost reply is settled
        from what the ACS says of the item, never by asking again), due date as it gives it."""
        now = self.now()
        build = sc_requests.checkout if operation is Operation.CHECKOUT else sc_requests.renew
        message = build(
            self.client.account,
            card,
            pii,
            at=self.date_field(now),
            due=self.date_field(now),
            pin=pin,
            fee_acknowledged=fee_acknowledged,
        )
        try:
            reply = self._ask(message, once=True)
        except ReplyLost:
            return self._after_lost_reply(operation, card, pii, due_before)
        due = parse_date(reply.get(DUE_DATE), self.tz)
        ok = reply.flag("ok")
        if operation is Operation.RENEW:
            return self._outcome(reply, pii, ok, operation, card, due_at=due if ok else None)
        return self._outcome(
            reply,
            pii,
            ok,
            operation,
            card,
            due_at=due if ok else None,
            loan=Loan(pii, card, now, due) if ok and due is not None else None,
            details={"desensitize": reply.fixed.get("desensitize", "U")},
        )

    def item_information(self, pii: str) -> replies.ItemFacts:
        at = self.date_field(self.now())
        message = sc_requests.item_information(self.client.account, pii, at=at)
        reply = self._ask(message)
        return replies.item_facts(pii, reply, self.tz)

    def end_session(self, card: str) -> bool:
        """End the patron session (35); some ACSs hold per-patron state until told."""
        at = self.date_field(self.now())
        message = sc_requests.end_session(self.client.account, card, at=at)
        return self._ask(message).flag("end_session")
