"""A resident ID card's chip number as a card id: one spelling for import, store and tap.

A 2nd-generation resident ID card (第二代居民身份证) answers the command ``00 36 00 00 08``
with its 8-byte chip number; without the licensed GA/T 467 security module that number is
all a reader can learn from the card. Registration desks print it in hex, with or without
spaces, in either case; the kiosk stores and looks it up as 16 upper-case hex digits in the
order the card sends them, which is what the card reader driver produces from a tap.
"""

from __future__ import annotations

import re

CHIP_NUMBER_BYTES = 8
_SEPARATORS = re.compile(r"[\s:-]")
_HEX = re.compile(r"[0-9A-F]{16}")
_PRINTED_ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def chip_number_text(chip: bytes) -> str:
    """The card id for a chip number read from the card."""
    if len(chip) != CHIP_NUMBER_BYTES:
        raise ValueError(f"a chip number has {CHIP_NUMBER_BYTES} bytes, not {len(chip)}")
    return chip.hex().upper()


def normalize_chip_number(text: str) -> str:
    """``0a 1b 2c 3d 4e 5f 60 71`` → ``0A1B2C3D4E5F6071``; ValueError says what is wrong.

    The message never repeats the value: a chip number or an ID number is personal data,
    and import errors end up in terminals and mail.
    """
    compact = _SEPARATORS.sub("", text.strip()).upper()
    if _PRINTED_ID_NUMBER.fullmatch(compact):
        raise ValueError(
            "card_id is an 18-character resident ID number; a resident_id card is known by "
            "the chip number a card reader reads (16 hex digits), not the printed number"
        )
    if not _HEX.fullmatch(compact):
        got = f"{len(compact)} characters" if len(compact) != 16 else "not all of them 0-9/A-F"
        raise ValueError(
            f"a resident_id card_id is the ID card's chip number: 16 hex digits (got {got})"
        )
    return compact
