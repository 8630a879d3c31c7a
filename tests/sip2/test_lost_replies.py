"""A lost or late reply to a checkout, renewal or return: never resent, the truth is asked.

Regression (issue #12, point 3): the client resent 11/29/09 on a new connection with a new
sequence number, so a checkout whose reply was lost was applied twice or refused "already
yours" while the ACS held the loan, a renewal whose reply was lost was renewed twice, and an
ACS slower than the budget led to an offline decision contradicting what the ACS did.
The ACS is pysip2's server (tests/sip2/library.py), which can apply a request and then never
answer, or answer late.
"""

from __future__ import annotations

from kiosk.circulation import Circulation, Site
from kiosk.models import Decision, Item, Patron
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.library import Library, RunningServer
from tests.sip2.scripted import ScriptedAcs

READER = Patron("R0001", initials="WX")


def live_for(port: int, store, clock, late_reply_s: float = 0.3):
    upstream = Sip2Upstream(
        make_client(port, timeout_s=0.3, retries=2),
        profile("standard"),
        offline_policy="allow",
        budget_s=0.5,
        late_reply_s=late_reply_s,
    )
    circulation = Circulation(store, TEST_POLICY, clock, Site(), online=upstream.online)
    store.items.upsert([Item("1000001", "三体"), Item("1000002", "活着")])
    return LiveCirculation(circulation, upstream), upstream


def applied(library: Library, command: str) -> int:
    return sum(1 for key in library.applied if key[0] == command)


def test_a_checkout_whose_reply_is_lost_is_asked_about_not_resent(
    server: RunningServer, library: Library, store, clock
) -> None:
    live, _ = live_for(server.port, store, clock)
    library.lose_reply_after_apply = {1}
    outcome = live.checkout(READER, "1000001")
    assert applied(library, "11") == 1  # sent once
    assert outcome.ok and not outcome.offline and outcome.details["reply_lost"]
    assert outcome.due_at is not None and outcome.txn_id  # the tag write follows the loan
    assert store.loans.get("1000001").patron_card == "R0001"
    row = store.journal.get(outcome.txn_id)
    assert row.decision is Decision.ONLINE and row.acked_at is not None  # never replayed


def test_a_renewal_whose_reply_is_lost_is_judged_by_its_due_date(
    server: RunningServer, library: Library, store, clock
) -> None:
    live, _ = live_for(server.port, store, clock)
    lent = live.checkout(READER, "1000002")
    library.lose_reply_after_apply = {2}
    renewed = live.renew(READER, "1000002")
    assert applied(library, "29") == 1  # renewed once, not twice
    assert renewed.ok and renewed.due_at > lent.due_at
    loan = store.loans.get("1000002")
    assert loan.renewals == 1 and loan.due_at == renewed.due_at


def test_a_return_whose_reply_is_lost_is_kept_and_not_replayed(
    server: RunningServer, library: Library, store, clock
) -> None:
    live, _ = live_for(server.port, store, clock)
    live.checkout(READER, "1000002")
    library.lose_reply_after_apply = {2}
    returned = live.checkin("1000002")
    assert applied(library, "09") == 1
    assert returned.ok and store.loans.get("1000002") is None
    assert store.journal.pending(10) == []  # the ACS has it: nothing left to send


def test_a_slow_acs_is_waited_for_not_contradicted_offline(
    server: RunningServer, library: Library, store, clock
) -> None:
    live, upstream = live_for(server.port, store, clock, late_reply_s=2.0)
    assert upstream.refresh_status()
    library.delay_s = 0.7  # slower than the 0.5 s budget
    outcome = live.checkout(READER, "1000001")
    assert outcome.ok and not outcome.offline
    assert applied(library, "11") == 1 and library.books["1000001"].borrower == "R0001"
    assert store.journal.get(outcome.txn_id).decision is Decision.ONLINE


def test_when_nothing_can_be_learnt_the_reader_is_told_and_nothing_is_lent(store, clock):
    status = b"98YYYYYY00500320261124    1000002.00AOCITY|BXYYYYYYYYYYYYYYYY|\r"
    acs = ScriptedAcs(lambda frame: [status] if frame.startswith(b"99") else None)
    try:
        live, _ = live_for(acs.port, store, clock, late_reply_s=0.1)
        outcome = live.checkout(READER, "1000001")
        assert outcome.reason is Reason.NO_ANSWER and outcome.details["uncertain"]
        assert not outcome.offline and store.loans.get("1000001") is None  # the tag stays secured
        assert sum(r.startswith(b"11") for r in acs.requests) == 1
    finally:
        acs.close()


def test_a_connection_the_acs_closed_while_idle_is_not_a_lost_reply(
    server: RunningServer, library: Library, store, clock
) -> None:
    live, upstream = live_for(server.port, store, clock)
    assert upstream.refresh_status()
    server.stop()
    server.start()  # the library system restarted: the old connection is dead, unused
    outcome = live.checkout(READER, "1000001")
    assert outcome.ok and not outcome.offline and "reply_lost" not in outcome.details


def test_an_acs_that_cannot_say_to_whom_the_item_is_charged_is_not_guessed(store, clock):
    """17 says charged (no AA) and 63 counts one charged item but ignores the summary (no
    AU): the loan may be this reader's or not, so the reader is told, not misinformed."""
    d = "20261124    100000"
    replies = {
        b"99": "98YYYYYY005003" + d + "2.00AOCITY|BXYYYYYYYYYYYYYYYY|",
        b"17": "18040201" + d + "AB1000001|AJ三体|AH20261208    235959|",
        b"63": "64"
        + " " * 14
        + "000"
        + d
        + "0000" * 2
        + "0001"
        + "0000" * 3
        + "AOCITY|AAR0001|BLY|",
    }
    acs = ScriptedAcs(lambda f: [replies[f[:2]].encode() + b"\r"] if f[:2] in replies else None)
    try:
        live, _ = live_for(acs.port, store, clock, late_reply_s=0.1)
        outcome = live.checkout(READER, "1000001")
        assert outcome.reason is Reason.NO_ANSWER and outcome.details["uncertain"]
        assert store.loans.get("1000001") is None
    finally:
        acs.close()
