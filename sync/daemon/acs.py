"""The daemon's library-system leg (``upstream.kind = "sip2"``): replay offline rows to the ACS.

Rows go through ``sync.sip2.replay.forward`` (in order, no block = Y, original dates, each
row marked as soon as the ACS answers it). A refusal is acknowledged as a ``conflict`` in the
journal and, in the same SQLite transaction, recorded as an ``upstream/sip2_conflict`` event
for the technician's fault timeline (the kiosk's own, and the central's through the
heartbeat). The message names the item and the ACS's reason, never the patron's card.

When a central is configured, ``report_conflicts`` then sends each refused row to its
conflicts (``POST /upstream-conflicts``), in journal order, for staff to settle. A row is
marked reported only from the central's reply (recorded, or duplicate after a lost reply),
so a refusal made while the central is away, or before a restart, is sent on a later pass;
the central deduplicates on the row's id, so a resend never makes a second conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from kiosk.models import Transaction
from kiosk.ports import TxnReply
from kiosk.store import Store
from sync import wire
from sync.sip2.errors import Sip2Error, Unavailable
from sync.sip2.replay import CONFLICT, Sip2Replay, forward

log = logging.getLogger("shufang.sync.acs")

UPSTREAM_DEVICE = "upstream"
CONFLICT_CODE = "sip2_conflict"


#: Who refused, as the central's conflicts name it.
SOURCE: Final = "sip2"


@dataclass(frozen=True, slots=True)
class AcsReport:
    """One pass against the library system; ``reachable`` drives the kiosk's online flag."""

    reachable: bool
    answered: int = 0
    conflicts: int = 0
    left: int = 0
    error: str = ""


class ConflictJournal:
    """The store as ``forward`` sees it, recording each refusal as an event with its verdict.

    Kept for the daemon's lifetime: the central keys a fault by its first time, so two
    refusals recorded at the same clock reading are spread a microsecond apart rather than
    merged into one report.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: dict[str, Transaction] = {}
        self._last_event: datetime | None = None
        self.conflicts = 0
        self.last_batch = 0  # ``forward`` ends on an empty batch unless the ACS stopped answering

    def begin(self) -> None:
        self._rows.clear()
        self.conflicts = self.last_batch = 0

    def pending(self, limit: int) -> list[Transaction]:
        rows = self.store.journal.pending(limit)
        self._rows.update((t.id, t) for t in rows)
        self.last_batch = len(rows)
        return rows

    def mark_acked(self, replies: Iterable[TxnReply], at: datetime) -> int:
        marked = 0
        with self.store.atomic():
            for reply in replies:
                newly = self.store.journal.mark_acked([reply], at)
                marked += newly
                if newly and reply.status == CONFLICT:
                    self._record_conflict(reply, at)
        return marked

    def _record_conflict(self, reply: TxnReply, at: datetime) -> None:
        self.conflicts += 1
        txn = self._rows.get(reply.txn_id) or self.store.journal.get(reply.txn_id)
        if self._last_event is not None and at <= self._last_event:
            at = self._last_event + timedelta(microseconds=1)
        self._last_event = at
        self.store.faults.record_event(
            UPSTREAM_DEVICE, CONFLICT_CODE, conflict_message(reply, txn), at
        )


def conflict_message(reply: TxnReply, txn: Transaction | None) -> str:
    """What a librarian needs to settle it centrally: the row, the item and the ACS's reason.

    The card is scrubbed from the ACS's free text too: some systems echo it in screen messages.
    """
    reason = reply.reason or "refused"
    if txn is None:
        return f"offline row {reply.txn_id} refused by the library system: {reason}"[:500]
    if txn.patron_card:
        reason = reason.replace(txn.patron_card, "[card]")
    return (
        f"offline {txn.kind.value} of item {txn.item_pii} at {txn.at.isoformat()} "
        f"(row {txn.seq}, {txn.id}) refused by the library system: {reason}"
    )[:500]


def forward_to_acs(
    store: Store,
    replay: Sip2Replay,
    journal: ConflictJournal,
    *,
    batch_size: int,
    now: Callable[[], datetime],
) -> AcsReport:
    """Replay what is pending; when nothing could be sent, ask the ACS's status (99) so the
    online flag follows the link even while the outbox is empty. Never raises for the ACS."""
    journal.begin()
    try:
        answered = forward(journal, replay, batch_size=batch_size, now=now)
        # rows answered: reachable unless a batch was cut short; none: ask the status (99)
        reachable = journal.last_batch == 0 if answered else replay.upstream.refresh_status()
    except Unavailable as error:
        error_text = f"library system unreachable ({error.code})"
        return AcsReport(
            False, conflicts=journal.conflicts, left=store.journal.outbox_depth(), error=error_text
        )
    except Sip2Error as error:  # login refused, malformed replies: a technician must look
        log.error("sip2 replay stopped: %s (%s)", error.code, error)
        error_text = f"library system error ({error.code})"
        return AcsReport(
            False, conflicts=journal.conflicts, left=store.journal.outbox_depth(), error=error_text
        )
    if journal.conflicts:
        log.warning("%d offline rows refused by the library system (conflicts)", journal.conflicts)
    error_text = "" if reachable else "library system offline or unreachable"
    depth = store.journal.outbox_depth()
    return AcsReport(reachable, answered, journal.conflicts, depth, error_text)


# --- refusals to the central's conflicts ------------------------------------------------


class ConflictReporter(Protocol):
    """The part of the central client the report needs (``CentralClient``; fakes in tests)."""

    def report_upstream_conflicts(
        self, rows: Sequence[wire.UpstreamConflictIn]
    ) -> list[wire.UpstreamConflictResult]: ...


@dataclass(frozen=True, slots=True)
class ConflictReport:
    """One pass of refusals to the central: sent, newly recorded there, already there, and
    how many still wait (counted up to one batch)."""

    sent: int = 0
    recorded: int = 0
    duplicates: int = 0
    left: int = 0


def upstream_conflict(txn: Transaction) -> wire.UpstreamConflictIn:
    """A refused journal row as the central's ``UpstreamConflictIn``.

    The replay acknowledges a refusal as ``"<reason code>: <the ACS's screen messages>"``
    (or the code alone); the two go to the central apart, the code for staff's lists and
    the text as the library system said it, less the card: the card travels in its own
    field, which the fleet page masks, while the text is shown as it is.
    """
    reason, _, message = (txn.upstream_reason or "").partition(": ")
    if txn.patron_card:
        message = message.replace(txn.patron_card, "[card]")
    return wire.UpstreamConflictIn(
        id=txn.id,
        seq=txn.seq,
        kind=txn.kind.value,
        patron_card=txn.patron_card,
        item_pii=txn.item_pii,
        at=txn.at,
        decision=txn.decision.value,
        source=SOURCE,
        reason=reason.strip()[:64] or "refused",
        message=message.strip()[:500],
        due_at=txn.due_at,
        cancels=txn.cancels,
    )


def report_conflicts(
    store: Store,
    client: ConflictReporter,
    *,
    batch_size: int,
    now: Callable[[], datetime],
) -> ConflictReport:
    """Send every refusal the central has not recorded yet, oldest first.

    Errors from the client (central away, token refused, request rejected) propagate with
    every unanswered refusal still waiting; the caller treats them as for any central call.
    """
    sent = recorded = duplicates = 0
    while rows := store.journal.unreported_conflicts(batch_size):
        wanted = {t.id for t in rows}
        results = [
            r
            for r in client.report_upstream_conflicts([upstream_conflict(t) for t in rows])
            if r.id in wanted
        ]
        sent += len(rows)
        store.journal.mark_conflicts_reported((r.id for r in results), now())
        recorded += sum(r.status == "recorded" for r in results)
        duplicates += sum(r.status == "duplicate" for r in results)
        answered = len({r.id for r in results})
        if answered < len(rows):  # resending at once would loop: wait for the next pass
            log.warning("central answered %d of %d refusals; the rest wait", answered, len(rows))
            break
    if recorded:
        log.info("%d library-system refusals recorded as central conflicts", recorded)
    left = len(store.journal.unreported_conflicts(batch_size))
    return ConflictReport(sent, recorded, duplicates, left)
