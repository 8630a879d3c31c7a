"""From a tapped card to the patron card number the library system knows it by.

Card systems disagree on how a UID becomes a card number: some print the UID in hex, many
Chinese campus and city cards print the UID read least significant byte first, in decimal,
zero-padded to ten digits; newer cards carry the number as an NDEF text record. A site
configures the rule (or an ordered list of rules to try) instead of the code guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from kiosk.chip_number import chip_number_text
from kiosk.ports import CardTap


class CardNumberRule(StrEnum):
    UID_HEX = "uid_hex"  # 04A1B2C3: the UID as read, upper-case hex
    UID_HEX_REVERSED = "uid_hex_reversed"  # C3B2A104
    UID_DECIMAL = "uid_decimal"  # the UID as a big-endian integer, in decimal
    UID_DECIMAL_REVERSED = "uid_decimal_reversed"  # little-endian integer, in decimal
    NDEF_TEXT = "ndef_text"  # the first NDEF text record matching ndef_pattern


@dataclass(frozen=True, slots=True)
class CardNumbering:
    """The site's rule(s); the first rule that yields a number wins."""

    rules: tuple[CardNumberRule, ...] = (CardNumberRule.UID_HEX,)
    decimal_width: int = 10  # zero padding for the decimal rules; 0 for none
    ndef_pattern: str = r".+"  # which text record holds the card number

    @classmethod
    def parse(
        cls, text: str, *, decimal_width: int = 10, ndef_pattern: str = r".+"
    ) -> CardNumbering:
        """From config: ``"ndef_text,uid_decimal_reversed"``."""
        try:
            rules = tuple(CardNumberRule(part.strip()) for part in text.split(",") if part.strip())
        except ValueError as error:
            known = ", ".join(rule.value for rule in CardNumberRule)
            raise ValueError(f"unknown card number rule in {text!r} (known: {known})") from error
        if not rules:
            raise ValueError("no card number rule given")
        re.compile(ndef_pattern)
        return cls(rules, decimal_width, ndef_pattern)


def patron_card_number(tap: CardTap, numbering: CardNumbering | None = None) -> str | None:
    """The card number for ``tap``, or None when no configured rule applies.

    A resident ID card's chip number is its number as is (16 hex digits, see
    ``kiosk.chip_number``): the site's rules are for library cards, whose numbering differs
    from system to system, while chip numbers are registered as the card reads them.
    """
    if tap.resident_id:
        return chip_number_text(tap.uid)
    numbering = numbering or CardNumbering()
    for rule in numbering.rules:
        number = _apply(rule, tap, numbering)
        if number:
            return number
    return None


def _apply(rule: CardNumberRule, tap: CardTap, numbering: CardNumbering) -> str | None:
    if rule is CardNumberRule.NDEF_TEXT:
        for text in tap.ndef_texts:
            if re.fullmatch(numbering.ndef_pattern, text.strip()):
                return text.strip()
        return None
    if not tap.uid:
        return None
    if rule is CardNumberRule.UID_HEX:
        return tap.uid.hex().upper()
    if rule is CardNumberRule.UID_HEX_REVERSED:
        return tap.uid[::-1].hex().upper()
    order: Literal["little", "big"] = (
        "little" if rule is CardNumberRule.UID_DECIMAL_REVERSED else "big"
    )
    return str(int.from_bytes(tap.uid, order)).zfill(numbering.decimal_width)
