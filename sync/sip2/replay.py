"""Store-and-forward: replay offline journal rows to the library system, in order, once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from kiosk.models import Transaction, TxnKind
from kiosk.ports import TxnReply
from kiosk.reasons import Reason
from kiosk.store.state import SIP2_SENT_KEY, State
from sync.sip2 import sc_requests
from sync.sip2.errors import Unavailable
from sync.sip2.fields import (
    PERMANENT_LOCATION,
    SCREEN_MESSAGE,
)
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.messages import Message
from sync.sip2.refusals import Operation
from sync.sip2.routing import Route

log = logging.getLogger(__name__)

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
CONFLICT = "conflict"


class Sip2Replay:
    """An ``Upstream`` whose ``push`` sends offline rows as SIP2 store-and-forward messages.

    Each row goes with no block = Y, its own transaction date and the due date the kiosk gave
    offline (never a blank one: several servers reject it or drop the connection). Rows the
    ACS decided online never get here: ``LiveCirculation`` marks them synced when it writes
    them, so any row pushed is sent (nothing is dropped on the guess that the ACS saw it).
    The first row the ACS cannot be reached for ends the batch, so later rows never overtake
    it; the caller marks only the rows named in the replies, and a second push sends nothing
    acknowledged. With ``state`` (the kiosk store) the replay remembers how far it has sent,
    and a row that may have arrived without its answer being recorded is checked against
    the item's state (17) instead of being sent twice.
    """

    def __init__(
        self,
        upstream: Sip2Upstream,
        *,
        lookup: Callable[[str], Transaction | None] | None = None,
        state: State | None = None,
        default_loan: timedelta = timedelta(days=28),
        history: Callable[[str], list[Transaction]] | None = None,
    ) -> None:
        self.upstream = upstream
        self.lookup = lookup
        self.history = history  # an item's journal rows, newest first (the kiosk store's)
        self.state = state
        self.default_loan = default_loan
        self._settled: dict[str, bool] = {}  # doubtful row id -> did it take effect

    def push(
        self, txns: Sequence[object], on_reply: Callable[[TxnReply], object] | None = None
    ) -> list[TxnReply]:
        """Send ``txns`` in order; ``on_reply`` is told of each verdict as soon as it is known
        (``forward`` marks the row there, so a stop loses at most the row on the wire)."""
        rows = [t for t in txns if isinstance(t, Transaction)]
        if len(rows) != len(txns):
            raise TypeError("Sip2Replay pushes journal Transactions")
        replies: list[TxnReply] = []
        kinds: dict[str, TxnKind] = {}
        doubtful = self._doubtful(rows)
        for txn in rows:
            kinds[txn.id] = txn.kind
            try:
                verdict = self._send(txn, kinds, doubtful)
            except Unavailable:
                if not replies:
                    raise
                log.info("sip2 replay paused after %d rows: the ACS is unreachable", len(replies))
                break
            replies.append(verdict)
            if on_reply is not None:
                on_reply(verdict)
        return replies

    def push_journal(self, txns: list[Transaction]) -> list[TxnReply]:
        """The sync daemon's ``Pusher`` interface."""
        return self.push(txns)

    def _doubtful(self, rows: list[Transaction]) -> dict[str, Transaction]:
        """Rows sent before but never acknowledged (the kiosk stopped, or the caller marks a
        whole batch at once): item -> the last such row for it. The ACS applies rows in
        order, so if that last row shows in the item's state, the earlier ones went too."""
        if self.state is None:
            return {}
        last_sent = self.state.get(SIP2_SENT_KEY)
        return {t.item_pii: t for t in rows if t.seq <= last_sent}

    def _send(
        self, txn: Transaction, kinds: dict[str, TxnKind], doubtful: dict[str, Transaction]
    ) -> TxnReply:
        """One row, exactly once: a row that may have reached the ACS already (its reply was
        lost, or the kiosk stopped before recording it) is checked against the item's state
        before it is sent again, since not every ACS recognises a repeated transaction."""
        client = self.upstream.client
        last = doubtful.get(txn.item_pii)
        if last is not None and txn.seq <= last.seq:
            if last.id not in self._settled:
                self._settled[last.id] = self._already_applied(last)
            applied = self._settled[last.id] or (txn is not last and self._already_applied(txn))
            if applied:
                return TxnReply(txn.id, DUPLICATE, "already applied at the ACS (item state)")
        if self.state is not None:
            self.state.set(SIP2_SENT_KEY, txn.seq)
        message = self._message(txn, kinds)
        try:
            return self._verdict(txn, client.exchange(message, retries=0))
        except Unavailable:
            log.info("sip2 replay: no answer for %s; checking the item before resending", txn.id)
        if self._already_applied(txn):
            return TxnReply(txn.id, DUPLICATE, "already applied at the ACS (item state)")
        return self._verdict(txn, client.exchange(message))

    def _already_applied(self, txn: Transaction) -> bool:
        """Whether the item's state at the ACS shows ``txn`` took effect (17/18)."""
        facts = self.upstream.item_information(txn.item_pii)
        charged = facts.circulation_status in ("charged", "charged_not_to_be_recalled")
        same_due = (
            facts.due_at is not None
            and txn.due_at is not None
            and facts.due_at.astimezone(self.upstream.tz).date()
            == txn.due_at.astimezone(self.upstream.tz).date()
        )
        if txn.kind is TxnKind.CHECKOUT:
            return charged and (facts.due_at is None or same_due)
        if txn.kind is TxnKind.RENEW:
            # judged by the due date alone: the reader holds the item either way, and a
            # renewal that would not move the due date cannot be seen, so it is sent
            before = self._due_before(txn)
            unmoved = (
                before is not None
                and txn.due_at is not None
                and self._day(before) == self._day(txn.due_at)
            )
            return charged and same_due and not unmoved
        return not charged  # a checkin, or a cancel of a checkout

    def _day(self, when: datetime) -> object:
        return when.astimezone(self.upstream.tz).date()

    def _due_before(self, txn: Transaction) -> datetime | None:
        """The due date the renewal ``txn`` started from: the item's previous loan row."""
        if self.history is None:
            return None
        earlier = (
            t
            for t in self.history(txn.item_pii)
            if t.seq < txn.seq and t.kind in (TxnKind.CHECKOUT, TxnKind.RENEW)
        )
        previous = next(earlier, None)
        return previous.due_at if previous is not None else None

    # --- messages ------------------------------------------------------------------------

    def _message(self, txn: Transaction, kinds: dict[str, TxnKind]) -> Message:
        up = self.upstream
        at = up.date_field(txn.at)
        due = up.date_field(txn.due_at or txn.at + self.default_loan)
        account = up.client.account
        card, pii = txn.patron_card, txn.item_pii
        if txn.kind is TxnKind.CHECKOUT:
            return sc_requests.checkout(account, card, pii, at=at, due=due, no_block=True)
        if txn.kind is TxnKind.RENEW:
            return sc_requests.renew(account, card, pii, at=at, due=due, no_block=True)
        if txn.kind is TxnKind.CHECKIN:
            return sc_requests.checkin(account, pii, at=at, no_block=True)
        # a cancel undoes the row it names: a checkin cancels a checkout and the reverse
        cancelled = kinds.get(txn.cancels or "")
        if cancelled is None and self.lookup and txn.cancels:
            original = self.lookup(txn.cancels)
            cancelled = original.kind if original else None
        if cancelled is TxnKind.CHECKIN:
            return sc_requests.checkout(
                account, card, pii, at=at, due=due, no_block=True, cancel=True
            )
        return sc_requests.checkin(account, pii, at=at, no_block=True, cancel=True)

    def _verdict(self, txn: Transaction, reply: Message) -> TxnReply:
        screens = reply.all(SCREEN_MESSAGE)
        if reply.flag("ok"):
            note = ""
            if reply.command == "10":  # an alert type may come without the alert flag
                route = self.upstream.checkin_route(reply)
                home = reply.get(PERMANENT_LOCATION, "") or ""
                note = {
                    Route.TRANSFER: f"transfer to {home}",
                    Route.TRANSFER_HOLD: f"transfer to {home}",
                    Route.HOLD_HERE: "hold waiting",
                    Route.STAFF: "to staff",
                }.get(route, "")
            return TxnReply(txn.id, ACCEPTED, note)
        default = {
            TxnKind.CHECKOUT: Reason.ITEM_NOT_AVAILABLE,
            TxnKind.RENEW: Reason.RENEWAL_LIMIT,
            TxnKind.CHECKIN: Reason.NOT_ON_LOAN,
        }.get(txn.kind, Reason.SECURITY_FAILED)
        operation = {TxnKind.RENEW: Operation.RENEW, TxnKind.CHECKIN: Operation.CHECKIN}.get(
            txn.kind, Operation.CHECKOUT
        )
        reason = self.upstream.dialect.refusal_reason(screens, default, operation)
        text = "; ".join(screens)[:200]
        log.info("sip2 replay: %s %s refused (%s)", txn.kind.value, txn.id, reason.value)
        return TxnReply(txn.id, CONFLICT, f"{reason.value}: {text}" if text else reason.value)


class JournalStore(Protocol):
    """The part of the kiosk store that the replay needs (its journal)."""

    def pending(self, limit: int) -> list[Transaction]: ...

    def mark_acked(self, replies: Iterable[TxnReply], at: datetime) -> int: ...


def forward(
    journal: JournalStore,
    replay: Sip2Replay,
    *,
    batch_size: int = 100,
    now: Callable[[], datetime],
) -> int:
    """Send every pending row in order and mark each one as soon as the ACS answered it.

    Returns how many rows were answered. Raises ``Unavailable`` when not even the first row
    could be sent (the daemon then backs off); a batch cut short leaves the rest, in order.
    """
    done = 0
    while pending := journal.pending(batch_size):
        replies = replay.push(pending, on_reply=lambda r: journal.mark_acked([r], now()))
        done += len(replies)
        if len(replies) < len(pending):
            break
    return done
