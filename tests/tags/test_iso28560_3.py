"""ISO 28560-3 / Danish Data Model 1.0: the basic block, extension blocks, lenient reading and
strict writing."""

from __future__ import annotations

import pytest

from kiosk.tags import TagData, TagDecodeError, TagEncodeError, decode, encode
from kiosk.tags.iso28560_3 import PII_IN_EXTENSION, decode_fixed, encode_fixed

from .vectors import ANNEX_B1, ANNEX_B2, DDM_EXAMPLE, extension_block, with_crc


def test_annex_b1_truncated_basic_block():
    tag = decode(ANNEX_B1, dsfid=0x3E)
    assert tag.format == "28560-3"
    assert tag.pii == "1000000056"
    assert tag.set == (1, 1)
    assert tag.isil == "DK-718500"
    assert (tag.country, tag.library) == ("DK", "718500")
    assert tag.type_of_usage == 1 and tag.version == 1
    assert tag.crc_ok is True
    assert tag.warnings == []


def test_ddm_example_gives_country_and_library():
    tag = decode(DDM_EXAMPLE)
    assert tag.format == "ddm1"
    assert tag.pii == "11223344"
    assert (tag.country, tag.library) == ("DE", "705")
    assert tag.isil == "DE-705"
    assert tag.crc_ok is True


def test_encoding_reproduces_both_published_vectors_exactly():
    b1 = encode(format="28560-3", pii="1000000056", isil="DK-718500", set=(1, 1), size=32)
    assert b1 == ANNEX_B1
    ddm = encode(format="ddm1", pii="11223344", country="DE", library="705", size=32)
    assert ddm == DDM_EXAMPLE


def test_annex_b2_extension_blocks_are_named_and_decoded():
    tag = decode(ANNEX_B2, dsfid=0x3E)
    assert tag.pii == "1000000136" and tag.crc_ok
    assert [(b["id"], b["name"], b["length"]) for b in tag.extension_blocks] == [
        (1, "library extension", 5),
        (2, "acquisition", 34),
    ]
    assert all(b["checksum_ok"] for b in tag.extension_blocks)
    assert tag.elements == {
        "media_format_other": 1,
        "supplier_identifier": "Bogvognen",
        "product_identifier_local": "1234567890",
        "supplier_invoice_number": "a789656c",
    }
    assert tag.warnings == []


def test_extension_blocks_stop_at_a_zero_length_and_ignore_unused_memory():
    tag = decode(ANNEX_B2 + bytes(1) + b"\x55" * 20, dsfid=0x3E)
    assert len(tag.extension_blocks) == 2 and tag.warnings == []
    tag = decode(ANNEX_B2 + b"\xff" * 8, dsfid=0x3E)
    assert len(tag.extension_blocks) == 2 and tag.warnings == []


def test_unknown_extension_block_is_skipped_and_reported():
    block = with_crc(ANNEX_B1 + bytes(2)) + extension_block(0x65, b"ta") + bytes(8)
    tag = decode(block, dsfid=0x3E)
    assert tag.pii == "1000000056"
    assert tag.extension_blocks[0]["id"] == 0x65 and tag.extension_blocks[0]["name"] is None
    assert tag.to_json_dict()["extension_blocks"][0]["data"] == "7461"
    assert any("unknown extension block id 101 (6 bytes) at byte 34" in w for w in tag.warnings)


def test_extension_block_with_a_bad_checksum_is_not_used():
    bad = bytearray(ANNEX_B2)
    bad[38] ^= 0x02  # the media format byte of the library extension block
    tag = decode(bytes(bad), dsfid=0x3E)
    assert tag.extension_blocks[0]["checksum_ok"] is False
    assert "media_format_other" not in tag.elements
    assert tag.elements["supplier_identifier"] == "Bogvognen"
    assert any("bad checksum" in w for w in tag.warnings)


def test_malformed_extension_area_is_reported_not_fatal():
    tag = decode(with_crc(ANNEX_B1 + bytes(2)) + bytes([0x40, 0x01, 0x00]), dsfid=0x3E)
    assert tag.pii == "1000000056"
    assert any("extension area at byte 34 is malformed" in w for w in tag.warnings)


def test_long_pii_is_read_from_the_library_extension_block():
    block = bytearray(with_crc(ANNEX_B1 + bytes(2)))
    block[3:19] = PII_IN_EXTENSION
    body = bytes([0x01]) + b"ABCDEFGHIJKLMNOPQRSTUV\x00"
    tag = decode(with_crc(bytes(block)) + extension_block(1, body), dsfid=0x3E)
    assert tag.pii == "ABCDEFGHIJKLMNOPQRSTUV"
    assert tag.elements == {"media_format_other": 1}


def test_pii_marker_without_extension_block_is_reported():
    block = bytearray(with_crc(ANNEX_B1 + bytes(2)))
    block[3:19] = PII_IN_EXTENSION
    tag = decode(with_crc(bytes(block)), dsfid=0x3E)
    assert tag.pii is None
    assert any("library extension block, but there is none" in w for w in tag.warnings)


def test_swapped_version_and_type_nibbles_are_read_with_a_warning():
    block = bytearray(ANNEX_B1)
    block[0] = 0x21  # type of usage 2 in the high nibble, version 1 in the low one
    tag = decode(with_crc(bytes(block)), dsfid=0x3E)
    assert (tag.version, tag.type_of_usage) == (1, 2)
    assert any("nibbles are swapped" in w for w in tag.warnings)
    assert tag.crc_ok


def test_set_bytes_in_the_other_order_are_read_with_a_warning():
    block = bytearray(ANNEX_B1)
    block[1], block[2] = 1, 2  # "1 part, part number 2" can only mean part 1 of 2
    tag = decode(with_crc(bytes(block)), dsfid=0x3E)
    assert tag.set == (1, 2)
    assert any("set information bytes are in the other order" in w for w in tag.warnings)


def test_normal_set_order_is_parts_then_part_number():
    block = bytearray(ANNEX_B1)
    block[1], block[2] = 3, 2
    assert decode(with_crc(bytes(block)), dsfid=0x3E).set == (2, 3)


def test_no_set_information():
    block = bytearray(ANNEX_B1)
    block[1] = block[2] = 0
    assert decode(with_crc(bytes(block)), dsfid=0x3E).set is None


def test_crc_stored_most_significant_byte_first_is_accepted_with_a_warning():
    block = bytearray(ANNEX_B1)
    block[19], block[20] = 0xA4, 0x98
    tag = decode(bytes(block), dsfid=0x3E)
    assert tag.crc_ok is True
    assert any("most significant byte first" in w for w in tag.warnings)


def test_bad_crc_is_reported_not_fatal():
    block = bytearray(ANNEX_B1)
    block[19] ^= 0xFF
    tag = decode(bytes(block), dsfid=0x3E)
    assert tag.crc_ok is False and tag.pii == "1000000056"
    assert any("CRC mismatch" in w and "0xA498" in w for w in tag.warnings)


def test_isil_stored_with_its_hyphen_is_accepted():
    block = bytearray(ANNEX_B1)
    block[21:32] = b"DK-718500\x00\x00"
    tag = decode(with_crc(bytes(block)), dsfid=0x3E)
    assert tag.isil == "DK-718500"
    assert any("with its hyphen" in w for w in tag.warnings)


def test_isil_with_hyphens_inside_keeps_them():
    tag = decode(encode(format="28560-3", pii="1620154429", isil="FI-Mamk-M"), dsfid=0x3E)
    assert tag.isil == "FI-Mamk-M" and (tag.country, tag.library) == ("FI", "Mamk-M")


def test_non_text_pii_is_a_clear_error():
    block = bytearray(ANNEX_B1)
    block[5] = 0x07
    with pytest.raises(TagDecodeError, match="PII field holds byte 0x07 at tag byte 5"):
        decode_fixed(with_crc(bytes(block)))


def test_too_short_for_a_basic_block():
    with pytest.raises(TagDecodeError, match="at least 32"):
        decode_fixed(ANNEX_B1[:20])


def test_full_size_block_is_zero_filled_to_the_tag_size():
    data = encode(format="28560-3", pii="1000000056", isil="DK-718500", size=112)
    assert len(data) == 112 and data[34:] == bytes(78)
    assert data[19:21] == bytes([0x98, 0xA4])  # same CRC: the padding is zeros either way


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pii": ""}, "PII is required"),
        ({"pii": "12345678901234567"}, "at most 16"),
        ({"pii": "图书"}, "printable ASCII"),
        ({"pii": " 12"}, "leading or trailing"),
        ({"pii": "1", "isil": "DK718500"}, "PREFIX-identifier"),
        ({"pii": "1", "isil": "ZDB-1"}, "two-letter country prefix"),
        ({"pii": "1", "isil": "CN-12345678901"}, "room for 11"),
        ({"pii": "1", "set": (2, 1)}, "part <= of"),
        ({"pii": "1", "set": (0, 1)}, "part <= of"),
        ({"pii": "1", "set": (1, 256)}, "<= 255"),
        ({"pii": "1", "type_of_usage": 16}, "nibble"),
        ({"pii": "1", "version": -1}, "nibble"),
        ({"pii": "1", "size": 33}, "32-byte tag or 34"),
        ({"pii": "1", "elements": {"title": "x"}}, "only the basic block"),
    ],
)
def test_strict_encoding_errors(fields, message):
    fields.setdefault("size", 32)
    with pytest.raises(TagEncodeError, match=message):
        encode(format="28560-3", **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "dk", "library": "1"}, "country code"),
        ({"country": "DK", "library": ""}, "needs 1 or more"),
        ({"country": "DK", "library": "-1"}, "not starting with -"),
        ({"country": "DK", "library": "1", "isil": "DK-2"}, "disagrees"),
    ],
)
def test_strict_ddm_encoding_errors(fields, message):
    with pytest.raises(TagEncodeError, match=message):
        encode(format="ddm1", pii="1", **fields)


def test_ddm_accepts_an_isil_instead_of_country_and_library():
    assert encode(format="ddm1", pii="11223344", isil="DE-705", size=32) == DDM_EXAMPLE


def test_encode_fixed_without_owner_leaves_the_field_empty():
    data = encode_fixed(TagData(format="28560-3", pii="42"))
    tag = decode(data, dsfid=0x3E)
    assert tag.isil is None and tag.country is None and tag.crc_ok
