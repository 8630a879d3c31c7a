"""A stack placed at once is decided at once through the core's batch call.

Regression (issue #12, point 8): ``sip2.sessions`` > 1 did not speed up a reader's stack,
because the UI called the core once per item (5 items against an ACS taking 0.5 s a message
took 2.5–2.7 s). ``checkout_stack`` is the one call the UI makes for the items on the pad:
the ACS decides them in parallel, and the kiosk records each verdict on the caller's thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.circulation import Circulation, Site
from kiosk.models import Decision, Item, Patron
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from sync.sip2.pool import Sip2Pool
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client, small_library
from tests.sip2.library import Book, Library, RunningServer, build_app

STACK = [f"300000{n}" for n in range(5)]


@contextmanager
def pooled_kiosk(store, clock) -> Iterator[tuple[Library, LiveCirculation]]:
    """The stack's books at a live ACS, and a kiosk core talking to it through a pool of
    one SIP2 session per book."""
    library = small_library()
    library.books.update({pii: Book(f"Stack book {pii}") for pii in STACK})
    server = RunningServer(build_app(library))
    server.start()
    pool = Sip2Pool(lambda: make_client(server.port, timeout_s=5.0), size=len(STACK))
    try:
        pool.connect_all()
        upstream = Sip2Upstream(pool, profile("standard"), budget_s=2.0)
        circulation = Circulation(store, TEST_POLICY, clock, Site(), online=upstream.online)
        store.items.upsert([Item(pii, f"Stack book {pii}") for pii in STACK])
        yield library, LiveCirculation(circulation, upstream)
    finally:
        pool.close()
        server.stop()


def test_a_five_item_stack_goes_through_the_core_in_parallel(store, clock, capsys) -> None:
    with pooled_kiosk(store, clock) as (library, live):
        library.delay_s = 0.5
        started = time.monotonic()
        outcomes = live.checkout_stack(Patron("R0001"), [(pii, None) for pii in STACK])
        took = time.monotonic() - started
        with capsys.disabled():
            print(f"\n5-item stack through the core, ACS at 500 ms/message: {took:.2f} s")
        assert [o.pii for o in outcomes] == STACK and all(o.ok for o in outcomes)
        assert took < 1.0  # one at a time: 2.5 s or more
        for outcome in outcomes:
            row = store.journal.get(outcome.txn_id)
            assert row.decision is Decision.ONLINE and row.acked_at is not None

        # a refusal in the middle keeps the stack's order (its 63 and 17 run in its session)
        for pii in STACK:
            library.books[pii].borrower = "R0002" if pii == "3000003" else None
        again = live.checkout_stack(Patron("R0001"), [(pii, None) for pii in STACK])
        assert [o.pii for o in again] == STACK
        assert [o.ok for o in again] == [True, True, True, False, True]


@pytest.mark.parametrize("size", [0, 1, 2])
def test_the_local_core_answers_the_same_call_in_order(size, make_circulation, store) -> None:
    circulation = make_circulation()
    store.items.upsert([Item(pii, pii) for pii in STACK])
    store.patrons.upsert([Patron("A1")])
    outcomes = circulation.checkout_stack(Patron("A1"), [(p, None) for p in STACK[:size]])
    assert [o.pii for o in outcomes] == STACK[:size] and all(o.ok for o in outcomes)


def test_renew_all_asks_the_acs_about_every_loan_at_once(store, clock, capsys) -> None:
    """ "Renew all" on my account goes through the same sessions in parallel (issue #12):
    five loans against an ACS taking 0.5 s a message take as long as the longest chain, and
    each renewal is recorded in the loans' order with the ACS's due date."""
    with pooled_kiosk(store, clock) as (library, live):
        lent = live.checkout_stack(Patron("R0001"), [(pii, None) for pii in STACK])
        assert all(o.ok for o in lent)
        library.books[STACK[2]].holds = ["R0004"]  # one renewal the ACS refuses
        library.delay_s = 0.5
        started = time.monotonic()
        renewed = live.renew_all(Patron("R0001"))
        took = time.monotonic() - started
        with capsys.disabled():
            print(f"\nrenew all of 5 loans, ACS at 500 ms/message: {took:.2f} s")
        assert sorted(o.pii for o in renewed) == sorted(STACK)
        assert {o.pii: o.ok for o in renewed} == {pii: pii != STACK[2] for pii in STACK}
        # one at a time: 3.5 s (five renewals, and the refused one's item information and
        # patron status asked to find its reason); in parallel the refusal's chain of three
        # messages (1.5 s) is the longest
        assert took < 2.2
        for outcome in renewed:
            if outcome.ok:
                assert store.journal.get(outcome.txn_id).decision is Decision.ONLINE
                assert store.loans.get(outcome.pii).renewals == 1
        assert store.loans.get(STACK[2]).renewals == 0
