"""Items with a charge: shown for the reader to accept (BO = Y), or refused by policy.

Regression (issue #12, point 6): an item with a rental fee was refused and the reader told
"charges to settle". The ACS imitates Koha (C4/SIP/ILS/Transaction/Checkout.pm): an item
with an issuing charge is refused without words, with fee type 06 (rental) and the amount in
BV, until the checkout carries fee acknowledged (BO) = Y.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.circulation import Circulation, Site
from kiosk.models import Item, Patron
from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.scripted import ScriptedAcs

D = "20261124    100000"
STATUS = "98YYYYYY005003" + D + "2.00AOCITY|BXYYYYYYYYYYYYYYYY|"
PATRON = "64" + " " * 14 + "000" + D + "0000" * 6 + "AOCITY|AAR1|AEA Reader|BLY|"
REFUSED = "120NNN" + D + "AOCITY|AAR1|AB1000001|AJDVD|AH|BT06|BV5.00|BHCNY|"
LENT = "121NNY" + D + "AOCITY|AAR1|AB1000001|AJDVD|AH20261208    235959|BT06|BV5.00|BHCNY|"


#: Renew (29/30): the SIP2 spec's BO rule for renewals (the ACS should not renew an item
#: with a renewal charge unless BO = Y); the reply layout is the spec's 30 (ok, renewal ok,
#: magnetic media, desensitize, date) with the same fee fields as Koha's checkout refusal.
RENEW_REFUSED = "300NUN" + D + "AOCITY|AAR1|AB1000001|AJDVD|AH|BT06|BV2.00|BHCNY|"
RENEWED = "301YNN" + D + "AOCITY|AAR1|AB1000001|AJDVD|AH20261222    235959|BT06|BV2.00|BHCNY|"


def answer(frame: bytes) -> list[bytes]:
    command = frame[:2]
    if command == b"11":
        reply = LENT if b"|BOY|" in frame else REFUSED
    elif command == b"29":
        reply = RENEWED if b"|BOY|" in frame else RENEW_REFUSED
    else:
        reply = {b"99": STATUS, b"63": PATRON}.get(command, "")
    return [reply.encode() + b"\r"] if reply else []


def live_for(port: int, store, clock, fee_items: str) -> LiveCirculation:
    upstream = Sip2Upstream(make_client(port, checksums=False), profile("koha"), budget_s=2.0)
    policy = replace(TEST_POLICY, fee_items=fee_items)
    circulation = Circulation(store, policy, clock, Site(), online=upstream.online)
    store.items.upsert([Item("1000001", "DVD")])
    return LiveCirculation(circulation, upstream)


def test_the_charge_is_shown_and_accepting_it_sends_bo(store, clock) -> None:
    acs = ScriptedAcs(answer)
    try:
        live = live_for(acs.port, store, clock, "ask")
        offer = live.checkout(Patron("R1"), "1000001")
        assert offer.kind is OutcomeKind.OFFER and offer.reason is Reason.FEE_TO_ACCEPT
        assert offer.details["fee"] == "5.00 CNY" and store.loans.get("1000001") is None
        lent = live.checkout(Patron("R1"), "1000001", fee_accepted=True)
        assert lent.ok and store.loans.get("1000001") is not None
        assert [b"|BOY|" in r for r in acs.requests if r.startswith(b"11")] == [False, True]
    finally:
        acs.close()


def test_a_policy_may_refuse_items_with_a_charge(store, clock) -> None:
    acs = ScriptedAcs(answer)
    try:
        live = live_for(acs.port, store, clock, "refuse")
        refused = live.checkout(Patron("R1"), "1000001")
        assert refused.kind is OutcomeKind.REFUSED and refused.reason is Reason.FEE_REQUIRED
        assert refused.reason is not Reason.FINES_TOO_HIGH  # not "charges to settle"
        assert not any(b"|BOY|" in r for r in acs.requests)
    finally:
        acs.close()


def test_a_renewal_with_a_charge_is_offered_and_accepting_it_sends_bo(store, clock) -> None:
    """A renewal refused for its charge is an offer to renew (not "ask staff", not a fines
    block); accepting renews with BO = Y and the due date moves old -> new."""
    acs = ScriptedAcs(answer)
    try:
        live = live_for(acs.port, store, clock, "ask")
        live.checkout(Patron("R1"), "1000001", fee_accepted=True)
        due_before = store.loans.get("1000001").due_at
        offer = live.renew(Patron("R1"), "1000001")
        assert offer.kind is OutcomeKind.OFFER and offer.reason is Reason.RENEWAL_FEE_TO_ACCEPT
        assert (
            offer.details["fee"] == "2.00 CNY" and store.loans.get("1000001").due_at == due_before
        )
        renewed = live.renew(Patron("R1"), "1000001", fee_accepted=True)
        assert renewed.ok and store.loans.get("1000001").due_at > due_before
        assert [b"|BOY|" in r for r in acs.requests if r.startswith(b"29")] == [False, True]
    finally:
        acs.close()


def test_a_policy_that_refuses_charges_refuses_the_renewal_without_bo(store, clock) -> None:
    acs = ScriptedAcs(answer)
    try:
        live = live_for(acs.port, store, clock, "refuse")
        store.items.upsert([Item("1000001", "DVD")])
        refused = live.renew(Patron("R1"), "1000001")
        assert refused.kind is OutcomeKind.REFUSED and refused.reason is Reason.FEE_REQUIRED
        assert not any(b"|BOY|" in r for r in acs.requests)
    finally:
        acs.close()
