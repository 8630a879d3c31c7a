"""ISO 28560-2 data sets: precursors, extended OIDs, offsets, the content parameter, and errors.

The byte strings here are worked out by hand from the ISO/IEC 15962 structure, so that the
decoder is checked against something other than this project's encoder.
"""

from __future__ import annotations

import pytest

from kiosk.tags import TagDecodeError, TagEncodeError, decode, encode
from kiosk.tags.iso28560_2 import decode_object

PII_123456789 = bytes([0x11, 0x04, 0x07, 0x5B, 0xCD, 0x15])  # integer compaction, OID 1
ISIL_US_DLC = bytes([0x03, 0x04, 0xAC, 0xC0, 0x46, 0x0F])  # scheme 0 = ISIL alphabet, OID 3


def test_pii_and_isil_with_content_parameter():
    data = PII_123456789 + bytes([0x02, 0x01, 0x80]) + ISIL_US_DLC + b"\x00\x00"
    tag = decode(data, dsfid=0x06)
    assert tag.format == "28560-2"
    assert tag.pii == "123456789"
    assert tag.isil == "US-DLC"
    assert tag.elements["content_parameter"] == [3]
    assert tag.warnings == []
    assert encode(format="28560-2", pii="123456789", isil="US-DLC", size=len(data)) == data


@pytest.mark.parametrize(
    ("precursor", "payload", "pii"),
    [
        (0x11, bytes([0x07, 0x5B, 0xCD, 0x15]), "123456789"),  # integer
        (0x21, bytes([0x00, 0x12]), "0012"),  # numeric
        (0x31, bytes([0x08, 0x86]), "ABC"),  # 5-bit
        (0x41, bytes([0x07, 0x1B, 0x72]), "A1-2"),  # 6-bit
        (0x51, bytes([0x83, 0x8B]), "Ab"),  # 7-bit
        (0x61, b"\xe91", "é1"),  # octet string, ISO 8859-1
        (0x71, "图书".encode(), "图书"),  # UTF-8
    ],
)
def test_pii_in_every_compaction_scheme(precursor, payload, pii):
    data = bytes([precursor, len(payload)]) + payload + b"\x00"
    assert decode(data, dsfid=0x06).pii == pii


def test_extended_oid_in_the_next_byte():
    # title (OID 17): precursor 0x7F = UTF-8, OID 15 -> next byte holds 17 - 15 = 2
    title = "书".encode()
    data = PII_123456789 + bytes([0x02, 0x02, 0x00, 0x02])  # content parameter: bit 14 = OID 17
    data += bytes([0x7F, 0x02, len(title)]) + title + b"\x00"
    tag = decode(data, dsfid=0x06)
    assert tag.elements["title"] == "书"
    assert tag.elements["content_parameter"] == [17]
    assert tag.warnings == []


def test_undefined_extended_oid_is_kept_and_reported():
    data = PII_123456789 + bytes([0x6F, 0x0F, 0x01, 0x41, 0x00])  # OID 30, octet "A"
    tag = decode(data, dsfid=0x06)
    assert tag.elements["oid_30"] == "A"
    assert any("OID 30" in w and "not defined" in w for w in tag.warnings)


def test_offset_byte_skips_pad_bytes():
    # PII with offset flag: precursor 0x91, offset 2, length 1, data 0x7B (=123), 2 pad bytes
    data = bytes([0x91, 0x02, 0x01, 0x7B, 0x00, 0x00]) + bytes([0x02, 0x01, 0x80]) + ISIL_US_DLC
    tag = decode(data + b"\x00", dsfid=0x06)
    assert (tag.pii, tag.isil) == ("123", "US-DLC")
    assert tag.warnings == []


def test_extended_oid_comes_before_the_offset_byte():
    title = b"AB"
    data = PII_123456789 + bytes([0x02, 0x02, 0x00, 0x02])
    data += bytes([0xEF, 0x02, 0x01, len(title)]) + title + b"\xaa" + b"\x00"
    assert decode(data, dsfid=0x06).elements["title"] == "AB"


def test_aligned_encoding_starts_every_element_on_a_block_boundary():
    data = encode(format="28560-2", pii="123", isil="CN-110000-1", set=(1, 2), align=True, size=64)
    starts, pos = [], 0
    while data[pos]:
        starts.append(pos)
        precursor = data[pos]
        pos += 1 + (precursor & 0xF == 15)
        pad = 0
        if precursor & 0x80:
            pad = data[pos]
            pos += 1
        pos += 1 + data[pos] + pad
    assert len(starts) == 4 and all(start % 4 == 0 for start in starts)
    tag = decode(data, dsfid=0x06)
    assert (tag.pii, tag.isil, tag.set) == ("123", "CN-110000-1", (1, 2))


def test_set_information_is_part_then_total():
    assert decode(PII_123456789 + bytes([0x14, 0x01, 0x0C, 0x00])).set == (1, 2)  # "12"
    assert decode(PII_123456789 + bytes([0x24, 0x02, 0x01, 0x10, 0x00])).set == (1, 10)


def test_set_information_with_the_total_first_is_swapped_with_a_warning():
    tag = decode(PII_123456789 + bytes([0x14, 0x01, 0x15, 0x00]), dsfid=0x06)  # "21"
    assert tag.set == (1, 2)
    assert any("total first" in w for w in tag.warnings)


def test_odd_set_information_is_ignored_with_a_warning():
    tag = decode(PII_123456789 + bytes([0x14, 0x01, 0x7B, 0x00]), dsfid=0x06)  # "123"
    assert tag.set is None
    assert any("not an even number of digits" in w for w in tag.warnings)


def test_type_of_usage_as_a_byte_and_as_text():
    assert decode(PII_123456789 + bytes([0x65, 0x01, 0x10, 0x00]), dsfid=6).type_of_usage == 0x10
    tag = decode(PII_123456789 + bytes([0x55, 0x02, 0x62, 0xC3, 0x00]), dsfid=6)  # 7-bit "10"
    assert tag.type_of_usage == 0x10
    assert any("stored as text" in w for w in tag.warnings)


def test_content_parameter_that_disagrees_is_reported():
    data = PII_123456789 + bytes([0x02, 0x01, 0xC0]) + ISIL_US_DLC + b"\x00"
    tag = decode(data, dsfid=0x06)
    assert any("content parameter lists OIDs [3, 4]" in w for w in tag.warnings)


def test_duplicate_element_keeps_the_first():
    data = PII_123456789 + bytes([0x11, 0x01, 0x05, 0x00])
    tag = decode(data, dsfid=0x06)
    assert tag.pii == "123456789"
    assert any("appears twice" in w for w in tag.warnings)


def test_missing_terminator_is_reported():
    tag = decode(PII_123456789, dsfid=0x06)
    assert tag.pii == "123456789"
    assert any("no terminator" in w for w in tag.warnings)


def test_pii_not_first_is_an_error_unless_the_dsfid_says_28560_2():
    data = ISIL_US_DLC + PII_123456789 + b"\x00"
    with pytest.raises(TagDecodeError, match="not the PII"):
        decode_object(data)
    tag = decode(data, dsfid=0x06)
    assert tag.pii == "123456789"
    assert any("first element is OID 3" in w for w in tag.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes([0x10, 0x01, 0x01]), "relative OID 0"),
        (bytes([0x11, 0x05, 0x01]), "says 5 data bytes but only 1 remain"),
        (bytes([0x11, 0x00, 0x00]), "has no data"),
        (bytes([0x1F]), "cut short before its extended OID"),
        (bytes([0x91, 0x01]), "cut short before its length"),
        (b"\x00\x00\x00\x00", "no PII"),
        (bytes([0x71, 0x02, 0xE5, 0x9B, 0x00]), "not valid UTF-8"),
    ],
)
def test_broken_data_sets_give_clear_errors(data, message):
    with pytest.raises(TagDecodeError, match=message):
        decode_object(data, strict=False)


def test_dsfid_06_with_garbage_says_what_the_dsfid_claimed():
    with pytest.raises(TagDecodeError, match="DSFID 0x06 says ISO 28560-2, but"):
        decode(bytes([0x11, 0x09, 0x01, 0x02]), dsfid=0x06)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pii": ""}, "PII is required"),
        ({"pii": "12\x07"}, "control character"),
        ({"pii": "12 "}, "leading or trailing"),
        ({"pii": "x" * 200}, "at most 127"),
        ({"pii": "1", "isil": "CN110000"}, "PREFIX-identifier"),
        ({"pii": "1", "set": (3, 2)}, "part <= of"),
        ({"pii": "1", "set": "1-2"}, "K/N"),
        ({"pii": "1", "set": (1, 1000)}, "<= 999"),
        ({"pii": "1", "type_of_usage": 256}, "0-255"),
        ({"pii": "1", "elements": {"colour": "red"}}, "unknown element 'colour'"),
        ({"pii": "1", "elements": {"title": ""}}, "title is empty"),
        ({"pii": "1", "size": 3}, "needs 4 bytes"),
        ({"pii": "1", "block_size": 0}, "block size"),
        ({"pii": "1", "colour": "red"}, "unknown field"),
    ],
)
def test_strict_encoding_errors(fields, message):
    with pytest.raises(TagEncodeError, match=message):
        encode(format="28560-2", **fields)


def test_other_elements_are_encoded_by_name():
    data = encode(
        format="28560-2",
        pii="31000001234567",
        isil="CN-110000-1",
        type_of_usage=0x10,
        elements={
            "shelf_location": "TP312/12",
            "title": "红楼梦",
            "ill_borrowing_institution": "CN-310000-2",
        },
    )
    tag = decode(data, dsfid=0x06)
    assert tag.elements["shelf_location"] == "TP312/12"
    assert tag.elements["title"] == "红楼梦"
    assert tag.elements["ill_borrowing_institution"] == "CN-310000-2"
    assert tag.elements["content_parameter"] == [3, 5, 6, 11, 17]
    assert tag.type_of_usage == 0x10
    assert tag.warnings == []
