"""CRC-16/CCITT as ISO 28560-3 uses it, and its complement that guards a UHF tag's EPC bank."""

from __future__ import annotations

#: CRC of the ASCII text ``RFID tag data model``, the check value ISO 28560-3 gives.
CHECK_VALUE = 0x1AEE


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """Polynomial 0x1021, initial 0xFFFF, MSB first, no final XOR (the "false CCITT")."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def crc16_epc(data: bytes) -> int:
    """The StoredCRC of an ISO/IEC 18000-63 (EPC Gen2) EPC bank over its PC word and UII:
    the same CRC with a final XOR of 0xFFFF (catalogued as CRC-16/GENIBUS)."""
    return crc16_ccitt(data) ^ 0xFFFF
