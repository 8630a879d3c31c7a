"""The daemon's loop, back-off and pull resumption against fakes, on a manual clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.backoff import Backoff
from kiosk.clock import ManualClock
from kiosk.models import Transaction
from kiosk.ports import TxnReply
from kiosk.store import Store
from kiosk.store.state import CURSOR_KEY, DEVICES_HEALTH_KEY, OFFLINE_SINCE_KEY, ONLINE_KEY
from sync.daemon import SyncDaemon, SyncSettings
from sync.daemon.central_client import txn_to_json
from sync.daemon.heartbeat import build_heartbeat
from sync.daemon.pull import pull_changes
from sync.daemon.push import push_outbox
from sync.link.client import RetryLater, Unavailable, retry_after_seconds
from tests.journal_rows import checkout_row
from tests.sync.fake_central import FakeCentral

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


class ScriptedWait:
    """A wait that moves the manual clock instead of sleeping, and stops after ``until``."""

    def __init__(self, clock: ManualClock, until) -> None:
        self.clock = clock
        self.until = until
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))
        return bool(self.until(self))


def _txn(n: int) -> Transaction:
    return checkout_row(n, START)


def _daemon(store: Store, central: FakeCentral, wait=None, **settings) -> SyncDaemon:
    clock = wait.clock if wait else ManualClock(START)
    options = {"min_backoff_s": 1.0, "max_backoff_s": 60.0, "heartbeat_s": 30.0, **settings}
    return SyncDaemon(
        store, central, SyncSettings(**options), clock=clock, wait=wait, rng=random.Random(7)
    )


def test_backoff_grows_with_jitter_up_to_the_cap():
    backoff = Backoff(1.0, 60.0, jitter=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    ceilings = [min(60.0, 2.0**n) for n in range(12)]
    assert all(0.5 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays) > 16  # it did grow
    assert len(set(delays)) == len(delays)  # jittered, not lockstep
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_backoff_never_retries_before_retry_after():
    backoff = Backoff(1.0, 60.0, jitter=random.Random(1))
    assert backoff.next_delay(retry_after_s=120) == 120
    assert backoff.next_delay(retry_after_s=10**9) == 3600.0  # a silly header is capped


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert retry_after_seconds("30", now) == 30
    assert retry_after_seconds("Tue, 24 Nov 2026 02:01:00 GMT", now) == 60
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_wire_rows_carry_utc_times_and_the_kiosk_seq(store: Store):
    row = store.journal.append(_txn(1))
    body = txn_to_json(row)
    assert body["seq"] == row.seq and body["at"] == "2026-11-24T02:00:00Z"
    assert body["decision"] == "offline" and body["cancels"] is None


def test_unreachable_central_backs_off_marks_offline_then_recovers(store: Store):
    central = FakeCentral(down=5)
    store.journal.append(_txn(1))
    wait = ScriptedWait(ManualClock(START), until=lambda w: central.pushed)
    daemon = _daemon(store, central, wait)
    daemon.run_forever()
    backoffs = wait.waits[:5]
    assert all(0.5 <= w <= 2.0**n for n, w in enumerate(backoffs))
    assert central.pushed == ["t1"]
    assert store.state.text(ONLINE_KEY) == "1" and store.state.text(OFFLINE_SINCE_KEY) == ""


def test_offline_since_keeps_the_first_failure_time(store: Store):
    central = FakeCentral(down=3)
    clock = ManualClock(START)
    daemon = _daemon(store, central, ScriptedWait(clock, until=lambda w: False))
    daemon.run_once()
    clock.advance(timedelta(minutes=5))
    daemon.run_once()
    assert store.state.text(ONLINE_KEY) == "0"
    assert store.state.text(OFFLINE_SINCE_KEY) == "2026-11-24T02:00:00.000000Z"


def test_retry_after_is_honoured_by_the_loop(store: Store):
    central = FakeCentral(down=1, error=RetryLater("busy", 45.0))
    wait = ScriptedWait(ManualClock(START), until=lambda w: central.beats)
    _daemon(store, central, wait).run_forever()
    assert wait.waits[0] >= 45.0


def test_heartbeats_follow_the_interval_and_new_rows_go_out_between_them(store: Store):
    central = FakeCentral()
    other = Store(store.path)  # the UI process's connection

    def until(w: ScriptedWait) -> bool:
        if len(w.waits) == 10:
            other.journal.append(_txn(2))
        return w.clock.now() >= START + timedelta(seconds=95)

    wait = ScriptedWait(ManualClock(START), until)
    _daemon(store, central, wait, poll_s=0.2).run_forever()
    assert len(central.beats) == 4  # at 0, 30, 60 and 90 s
    assert central.pushed == ["t2"]
    assert wait.waits.index(0.2) == 0
    other.close()


def test_a_pull_cut_short_resumes_at_the_first_page_not_applied(store: Store):
    def item(n):
        return {
            "seq": n,
            "entity": "item",
            "op": "upsert",
            "key": f"I{n}",
            "item": {"pii": f"I{n}", "title": f"Book {n}"},
        }

    hold = {
        "seq": 3,
        "entity": "hold",
        "op": "upsert",
        "key": "I1\tP1",
        "hold": {"item_pii": "I1", "patron_card": "P1"},
    }
    pages = {
        0: {"changes": [item(1), item(2)], "next_cursor": 2, "has_more": True},
        2: {"changes": [hold, item(4)], "next_cursor": 4, "has_more": False},
    }

    class Feed:
        fail_at: int | None = 2

        def changes_json(self, cursor, limit, known=None):
            if cursor == self.fail_at:
                raise Unavailable("network dropped")
            return pages[cursor]

    feed = Feed()
    clock = ManualClock(START)
    with pytest.raises(Unavailable):
        pull_changes(store, feed, clock, 2)
    assert (
        store.state.text(CURSOR_KEY) == "2" and store.items.get("I2") and not store.items.get("I4")
    )
    feed.fail_at = None
    report = pull_changes(store, feed, clock, 2)
    assert report.changes == 2 and report.cursor == 4 and store.items.get("I4")
    store.state.set_text(CURSOR_KEY, "2")  # a page applied twice changes nothing
    pull_changes(store, feed, clock, 2)
    assert store.counts()["holds"] == 1


def test_heartbeat_reads_device_states_and_out_of_service(store: Store):
    store.state.set_text(DEVICES_HEALTH_KEY, '{"rfid": "ready", "printer": "error"}')
    store.state.set_text("kiosk.out_of_service", "1")
    beat, _ = build_heartbeat(store, "central-3")
    assert beat.devices == {"rfid": "ready", "printer": "error"}
    assert beat.state == "out_of_service" and beat.policy_version == "central-3"
    store.state.set_text(DEVICES_HEALTH_KEY, "not json")
    assert build_heartbeat(store, None)[0].devices == {}


class PartialCentral(FakeCentral):
    """Answers for every other row only, plus one id it was never sent."""

    def push_journal(self, txns):
        self.pushed += [t.id for t in txns]
        return [TxnReply(t.id, "accepted") for t in txns[::2]] + [TxnReply("stranger", "accepted")]


def test_only_rows_named_in_the_reply_are_acknowledged(store: Store):
    for n in range(4):
        store.journal.append(_txn(n))
    central = PartialCentral()
    report = push_outbox(store, central, ManualClock(START), 10, max_batches=1)
    assert report.acked == 2 and report.left == 2
    assert [t.id for t in store.journal.pending(10)] == ["t1", "t3"]
    push_outbox(store, central, ManualClock(START), 10)  # unanswered rows go again, in order
    assert central.pushed[4:] == ["t1", "t3", "t3"] and store.journal.outbox_depth() == 0


def test_a_rejected_request_keeps_the_rows_and_records_a_fault(store: Store):
    from sync.link.client import Rejected

    store.journal.append(_txn(1))
    report = _daemon(store, FakeCentral(down=1, error=Rejected(422, "bad row"))).run_once()
    assert not report.ok and store.journal.outbox_depth() == 1
    assert [(f.device, f.code) for f in store.faults.recent(open_only=True)] == [
        ("upstream", "rejected")
    ]
