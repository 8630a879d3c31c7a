"""Push and pull keep their guarantees while the kiosk's work overlaps the central's."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.clock import ManualClock
from kiosk.models import Transaction
from kiosk.ports import TxnReply
from kiosk.store import Store
from kiosk.store.state import CURSOR_KEY
from sync.daemon.pull import cursor_of, pull_changes
from sync.daemon.push import push_outbox
from sync.link.client import Unavailable
from tests.journal_rows import checkout_row

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _queue(store: Store, count: int) -> list[str]:
    ids = []
    for n in range(count):
        at = START + timedelta(seconds=n)
        txn = store.journal.append(checkout_row(n, at, txn_id=f"t{n:03d}"))
        ids.append(txn.id)
    return ids


class OneAtATime:
    """Answers like the central and fails the test if a batch arrives while one is out;
    ``fail_on`` batches raise instead, ``partial`` ones answer every other row. Records what
    the kiosk had acknowledged when each batch arrived."""

    def __init__(self, store: Store, fail_on=(), partial=()) -> None:
        self.store = store
        self.fail_on = set(fail_on)
        self.partial = set(partial)
        self.batches: list[list[str]] = []
        self.acked_when_sent: list[int] = []
        self.threads: set[str] = set()
        self._out = threading.Lock()

    def push_journal(self, txns: list[Transaction]) -> list[TxnReply]:
        assert self._out.acquire(blocking=False), "a second batch went out before the reply"
        try:
            self.threads.add(threading.current_thread().name)
            number = len(self.batches)
            self.batches.append([t.id for t in txns])
            self.acked_when_sent.append(
                sum(1 for t in self.store.journal.recent(1000) if t.acked_at is not None)
            )
            if number in self.fail_on:
                raise Unavailable("connection reset")
            assert [t.seq for t in txns] == sorted(t.seq for t in txns)
            answered = txns[::2] if number in self.partial else txns
            return [TxnReply(t.id, "accepted") for t in answered]
        finally:
            self._out.release()


def test_a_long_push_sends_one_batch_at_a_time_in_seq_order(store: Store):
    ids = _queue(store, 25)
    central = OneAtATime(store)
    report = push_outbox(store, central, ManualClock(START), 10)
    assert central.batches == [ids[:10], ids[10:20], ids[20:]]
    assert report.sent == report.acked == 25 and report.left == 0
    # A batch's verdicts are stored while the next one is out, never before its reply:
    assert central.acked_when_sent[0] == 0 and central.acked_when_sent[1] in (0, 10)
    assert {t.upstream_status for t in store.journal.recent(100)} == {"accepted"}


def test_a_single_batch_is_sent_without_a_helper_thread(store: Store):
    _queue(store, 3)
    central = OneAtATime(store)
    push_outbox(store, central, ManualClock(START), 10)
    assert central.threads == {threading.current_thread().name}


def test_a_push_failing_mid_way_keeps_every_unanswered_row(store: Store):
    ids = _queue(store, 30)
    central = OneAtATime(store, fail_on={1})
    with pytest.raises(Unavailable):
        push_outbox(store, central, ManualClock(START), 10)
    assert [t.id for t in store.journal.pending(100)] == ids[10:]  # the first reply is kept
    report = push_outbox(store, central, ManualClock(START), 10)
    assert central.batches[2:] == [ids[10:20], ids[20:]] and report.left == 0


def test_a_partly_answered_batch_is_sent_again_before_later_rows(store: Store):
    ids = _queue(store, 20)
    central = OneAtATime(store, partial={0})
    report = push_outbox(store, central, ManualClock(START), 10)
    assert central.batches[0] == ids[:10]
    assert central.batches[1] == ids[1:10:2] + ids[10:15]  # unanswered rows first, in order
    assert report.left == 0 and report.acked == 20


class Pages:
    """A feed of ``count`` item upserts in pages; records each request, the thread it came
    on and the cursor the kiosk had stored by then; ``fail_at`` cursors raise."""

    def __init__(self, store: Store, count: int, fail_at=()) -> None:
        self.store = store
        self.count = count
        self.fail_at = set(fail_at)
        self.requests: list[tuple[int, int | None, int, str]] = []

    def changes_json(self, cursor: int, limit: int, *, known: int | None = None) -> dict:
        stored = cursor_of(self.store)
        self.requests.append((cursor, known, stored, threading.current_thread().name))
        if cursor in self.fail_at:
            raise Unavailable("network dropped")
        last = min(self.count, cursor + limit)
        changes = [
            {
                "seq": n,
                "entity": "item",
                "op": "upsert",
                "key": f"I{n}",
                "item": {"pii": f"I{n}", "title": f"Book {n}"},
            }
            for n in range(cursor + 1, last + 1)
        ]
        return {"changes": changes, "next_cursor": last, "has_more": last < self.count}


def test_the_next_page_is_fetched_ahead_and_says_what_the_kiosk_has_stored(store: Store):
    feed = Pages(store, 25)
    report = pull_changes(store, feed, ManualClock(START), 10)
    assert report.changes == 25 and report.cursor == 25 and store.counts()["items"] == 25
    assert [(cursor, known) for cursor, known, _, _ in feed.requests] == [
        (0, None),
        (10, 0),
        (20, 10),
    ]
    # Asked ahead, it never claims more than was stored when it asked:
    assert all(known is None or known <= stored for _, known, stored, _ in feed.requests)
    main = threading.current_thread().name  # only the first page is fetched here
    assert [thread == main for _, _, _, thread in feed.requests] == [True, False, False]


def test_a_pull_killed_mid_way_resumes_without_losing_or_doubling_rows(store: Store):
    feed = Pages(store, 45, fail_at={30})
    with pytest.raises(Unavailable):
        pull_changes(store, feed, ManualClock(START), 10)
    assert store.state.text(CURSOR_KEY) == "30" and store.counts()["items"] == 30
    feed.fail_at.clear()
    report = pull_changes(store, feed, ManualClock(START), 10)
    assert report.changes == 15 and store.counts()["items"] == 45
    assert [r[0] for r in feed.requests] == [0, 10, 20, 30, 30, 40]


def test_a_page_that_cannot_be_applied_keeps_the_cursor_and_waits_for_the_fetch(store: Store):
    class BadSecondPage(Pages):
        def changes_json(self, cursor, limit, *, known=None):
            page = super().changes_json(cursor, limit, known=known)
            if cursor == 10:
                page["changes"][3]["item"]["status"] = "borrowed by a ghost"
            return page

    feed = BadSecondPage(store, 40)
    threads_before = threading.active_count()
    with pytest.raises(ValueError, match="ItemStatus"):
        pull_changes(store, feed, ManualClock(START), 10)
    assert store.state.text(CURSOR_KEY) == "10" and store.counts()["items"] == 10
    # The fetch ahead was cancelled or ran to its end: no thread is left using the client.
    assert [r[0] for r in feed.requests] in ([0, 10], [0, 10, 20])
    assert threading.active_count() == threads_before


def test_max_pages_bounds_the_fetches_too(store: Store):
    feed = Pages(store, 100)
    report = pull_changes(store, feed, ManualClock(START), 10, max_pages=2)
    assert report.pages == 2 and report.cursor == 20
    assert [r[0] for r in feed.requests] == [0, 10]
