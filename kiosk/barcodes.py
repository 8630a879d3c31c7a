"""Telling scanned text apart: item barcodes, library-card barcodes, QR e-cards, and junk."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class BarcodeKind(StrEnum):
    ITEM = "item"
    PATRON_CARD = "patron_card"
    ECARD = "ecard"


class BarcodeProblem(StrEnum):
    """Why scanned text was refused; stable codes the UI and the logs can rely on."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    UNDECODABLE = "undecodable"
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


# Defaults only: every library numbers its items and cards its own way, so sites set these.
DEFAULT_ITEM_PATTERN = r"[0-9]{8,14}"
DEFAULT_PATRON_CARD_PATTERN = r"[A-Z]{1,2}[0-9]{6,12}"
# The signed e-card form read by kiosk.ecard: SF2.<key id>.<card id>.<expiry>.<signature>.
# The retired SF1 form still counts as an e-card, so its reader hears why it is refused.
DEFAULT_ECARD_PATTERN = r"SF[12]\.[^.\s]+\.[A-Za-z0-9_-]+\.[0-9]+\.[A-Za-z0-9_-]+"


@dataclass(frozen=True, slots=True)
class BarcodeRules:
    """Site patterns, each matched against the whole (trimmed) text."""

    item: str = DEFAULT_ITEM_PATTERN
    patron_card: str = DEFAULT_PATRON_CARD_PATTERN
    ecard: str = DEFAULT_ECARD_PATTERN
    max_length: int = 512

    def __post_init__(self) -> None:
        for name in ("item", "patron_card", "ecard"):
            try:
                re.compile(getattr(self, name))
            except re.error as error:
                raise ValueError(
                    f"barcode pattern {name!r} is not a valid regex: {error}"
                ) from None


@dataclass(frozen=True, slots=True)
class Barcode:
    kind: BarcodeKind
    text: str


@dataclass(frozen=True, slots=True)
class Rejected:
    problem: BarcodeProblem
    detail: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.detail}"


def classify(
    text: str, rules: BarcodeRules | None = None, *, prefer: BarcodeKind | None = None
) -> Barcode | Rejected:
    """Say what a scan is, or why it is refused.

    An e-card wins over everything (its form is unmistakable). When a text fits both the item
    and the patron-card pattern, ``prefer`` (what the screen is waiting for) decides; without
    it the scan is refused as ambiguous rather than guessed, since a wrong guess either lends a
    book to nobody or logs a reader in with a book's number.
    """
    rules = rules or BarcodeRules()
    trimmed = text.strip()
    if not trimmed:
        return Rejected(BarcodeProblem.EMPTY, "nothing was scanned")
    if len(trimmed) > rules.max_length:
        return Rejected(
            BarcodeProblem.TOO_LONG, f"{len(trimmed)} characters, at most {rules.max_length}"
        )
    if "\ufffd" in trimmed:
        return Rejected(BarcodeProblem.UNDECODABLE, "bytes that are not valid text")
    controls = sorted({f"U+{ord(c):04X}" for c in trimmed if unicodedata.category(c) == "Cc"})
    if controls:
        return Rejected(BarcodeProblem.CONTROL_CHARACTERS, ", ".join(controls))
    if re.fullmatch(rules.ecard, trimmed):
        return Barcode(BarcodeKind.ECARD, trimmed)
    is_item = re.fullmatch(rules.item, trimmed) is not None
    is_card = re.fullmatch(rules.patron_card, trimmed) is not None
    if is_item and is_card:
        if prefer in (BarcodeKind.ITEM, BarcodeKind.PATRON_CARD):
            return Barcode(prefer, trimmed)
        return Rejected(BarcodeProblem.AMBIGUOUS, "fits both the item and the patron-card pattern")
    if is_item:
        return Barcode(BarcodeKind.ITEM, trimmed)
    if is_card:
        return Barcode(BarcodeKind.PATRON_CARD, trimmed)
    return Rejected(BarcodeProblem.NO_MATCH, f"{len(trimmed)} characters fit no barcode pattern")
