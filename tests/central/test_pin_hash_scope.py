"""PIN hashes go only to the kiosks the policy's ``pin_hash_scope`` names (issue #14, finding 6).

Regression: any kiosk token used to receive every patron's PIN hash, so one stolen kiosk disk
gave the scrypt hashes of the whole city to a brute force. Both databases (``db_url``).
"""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.pin import PIN_WITHHELD, hash_pin
from kiosk.policy import Policy
from sync import wire
from sync.central import staff_wire
from tests.fixtures.central import Api, Central

HASH = hash_pin("2468", n=2)


def _patrons_seen(kiosk: Api) -> dict[str, Any]:
    """The last record of each patron the kiosk pulled (all pages)."""
    seen: dict[str, Any] = {}
    cursor = 0
    while True:
        page = kiosk.get("/changes", cursor=cursor).json()
        for change in page["changes"]:
            if change["entity"] == "patron" and change["patron"] is not None:
                seen[change["key"]] = change["patron"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen


def _set_scope(central: Central, scope: str) -> None:
    document = {**Policy().to_dict(), "pin_hash_scope": scope}
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn(document))
    assert reply.status_code == 200, reply.text


def _readers(central: Central) -> None:
    reply = central.staff.put(
        "/admin/patrons",
        staff_wire.PatronBatch(
            [
                wire.PatronRecord("EAST-1", pin_hash=HASH, home_branch="east"),
                wire.PatronRecord("WEST-1", pin_hash=HASH, home_branch="west"),
                wire.PatronRecord("NOWHERE", pin_hash=HASH),
                wire.PatronRecord("NO-PIN", home_branch="west"),
            ]
        ),
    )
    assert reply.status_code == 200, reply.text


def test_with_branch_scope_only_the_home_branch_kiosks_get_the_hash(central: Central) -> None:
    east, west = central.enrol("k-east", branch="east"), central.enrol("k-west", branch="west")
    _set_scope(central, "branch")
    _readers(central)
    at_east, at_west = _patrons_seen(east), _patrons_seen(west)
    assert at_east["EAST-1"]["pin_hash"] == HASH
    assert at_west["EAST-1"]["pin_hash"] == PIN_WITHHELD
    assert at_west["WEST-1"]["pin_hash"] == HASH
    assert at_east["WEST-1"]["pin_hash"] == PIN_WITHHELD
    # No home branch known: no branch's kiosks hold the hash.
    assert at_east["NOWHERE"]["pin_hash"] == at_west["NOWHERE"]["pin_hash"] == PIN_WITHHELD
    # A reader without a PIN stays without one everywhere (nothing to withhold).
    assert at_east["NO-PIN"]["pin_hash"] is None and at_west["NO-PIN"]["pin_hash"] is None
    assert west.get("/changes").text.count(HASH) == 1  # WEST-1's, nobody else's


def test_with_scope_none_no_kiosk_gets_a_hash(central: Central) -> None:
    east = central.enrol("k-east", branch="east")
    _set_scope(central, "none")
    _readers(central)
    body = east.get("/changes").text
    assert HASH not in body
    assert _patrons_seen(east)["EAST-1"]["pin_hash"] == PIN_WITHHELD


def test_city_scope_is_the_default_and_sends_every_hash(central: Central) -> None:
    west = central.enrol("k-west", branch="west")
    _readers(central)
    assert {card: p["pin_hash"] for card, p in _patrons_seen(west).items()} == {
        "EAST-1": HASH,
        "WEST-1": HASH,
        "NOWHERE": HASH,
        "NO-PIN": None,
    }


def test_narrowing_the_scope_takes_hashes_back_from_kiosks_that_hold_them(
    central: Central,
) -> None:
    """The readers are logged again when the scope changes, so a kiosk that pulled the hash
    under "city" gets the marker in its place (and the home branch's kiosks keep the hash)."""
    east, west = central.enrol("k-east", branch="east"), central.enrol("k-west", branch="west")
    _readers(central)
    assert _patrons_seen(west)["EAST-1"]["pin_hash"] == HASH
    cursor = west.get("/changes").json()["next_cursor"]
    _set_scope(central, "branch")
    later = west.get("/changes", cursor=cursor).json()["changes"]
    latest = {c["key"]: c["patron"] for c in later if c["entity"] == "patron"}
    assert latest["EAST-1"]["pin_hash"] == PIN_WITHHELD
    assert latest["WEST-1"]["pin_hash"] == HASH
    assert "NO-PIN" not in latest  # only readers with a PIN are logged again
    assert _patrons_seen(east)["EAST-1"]["pin_hash"] == HASH


@pytest.mark.parametrize("pin_hash", ["1234", PIN_WITHHELD])
def test_the_central_takes_only_scrypt_hashes_for_patrons(central: Central, pin_hash: str) -> None:
    reply = central.staff.put(
        "/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1", pin_hash=pin_hash)])
    )
    assert reply.status_code == 422, reply.text


def test_a_scope_the_policy_does_not_know_is_refused(central: Central) -> None:
    document = {**Policy().to_dict(), "pin_hash_scope": "district"}
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn(document))
    assert reply.status_code == 422
    assert "pin_hash_scope" in reply.text
