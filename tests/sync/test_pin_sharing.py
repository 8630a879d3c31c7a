"""PINs across the city, end to end: kiosks, daemons and the real central (both databases).

Issue #14 finding 6. Regressions guarded: a lockout after three wrong PINs stayed at the
kiosk that applied it (three more tries at the next kiosk); every kiosk held every reader's
PIN hash; and a kiosk without a reader's hash let them in without any PIN.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.models import CardKind
from kiosk.pin import PIN_WITHHELD, hash_pin
from kiosk.policy import Policy
from kiosk.reasons import Reason
from kiosk.store.state import PIN_LOCKOUTS_REPORTED_KEY
from sync import wire
from sync.central import staff_wire
from sync.link.pin_check import central_pin_check
from tests.fixtures.central import START, Central
from tests.sync.kiosks import Kiosk, make_kiosk

PIN = "2468"


def _readers(central: Central) -> None:
    pin_hash = hash_pin(PIN, n=2**10)
    patrons = [
        wire.PatronRecord("P1", pin_hash=pin_hash, home_branch="east"),
        wire.PatronRecord("P2", pin_hash=pin_hash, home_branch="east"),
    ]
    reply = central.staff.put("/admin/patrons", staff_wire.PatronBatch(patrons))
    assert reply.status_code == 200, reply.text


@pytest.fixture
def two_kiosks(central: Central, tmp_path: Path) -> Iterator[tuple[Kiosk, Kiosk]]:
    _readers(central)
    a = make_kiosk(central, tmp_path, "ka", branch="east")
    b = make_kiosk(central, tmp_path, "kb", branch="west")
    yield a, b
    a.close()
    b.close()


def _identify(kiosk: Kiosk, pin: str | None, card: str = "P1"):
    return kiosk.core.circulation.identify(card, CardKind.BARCODE, pin)


def test_three_wrong_pins_at_one_kiosk_lock_the_reader_at_the_next_after_sync(
    two_kiosks: tuple[Kiosk, Kiosk],
) -> None:
    a, b = two_kiosks
    assert a.sync().ok and b.sync().ok
    assert _identify(b, PIN).ok  # B holds the hash and knows of no lockout yet
    for _ in range(3):
        last = _identify(a, "0000")
    assert last.reason is Reason.PIN_LOCKED
    until = last.locked_until
    assert until == START + timedelta(minutes=15)
    report = a.sync()
    assert report.ok and report.lockouts_reported == 1
    assert a.sync().lockouts_reported == 0  # reported once
    assert b.sync().ok
    refused = _identify(b, PIN)
    assert refused.reason is Reason.PIN_LOCKED and refused.locked_until == until
    assert _identify(b, PIN, card="P2").ok  # only that reader
    b.clock.advance(timedelta(minutes=15, seconds=1))
    assert _identify(b, PIN).ok
    # A lockout pulled back is not reported again as new, and ended ones are forgotten.
    assert b.sync().lockouts_reported == 0
    a.clock.advance(timedelta(minutes=16))
    a.sync()
    assert json.loads(a.store.state.text(PIN_LOCKOUTS_REPORTED_KEY) or "") == {
        "locked": {},
        "wrong": {},
    }


def test_wrong_pins_at_two_kiosks_add_up_to_a_lockout_for_the_city(
    two_kiosks: tuple[Kiosk, Kiosk],
) -> None:
    """Two wrong PINs at A and one at B lock the reader everywhere after they sync: trying
    each kiosk in turn gives no more tries than one kiosk does."""
    a, b = two_kiosks
    assert a.sync().ok and b.sync().ok
    for _ in range(2):
        assert _identify(a, "0000").reason is Reason.PIN_WRONG
    assert a.sync().lockouts_reported == 1  # one card with two wrong PINs
    assert a.sync().lockouts_reported == 0  # nothing new
    wrong = _identify(b, "1111")
    assert wrong.reason is Reason.PIN_WRONG and wrong.attempts_left == 2  # B knew of none
    assert b.sync().ok  # reports its one; the central locks the card; B pulls the lockout
    locked = _identify(b, PIN)
    assert locked.reason is Reason.PIN_LOCKED
    assert a.sync().ok
    assert _identify(a, PIN).reason is Reason.PIN_LOCKED
    assert locked.locked_until == START + timedelta(minutes=15)


def test_a_right_pin_in_between_is_not_counted_again(two_kiosks: tuple[Kiosk, Kiosk]) -> None:
    a, b = two_kiosks
    assert a.sync().ok and b.sync().ok
    assert _identify(a, "0000").reason is Reason.PIN_WRONG
    assert a.sync().lockouts_reported == 1
    assert _identify(a, PIN).ok  # clears A's count; the central's one wrong PIN stays
    assert a.sync().lockouts_reported == 0
    assert _identify(a, "0000").reason is Reason.PIN_WRONG
    assert a.sync().lockouts_reported == 1  # one more, not the old count again
    assert b.sync().ok
    assert _identify(b, PIN).ok  # two wrong PINs in the city: not locked


def test_with_branch_scope_a_kiosk_away_from_home_checks_the_pin_with_the_central(
    central: Central, two_kiosks: tuple[Kiosk, Kiosk]
) -> None:
    a, b = two_kiosks
    document = {**Policy().to_dict(), "pin_hash_scope": "branch"}
    assert central.staff.put("/admin/policy", staff_wire.PolicyIn(document)).status_code == 200
    assert a.sync().ok and b.sync().ok
    assert a.patron("P1").pin_hash not in (None, PIN_WITHHELD)  # home branch: the hash
    assert b.patron("P1").pin_hash == PIN_WITHHELD  # away: only the marker
    for path in b.db_path.parent.glob(b.db_path.name + "*"):  # with -wal: nothing on B's disk
        assert b"scrypt$" not in path.read_bytes(), path.name
    assert any(b"scrypt$" in p.read_bytes() for p in a.db_path.parent.glob("ka.db*"))
    # Online, with the central wired in as shufang run does, B asks the central.
    token = central.tokens["kb"]
    b.core.circulation.pin_checker = central_pin_check(central.url, token, 5.0)
    assert _identify(b, None).reason is Reason.PIN_REQUIRED
    assert _identify(b, "0000").reason is Reason.PIN_WRONG
    assert _identify(b, PIN).ok
    # Offline (the daemon's flag), B says plainly that it cannot check the PIN here.
    b.core.set_online(False)
    assert _identify(b, PIN).reason is Reason.PIN_NOT_HERE
    assert _identify(a, PIN).ok  # the home branch's kiosk still can, from its own hash
