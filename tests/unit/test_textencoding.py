"""Text files as libraries export them: UTF-8 (with or without BOM), GBK/GB2312, GB18030.

The byte sequences below are written out from the standards' code tables, not produced by
Python's codecs: 红 BAEC, 楼 C2A5, 梦 C3CE (GB 2312-80 code chart, also in GBK); U+20000 𠀀 is
the four-byte GB 18030-2005 sequence 95 32 82 36 (GB 18030 mapping, as listed in the Unicode
Consortium's and ICU's gb-18030-2005.ucm tables).
"""

from __future__ import annotations

import pytest

from kiosk.textencoding import UnreadableText, decode_text

HONGLOUMENG_GBK = bytes.fromhex("baec c2a5 c3ce")
U20000_GB18030 = bytes.fromhex("95328236")


def test_gbk_bytes_from_the_code_chart_read_as_chinese() -> None:
    data = b"pii,title\r\n3101,\xc8\xfd\xcc\xe5\r\n3102," + HONGLOUMENG_GBK + b"\r\n"
    decoded = decode_text(data)
    assert decoded.encoding == "GB18030"
    assert decoded.text == "pii,title\r\n3101,三体\r\n3102,红楼梦\r\n"


def test_a_four_byte_gb18030_character_outside_gbk() -> None:
    decoded = decode_text(b"title\n" + U20000_GB18030 + b"\n")
    assert decoded.text == "title\n\U00020000\n" and decoded.encoding == "GB18030"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("pii,title\n1,红楼梦\n".encode(), "UTF-8"),
        (b"\xef\xbb\xbf" + "pii,title\n1,红楼梦\n".encode(), "UTF-8 with BOM"),
        (b"\xff\xfe" + "pii,title\n1,红楼梦\n".encode("utf-16-le"), "UTF-16 (LE)"),
        (b"pii,title\n1,plain ascii\n", "UTF-8"),
    ],
)
def test_utf_encodings_and_the_bom(data: bytes, encoding: str) -> None:
    decoded = decode_text(data)
    assert decoded.encoding == encoding
    assert decoded.text.startswith("pii,title\n1,") and "\ufeff" not in decoded.text


def test_utf8_is_preferred_when_both_would_read() -> None:
    # E7 BA A2 is 红 in UTF-8; as GB18030 it would be two other characters.
    assert decode_text(b"\xe7\xba\xa2").text == "红"


def test_unreadable_bytes_name_the_line_and_byte_and_nothing_is_guessed() -> None:
    data = b"pii,title\n1,ok\n2,\xff\xfe\xfd broken\n"
    with pytest.raises(UnreadableText) as caught:
        decode_text(data)
    assert caught.value.line == 3 and caught.value.byte == data.index(b"\xff")
    assert "byte 17 (ff fe fd 20)" in str(caught.value)
    assert "GB18030" in str(caught.value)


def test_a_broken_file_after_a_utf8_bom_is_refused_too() -> None:
    with pytest.raises(UnreadableText) as caught:
        decode_text(b"\xef\xbb\xbftitle\n" + HONGLOUMENG_GBK + b"\n")
    assert caught.value.line == 2


def test_a_spreadsheet_or_binary_file_is_not_csv() -> None:
    with pytest.raises(UnreadableText, match="xlsx"):
        decode_text(b"PK\x03\x04\x14\x00\x06\x00")
    with pytest.raises(UnreadableText, match="not a text file") as caught:
        decode_text(b"title\nabc\x00def\n")
    assert caught.value.line == 2
