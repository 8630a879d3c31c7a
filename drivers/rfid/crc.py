"""The two CRC-16 variants the supported RFID readers put on their serial frames."""

from __future__ import annotations

from kiosk.tags.crc import crc16_epc


def crc16_feig(data: bytes) -> int:
    """FEIG ISO Host CRC: reflected polynomial 0x8408, preset 0xFFFF, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def crc16_3m(data: bytes) -> int:
    """3M 810 CRC: polynomial 0x1021 MSB first, initial 0xFFFF, final XOR 0xFFFF — the tag
    data model's CRC-16/CCITT with its final XOR (CRC-16/GENIBUS), so it is that one loop."""
    return crc16_epc(data)
