"""Device events into the UI: driver threads call in, Qt signals carry them to the UI thread."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk import ecard
from kiosk.models import CardKind
from ui.qt import QObject, Signal


@dataclass(frozen=True)
class ScanKind:
    kind: str  # "item", "card", "ecard"
    text: str


def classify_scan(text: str, card_pattern: str = r"[PC]\d{4,12}") -> ScanKind:
    """Tell a patron card or QR e-card from an item barcode (patterns come from config)."""
    text = text.strip()
    if ecard.looks_like_ecard(text):
        return ScanKind("ecard", text)
    if re.fullmatch(card_pattern, text):
        return ScanKind("card", text)
    return ScanKind("item", text)


class DeviceEvents(QObject):
    """Thread-safe inbox: emitting from a driver thread queues the call to the UI thread."""

    item_placed = Signal(str, object, object)  # pii, parts seen (frozenset or None), uid or None
    item_removed = Signal(str)
    scanned = Signal(str)
    card_presented = Signal(str, str)  # card id, CardKind value

    def place(self, pii: str, parts: frozenset[int] | None = None, uid: bytes | None = None):
        self.item_placed.emit(pii, parts, uid)

    def remove(self, pii: str) -> None:
        self.item_removed.emit(pii)

    def scan(self, text: str) -> None:
        self.scanned.emit(text)

    def tap(self, card_id: str, kind: CardKind = CardKind.NFC) -> None:
        self.card_presented.emit(card_id, kind.value)
