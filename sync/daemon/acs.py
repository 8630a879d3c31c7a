"""The daemon's library-system leg (``upstream.kind = "sip2"``): replay offline rows to the ACS.

Rows go through ``sync.sip2.replay.forward`` (in order, no block = Y, original dates, each
row marked as soon as the ACS answers it). A refusal is acknowledged as a ``conflict`` in the
journal and, in the same SQLite transaction, recorded as an ``upstream/sip2_conflict`` event,
so the heartbeat carries it to the central's fault log when a central is configured; with no
central the event still stays in the kiosk's own fault log. The message names the item and
the ACS's reason, never the patron's card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.models import Transaction
from kiosk.ports import TxnReply
from kiosk.store import Store
from sync.sip2.errors import Sip2Error, Unavailable
from sync.sip2.replay import CONFLICT, Sip2Replay, forward

log = logging.getLogger("shufang.sync.acs")

UPSTREAM_DEVICE = "upstream"
CONFLICT_CODE = "sip2_conflict"


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

    def pending_journal(self, limit: int) -> list[Transaction]:
        rows = self.store.pending_journal(limit)
        self._rows.update((t.id, t) for t in rows)
        self.last_batch = len(rows)
        return rows

    def mark_acked(self, replies: Iterable[TxnReply], at: datetime) -> int:
        marked = 0
        with self.store.atomic():
            for reply in replies:
                newly = self.store.mark_acked([reply], at)
                marked += newly
                if newly and reply.status == CONFLICT:
                    self._record_conflict(reply, at)
        return marked

    def get_state(self, key: str, default: str | None = None) -> str | None:
        return self.store.get_state(key, default)

    def set_state(self, key: str, value: str) -> None:
        self.store.set_state(key, value)

    def _record_conflict(self, reply: TxnReply, at: datetime) -> None:
        self.conflicts += 1
        txn = self._rows.get(reply.txn_id) or self.store.transaction(reply.txn_id)
        if self._last_event is not None and at <= self._last_event:
            at = self._last_event + timedelta(microseconds=1)
        self._last_event = at
        self.store.record_event(UPSTREAM_DEVICE, CONFLICT_CODE, conflict_message(reply, txn), at)


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
            False, conflicts=journal.conflicts, left=store.outbox_depth(), error=error_text
        )
    except Sip2Error as error:  # login refused, malformed replies: a technician must look
        log.error("sip2 replay stopped: %s (%s)", error.code, error)
        error_text = f"library system error ({error.code})"
        return AcsReport(
            False, conflicts=journal.conflicts, left=store.outbox_depth(), error=error_text
        )
    if journal.conflicts:
        log.warning("%d offline rows refused by the library system (faults)", journal.conflicts)
    error = "" if reachable else "library system offline or unreachable"
    return AcsReport(reachable, answered, journal.conflicts, store.outbox_depth(), error)
