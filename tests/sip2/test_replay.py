"""Store-and-forward replay of offline journal rows to pysip2: in order, exactly once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.models import Decision, Security, Transaction, TxnKind
from kiosk.store import Store
from kiosk.store.state import SIP2_SENT_KEY
from sync.sip2.dialects import profile
from sync.sip2.errors import Unavailable
from sync.sip2.fields import sip_date
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.replay import Sip2Replay, forward
from sync.sip2.transport import Endpoint
from tests.sip2.conftest import make_client
from tests.sip2.faults import DamagingTransport
from tests.sip2.library import Book, Library, RunningServer

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def row(
    n: int,
    kind: TxnKind,
    card: str,
    pii: str,
    *,
    decision: Decision = Decision.OFFLINE,
    cancels: str | None = None,
) -> Transaction:
    at = T0 + timedelta(seconds=n)
    due = at + timedelta(days=21) if kind in (TxnKind.CHECKOUT, TxnKind.RENEW) else None
    return Transaction(
        f"txn-{n:05d}", n, kind, card, pii, at, due, decision, "ok", Security.DONE, cancels
    )


def replay_for(port: int, **account) -> Sip2Replay:
    upstream = Sip2Upstream(make_client(port, **account), profile("standard"), tz=UTC)
    return Sip2Replay(upstream)


def drain(store: Store, replay: Sip2Replay, batch: int = 100) -> int:
    """What the sync daemon does: push pending rows in order, mark what was answered."""
    sent = 0
    while store.journal.pending(1):
        sent += forward(store.journal, replay, batch_size=batch, now=lambda: datetime.now(UTC))
    return sent


def test_offline_rows_go_with_no_block_their_own_date_and_the_offline_due_date(
    server: RunningServer,
) -> None:
    endpoint = Endpoint("127.0.0.1", server.port)
    replay = replay_for(server.port)
    replay.upstream.client.transport = transport = DamagingTransport(endpoint)
    checkout = row(1, TxnKind.CHECKOUT, "R0001", "1000001")
    checkin = row(2, TxnKind.CHECKIN, "R0001", "1000001")
    replies = replay.push([checkout, checkin])
    assert [r.status for r in replies] == ["accepted", "accepted"]
    frames = [f for f in transport.sent if f[:2] in (b"11", b"09")]
    due = sip_date(checkout.due_at, UTC).encode()
    assert frames[0].startswith(b"11NY" + sip_date(checkout.at, UTC).encode() + due)
    assert frames[1].startswith(b"09Y" + (sip_date(checkin.at, UTC) * 2).encode())


def test_a_blocked_patron_is_refused_online_but_the_offline_loan_is_accepted_on_replay(
    server: RunningServer, library: Library
) -> None:
    replay = replay_for(server.port)
    assert replay.upstream.checkout("R0002", "1000001").ok is False
    replies = replay.push([row(1, TxnKind.CHECKOUT, "R0002", "1000001")])
    assert replies[0].status == "accepted"
    assert library.books["1000001"].borrower == "R0002"


def test_rejections_become_conflicts_with_their_reason(
    server: RunningServer, library: Library
) -> None:
    library.books["1000002"].borrower = "R0004"
    replay = replay_for(server.port)
    replies = replay.push(
        [
            row(1, TxnKind.CHECKOUT, "R0001", "9999999"),
            row(2, TxnKind.CHECKOUT, "R0001", "1000002"),
            row(3, TxnKind.CHECKOUT, "R0001", "1000001"),
        ]
    )
    assert [r.status for r in replies] == ["conflict", "conflict", "accepted"]
    assert replies[0].reason.startswith("unknown_item")
    assert replies[1].reason.startswith("already_on_loan")


def test_returns_of_held_and_other_branch_items_are_noted(
    server: RunningServer, library: Library
) -> None:
    library.books["1000003"].borrower = "R0001"
    library.books["1000004"].borrower = "R0001"
    replies = replay_for(server.port).push(
        [
            row(1, TxnKind.CHECKIN, "R0001", "1000003"),
            row(2, TxnKind.CHECKIN, "R0001", "1000004"),
        ]
    )
    assert [r.reason for r in replies] == ["hold waiting", "transfer to EAST"]


def test_a_cancel_row_cancels_the_checkout_it_names(
    server: RunningServer, library: Library
) -> None:
    checkout = row(1, TxnKind.CHECKOUT, "R0001", "1000001")
    cancel = row(2, TxnKind.CANCEL, "R0001", "1000001", cancels=checkout.id)
    replies = replay_for(server.port).push([checkout, cancel])
    assert [r.status for r in replies] == ["accepted", "accepted"]
    assert library.books["1000001"].borrower is None
    assert library.applied[-1][2] == "Y"  # a checkin with BI = Y


def test_an_unreachable_acs_sends_nothing_and_a_batch_stops_at_the_first_failure(
    server: RunningServer, library: Library
) -> None:
    port = server.port
    server.stop()
    rows = [row(n, TxnKind.CHECKOUT, "R0001", f"100000{n}") for n in (1, 2)]
    with pytest.raises(Unavailable):
        replay_for(port).push(rows)
    server.start()
    library.hang_requests = set(range(2, 40))  # the first row passes (pysip2 answers 99)
    replies = replay_for(port, retries=1, timeout_s=0.2).push(rows)
    assert [r.txn_id for r in replies] == ["txn-00001"]


def test_a_thousand_offline_rows_are_applied_exactly_once_after_the_acs_comes_back(
    tmp_path, server: RunningServer, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: a resend after a lost reply, or a second replay, must not double-apply."""
    store = Store(tmp_path / "kiosk.db")
    library.books = {f"2{n:06d}": Book(f"Book {n}") for n in range(500)}
    n = 0
    for i in range(500):  # each book lent offline, then returned offline
        n += 1
        store.journal.append(row(n, TxnKind.CHECKOUT, f"R000{1 + i % 2}", f"2{i:06d}"))
    for i in range(500):
        n += 1
        store.journal.append(row(n, TxnKind.CHECKIN, f"R000{1 + i % 2}", f"2{i:06d}"))
    assert store.journal.outbox_depth() == 1000

    port = server.port
    server.stop()  # the library system is down while the kiosk lends offline
    with pytest.raises(Unavailable):
        drain(store, replay_for(port))
    assert store.journal.outbox_depth() == 1000

    server.start()
    library.dedupe = False  # a naive ACS: exactly-once is the kiosk's job
    library.lose_reply_after_apply = {400}  # applied, reply lost: the client must not resend
    replay = replay_for(port, timeout_s=0.3)
    replay.state = store.state
    started = time.monotonic()
    assert drain(store, replay) == 1000
    elapsed = time.monotonic() - started

    assert store.journal.outbox_depth() == 0
    assert len(library.applied) == 1000 == len(set(library.applied))
    assert all(b.borrower is None for b in library.books.values())
    statuses = [t.upstream_status for t in store.journal.recent(limit=1000)]
    assert statuses.count("accepted") == 999 and statuses.count("duplicate") == 1

    requests = library.requests
    assert drain(store, replay) == 0  # a second replay sends nothing acknowledged
    assert library.requests == requests
    with capsys.disabled():
        print(f"\nreplayed 1000 offline rows (one reply lost) in {elapsed:.2f} s")
    store.close()


def test_the_last_acs_status_survives_a_kiosk_restart(tmp_path, server: RunningServer) -> None:
    store = Store(tmp_path / "kiosk.db")
    first = Sip2Upstream(make_client(server.port), profile("standard"), state=store.state)
    assert first.refresh_status() and first.offline_allowed()
    server.stop()
    restarted = Sip2Upstream(make_client(server.port), profile("standard"), state=store.state)
    assert not restarted.refresh_status()
    assert restarted.offline_allowed()
    store.close()


def test_a_row_sent_just_before_the_kiosk_stopped_is_not_applied_twice(
    tmp_path, server: RunningServer, library: Library
) -> None:
    """Regression: the ACS applied a row but the kiosk died before recording the reply."""
    store = Store(tmp_path / "kiosk.db")
    library.dedupe = False
    for n, kind in ((1, TxnKind.CHECKOUT), (2, TxnKind.CHECKIN), (3, TxnKind.CHECKOUT)):
        store.journal.append(row(n, kind, "R0001", "1000001"))
    first = replay_for(server.port)
    first.state = store.state
    first.push(store.journal.pending(2))  # the kiosk stops before marking the batch
    assert len(library.applied) == 2

    after_restart = replay_for(server.port)
    after_restart.state = store.state
    assert forward(store.journal, after_restart, now=lambda: datetime.now(UTC)) == 3
    assert [t.upstream_status for t in reversed(store.journal.recent())] == [
        "duplicate",
        "duplicate",
        "accepted",
    ]
    assert len(library.applied) == 3
    assert library.books["1000001"].borrower == "R0001"
    store.close()


def test_a_doubtful_renewal_is_judged_by_its_due_date_not_by_who_holds_the_item(
    tmp_path, server: RunningServer, library: Library
) -> None:
    """Regression (issue #12, point 5): a renewal that never reached the ACS was marked
    "already applied" because the item is charged to the reader (with the due date it
    already had). Here the renewal would not move the due date, so only sending it counts."""
    store = Store(tmp_path / "kiosk.db")
    store.journal.append(row(1, TxnKind.CHECKOUT, "R0001", "1000001"))
    replay = replay_for(server.port)
    replay.state = store.state
    replay.history = lambda pii: store.journal.recent(50, item_pii=pii)
    assert forward(store.journal, replay, now=lambda: datetime.now(UTC)) == 1
    store.journal.append(row(2, TxnKind.RENEW, "R0001", "1000001"))
    store.state.set_text(SIP2_SENT_KEY, "2")  # the kiosk stopped as it was about to send it
    assert forward(store.journal, replay, now=lambda: datetime.now(UTC)) == 1
    assert store.journal.recent(1)[0].upstream_status == "accepted"
    assert sum(1 for key in library.applied if key[0] == "29") == 1
    store.close()
