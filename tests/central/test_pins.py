"""The central's PIN check for kiosks without the hash, and lockouts shared by the city (#14).

Both databases (``db_url``). Regression guarded: a lockout applied at one kiosk stayed at that
kiosk, so a reader (or someone holding their card) had three more tries at every other one;
and a kiosk outside ``pin_hash_scope`` must be able to check a PIN only as slowly as a kiosk.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.pin import hash_pin
from kiosk.policy import Policy
from sync import wire
from sync.central import staff_wire
from sync.link.pin_check import CentralPinCheck, central_pin_check
from tests.fixtures.central import START, Api, Central

PIN = "2468"


@pytest.fixture
def reader(central: Central) -> Central:
    patrons = [wire.PatronRecord("P1", pin_hash=hash_pin(PIN, n=2**10)), wire.PatronRecord("NOPIN")]
    reply = central.staff.put("/admin/patrons", staff_wire.PatronBatch(patrons))
    assert reply.status_code == 200, reply.text
    return central


def _check(kiosk: Api, card: str, pin: str) -> dict:
    reply = kiosk.post("/pin-checks", wire.PinCheckIn(card, pin))
    assert reply.status_code == 200, reply.text
    return reply.json()


def _lockouts(kiosk: Api) -> dict[str, str]:
    changes = kiosk.get("/changes", limit=1000).json()["changes"]
    return {c["key"]: c["lockout"]["locked_until"] for c in changes if c["entity"] == "lockout"}


def test_the_central_checks_a_pin_for_a_kiosk(reader: Central) -> None:
    kiosk = reader.enrol("k1")
    assert _check(kiosk, "P1", PIN)["verdict"] == "right"
    assert _check(kiosk, "P1", "0000")["verdict"] == "wrong"
    assert _check(kiosk, "NOPIN", "")["verdict"] == "wrong"  # nothing to let in by
    assert _check(kiosk, "NOBODY", PIN)["verdict"] == "wrong"


def test_wrong_pins_at_the_central_count_across_kiosks_and_lock_the_city(
    reader: Central,
) -> None:
    """Two kiosks asking in turn share one count: the third wrong PIN locks the card."""
    a, b, c = reader.enrol("ka"), reader.enrol("kb"), reader.enrol("kc")
    assert _check(a, "P1", "0000")["verdict"] == "wrong"
    assert _check(b, "P1", "1111")["verdict"] == "wrong"
    locked = _check(a, "P1", "2222")
    assert locked["verdict"] == "locked"
    end = START + timedelta(minutes=Policy().pin_lockout_minutes)
    assert wire.from_json(wire.PinCheckReply, locked).locked_until == end
    # Even the right PIN is refused until the lockout ends, and no kiosk can count it down.
    assert _check(b, "P1", PIN)["verdict"] == "locked"
    assert list(_lockouts(c)) == ["P1"]
    reader.clock.advance(timedelta(minutes=15, seconds=1))
    assert _check(c, "P1", PIN)["verdict"] == "right"


def test_a_right_pin_clears_the_count(reader: Central) -> None:
    kiosk = reader.enrol("k1")
    for _ in range(2):
        assert _check(kiosk, "P1", "0000")["verdict"] == "wrong"
    assert _check(kiosk, "P1", PIN)["verdict"] == "right"
    for _ in range(2):
        assert _check(kiosk, "P1", "0000")["verdict"] == "wrong"


@pytest.mark.parametrize(
    "body",
    [
        {"card_id": "P1", "pin": "1" * 10_000},
        {"card_id": "", "pin": PIN},
        {"card_id": "P" * 65, "pin": PIN},
        {"card_id": "P1"},
    ],
)
def test_a_malformed_pin_check_is_refused(reader: Central, body: dict) -> None:
    kiosk = reader.enrol("k1")
    assert kiosk.session.post(kiosk.base + "/api/v1/pin-checks", json=body).status_code == 422


def test_a_pin_check_needs_a_kiosk_token(reader: Central) -> None:
    anonymous = reader.as_token(None)
    assert anonymous.post("/pin-checks", wire.PinCheckIn("P1", PIN)).status_code == 401


def test_a_kiosk_lockout_goes_to_every_kiosk_once(reader: Central) -> None:
    a, b = reader.enrol("ka"), reader.enrol("kb")
    until = START + timedelta(minutes=15)
    batch = wire.PinLockoutBatch([wire.PinLockoutRecord("P1", until)])
    assert a.post("/pin-lockouts", batch).json() == {"recorded": 1}
    assert a.post("/pin-lockouts", batch).json() == {"recorded": 0}  # a resend: nothing new
    seen = _lockouts(b)
    assert list(seen) == ["P1"]
    assert wire.from_json(wire.PinLockoutRecord, {"card_id": "P1", "locked_until": seen["P1"]})
    # The central's own check honours it too.
    assert _check(b, "P1", PIN)["verdict"] == "locked"


def test_a_reported_lockout_lasts_at_most_one_lockout_from_now(reader: Central) -> None:
    """A rogue or misconfigured kiosk cannot lock a reader out for a year."""
    kiosk = reader.enrol("k1")
    year = START + timedelta(days=365)
    past = START - timedelta(minutes=1)
    batch = wire.PinLockoutBatch(
        [wire.PinLockoutRecord("P1", year), wire.PinLockoutRecord("P2", past)]
    )
    assert kiosk.post("/pin-lockouts", batch).json() == {"recorded": 1}
    end = _lockouts(kiosk)["P1"]
    record = wire.from_json(wire.PinLockoutRecord, {"card_id": "P1", "locked_until": end})
    assert record.locked_until == START + timedelta(minutes=Policy().pin_lockout_minutes)


def test_the_kiosks_pin_checker_asks_the_central(reader: Central) -> None:
    reader.enrol("k1")
    token = reader.tokens["k1"]
    check = central_pin_check(reader.url, token, 5.0)
    assert isinstance(check, CentralPinCheck)
    assert check("P1", PIN) is True
    assert check("P1", "0000") is False
    # A central that cannot be reached (or a token it refuses) is "cannot check now".
    assert central_pin_check("http://127.0.0.1:9", token, 0.5)("P1", PIN) is None  # type: ignore[misc]
    assert central_pin_check(reader.url, "not-a-token", 5.0)("P1", PIN) is None  # type: ignore[misc]
    assert central_pin_check(reader.url, "", 5.0) is None


def test_wrong_pins_reported_by_kiosks_add_up_within_one_lockout(reader: Central) -> None:
    """Wrong PINs kiosks checked themselves add up across kiosks and the central's own check;
    the report that reaches the limit publishes a lockout. Older wrong PINs (more than one
    lockout's length ago) do not count, so a typo a month never locks anyone."""
    a, b = reader.enrol("ka"), reader.enrol("kb")

    def report(kiosk: Api, wrong: int) -> int:
        batch = wire.PinLockoutBatch([], [wire.PinFailureRecord("P1", wrong)])
        reply = kiosk.post("/pin-lockouts", batch)
        assert reply.status_code == 200, reply.text
        return reply.json()["recorded"]

    assert report(a, 1) == 0
    reader.clock.advance(timedelta(minutes=20))  # that one has gone stale
    assert report(a, 1) == 0
    assert _check(b, "P1", "0000")["verdict"] == "wrong"  # the central's own: two now
    assert report(b, 1) == 1  # three: locked for the city
    assert list(_lockouts(a)) == ["P1"]
    assert _check(a, "P1", PIN)["verdict"] == "locked"


@pytest.mark.parametrize("wrong", [0, -1, 101])
def test_a_wrong_pin_count_out_of_range_is_refused(reader: Central, wrong: int) -> None:
    kiosk = reader.enrol("k1")
    body = {"lockouts": [], "failures": [{"card_id": "P1", "wrong": wrong}]}
    assert kiosk.session.post(kiosk.base + "/api/v1/pin-lockouts", json=body).status_code == 422
