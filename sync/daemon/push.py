"""Sends the journal's outbox in seq order and acknowledges rows only from the central's reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from kiosk.clock import Clock
from kiosk.models import Transaction
from kiosk.ports import TxnReply
from kiosk.store import Store

log = logging.getLogger("shufang.sync.push")


class Pusher(Protocol):
    def push_journal(self, txns: list[Transaction]) -> list[TxnReply]: ...


@dataclass(frozen=True, slots=True)
class PushReport:
    sent: int = 0
    acked: int = 0
    conflicts: int = 0
    duplicates: int = 0
    left: int = 0  # rows still waiting when the pass ended


def push_outbox(
    store: Store, client: Pusher, clock: Clock, batch_size: int, max_batches: int | None = None
) -> PushReport:
    """Push batches until the outbox is empty (or ``max_batches`` were sent).

    A reply that names none of the batch's rows stops the pass: sending the same rows again
    at once would loop forever, and the rows stay queued for the next pass. Errors from the
    client propagate with every unanswered row still pending, so a lost reply only means the
    rows are sent again and answered "duplicate".
    """
    sent = acked = conflicts = duplicates = batches = 0
    while max_batches is None or batches < max_batches:
        batch = store.pending_journal(batch_size)
        if not batch:
            break
        wanted = {t.id for t in batch}
        replies = [r for r in client.push_journal(batch) if r.txn_id in wanted]
        batches += 1
        sent += len(batch)
        newly = store.mark_acked(replies, clock.now())
        acked += newly
        conflicts += sum(r.status == "conflict" for r in replies)
        duplicates += sum(r.status == "duplicate" for r in replies)
        if len(replies) < len(batch):
            log.warning("central answered %d of %d rows; the rest wait", len(replies), len(batch))
        if not replies:
            break
    if conflicts:
        log.warning("%d pushed rows came back as conflicts (visible centrally)", conflicts)
    return PushReport(sent, acked, conflicts, duplicates, store.outbox_depth())
