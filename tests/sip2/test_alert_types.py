"""Checkin alert types (CV): hand-built 10 replies, since pysip2 cannot send the field.

CV is the 3M extension Evergreen and Koha send with a checkin's alert: 00 unknown, 01 hold
here, 02 hold at another branch, 03 inter-library loan, 04 transfer, 99 other. The frames
carry AY/AZ with checksums computed here, echoing the request's sequence digit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.models import Decision, Security, Transaction, TxnKind
from sync.sip2 import checksum, messages
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.replay import Sip2Replay
from tests.sip2.conftest import make_client
from tests.sip2.scripted import ScriptedAcs

D = "20261124    100000"
STATUS = b"98YYYYNY030003" + D.encode() + b"2.00AOCITY|BXYYYYYYYYYYYYYYYY|"


def framed(body: bytes, sequence: int | None) -> bytes:
    """``body`` with AY (when the request had one), AZ and its checksum, and the CR."""
    if sequence is None:
        return body + b"\r"
    trailer = body + b"AY" + str(sequence).encode() + b"AZ"
    return trailer + checksum.checksum(trailer).encode() + b"\r"


def checkin_reply(alert_type: str | None, *, alert: bool = True, home: str = "MAIN") -> bytes:
    """A 10 checkin reply: ok, resensitize, no magnetic media, the alert flag, then fields."""
    fields = f"AOCITY|AB1000001|AQ{home}|AJ三体|"
    if alert_type is not None:
        fields += f"CV{alert_type}|"
    return b"101YN" + (b"Y" if alert else b"N") + D.encode() + fields.encode("utf-8")


def sequence_of(request: bytes) -> int | None:
    found = re.search(rb"AY(\d)AZ[0-9A-F]{4}\r$", request)
    return int(found.group(1)) if found else None


class CheckinAcs:
    """A scripted ACS that answers its status, and every checkin with ``body``."""

    def __init__(self) -> None:
        self.body = checkin_reply(None, alert=False)
        self.acs = ScriptedAcs(self._answer)
        self.port = self.acs.port

    def _answer(self, frame: bytes) -> list[bytes]:
        body = STATUS if frame.startswith(b"99") else self.body
        return [framed(body, sequence_of(frame))]


@pytest.fixture
def acs() -> Iterator[CheckinAcs]:
    running = CheckinAcs()
    yield running
    running.acs.close()


@pytest.fixture
def upstream(acs: CheckinAcs) -> Iterator[Sip2Upstream]:
    client = make_client(acs.port)
    yield Sip2Upstream(client, profile("evergreen"), budget_s=2.0)
    client.close()


# --- the codec reads the field ------------------------------------------------------------


@pytest.mark.parametrize("alert_type", ["00", "01", "02", "03", "04", "99", "7", "ZZ9"])
def test_the_alert_type_survives_the_codec_with_a_valid_checksum(alert_type: str) -> None:
    frame = framed(checkin_reply(alert_type), 3)
    assert checksum.verify(frame[:-1])
    reply = messages.decode(frame, charset="utf-8")
    assert reply.command == "10" and reply.sequence == 3
    assert reply.flag("ok") and reply.flag("alert")
    assert reply.get("CV") == alert_type
    assert reply.get("AJ") == "三体"


# --- what the kiosk does with it ----------------------------------------------------------

CASES = [
    # alert type, alert flag, item's home -> (send to owner, hold waiting)
    pytest.param("01", True, "MAIN", (False, True), id="01 hold here"),
    pytest.param("02", True, "MAIN", (True, True), id="02 hold at another branch"),
    pytest.param("03", True, "MAIN", (True, False), id="03 inter-library loan"),
    pytest.param("04", True, "MAIN", (True, False), id="04 transfer"),
    pytest.param("01", False, "EAST", (False, True), id="the type wins over the flag"),
    # issue #12 point 7: an alert that says nothing more goes to staff, not the hold shelf
    pytest.param("00", True, "MAIN", (False, False), id="00 unknown: to staff"),
    pytest.param("00", True, "EAST", (True, False), id="00 unknown: home elsewhere"),
    pytest.param("99", True, "MAIN", (False, False), id="99 other: to staff"),
    pytest.param("99", False, "EAST", (False, False), id="99 other without the flag"),
    pytest.param(None, True, "EAST", (True, False), id="no type: home elsewhere"),
    pytest.param(None, False, "MAIN", (False, False), id="no alert at all"),
]


@pytest.mark.parametrize(("alert_type", "alert", "home", "expected"), CASES)
def test_a_return_follows_the_alert_type(
    upstream: Sip2Upstream,
    acs: CheckinAcs,
    alert_type: str | None,
    alert: bool,
    home: str,
    expected: tuple[bool, bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    acs.body = checkin_reply(alert_type, alert=alert, home=home)
    with caplog.at_level(logging.WARNING):
        outcome = upstream.checkin("1000001")
    assert outcome.ok
    assert (outcome.send_to_owner, outcome.hold_waiting) == expected
    assert "alert type" not in caplog.text  # every standard value is understood quietly


@pytest.mark.parametrize("alert_type", ["05", "98", "7", "XYZW", "持有"])
def test_an_unknown_alert_type_is_logged_and_the_flag_decides(
    upstream: Sip2Upstream,
    acs: CheckinAcs,
    alert_type: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    acs.body = checkin_reply(alert_type, alert=True, home="EAST")
    with caplog.at_level(logging.WARNING):
        outcome = upstream.checkin("1000001")
    assert outcome.ok and outcome.send_to_owner and not outcome.hold_waiting
    (warning,) = [r for r in caplog.records if "unknown alert type" in r.getMessage()]
    assert warning.levelno == logging.WARNING and repr(alert_type) in warning.getMessage()

    caplog.clear()
    acs.body = checkin_reply(alert_type, alert=False)
    with caplog.at_level(logging.WARNING):
        quiet = upstream.checkin("1000001")
    assert quiet.ok and not quiet.send_to_owner and not quiet.hold_waiting
    assert "unknown alert type" in caplog.text


def replayed_return(n: int) -> Transaction:
    at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC) + timedelta(minutes=n)
    return Transaction(
        id=f"return-{n}",
        seq=n,
        kind=TxnKind.CHECKIN,
        patron_card="",
        item_pii="1000001",
        at=at,
        due_at=None,
        decision=Decision.OFFLINE,
        reason="ok",
        security=Security.DONE,
    )


@pytest.mark.parametrize(
    ("alert_type", "alert", "note"),
    [
        ("01", True, "hold waiting"),
        ("01", False, "hold waiting"),  # the type is enough, as on a live return
        ("02", True, "transfer to MAIN"),
        ("03", True, "transfer to MAIN"),
        ("04", True, "transfer to MAIN"),
        ("00", True, "to staff"),  # no reason given: staff look at it (issue #12 point 7)
        ("99", False, ""),
        ("42", True, "to staff"),  # unknown: the flag alone names no bin
        (None, False, ""),
    ],
)
def test_a_replayed_return_notes_what_the_alert_type_asks(
    upstream: Sip2Upstream, acs: CheckinAcs, alert_type: str | None, alert: bool, note: str
) -> None:
    acs.body = checkin_reply(alert_type, alert=alert, home="MAIN")
    (reply,) = Sip2Replay(upstream).push([replayed_return(1)])
    assert (reply.status, reply.reason) == ("accepted", note)
