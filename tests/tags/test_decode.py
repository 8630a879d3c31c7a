"""decode(): telling the data models apart, the lenient assumptions it reports, and that junk
only ever raises TagDecodeError."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.tags import TagDecodeError, TagEncodeError, decode, encode
from kiosk.tags.codec import _decode

from .vectors import ANNEX_B1, ANNEX_B2, DDM_EXAMPLE, reversed_blocks

OBJECT_TAG = encode(format="28560-2", pii="31000001234567", isil="CN-110000-1", set=(1, 2))
THREE_M = (
    b"\x04\x11\x00\x01" + b"1301234567".ljust(16, b"\x00") + bytes.fromhex("00100005") + bytes(8)
)


def test_dsfid_0x3e_reads_iso_28560_3_without_warnings():
    tag = decode(ANNEX_B1, dsfid=0x3E)
    assert (tag.format, tag.dsfid, tag.warnings) == ("28560-3", 0x3E, [])


def test_dsfid_0_on_a_28560_3_tag_is_assumed_with_a_warning():
    tag = decode(ANNEX_B1, dsfid=0x00)
    assert tag.format == "28560-3" and tag.pii == "1000000056"
    assert tag.warnings == [
        "DSFID is 0x00, not 0x3E: assumed ISO 28560-3 from the content (CRC valid)"
    ]


def test_no_dsfid_reports_the_fixed_layout_as_ddm1():
    tag = decode(DDM_EXAMPLE)
    assert tag.format == "ddm1" and tag.dsfid is None
    assert any("no DSFID given" in w for w in tag.warnings)


def test_foreign_dsfid_is_reported():
    tag = decode(OBJECT_TAG, dsfid=0x3F)
    assert tag.format == "28560-2"
    assert any("DSFID is 0x3F, not 0x06" in w for w in tag.warnings)


def test_28560_2_is_detected_without_a_dsfid():
    tag = decode(OBJECT_TAG)
    assert (tag.format, tag.pii, tag.isil, tag.set) == (
        "28560-2",
        "31000001234567",
        "CN-110000-1",
        (1, 2),
    )
    assert tag.warnings == []


def test_blocks_returned_reversed_by_the_reader_are_put_right():
    for data, dsfid in (
        (ANNEX_B1, 0x3E),
        (ANNEX_B2 + bytes(-len(ANNEX_B2) % 4), 0x3E),
        (OBJECT_TAG, 0x06),
        (OBJECT_TAG, None),
    ):
        tag = decode(reversed_blocks(data), dsfid=dsfid)
        expected = decode(data, dsfid=dsfid)
        assert tag.pii == expected.pii and tag.isil == expected.isil
        assert tag.warnings[0].startswith("the reader returned each 4-byte block in reverse")


def test_block_size_decides_what_reversed_means():
    flipped = reversed_blocks(ANNEX_B1, 8)
    assert decode(flipped, dsfid=0x3E, block_size=8).pii == "1000000056"


def test_dsfid_0x3e_on_28560_2_content_follows_the_content():
    tag = decode(OBJECT_TAG, dsfid=0x3E)
    assert tag.format == "28560-2"
    assert any(
        "DSFID 0x3E says ISO 28560-3 but the content is ISO 28560-2" in w for w in tag.warnings
    )


def test_dsfid_0x06_on_fixed_length_content_follows_the_content():
    tag = decode(ANNEX_B1, dsfid=0x06)
    assert tag.format == "28560-3" and tag.crc_ok
    assert any("DSFID 0x06 says ISO 28560-2" in w for w in tag.warnings)


def test_fixed_layout_with_a_bad_crc_is_still_read_without_a_dsfid():
    damaged = bytearray(ANNEX_B1)
    damaged[20] ^= 0x01
    tag = decode(bytes(damaged))
    assert tag.format == "ddm1" and tag.crc_ok is False and tag.pii == "1000000056"


@pytest.mark.parametrize("fill", [0x00, 0x55, 0xFF])
def test_blank_tags_are_recognised(fill):
    for dsfid in (None, 0x00, 0x06, 0x3E):
        tag = decode(bytes([fill]) * 32, dsfid=dsfid)
        assert tag.format == "blank" and tag.pii is None
        assert tag.elements == {"fill_byte": fill}


def test_3m_layout_is_recognised_and_marked_read_only():
    tag = decode(THREE_M)
    assert tag.format == "3m"
    assert tag.pii == "1301234567"
    assert tag.set == (1, 1)
    assert tag.elements == {"item_type": 1, "branch": 1, "library_number": 5}
    assert "never writes it" in tag.warnings[0]


def test_3m_is_never_written():
    with pytest.raises(TagEncodeError, match="never writes the 3M"):
        encode(decode(THREE_M))


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "no data was read"),
        (b"hello world, this is not a tag at all", {}, "unrecognised tag content"),
        (bytes(range(1, 33)), {"dsfid": 0x3E}, "PII field holds byte"),
        (ANNEX_B1, {"dsfid": 256}, "not a byte value"),
        (ANNEX_B1, {"dsfid": "0x3E"}, "not a byte value"),
        (ANNEX_B1, {"block_size": 0}, "block size"),
        ("1101", {}, "must be bytes"),
    ],
)
def test_junk_gives_a_clear_error(data, kwargs, message):
    with pytest.raises(TagDecodeError, match=message):
        decode(data, **kwargs)


def test_error_messages_say_where_the_data_came_from():
    with pytest.raises(TagDecodeError) as caught:
        decode(bytes.fromhex("DEADBEEF"), dsfid=0x07)
    assert "4 bytes starting de ad be ef" in str(caught.value)
    assert "DSFID is 0x07" in str(caught.value)
    assert isinstance(caught.value, ValueError)


dsfids = st.one_of(st.none(), st.sampled_from([0x00, 0x06, 0x3E]), st.integers(0, 255))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=80), dsfids, st.sampled_from([1, 4, 8]))
def test_random_bytes_raise_nothing_but_tag_decode_error(data, dsfid, block_size):
    # the unguarded decoder, so that a bug cannot hide behind decode()'s safety net
    try:
        tag = _decode(data, dsfid, block_size)
    except TagDecodeError:
        return
    json.dumps(tag.to_json_dict())


VALID = [ANNEX_B1, ANNEX_B2, DDM_EXAMPLE, OBJECT_TAG, THREE_M]


@settings(max_examples=400)
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), min_size=1, max_size=4),
    dsfids,
)
def test_damaged_real_tags_raise_nothing_but_tag_decode_error(data, changes, dsfid):
    damaged = bytearray(data)
    for index, value in changes:
        damaged[index % len(damaged)] = value
    with contextlib.suppress(TagDecodeError):
        _decode(bytes(damaged), dsfid, 4)


@settings(max_examples=200)
@given(st.sampled_from(VALID), st.integers(0, 60), dsfids)
def test_truncated_reads_raise_nothing_but_tag_decode_error(data, length, dsfid):
    with contextlib.suppress(TagDecodeError):
        _decode(data[:length], dsfid, 4)


@pytest.mark.parametrize("dsfid", [0x06, 0x3E])
def test_3m_content_under_an_iso_dsfid_is_reported_as_3m(dsfid):
    tag = decode(THREE_M, dsfid=dsfid)
    assert tag.format == "3m" and tag.pii == "1301234567"
    assert any(f"DSFID 0x{dsfid:02X} says" in w and "the 3M layout" in w for w in tag.warnings)


def test_damaged_28560_3_under_its_dsfid_stays_28560_3():
    damaged = bytearray(ANNEX_B2)
    damaged[10] = ord("9")  # a PII digit changed: the CRC no longer matches
    tag = decode(bytes(damaged), dsfid=0x3E)
    assert tag.format == "28560-3" and tag.crc_ok is False
    assert tag.pii == "1000000936"


def test_garbage_under_dsfid_0x3e_says_what_the_dsfid_claimed():
    with pytest.raises(TagDecodeError, match=r"DSFID 0x3E says ISO 28560-3, but .*PII field"):
        decode(bytes(range(1, 33)), dsfid=0x3E)


def test_data_left_after_the_terminator_is_reported():
    tag = decode(OBJECT_TAG + b"\x12\x34", dsfid=0x06)
    assert tag.pii == "31000001234567"
    assert any("after the terminator" in w for w in tag.warnings)
