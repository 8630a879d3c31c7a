"""Refusal reasons against six systems' habits (tests/sip2/habits.py), situation by situation.

Regression (issue #12, point 1): reasons were guessed from AF with one first-match English
list, so a reader at the item limit was told the item is on loan, lost and missing items were
"on loan", a fines block whose words mention a limit became "loan limit reached", a renewal
at its limit became "loan limit reached", a renewal refused for a hold got the checkout's
wording, and an expired card was "your account is on hold".
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from tests.sip2.conftest import make_client
from tests.sip2.habits import SYSTEMS, HabitAcs

CHECKOUT_CASES = {
    "limit": Reason.LIMIT_REACHED,
    "fines": Reason.FINES_TOO_HIGH,
    "item_lost": Reason.ITEM_MISSING,
    "item_missing": Reason.ITEM_MISSING,
    "hold_other": Reason.ON_HOLD_FOR_ANOTHER,
    "on_loan_other": Reason.ALREADY_ON_LOAN,
    "mystery": Reason.ACS_REFUSED,
}
RENEW_CASES = {"renew_limit": Reason.RENEWAL_LIMIT, "renew_hold": Reason.RENEW_ON_HOLD}


def upstream_for(system: str, situation: str) -> Iterator[tuple[Sip2Upstream, HabitAcs]]:
    acs = HabitAcs(SYSTEMS[system][situation])
    client = make_client(acs.port, checksums=False, timeout_s=1.0, retries=0)
    try:
        yield Sip2Upstream(client, profile(system), budget_s=2.0), acs
    finally:
        client.close()
        acs.close()


@pytest.mark.parametrize("system", sorted(SYSTEMS))
@pytest.mark.parametrize("situation", sorted(CHECKOUT_CASES))
def test_a_refused_checkout_gets_the_systems_real_reason(system: str, situation: str) -> None:
    for upstream, _acs in upstream_for(system, situation):
        outcome = upstream.checkout("R1", "B1")
        assert not outcome.ok
        assert outcome.reason is CHECKOUT_CASES[situation], outcome.details
        words = SYSTEMS[system][situation].refusal_words
        assert outcome.details["screen_messages"] == list(words)  # the ACS's words kept


@pytest.mark.parametrize("system", sorted(SYSTEMS))
@pytest.mark.parametrize("situation", sorted(RENEW_CASES))
def test_a_refused_renewal_gets_the_renewals_reason(system: str, situation: str) -> None:
    for upstream, _acs in upstream_for(system, situation):
        outcome = upstream.renew("R1", "B1")
        assert not outcome.ok and outcome.reason is RENEW_CASES[situation], outcome.details


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_an_expired_card_says_so_at_identification(system: str) -> None:
    for upstream, _acs in upstream_for(system, "expired"):
        ident = upstream.identify("R1", None).identification
        assert ident.ok  # may still return items
        assert ident.borrow_block is Reason.CARD_EXPIRED


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_a_fines_block_is_known_at_identification(system: str) -> None:
    for upstream, _acs in upstream_for(system, "fines"):
        situation = SYSTEMS[system]["fines"]
        ident = upstream.identify("R1", None).identification
        expected = (
            Reason.FINES_TOO_HIGH
            if situation.flags or situation.patron_words or (situation.patron_fields)
            else None
        )
        assert ident.borrow_block is expected


def test_the_item_is_asked_only_when_fields_and_patron_leave_it_open() -> None:
    for upstream, acs in upstream_for("evergreen", "fines"):
        assert upstream.checkout("R1", "B1").details["reason_from"] == "patron"
        assert "17" not in acs.seen
    for upstream, acs in upstream_for("evergreen", "item_lost"):
        assert upstream.checkout("R1", "B1").details["reason_from"] == "item"
        assert acs.seen[-2:] == ["63", "17"]


def test_unknown_words_are_not_guessed() -> None:
    """The explicit "unknown" outcome: no rule matches and nothing structured explains."""
    for upstream, _acs in upstream_for("polaris", "mystery"):
        outcome = upstream.checkout("R1", "B1")
        assert outcome.reason is Reason.ACS_REFUSED
        assert outcome.details["reason_from"] == "unknown"
        assert outcome.details["screen_messages"] == ["Transaction denied (code 4711)"]
