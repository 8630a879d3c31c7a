"""CRC-16/CCITT of ISO 28560-3, checked against the published vectors byte for byte."""

from __future__ import annotations

from kiosk.tags import crc16_ccitt
from kiosk.tags.crc import CHECK_VALUE
from kiosk.tags.iso28560_3 import basic_block_crc

from .vectors import ANNEX_B1, ANNEX_B2, DDM_EXAMPLE


def test_check_value_of_the_standard_text():
    assert crc16_ccitt(b"RFID tag data model") == CHECK_VALUE == 0x1AEE


def test_annex_b1_truncated_block_gives_0xa498():
    assert basic_block_crc(ANNEX_B1) == 0xA498
    assert ANNEX_B1[19:21] == bytes([0x98, 0xA4])  # stored least significant byte first


def test_ddm_example_gives_0x3e51():
    assert basic_block_crc(DDM_EXAMPLE) == 0x3E51
    assert DDM_EXAMPLE[19:21] == bytes([0x51, 0x3E])


def test_annex_b2_full_block_gives_0x1536():
    assert basic_block_crc(ANNEX_B2) == 0x1536


def test_crc_skips_its_own_bytes():
    changed = ANNEX_B1[:19] + b"\x12\x34" + ANNEX_B1[21:]
    assert basic_block_crc(changed) == basic_block_crc(ANNEX_B1)


def test_empty_input_is_the_initial_value():
    assert crc16_ccitt(b"") == 0xFFFF
