"""Device events into the UI: driver threads call in, Qt signals carry them to the UI thread."""

from __future__ import annotations

from kiosk.models import CardKind
from kiosk.ports import TagProblem, tag_label
from kiosk.reasons import Reason
from ui.qt import QObject, Signal

#: what the reader is told about a tag that named no item: read again, or scan the barcode
TAG_REASONS = {
    TagProblem.NOT_READ: Reason.TAG_NOT_READ,
    TagProblem.UNDECODABLE: Reason.TAG_UNREADABLE,
    TagProblem.BLANK: Reason.TAG_UNREADABLE,
}


def tag_reason(problem: str) -> Reason:
    """The reason for a TagProblem's value; an unknown one is an item not recognised."""
    try:
        return TAG_REASONS[TagProblem(problem)]
    except ValueError:
        return Reason.UNKNOWN_ITEM


class DeviceEvents(QObject):
    """Thread-safe inbox: emitting from a driver thread queues the call to the UI thread."""

    item_placed = Signal(str, object, object)  # pii, parts seen or None, tag UIDs or None
    item_seen = Signal(str, int, int)  # pii, position, stack size: read, its stack not yet
    item_removed = Signal(str)
    scanned = Signal(str)
    card_presented = Signal(str, str)  # card id, CardKind value
    unreadable = Signal(str, str)  # a tag that named no item: its UID, its TagProblem value

    def place(
        self,
        pii: str,
        parts: frozenset[int] | None = None,
        uids: tuple[bytes, ...] | bytes | None = None,
    ) -> None:
        self.item_placed.emit(pii, parts, uids)

    def seen(self, pii: str, position: int, size: int) -> None:
        self.item_seen.emit(pii, position, size)

    def unreadable_tag(self, uid: bytes, problem: str = "") -> None:
        """``problem``: the driver's TagProblem, which decides what the reader is told."""
        self.unreadable.emit(tag_label(uid), str(problem))

    def remove(self, pii: str) -> None:
        self.item_removed.emit(pii)

    def scan(self, text: str) -> None:
        self.scanned.emit(text)

    def tap(self, card_id: str, kind: CardKind = CardKind.NFC) -> None:
        self.card_presented.emit(card_id, kind.value)
