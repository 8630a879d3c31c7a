"""SIP2 framing, checksums and dates, byte for byte, cross-checked with pysip2's own codec."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pysip2
import pytest

from sync.sip2 import checksum, messages
from sync.sip2.errors import ChecksumMismatch, MalformedMessage
from sync.sip2.fields import parse_date, sip_date
from sync.sip2.messages import Message, request

D = "20261124    100000"
DUE = "20261222    235959"


def test_checksum_matches_the_reference_vectors() -> None:
    assert checksum.checksum(b"990 402.00AY1AZ") == "FCB4"
    assert checksum.checksum(b"941AY0AZ") == "FDFD"
    assert checksum.verify(b"941AY0AZFDFD")
    assert not checksum.verify(b"941AY0AZFDFE")


def test_sc_status_frame_is_the_reference_frame() -> None:
    frame = messages.encode(
        request("99", {"status_code": "0", "max_print_width": " 40", "protocol_version": "2.00"}),
        charset="ascii",
        sequence=1,
    )
    assert frame == b"990 402.00AY1AZFCB4\r"


REQUESTS = [
    request(
        "93",
        {"uid_algorithm": "0", "pwd_algorithm": "0"},
        ("CN", "kiosk"),
        ("CO", "secret"),
        ("CP", "MAIN"),
    ),
    request("99", {"status_code": "0", "max_print_width": "040", "protocol_version": "2.00"}),
    request(
        "23",
        {"language": "000", "transaction_date": D},
        ("AO", "CITY"),
        ("AA", "R1"),
        ("AC", ""),
        ("AD", "1234"),
    ),
    request(
        "63",
        {"language": "000", "transaction_date": D, "summary": " " * 10},
        ("AO", "CITY"),
        ("AA", "R1"),
        ("AD", "1234"),
    ),
    request(
        "11",
        {"sc_renewal_policy": "N", "no_block": "Y", "transaction_date": D, "nb_due_date": DUE},
        ("AO", "CITY"),
        ("AA", "R1"),
        ("AB", "1000001"),
        ("AC", ""),
    ),
    request(
        "09",
        {"no_block": "N", "transaction_date": D, "return_date": D},
        ("AP", "MAIN"),
        ("AO", "CITY"),
        ("AB", "1000001"),
        ("AC", ""),
        ("BI", "Y"),
    ),
    request(
        "29",
        {"third_party_allowed": "N", "no_block": "Y", "transaction_date": D, "nb_due_date": DUE},
        ("AO", "CITY"),
        ("AA", "R1"),
        ("AB", "1000001"),
    ),
    request("17", {"transaction_date": D}, ("AO", "CITY"), ("AB", "1000001")),
    request("35", {"transaction_date": D}, ("AO", "CITY"), ("AA", "R1")),
]


@pytest.mark.parametrize("message", REQUESTS, ids=lambda m: m.command)
def test_every_request_is_read_back_by_pysip2_with_a_valid_checksum(message: Message) -> None:
    frame = messages.encode(message, charset="utf-8", sequence=7)
    assert frame.endswith(b"\r")
    assert checksum.verify(frame[:-1])
    decoded = pysip2.decode_message(frame, encoding="utf-8")
    assert decoded.sequence_number == 7
    assert pysip2.codec.spec_for_type(type(decoded.message)).command_id == message.command


def test_checkout_request_bytes_are_exact() -> None:
    frame = messages.encode(REQUESTS[4], charset="ascii", sequence=3)
    body = b"11NY" + D.encode() + DUE.encode() + b"AOCITY|AAR1|AB1000001|AC|AY3AZ"
    assert frame == body + checksum.checksum(body).encode() + b"\r"


def test_a_request_without_error_detection_has_no_trailer() -> None:
    frame = messages.encode(REQUESTS[7], charset="ascii", sequence=None)
    assert frame == b"17" + D.encode() + b"AOCITY|AB1000001|\r"


def test_resend_request_carries_only_a_checksum() -> None:
    assert messages.encode(Message("97"), charset="ascii", sequence=0) == b"97AZFEF5\r"


def pysip2_reply(model: pysip2.SIPMessage, seq: int = 4, encoding: str = "utf-8") -> bytes:
    return pysip2.encode_message(model, sequence_number=seq, checksum=True, encoding=encoding)


REPLIES = [
    pysip2.LoginResponse(ok="1"),
    pysip2.ACSStatusResponse(
        online_status="Y",
        checkin_ok="Y",
        checkout_ok="Y",
        acs_renewal_policy="Y",
        status_update_ok="N",
        offline_ok="Y",
        timeout_period="030",
        retries_allowed="003",
        date_time_sync=D,
        protocol_version="2.00",
        institution_id="CITY",
        supported_messages="YYYNYYYYYNYNNNYN",
    ),
    pysip2.PatronStatusResponse(
        patron_status="Y" + " " * 13,
        language="000",
        transaction_date=D,
        institution_id="CITY",
        patron_identifier="R1",
        personal_name="王小明",
        valid_patron="Y",
        screen_message=("已停用", "call us"),
    ),
    pysip2.PatronInformationResponse(
        patron_status=" " * 14,
        language="000",
        transaction_date=D,
        hold_items_count="0002",
        overdue_items_count="0000",
        charged_items_count="0001",
        fine_items_count="0000",
        recall_items_count="0000",
        unavailable_holds_count="0001",
        institution_id="CITY",
        patron_identifier="R1",
        personal_name="X",
    ),
    pysip2.CheckoutResponse(
        ok="1",
        renewal_ok="N",
        magnetic_media="N",
        desensitize="Y",
        transaction_date=D,
        institution_id="CITY",
        patron_identifier="R1",
        item_identifier="1000001",
        title_identifier="三体",
        due_date=DUE,
        print_line=("line 1", "line 2"),
    ),
    pysip2.CheckinResponse(
        ok="1",
        resensitize="Y",
        magnetic_media="N",
        alert="Y",
        transaction_date=D,
        institution_id="CITY",
        item_identifier="1",
        permanent_location="EAST",
    ),
    pysip2.RenewResponse(
        ok="0",
        renewal_ok="N",
        magnetic_media="N",
        desensitize="N",
        transaction_date=D,
        institution_id="CITY",
        patron_identifier="R1",
        item_identifier="1",
        title_identifier="t",
        due_date="",
    ),
    pysip2.ItemInformationResponse(
        circulation_status="04",
        security_marker="02",
        fee_type="01",
        transaction_date=D,
        item_identifier="1",
        title_identifier="t",
        due_date=DUE,
    ),
    pysip2.EndSessionResponse(
        end_session="Y", transaction_date=D, institution_id="CITY", patron_identifier="R1"
    ),
]


@pytest.mark.parametrize("model", REPLIES, ids=lambda m: type(m).__name__)
def test_every_reply_pysip2_writes_is_decoded(model: pysip2.SIPMessage) -> None:
    reply = messages.decode(pysip2_reply(model), charset="utf-8")
    assert reply.command == pysip2.codec.spec_for_type(type(model)).command_id
    assert reply.sequence == 4
    assert all(
        len(v) == w
        for (n, w), v in zip(messages.FIXED[reply.command], reply.fixed.values(), strict=True)
    )


def test_repeated_screen_messages_and_chinese_text_survive() -> None:
    reply = messages.decode(pysip2_reply(REPLIES[2]), charset="utf-8")
    assert reply.all("AF") == ["已停用", "call us"]
    assert reply.get("AE") == "王小明"
    assert reply.fixed["patron_status"][0] == "Y"


@pytest.mark.parametrize("charset", ["utf-8", "cp850", "gb18030"])
def test_the_checksum_covers_the_bytes_of_the_configured_charset(charset: str) -> None:
    title = "三体" if charset != "cp850" else "Ærø"
    frame = messages.encode(
        request("17", {"transaction_date": D}, ("AO", "CITY"), ("AB", title)),
        charset=charset,
        sequence=2,
    )
    assert checksum.verify(frame[:-1])
    assert title.encode(charset) in frame
    assert messages.decode(frame, charset=charset).get("AB") == title


def test_the_96_resend_request_is_recognised() -> None:
    assert (
        messages.decode(
            pysip2.encode_message(pysip2.RequestSCResend(), checksum=True), charset="ascii"
        ).command
        == "96"
    )


def test_a_corrupted_reply_fails_its_checksum() -> None:
    frame = bytearray(pysip2_reply(REPLIES[0]))
    frame[2] = ord("0")
    with pytest.raises(ChecksumMismatch):
        messages.decode(bytes(frame), charset="utf-8")


@pytest.mark.parametrize("frame", [b"12", b"1210", b"XX\r", b"55abc\r", b"\r"])
def test_a_malformed_reply_raises_a_malformed_message(frame: bytes) -> None:
    with pytest.raises(MalformedMessage):
        messages.decode(frame, charset="utf-8")


def test_lenient_reading_of_crlf_missing_last_delimiter_and_unknown_fields(caplog) -> None:
    caplog.set_level(logging.WARNING)
    reply = messages.decode(b"\n941ZZextra|XYAFhello|x|AJlast\r\n", charset="utf-8")
    assert reply.flag("ok")
    assert reply.get("ZZ") == "extra"
    assert reply.get("AJ") == "last"
    assert "unreadable" in caplog.text


def test_values_that_would_break_the_frame_are_refused_before_sending() -> None:
    for value in ("a|b", "a\rb", "x" * 256):
        with pytest.raises(MalformedMessage):
            messages.encode(
                request("17", {"transaction_date": D}, ("AB", value)),
                charset="utf-8",
                sequence=None,
            )
    with pytest.raises(MalformedMessage):
        messages.encode(request("11", {"no_block": "Y"}), charset="utf-8", sequence=None)


def test_redacted_text_hides_patron_ids_pins_and_names() -> None:
    text = REQUESTS[2].redacted()
    assert "R1" not in text and "1234" not in text and "CITY" in text


def test_dates_are_18_characters_in_utc_or_local_time() -> None:
    when = datetime(2026, 11, 24, 2, 0, 5, tzinfo=UTC)
    assert sip_date(when) == "20261124   Z020005"
    assert sip_date(when, ZoneInfo("Asia/Shanghai")) == "20261124    100005"
    assert parse_date("20261124   Z020005") == when
    assert parse_date("20261124    100005", ZoneInfo("Asia/Shanghai")) == when
    assert parse_date("2026-12-22", UTC) == datetime(2026, 12, 22, 23, 59, 59, tzinfo=UTC)
    assert parse_date("   ") is None
    assert parse_date("soon") is None
