"""Every ISO/IEC 15962 compaction scheme and the ISIL alphabet, by hand-worked bytes and by
round trips."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.tags import TagDecodeError, TagEncodeError
from kiosk.tags.compaction import (
    Compaction,
    best_compaction,
    compact,
    expand,
    five_bit_compact,
    five_bit_expand,
    integer_compact,
    integer_expand,
    isil_compact,
    isil_expand,
    numeric_compact,
    numeric_expand,
    octet_compact,
    octet_expand,
    seven_bit_compact,
    seven_bit_expand,
    six_bit_compact,
    six_bit_expand,
    utf8_compact,
    utf8_expand,
)

from .strategies import isils


def test_integer_is_big_endian_binary():
    assert integer_compact("123456789") == bytes.fromhex("075BCD15")
    assert integer_expand(bytes.fromhex("075BCD15")) == "123456789"
    assert integer_compact("0") == b"\x00"


def test_integer_refuses_leading_zeros_and_letters():
    for text in ("0123", "12a", "", "١٢"):
        with pytest.raises(TagEncodeError):
            integer_compact(text)


def test_numeric_packs_two_digits_a_byte_and_keeps_leading_zeros():
    assert numeric_compact("0012") == bytes([0x00, 0x12])
    assert numeric_compact("012") == bytes([0x01, 0x2F])  # odd count ends with nibble F
    assert numeric_expand(bytes([0x01, 0x2F])) == "012"


def test_numeric_rejects_a_nibble_that_is_no_digit():
    with pytest.raises(TagDecodeError, match="not a digit"):
        numeric_expand(bytes([0x1A]))
    with pytest.raises(TagDecodeError, match="not a digit"):
        numeric_expand(bytes([0xF1]))  # F is only allowed as the very last nibble


def test_five_bit_letters():
    # A=00001 B=00010 C=00011, then one 0 pad bit.
    assert five_bit_compact("ABC") == bytes([0b00001000, 0b10000110])
    assert five_bit_expand(bytes([0x08, 0x86])) == "ABC"
    with pytest.raises(TagEncodeError):
        five_bit_compact("AbC")


def test_six_bit_codes_and_padding():
    # A=000001 1=110001 -=101101 2=110010: exactly 24 bits, no padding.
    assert six_bit_compact("A1-2") == bytes([0x07, 0x1B, 0x72])
    # AB = 000001 000010, padded with 1000.
    assert six_bit_compact("AB") == bytes([0x04, 0x28])
    # three characters end with a whole 100000 pad group, which is not a space
    assert six_bit_expand(six_bit_compact("XYZ")) == "XYZ"
    with pytest.raises(TagEncodeError, match="trailing space"):
        six_bit_compact("AB ")


def test_seven_bit_codes_and_padding():
    # A=1000001 b=1100010 and two 1 pad bits.
    assert seven_bit_compact("Ab") == bytes([0x83, 0x8B])
    assert seven_bit_expand(bytes([0x83, 0x8B])) == "Ab"
    # seven characters end with a whole 1111111 pad group
    assert seven_bit_expand(seven_bit_compact("abcdefg")) == "abcdefg"


def test_octet_is_latin_1_and_utf8_is_utf8():
    assert octet_compact("é1") == b"\xe91"
    assert octet_expand(b"\xe91") == "é1"
    with pytest.raises(TagEncodeError, match="UTF-8"):
        octet_compact("图书")
    assert utf8_compact("图书") == "图书".encode()
    assert utf8_expand("图书".encode()) == "图书"
    with pytest.raises(TagDecodeError, match="not valid UTF-8"):
        utf8_expand(b"\xe5\x9b")


def test_isil_alphabet_upper_case_only():
    # U=10101 S=10011 -=00000 D=00100 L=01100 C=00011, two 1 pad bits.
    assert isil_compact("US-DLC") == bytes.fromhex("ACC0460F")
    assert isil_expand(bytes.fromhex("ACC0460F")) == "US-DLC"


def test_isil_alphabet_latches_to_digits():
    # C N - | latch digits 11110 | 1 1 0 0 0 0 (4 bits each) - 1 | pad 1111
    expected = int(
        "00011011100000011110000100010000000000000000101000011111",
        2,
    ).to_bytes(7, "big")
    assert isil_compact("CN-110000-1") == expected
    assert isil_expand(expected) == "CN-110000-1"


def test_isil_alphabet_shifts_for_single_characters():
    # D K - A | shift lower 11101, b | shift digit 11111, 1 (4 bits) | pad 1
    expected = int("0010001011000000000111101000101111100011", 2).to_bytes(5, "big")
    assert isil_compact("DK-Ab1") == expected
    assert isil_expand(expected) == "DK-Ab1"


def test_isil_alphabet_colon_and_slash():
    for text in ("O-a:b/c", "ZDB-1:2", "US-a/b", "DE-Bo133"):
        assert isil_expand(isil_compact(text)) == text


def test_isil_alphabet_rejects_other_characters():
    with pytest.raises(TagEncodeError, match="ISIL alphabet"):
        isil_compact("CN 1")


def test_isil_two_shifts_in_a_row_are_corrupt():
    # shift lower (11101) then, in lower case, shift upper (11101)
    with pytest.raises(TagDecodeError, match="shifts twice"):
        isil_expand(int("1110111101000001", 2).to_bytes(2, "big"))


def test_best_compaction_picks_the_fewest_bytes():
    assert best_compaction("1000000056")[0] == Compaction.INTEGER
    assert best_compaction("0012")[0] == Compaction.NUMERIC
    assert best_compaction("ABCDEFGH")[0] == Compaction.FIVE_BIT
    assert best_compaction("AB-12-CD")[0] == Compaction.SIX_BIT
    assert best_compaction("Hello, World")[0] == Compaction.SEVEN_BIT
    assert best_compaction("Ærø")[0] == Compaction.OCTET
    assert best_compaction("图书 123")[0] == Compaction.UTF8
    with pytest.raises(TagEncodeError, match="empty"):
        best_compaction("")


SCHEME_ALPHABETS = {
    Compaction.NUMERIC: st.text("0123456789", min_size=1, max_size=40),
    Compaction.FIVE_BIT: st.text(
        st.characters(min_codepoint=0x41, max_codepoint=0x5F), min_size=1, max_size=40
    ),
    Compaction.SIX_BIT: st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0x5F), min_size=1, max_size=40
    ).filter(lambda t: not t.endswith(" ")),
    Compaction.SEVEN_BIT: st.text(
        st.characters(min_codepoint=0x00, max_codepoint=0x7E), min_size=1, max_size=40
    ),
    Compaction.OCTET: st.text(st.characters(max_codepoint=0xFF), min_size=1, max_size=40),
    Compaction.UTF8: st.text(min_size=1, max_size=40),
}


@pytest.mark.parametrize("scheme", list(SCHEME_ALPHABETS), ids=lambda s: s.name)
@given(data=st.data())
def test_every_scheme_round_trips_its_alphabet(scheme, data):
    text = data.draw(SCHEME_ALPHABETS[scheme])
    assert expand(compact(text, scheme), scheme) == text


@given(st.integers(min_value=0, max_value=10**40))
def test_integer_round_trips(value):
    assert integer_expand(integer_compact(str(value))) == str(value)


@given(isils())
def test_isil_alphabet_round_trips(isil):
    assert isil_expand(isil_compact(isil)) == isil


@given(st.text(st.sampled_from("ABCZaz09-:/"), min_size=1, max_size=30))
def test_isil_alphabet_round_trips_any_mix_of_its_characters(text):
    assert isil_expand(isil_compact(text)) == text


@given(st.binary(max_size=20), st.sampled_from(list(Compaction)))
def test_expanding_random_bytes_raises_only_tag_decode_error(data, scheme):
    with contextlib.suppress(TagDecodeError):
        expand(data, scheme)
