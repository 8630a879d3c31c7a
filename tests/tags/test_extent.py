"""How far a tag's data reaches, from the bytes read so far (kiosk.tags.extent).

Vectors: ISO 28560-3 Annex B.1 / B.2 and the Danish Data Model example (tests/tags/vectors.py);
ISO 28560-2 data sets built field by field as in ISO/IEC 15962 (precursor, [OID extension],
[offset], length, data).
"""

from __future__ import annotations

from kiosk.tags import encode
from kiosk.tags.extent import FIRST_READ_BYTES, WHOLE_MEMORY, bytes_needed
from tests.tags.vectors import (
    ANNEX_B1,
    ANNEX_B2,
    DDM_EXAMPLE,
    extension_block,
    reversed_blocks,
    with_crc,
)

PII_123456789 = bytes([0x11, 0x04, 0x07, 0x5B, 0xCD, 0x15])  # integer compaction, OID 1
ISIL_US_DLC = bytes([0x03, 0x04, 0xAC, 0xC0, 0x46, 0x0F])  # scheme 0 = ISIL alphabet, OID 3


def test_a_truncated_basic_block_is_everything_in_32_bytes():
    assert bytes_needed(ANNEX_B1, dsfid=0x3E) == 32
    assert bytes_needed(DDM_EXAMPLE) == 32  # no DSFID: recognised by its CRC


def test_fewer_bytes_than_the_first_read_ask_for_the_first_read():
    assert bytes_needed(ANNEX_B1[:16], dsfid=0x3E) == FIRST_READ_BYTES


def test_an_owner_running_into_bytes_32_and_33_needs_the_full_basic_block():
    block = bytearray(ANNEX_B1) + bytes(2)
    block[21:34] = b"DK-7185009999"  # 13 characters fill the owner field to byte 33
    assert bytes_needed(with_crc(bytes(block))[:32], dsfid=0x3E) == 34


def test_extension_blocks_read_past_the_basic_block_are_walked_to_their_end():
    # B.2: basic block (34), library extension (5), acquisition (34), then the 0 length
    assert bytes_needed(ANNEX_B2 + bytes(8), dsfid=0x3E) == 34 + 5 + 34 + 1
    assert bytes_needed(ANNEX_B2[:50], dsfid=0x3E) == 34 + 5 + 34 + 1  # the read was short


def test_a_pii_in_the_library_extension_block_is_flagged_so_it_is_read():
    block = bytearray(ANNEX_B1)
    block[3:19] = b"\x01" + bytes(15)
    # the flag means a PII of 17 characters or more: its library extension block holds at
    # least head (4), media format, 17 characters and a NUL; then the closing length byte
    assert bytes_needed(with_crc(bytes(block)), dsfid=0x3E) == 34 + 23 + 1
    whole = with_crc(bytes(block) + bytes(2)) + extension_block(1, b"\x00" + b"9" * 20 + b"\x00")
    assert bytes_needed(whole + bytes(8), dsfid=0x3E) == len(whole) + 1


def test_28560_2_ends_at_its_terminator():
    data = PII_123456789 + ISIL_US_DLC + b"\x00" + bytes(32)
    assert bytes_needed(data, dsfid=0x06) == 13
    assert bytes_needed(data) == 13  # no DSFID: the data sets themselves tell


def test_28560_2_without_a_terminator_yet_reads_on_to_the_cut_element():
    title = bytes([0x7F, 0x02, 40]) + b"T" * 40  # OID 17 in UTF-8, 40 bytes
    data = PII_123456789 + title + b"\x00"
    assert bytes_needed(data[:32], dsfid=0x06) == 6 + 3 + 40 + 1
    assert bytes_needed(data, dsfid=0x06) == len(data)
    # shelf location (OID 6, octets) to byte 30, then a precursor whose OID extension byte
    # and length byte lie beyond the 32 bytes read: read on to its length byte at least
    shelf = bytes([0x66, 23]) + b"S" * 23
    cut_at_head = PII_123456789 + shelf + bytes([0x7F])
    assert len(cut_at_head) == 32
    assert bytes_needed(cut_at_head, dsfid=0x06) == 34


def test_28560_2_offset_bytes_count_the_pad_that_follows_the_data():
    # PII with offset flag: precursor 0x91, offset 2, length 1, data 0x7B, 2 pad bytes, end
    data = bytes([0x91, 0x02, 0x01, 0x7B, 0x00, 0x00, 0x00]) + bytes(25)
    assert bytes_needed(data, dsfid=0x06) == 7


def test_what_the_encoder_writes_is_read_to_its_end():
    short = encode(format="28560-2", pii="90001234", isil="CN-110000-1", size=112)
    assert bytes_needed(short[:32], dsfid=0x06) == 19
    long = encode(
        format="28560-2",
        pii="90001234",
        isil="CN-110000-1",
        elements={"title": "A rather long title of a book that goes on"},
        size=112,
    )
    assert 32 < bytes_needed(long[:32], dsfid=0x06) == bytes_needed(long, dsfid=0x06) < 112


def test_blocks_reversed_by_the_reader_are_recognised():
    assert bytes_needed(reversed_blocks(ANNEX_B1), dsfid=0x3E) == 32


def test_blank_and_unknown_memory():
    assert bytes_needed(bytes(32)) == 32
    assert bytes_needed(b"\xff" * 32) == 32
    assert bytes_needed(bytes(range(7, 39))) == WHOLE_MEMORY


def test_fewer_than_32_bytes_of_28560_2_show_their_end_by_the_terminator():
    # a pad that learnt its tags end early reads 20 bytes: a 28560-2 tag (by its DSFID) ends
    # at its terminator within them, or says how far it goes on
    data = PII_123456789 + ISIL_US_DLC + b"\x00" + bytes(7)
    assert bytes_needed(data[:20], dsfid=0x06) == 13
    assert bytes_needed(data[:8], dsfid=0x06) == 13  # the ISIL's length byte says so
    title = bytes([0x7F, 0x02, 40]) + b"T" * 40
    assert bytes_needed((PII_123456789 + title)[:20], dsfid=0x06) == 6 + 3 + 40 + 1
    # the same bytes without the DSFID, or a blank tag: the first read's 32
    assert bytes_needed(data[:20]) == FIRST_READ_BYTES
    assert bytes_needed(bytes(20), dsfid=0x06) == FIRST_READ_BYTES
    # a 28560-3 tag behind a wrong DSFID does not end early: its ASCII PII walks as lengths
    # of 48 and more, so it is read on past its 32-byte basic block
    assert bytes_needed(ANNEX_B1[:20], dsfid=0x06) > FIRST_READ_BYTES
