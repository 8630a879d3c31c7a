"""The kiosk's use cases with the library system deciding online and the kiosk offline."""

from __future__ import annotations

from kiosk.circulation import Circulation, Site
from kiosk.models import Decision, Item, Patron, Security, TxnKind
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from sync.sip2.replay import Sip2Replay
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.library import Library, RunningServer

READER = Patron("R0001", initials="WX")


def live_for(server: RunningServer, store, clock, policy="acs"):
    upstream = Sip2Upstream(
        make_client(server.port, timeout_s=0.3, retries=0),
        profile("standard"),
        offline_policy=policy,
        budget_s=0.5,
    )
    circulation = Circulation(
        store, TEST_POLICY, clock, Site(isil="CN-110000-1"), online=upstream.online
    )
    store.items.upsert([Item("1000001", "三体"), Item("1000002", "活着")])
    return LiveCirculation(circulation, upstream), upstream


def test_online_the_acs_decides_and_the_row_is_not_replayed(
    server, library: Library, store, clock
) -> None:
    live, _ = live_for(server, store, clock)
    outcome = live.checkout(READER, "1000001")
    assert outcome.ok and not outcome.offline
    row = store.journal.get(outcome.txn_id)
    assert row.decision is Decision.ONLINE and row.due_at == outcome.due_at
    assert row.acked_at is not None and row.upstream_status == "accepted"
    assert store.loans.get("1000001").due_at == outcome.due_at
    assert store.journal.pending(10) == []  # the ACS applied it: nothing to replay


def test_online_refusals_come_from_the_acs(server, library, store, clock) -> None:
    live, _ = live_for(server, store, clock)
    refused = live.checkout(Patron("R0002"), "1000001")
    assert refused.reason is Reason.PATRON_BLOCKED
    assert store.loans.get("1000001") is None


def test_a_failed_tag_write_cancels_the_online_loan_at_the_acs(
    server, library: Library, store, clock
) -> None:
    live, _ = live_for(server, store, clock)
    outcome = live.checkout(READER, "1000001")
    assert library.books["1000001"].borrower == "R0001"
    cancelled = live.security_failed(outcome.txn_id)
    assert cancelled.reason is Reason.SECURITY_FAILED
    assert library.books["1000001"].borrower is None
    assert store.loans.get("1000001") is None
    assert store.journal.get(outcome.txn_id).security is Security.FAILED
    assert store.journal.pending(10) == []  # the ACS was told: the cancel is synced too


def test_offline_lending_needs_the_acs_permission(server, library, store, clock) -> None:
    live, upstream = live_for(server, store, clock)
    assert upstream.refresh_status()  # pysip2 says off-line ok
    server.stop()
    outcome = live.checkout(READER, "1000002")
    assert outcome.ok and outcome.offline
    assert store.journal.get(outcome.txn_id).decision is Decision.OFFLINE

    denied, _ = live_for(server, store, clock, policy="deny")
    refused = denied.checkout(READER, "1000001")
    assert not refused.ok and refused.details["upstream"] == "unavailable"


def test_offline_rows_reach_the_acs_when_it_is_back(server, library: Library, store, clock) -> None:
    live, upstream = live_for(server, store, clock)
    assert upstream.refresh_status()
    server.stop()
    lent = live.checkout(READER, "1000002")
    server.start()
    pending = store.journal.pending(10)
    replies = Sip2Replay(upstream).push(pending)
    assert [r.txn_id for r in replies if r.status == "accepted"] == [lent.txn_id]
    assert library.books["1000002"].borrower == "R0001"
    assert pending[0].kind is TxnKind.CHECKOUT


def test_a_return_shows_the_acs_alerts(server, library, store, clock) -> None:
    live, _ = live_for(server, store, clock)
    assert live.checkout(Patron("R0004"), "1000001").ok
    library.books["1000001"].holds = ["R0001"]
    returned = live.checkin("1000001")
    assert returned.ok and returned.hold_waiting
    assert store.journal.pending(10) == []
    assert store.loans.get("1000001") is None


def test_a_cancel_the_acs_could_not_hear_is_replayed_later(
    server, library: Library, store, clock
) -> None:
    live, upstream = live_for(server, store, clock)
    outcome = live.checkout(READER, "1000001")
    server.stop()
    cancelled = live.security_failed(outcome.txn_id)
    assert store.journal.get(cancelled.txn_id).decision is Decision.OFFLINE
    assert library.books["1000001"].borrower == "R0001"  # the ACS still thinks it is lent
    server.start()
    replies = Sip2Replay(upstream, lookup=store.journal.get).push(store.journal.pending(10))
    assert [(r.txn_id, r.status) for r in replies] == [(cancelled.txn_id, "accepted")]
    assert library.books["1000001"].borrower is None


def test_a_failed_tag_write_on_a_return_lends_it_again_at_the_acs(
    server, library: Library, store, clock
) -> None:
    """Regression (#14, finding 1): the ACS was told of the return but not of its cancel, so
    the reader held a book the library system had checked in."""
    live, _ = live_for(server, store, clock)
    lent = live.checkout(READER, "1000001")
    live.security_done(lent.txn_id)
    returned = live.checkin("1000001")
    assert library.books["1000001"].borrower is None
    cancelled = live.security_failed(returned.txn_id)
    assert cancelled.reason is Reason.SECURITY_FAILED
    assert library.books["1000001"].borrower == "R0001"  # 11 with BI = Y
    assert store.loans.get("1000001").patron_card == "R0001"
    assert store.journal.pending(10) == []  # the ACS was told: the cancel is synced too
