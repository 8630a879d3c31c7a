"""Live decisions from the library system mapped to the kiosk's outcomes and reasons."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.errors import Unavailable
from sync.sip2.library_system import Sip2Upstream
from tests.sip2.conftest import make_client
from tests.sip2.library import Library, RunningServer, build_app


def test_a_patron_with_the_right_pin_is_identified(upstream: Sip2Upstream) -> None:
    answer = upstream.identify("R0001", "1234")
    assert answer.identification.ok
    assert answer.identification.borrow_block is None
    assert answer.identification.patron.initials == "WX"
    assert answer.screen_messages == ("Welcome",)
    assert upstream.online()


def test_a_wrong_pin_and_an_unknown_card_are_refused(upstream: Sip2Upstream) -> None:
    assert upstream.identify("R0001", "0000").identification.reason is Reason.PIN_WRONG
    assert upstream.identify("NOBODY", "1234").identification.reason is Reason.UNKNOWN_CARD


def test_a_blocked_patron_may_return_but_not_borrow(upstream: Sip2Upstream) -> None:
    answer = upstream.identify("R0002", "1234")
    assert answer.identification.ok
    assert answer.identification.borrow_block is Reason.PATRON_BLOCKED
    assert "charge_denied" in answer.flags
    refused = upstream.checkout("R0002", "1000001")
    assert refused.kind is OutcomeKind.REFUSED and refused.reason is Reason.PATRON_BLOCKED
    assert refused.details["screen_messages"] == ["Patron blocked"]


def test_a_lost_card_is_refused(upstream: Sip2Upstream) -> None:
    assert upstream.identify("R0003", "1234").identification.reason is Reason.CARD_LOST


def test_patron_status_23_is_used_when_the_dialect_says_so(client, library: Library) -> None:
    upstream = Sip2Upstream(client, profile("interlib"))
    assert upstream.identify("R0001", "1234").identification.ok
    assert upstream.identify("R0001", "9").identification.reason is Reason.PIN_WRONG


def test_hold_counts_follow_the_dialect(client) -> None:
    placed = Sip2Upstream(client, profile("standard")).identify("R0004", "1234")
    available = Sip2Upstream(client, profile("folio")).identify("R0004", "1234")
    assert (placed.holds, placed.holds_available) == (2, 2)
    assert (available.holds, available.holds_available) == (None, 2)


def test_a_checkout_carries_due_date_screen_and_print_lines(upstream: Sip2Upstream) -> None:
    outcome = upstream.checkout("R0001", "1000001")
    assert outcome.ok and outcome.reason is Reason.OK
    assert outcome.due_at is not None and outcome.loan is not None
    assert outcome.details["title"] == "三体"
    assert outcome.details["screen_messages"] == ["Checked out"]
    assert outcome.details["print_lines"][0].startswith("Due ")


def test_an_item_on_hold_for_another_is_refused_with_that_reason(upstream) -> None:
    outcome = upstream.checkout("R0001", "1000003")
    assert outcome.reason is Reason.ON_HOLD_FOR_ANOTHER


def test_an_unknown_item_is_refused_as_unknown(upstream: Sip2Upstream) -> None:
    assert upstream.checkout("R0001", "9999999").reason is Reason.UNKNOWN_ITEM


def test_a_return_of_another_branchs_item_is_flagged_for_transfer(upstream) -> None:
    assert upstream.checkout("R0001", "1000004").ok
    outcome = upstream.checkin("1000004")
    assert outcome.ok and outcome.send_to_owner and not outcome.hold_waiting
    assert outcome.details["permanent_location"] == "EAST"


def test_a_return_with_a_hold_waiting_says_so(upstream, library: Library) -> None:
    assert upstream.checkout("R0004", "1000003").ok
    library.books["1000003"].holds = ["R0001"]
    outcome = upstream.checkin("1000003")
    assert outcome.ok and outcome.hold_waiting and not outcome.send_to_owner


def test_a_return_of_an_item_not_on_loan_is_refused(upstream: Sip2Upstream) -> None:
    assert upstream.checkin("1000002").reason is Reason.NOT_ON_LOAN


def test_renewal_and_its_refusal(upstream: Sip2Upstream, library: Library) -> None:
    assert upstream.checkout("R0001", "1000002").ok
    renewed = upstream.renew("R0001", "1000002")
    assert renewed.ok and renewed.due_at is not None
    library.books["1000002"].holds = ["R0004"]
    refused = upstream.renew("R0001", "1000002")
    # issue #12: a renewal refused for another's hold has the renewal's wording
    assert not refused.ok and refused.reason is Reason.RENEW_ON_HOLD


def test_item_information(upstream: Sip2Upstream) -> None:
    facts = upstream.item_information("1000003")
    assert facts.circulation_status == "waiting_on_hold_shelf"
    assert facts.hold_queue_length == 1 and facts.title == "Held book"
    assert upstream.checkout("R0001", "1000001").ok
    assert upstream.item_information("1000001").circulation_status == "charged"


def test_a_failed_tag_write_cancels_the_checkout(upstream, library: Library) -> None:
    assert upstream.checkout("R0001", "1000001").ok
    cancelled = upstream.cancel_checkout("R0001", "1000001")
    assert cancelled.ok
    assert library.books["1000001"].borrower is None


def test_ending_the_session(upstream: Sip2Upstream) -> None:
    assert upstream.end_session("R0001")


def test_offline_lending_follows_the_acs_status_or_the_override(library: Library) -> None:
    for offline_ok in (True, False):
        running = RunningServer(build_app(library, offline_ok=offline_ok))
        running.start()
        try:
            client = make_client(running.port)
            upstream = Sip2Upstream(client, profile("standard"))
            assert not upstream.offline_allowed()  # nothing known yet: no offline lending
            assert upstream.refresh_status()
            assert upstream.offline_allowed() is offline_ok
            assert (
                Sip2Upstream(client, profile("standard"), offline_policy="deny").offline_allowed()
                is False
            )
            assert (
                Sip2Upstream(client, profile("standard"), offline_policy="allow").offline_allowed()
                is True
            )
            client.close()
        finally:
            running.stop()


def test_an_unreachable_acs_raises_unavailable_and_marks_the_upstream_offline(
    server: RunningServer, upstream: Sip2Upstream
) -> None:
    assert upstream.refresh_status()
    server.stop()
    with pytest.raises(Unavailable):
        upstream.checkout("R0001", "1000001")
    assert not upstream.online()
    assert not upstream.refresh_status()
    assert upstream.offline_allowed()  # the last 98 still rules


def test_the_11_cancel_dialect_sends_a_checkout_with_bi(client, library: Library) -> None:
    upstream = Sip2Upstream(client, replace(profile("standard"), cancel_with="11"))
    library.books["1000001"].borrower = None
    assert upstream.cancel_checkout("R0001", "1000001").ok
