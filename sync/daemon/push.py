"""Sends the journal's outbox in seq order and acknowledges rows only from the central's reply."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
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

    One batch is out at a time, and the next goes only after the central answered for every
    row of this one: it applies a kiosk's rows in seq order, and rows are acknowledged only
    from its reply. While a full batch is out (more rows may follow), a helper thread waits
    for the reply and this thread stores the previous batch's verdicts and reads the next
    batch, so the kiosk's share of the work overlaps the central's.

    A reply that names none of the batch's rows stops the pass: sending the same rows again
    at once would loop forever, and the rows stay queued for the next pass. A reply naming
    only some is stored at once and the next batch is read again from the oldest pending
    row. Errors from the client propagate with every unanswered row still pending, so a lost
    reply only means the rows are sent again and answered "duplicate".
    """
    sent = acked = conflicts = duplicates = batches = 0
    answered: list[TxnReply] = []  # the previous batch's verdicts, not stored yet
    sender: ThreadPoolExecutor | None = None
    batch = store.journal.pending(batch_size)
    try:
        while batch and (max_batches is None or batches < max_batches):
            batches += 1
            sent += len(batch)
            following: list[Transaction] = []
            if len(batch) == batch_size and (max_batches is None or batches < max_batches):
                sender = sender or ThreadPoolExecutor(1, thread_name_prefix="shufang-push")
                reply = sender.submit(client.push_journal, batch)
                acked += _store(store, answered, clock)
                answered = []
                following = store.journal.pending(batch_size, after_seq=batch[-1].seq)
                replies = reply.result()
            else:
                acked += _store(store, answered, clock)
                answered = []
                replies = client.push_journal(batch)
            wanted = {t.id for t in batch}
            answered = [r for r in replies if r.txn_id in wanted]
            conflicts += sum(r.status == "conflict" for r in answered)
            duplicates += sum(r.status == "duplicate" for r in answered)
            if len(answered) < len(batch):
                log.warning(
                    "central answered %d of %d rows; the rest wait", len(answered), len(batch)
                )
                if not answered:
                    break
                acked += _store(store, answered, clock)
                answered = []
                following = store.journal.pending(batch_size)  # the unanswered rows first
            batch = following
        acked += _store(store, answered, clock)
    finally:
        if sender is not None:
            sender.shutdown(wait=True, cancel_futures=True)
    if conflicts:
        log.warning("%d pushed rows came back as conflicts (visible centrally)", conflicts)
    return PushReport(sent, acked, conflicts, duplicates, store.journal.outbox_depth())


def _store(store: Store, replies: list[TxnReply], clock: Clock) -> int:
    return store.journal.mark_acked(replies, clock.now()) if replies else 0
