"""Replies recorded in other open-source SIP2 projects' code and tests, fed to the client.

Facts only (the fields and words those projects send or expect), each with its source:

- SIPServer's test suite (the SIP server Koha and Evergreen grew from; Koha-Community/Koha
  C4/SIP/t/05block_patron.t and t/03checkout.t): a blocked patron's status is
  ``24Y`` + 13 of ``[ Y]`` + ``000`` + date; a checkout that worked is ``121NNY`` + date.
- Koha t/db_dependent/SIP/ILS.t: checking out to an expired patron answers the screen
  message "Patron expired on 01/03/2020".
- Koha C4/SIP/ILS/Transaction/Checkout.pm: an item with a rental charge is refused without
  words, with fee type ``06`` and the amount in BV, until the fee is acknowledged.
- Koha C4/SIP/ILS.pm: checkin refusals "Item lost, return not allowed" and
  "Item not checked out".
- folio-org/mod-circulation tests: "Patron has reached maximum limit of 1 items for material
  type" (checkout) and "loan has reached its maximum number of renewals" (renewal).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from tests.sip2.conftest import make_client
from tests.sip2.scripted import ScriptedAcs

DATE = "20060329    203000"
STATUS_98 = "98YYYYYY005003" + DATE + "2.00AOUWOLS|BXYYYYYYYYYYYYYYYY|"
CLEAN_64 = "64" + " " * 14 + "000" + DATE + "0000" * 6 + "AOUWOLS|AAdjfiander|BLY|"


@contextmanager
def acs(replies: dict[str, str]) -> Iterator[Sip2Upstream]:
    def answer(frame: bytes) -> list[bytes]:
        command = frame[:2].decode()
        text = STATUS_98 if command == "99" else replies.get(command)
        return [text.encode() + b"\r"] if text else []

    server = ScriptedAcs(answer)
    client = make_client(server.port, checksums=False, timeout_s=1.0, retries=0)
    try:
        yield Sip2Upstream(client, profile("standard"), budget_s=2.0)
    finally:
        client.close()
        server.close()


def item_18(status: str) -> str:
    return "18" + status + "0201" + DATE + "AB1565921879|AJPerl 5 desktop reference|"


def test_sipserver_blocked_patron_status_is_a_borrow_block() -> None:
    blocked = "24Y" + " " * 13 + "000" + DATE + "AOUWOLS|AAdjfiander|AEDavid J. Fiander|BLY|"
    with acs({"23": blocked}) as upstream:
        upstream.dialect = profile("interlib")  # asks 23, as the recorded exchange does
        ident = upstream.identify("djfiander", None).identification
        assert ident.ok and ident.borrow_block is Reason.PATRON_BLOCKED


def test_sipserver_checkout_that_worked() -> None:
    ok = "121NNY" + DATE + "AOUWOLS|AAdjfiander|AB1565921879|AJPerl 5|AH20060412    235900|"
    with acs({"11": ok}) as upstream:
        outcome = upstream.checkout("djfiander", "1565921879")
        assert outcome.ok and outcome.due_at is not None


def test_koha_expired_patron_is_card_expired_not_blocked() -> None:
    refused = (
        "120NNN"
        + DATE
        + "AOCPL|AA23529001000463|AB1565921879|AJ|AH|AFPatron expired on 01/03/2020|"
    )
    denied = (
        "64YYYY" + " " * 10 + "000" + DATE + "0000" * 6 + "AOCPL|AA23529001000463|BLY|"
        "AFPatron expired on 01/03/2020|"
    )
    with acs({"11": refused, "63": denied, "17": item_18("03")}) as upstream:
        assert upstream.checkout("23529001000463", "1565921879").reason is Reason.CARD_EXPIRED
        ident = upstream.identify("23529001000463", None).identification
        assert ident.borrow_block is Reason.CARD_EXPIRED


def test_koha_rental_charge_is_a_fee_to_accept_not_a_fines_block() -> None:
    fee = "120NNN" + DATE + "AOCPL|AA23529001000463|AB1565921879|AJ|AH|BT06|BV5.00|"
    with acs({"11": fee, "63": CLEAN_64}) as upstream:
        outcome = upstream.checkout("23529001000463", "1565921879")
        assert outcome.reason is Reason.FEE_REQUIRED
        assert (outcome.details["fee_cents"], outcome.details["fee_type"]) == (500, "06")


def test_koha_checkin_refusals() -> None:
    lost = "100YNN" + DATE + "AOCPL|AB1565921879|AFItem lost, return not allowed|"
    with acs({"09": lost, "17": item_18("12")}) as upstream:
        assert upstream.checkin("1565921879").reason is Reason.ITEM_MISSING
    not_out = "100YNN" + DATE + "AOCPL|AB1565921879|AFItem not checked out|"
    with acs({"09": not_out, "17": item_18("03")}) as upstream:
        assert upstream.checkin("1565921879").reason is Reason.NOT_ON_LOAN


def test_folio_limit_and_renewal_limit_words() -> None:
    limit = (
        "120NNN"
        + DATE
        + ("AOfs00000001|AA1|AB2|AFPatron has reached maximum limit of 1 items for material type|")
    )
    with acs({"11": limit, "63": CLEAN_64, "17": item_18("03")}) as upstream:
        assert upstream.checkout("1", "2").reason is Reason.LIMIT_REACHED
    renewals = (
        "300NNN"
        + DATE
        + ("AOfs00000001|AA1|AB2|AFloan has reached its maximum number of renewals|")
    )
    with acs({"29": renewals, "63": CLEAN_64, "17": item_18("04")}) as upstream:
        refused = upstream.renew("1", "2")
        assert refused.kind is OutcomeKind.REFUSED and refused.reason is Reason.RENEWAL_LIMIT
