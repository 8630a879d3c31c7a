"""Where a returned item goes: CV, CT, CY, AQ and the words together; found lost → staff.

Regression (issue #12, point 7): with no CV alert type every alert at this location became
"hold here", so an item held for a reader at another branch, or a lost item found, was put on
this room's hold shelf. CT (destination location), CY (hold patron id) and CV (alert type)
are the 3M extensions Evergreen and Koha send with a checkin (Evergreen's SIP server sends
CT and CY with a hold or transit; Koha sends CV 01/02/04); other systems send only the alert
flag, AQ and words. Frames are written here by hand, field by field.
"""

from __future__ import annotations

import pytest

from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.library_system import Route, Sip2Upstream
from tests.sip2.conftest import make_client
from tests.sip2.scripted import ScriptedAcs

D = "20261124    100000"
STATUS = "98YYYYYY005003" + D + "2.00AOCITY|BXYYYYYYYYYYYYYYYY|"


def checkin(alert: bool, **fields: str) -> str:
    words = fields.pop("AF", "")
    body = "101YN" + ("Y" if alert else "N") + D + "AOCITY|AB1000001|AJA title|"
    body += "".join(f"{fid}{value}|" for fid, value in fields.items())
    return body + (f"AF{words}|" if words else "")


CASES = [
    pytest.param(
        checkin(True, CV="02", CT="EAST", CY="R9", AQ="MAIN"),
        Route.TRANSFER_HOLD,
        id="evergreen: hold at another branch",
    ),
    pytest.param(
        checkin(True, CT="EAST", CY="R9", AQ="MAIN"),
        Route.TRANSFER_HOLD,
        id="no CV: hold for a reader at another branch travels",
    ),
    pytest.param(
        checkin(True, CV="01", CT="EAST", CY="R9", AQ="MAIN"),
        Route.TRANSFER_HOLD,
        id="CV 01 but the destination is elsewhere",
    ),
    pytest.param(
        checkin(True, CV="01", CT="MAIN", CY="R9", AQ="MAIN"), Route.HOLD_HERE, id="koha: hold here"
    ),
    pytest.param(
        checkin(True, CY="R9", AQ="MAIN"), Route.HOLD_HERE, id="no CV: hold patron, no destination"
    ),
    pytest.param(
        checkin(True, AQ="MAIN", AF="Item was lost, now found"),
        Route.STAFF,
        id="a lost item found goes to staff",
    ),
    pytest.param(
        checkin(True, CV="01", AQ="MAIN", AF="Item was missing"),
        Route.STAFF,
        id="found missing wins over the alert type",
    ),
    pytest.param(
        checkin(True, AQ="MAIN", AF="该书曾登记丢失，现已找回"),
        Route.STAFF,
        id="chinese: lost item found",
    ),
    pytest.param(checkin(True, AQ="MAIN"), Route.STAFF, id="a bare alert at home goes to staff"),
    pytest.param(checkin(True, AQ="EAST"), Route.TRANSFER, id="a bare alert, home elsewhere"),
    pytest.param(
        checkin(True, AQ="MAIN", AF="Hold waiting: place on hold shelf"),
        Route.HOLD_HERE,
        id="a bare alert whose words say hold",
    ),
    pytest.param(
        checkin(False, CT="EAST", AQ="EAST"), Route.TRANSFER, id="no alert, destination elsewhere"
    ),
    pytest.param(checkin(False, AQ="MAIN", CL="3"), Route.SHELF, id="nothing to do: the shelf"),
]


@pytest.mark.parametrize(("reply", "route"), CASES)
def test_a_return_goes_where_the_fields_say(reply: str, route: Route) -> None:
    acs = ScriptedAcs(lambda f: [(STATUS if f.startswith(b"99") else reply).encode() + b"\r"])
    client = make_client(acs.port, checksums=False, location_code="MAIN")
    try:
        outcome = Sip2Upstream(client, profile("standard"), budget_s=2.0).checkin("1000001")
        assert outcome.ok and outcome.details["route"] == route.value
        assert (outcome.send_to_owner, outcome.hold_waiting) == (route.sends_away, route.holds)
        expected = {
            Route.STAFF: Reason.TO_STAFF,
            Route.HOLD_HERE: Reason.HOLD_WAITING,
            Route.SHELF: Reason.OK,
        }.get(route, Reason.SEND_TO_OWNER)
        assert outcome.reason is expected
    finally:
        client.close()
        acs.close()
