"""ISO/TS 28560-4 (GB/T 35660.3) UHF tags: published vectors, round trips, lenient decoding.

Published vectors (facts only; the code is ours):

- ISO/TS 28560-4:2014(E) page 49: the UII ``CH-000134-1.12345678.31`` is the eight URN Code 40
  words ``141C C04F C70B ADB5 C6E2 DA1D ED4D D319``; page 52: user memory holding set
  information 1203, shelf location QA268.L55 and owner US-InU-Mu (7-bit compacted) is
  ``02 01 D0 14 02 04B3 4607 441C B6E2 E335 D653 08AB 4D6C 9DD5 56CD EB``. Both as quoted in
  the dp2 project's tests (DigitalPlatform/dp2, UnitTestRFID/TestUHF.cs), which also give the
  EPC bank ``0000 45C2 ...`` (CRC not filled in, PC 0x45C2: 8 words, UMI, T=1, AFI 0xC2) and
  the user memory with its DSFID 0x06 in front, padded to a word.
- The IPC RFID standard for test letters, page 17: ``B.A12312345678`` is
  ``10E2 FB 21 02DDDF7C4E`` (a long numeric string), padded with 0x00 (same source).
- The EPC Gen2 StoredCRC is CRC-16/GENIBUS: check value 0xD64E over ASCII ``123456789``
  (the CRC catalogue of the reveng project).
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.tags import TagData, TagDecodeError, TagEncodeError
from kiosk.tags.crc import crc16_epc
from kiosk.tags.uhf import ProtocolControl, decode_uhf, encode_uhf, pc_with_afi
from kiosk.tags.urn40 import split_uii, uii_compact, uii_expand

PAGE49_UII = bytes.fromhex("141C C04F C70B ADB5 C6E2 DA1D ED4D D319")
PAGE49_TEXT = "CH-000134-1.12345678.31"
DP2_EPC_BANK = bytes.fromhex("0000 45C2") + PAGE49_UII
PAGE52_DATA = bytes.fromhex("02 01 D0 14 02 04B3 4607 441C B6E2 E335 D653 08AB 4D6C 9DD5 56CD EB")
DP2_USER = bytes([0x06]) + PAGE52_DATA + b"\x00"
IPC_UII = bytes.fromhex("10E2 FB21 02DD DF7C 4E00")


def words(data: bytes) -> list[str]:
    return [data[i : i + 2].hex() for i in range(0, len(data), 2)]


# --- published vectors ---------------------------------------------------------------------


def test_the_epc_crc_is_crc16_genibus() -> None:
    assert crc16_epc(b"123456789") == 0xD64E


def test_page_49_uii_encodes_word_for_word() -> None:
    assert uii_compact(PAGE49_TEXT) == PAGE49_UII


@pytest.mark.parametrize(
    ("text", "word"),
    [("CH-", "141c"), ("000", "c04f"), ("134", "c70b"), ("-1.", "adb5"), ("31", "d319")],
)
def test_each_urn40_word_of_page_49(text: str, word: str) -> None:
    assert uii_compact(text).hex() == word
    assert uii_expand(bytes.fromhex(word), []) == text


def test_ipc_test_letter_uses_a_long_numeric_string() -> None:
    assert uii_compact("B.A12312345678") == IPC_UII
    warnings: list[str] = []
    assert uii_expand(IPC_UII, warnings) == "B.A12312345678"
    assert warnings == []


def test_dp2_epc_bank_decodes_to_owner_and_pii() -> None:
    tag = decode_uhf(DP2_EPC_BANK)
    assert tag.format == "28560-4"
    assert (tag.isil, tag.pii) == ("CH-000134-1", "12345678.31")
    assert tag.uhf is not None
    assert tag.uhf["layout"] == "bank"
    assert (tag.uhf["length_words"], tag.uhf["umi"], tag.uhf["xi"], tag.uhf["toggle"]) == (
        8,
        True,
        False,
        True,
    )
    assert tag.uhf["afi"] == 0xC2
    assert tag.uhf["uii"] == PAGE49_TEXT
    assert tag.warnings == ["the stored CRC is 0x0000: not given, not checked"]


def test_page_52_user_memory_decodes_its_three_elements() -> None:
    tag = decode_uhf(DP2_EPC_BANK[2:], DP2_USER)
    assert tag.dsfid == 0x06
    assert tag.elements["content_parameter"] == [3, 4, 6]
    assert tag.elements["shelf_location"] == "QA268.L55"
    assert tag.set == (3, 12)  # "1203": twelve parts, this one the third
    # the UII names an owner too; it wins and the difference is reported
    assert tag.isil == "CH-000134-1"
    assert any("US-InU-Mu" in w for w in tag.warnings)


def test_page_52_user_memory_alone_gives_the_owner_from_user_memory() -> None:
    uii = uii_compact("12345678")
    pc = ProtocolControl(len(uii) // 2, True, False, True, 0xC2).word
    tag = decode_uhf(pc.to_bytes(2, "big") + uii, DP2_USER)
    assert (tag.pii, tag.isil) == ("12345678", "US-InU-Mu")


def test_page_52_set_and_shelf_location_encode_as_published() -> None:
    """The owner is left out: the standard's example forces 7-bit compaction on it, where
    Shufang writes the ISIL into the UII. The remaining data sets are byte for byte the
    standard's, under a content parameter listing only OIDs 4 and 6."""
    written = encode_uhf(
        pii="12345678", afi=0x07, set=(3, 12), elements={"shelf_location": "QA268.L55"}
    )
    assert written.user[:4] == bytes([0x06, 0x02, 0x01, 0x50])  # DSFID, content parameter
    shelf_location = PAGE52_DATA[7:16]  # 46 07 ...: 6-bit compaction, OID 6, 7 bytes
    assert written.user.index(shelf_location) > 4


# --- the PC word --------------------------------------------------------------------------


def test_pc_word_fields_round_trip() -> None:
    pc = ProtocolControl.from_word(0x45C2)
    assert (pc.length_words, pc.umi, pc.xi, pc.toggle, pc.afi) == (8, True, False, True, 0xC2)
    assert pc.word == 0x45C2
    assert ProtocolControl.from_word(0x3000).afi is None  # T=0: a GS1 EPC, no AFI


def test_setting_the_afi_keeps_length_and_umi_and_sets_the_toggle() -> None:
    assert pc_with_afi(0x45C2, 0x07) == 0x4507
    assert pc_with_afi(0x3000, 0xC2) == 0x31C2
    with pytest.raises(TagEncodeError):
        pc_with_afi(0x45C2, 256)


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"pii": "12345678"},
        {"pii": "12345678", "isil": "CN-110000-1"},
        {"pii": "387624000123", "isil": "CN-0000001-ZG"},  # long numeric string
        {"pii": "000387624", "isil": "CN-0000001-ZG"},  # leading zeros stay in URN 40
        {"pii": "b1234/x", "isil": "US-InU-Mu"},  # lower case and / escaped
        {"pii": "中文123456789", "isil": "CN-440300-1"},  # UTF-8 escapes
        {"pii": "A1", "isil": "CN-110000-1", "set": (1, 2), "type_of_usage": 1},
        {"pii": "9876543210", "elements": {"shelf_location": "I247.5/12"}},
    ],
)
def test_encoded_tags_decode_to_what_was_written(fields: dict) -> None:
    written = encode_uhf(afi=0xC2, **fields)
    tag = decode_uhf(written.epc_bank, written.user or None)
    assert tag.warnings == []
    assert tag.crc_ok is True
    assert tag.pii == fields["pii"]
    assert tag.isil == fields.get("isil")
    assert tag.set == fields.get("set")
    assert tag.type_of_usage == fields.get("type_of_usage")
    for name, value in fields.get("elements", {}).items():
        assert tag.elements[name] == value
    assert tag.uhf is not None and tag.uhf["afi"] == 0xC2
    assert tag.uhf["umi"] is bool(written.user)
    assert len(written.epc_bank) % 2 == 0 and len(written.user) % 2 == 0


def test_the_isil_can_go_to_user_memory_instead() -> None:
    written = encode_uhf(pii="12345678", isil="CN-110000-1", afi=0x07, isil_in_uii=False)
    tag = decode_uhf(written.pc_and_uii, written.user)
    assert tag.uhf is not None and tag.uhf["uii"] == "12345678"
    assert tag.isil == "CN-110000-1"
    assert written.user[0] == 0x06


def test_a_tagdata_encodes_like_its_fields() -> None:
    tag = TagData(format="28560-4", pii="12345678", isil="CN-110000-1")
    assert encode_uhf(tag, afi=7) == encode_uhf(pii="12345678", isil="CN-110000-1", afi=7)


def test_user_size_pads_user_memory_to_whole_words() -> None:
    written = encode_uhf(pii="1", set=(1, 2), afi=7, user_size=32)
    assert len(written.user) == 32
    with pytest.raises(TagEncodeError):
        encode_uhf(pii="1", set=(1, 2), afi=7, user_size=3)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pii": ""}, "PII"),
        ({"pii": " 12"}, "PII"),
        ({"pii": "1\x01"}, "control"),
        ({"pii": "1", "isil": "not an isil"}, "ISIL"),
        ({"pii": "😀"}, "cannot hold"),
        ({"pii": "x" * 40}, "words"),
        ({"pii": "CN-1.5"}, "would read back as owner 'CN-1'"),
    ],
)
def test_bad_data_is_not_encoded(fields: dict, message: str) -> None:
    with pytest.raises(TagEncodeError, match=message):
        encode_uhf(afi=7, **fields)


def test_an_afi_beyond_a_byte_is_not_encoded() -> None:
    with pytest.raises(TagEncodeError):
        encode_uhf(pii="1", afi=300)


# --- lenient decoding ------------------------------------------------------------------------


def test_layouts_are_told_apart() -> None:
    written = encode_uhf(pii="12345678", isil="CN-110000-1", afi=0xC2)
    for data, layout in (
        (written.epc_bank, "bank"),
        (written.pc_and_uii, "pc"),
        (written.pc_and_uii[2:], "uii"),
    ):
        tag = decode_uhf(data)
        assert tag.uhf is not None and tag.uhf["layout"] == layout
        assert tag.pii == "12345678"
    assert "read as the UII alone" in decode_uhf(written.pc_and_uii[2:]).warnings[0]


def test_a_bad_crc_is_a_warning() -> None:
    bank = bytearray(encode_uhf(pii="12345678", afi=0xC2).epc_bank)
    bank[-1] ^= 0x01
    tag = decode_uhf(bytes(bank), layout="bank")
    assert tag.crc_ok is False
    assert any("does not match" in w for w in tag.warnings)


def test_a_truncated_uii_is_read_as_far_as_it_goes() -> None:
    pc_and_uii = encode_uhf(pii="12345678", isil="CN-110000-1", afi=0xC2).pc_and_uii
    tag = decode_uhf(pc_and_uii[:-4], layout="pc")
    assert any("cut short" in w for w in tag.warnings)
    assert tag.pii is not None and tag.isil == "CN-110000-1"


def test_a_gs1_epc_is_read_with_a_warning() -> None:
    tag = decode_uhf(bytes.fromhex("3000") + uii_compact("ABC123"), layout="pc")
    assert tag.pii == "ABC123"
    assert tag.uhf is not None and tag.uhf["afi"] is None
    assert "toggle bit is 0" in tag.warnings[0]


def test_garbled_user_memory_is_a_warning_not_a_failure() -> None:
    pc_and_uii = encode_uhf(pii="12345678", afi=0xC2).pc_and_uii
    tag = decode_uhf(pc_and_uii, bytes.fromhex("06 46 20 41"))
    assert tag.pii == "12345678"
    assert any("user memory could not be read" in w for w in tag.warnings)
    tag = decode_uhf(pc_and_uii, bytes.fromhex("3E 02 01 40 14 01 0C 00"))
    assert any("DSFID 0x3E" in w for w in tag.warnings)


def test_blank_user_memory_with_umi_set_is_reported() -> None:
    pc_and_uii = encode_uhf(pii="1", set=(1, 2), afi=0xC2).pc_and_uii
    tag = decode_uhf(pc_and_uii, bytes(16))
    assert tag.uhf is not None and tag.uhf["user_memory"] == "blank"
    assert any("UMI" in w for w in tag.warnings)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00", b"\x00\x00\x00\x00", b"\x45", b"\xff\xff", bytes.fromhex("45C2FB")],
)
def test_unreadable_epc_data_is_a_decode_error(data: bytes) -> None:
    try:
        tag = decode_uhf(data)
    except TagDecodeError:
        return
    assert tag.warnings  # whatever was read, it was not read without doubt


def test_escape_bytes_cut_short_and_unused_leads_are_warnings() -> None:
    warnings: list[str] = []
    assert uii_expand(bytes.fromhex("1C01 FF FE E4"), warnings) == "DSH"
    assert len(warnings) == 2


def test_random_bytes_never_raise_anything_but_a_decode_error() -> None:
    import random

    rng = random.Random(35660)
    for _ in range(2000):
        epc = rng.randbytes(rng.randrange(0, 40))
        user = rng.randbytes(rng.randrange(0, 40)) if rng.random() < 0.5 else None
        with contextlib.suppress(TagDecodeError):
            decode_uhf(epc, user)


def test_split_uii_needs_a_valid_isil_before_the_dot() -> None:
    assert split_uii("CN-110000-1.123") == ("CN-110000-1", "123")
    assert split_uii("123.45") == (None, "123.45")
    assert split_uii("CN-110000-1.") == (None, "CN-110000-1.")


@given(
    st.text(
        alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ-.:0123456789abcxyz/ _#é中文书房"),
        min_size=1,
        max_size=40,
    )
)
def test_any_uii_text_reads_back_as_written(text: str) -> None:
    warnings: list[str] = []
    assert uii_expand(uii_compact(text), warnings) == text
    assert warnings == []
