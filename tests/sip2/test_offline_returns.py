"""Offline returns on a SIP2 site: every one is journaled and replayed (no block).

Regression (issue #12, point 4): an offline return of an item this kiosk did not lend (lent
at the desk or at another kiosk) wrote no journal row, so the library system kept it
charged to the reader. The ACS is pysip2's server (tests/sip2/library.py).
"""

from __future__ import annotations

from kiosk.circulation import Circulation, Site
from kiosk.models import Decision, Item, TxnKind
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from sync.sip2.replay import Sip2Replay
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.library import Library, RunningServer


def test_an_offline_return_of_an_item_lent_elsewhere_reaches_the_acs(
    server: RunningServer, library: Library, store, clock
) -> None:
    upstream = Sip2Upstream(
        make_client(server.port, timeout_s=0.3, retries=0),
        profile("standard"),
        offline_policy="allow",
        budget_s=0.5,
    )
    circulation = Circulation(store, TEST_POLICY, clock, Site(), online=upstream.online)
    live = LiveCirculation(circulation, upstream)
    store.items.upsert([Item("1000002", "活着")])  # known here, lent at the desk
    library.books["1000002"].borrower = "R0002"
    library.books["1000001"].borrower = "R0002"  # not even in this kiosk's catalog copy
    server.stop()

    desk = live.checkin("1000002")
    unknown_here = live.checkin("1000001")
    assert desk.ok and desk.offline and desk.txn_id
    assert unknown_here.ok and unknown_here.txn_id
    pending = store.journal.pending(10)
    assert [(t.kind, t.item_pii, t.decision) for t in pending] == [
        (TxnKind.CHECKIN, "1000002", Decision.OFFLINE),
        (TxnKind.CHECKIN, "1000001", Decision.OFFLINE),
    ]

    server.start()
    replies = Sip2Replay(upstream).push(pending)
    assert [r.status for r in replies] == ["accepted", "accepted"]
    assert library.books["1000002"].borrower is None
    assert library.books["1000001"].borrower is None
    assert sum(1 for key in library.applied if key[0] == "09") == 2
