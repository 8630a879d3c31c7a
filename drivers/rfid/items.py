"""From tags on the pad to library items: groups a set's parts and writes tag security.

A book with its CD is one item (one PII) on two tags, parts 1 and 2 of 2. The pad watcher
reports tags; this reports items with the parts seen so far and every UID that belongs to
them, so the circulation core can check the set is complete and the security write reaches
every part. On a UHF pad the parts are one tag to the reader (one UII, one EPC): the parts
seen are then reported as unknown (None), so the set is lent and returned unchecked rather
than refused as incomplete for ever.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.rfid.pad import PadEvent
from kiosk.ports import TagInfo, TagProblem, TagReader, UnsupportedOperation, tag_label
from kiosk.tags import TagData, decode
from kiosk.tags.uhf import FORMAT as UHF_FORMAT
from kiosk.tags.uhf import decode_uhf

log = logging.getLogger(__name__)

OnItem = Callable[[str, frozenset[int] | None, tuple[bytes, ...]], None]
OnGone = Callable[[str], None]
#: a tag that named no item, and which kind of failure (a TagProblem, a str)
OnUnreadable = Callable[[bytes, str], None]
OnSeen = Callable[[str, int, int], None]


def decode_tag(data: bytes, info: TagInfo) -> TagData:
    """The pad watcher's decoder: the core's lenient ISO 28560 readers. A UHF tag (one with a
    PC word) names its item in the UII, its EPC; ``data`` is then its user memory."""
    if info.pc is not None:
        return decode_uhf(info.pc.to_bytes(2, "big") + info.uid, data or None, layout="pc")
    return decode(data, dsfid=info.dsfid, block_size=info.block_size or 4)


@dataclass
class _Item:
    parts: dict[int, bytes] = field(default_factory=dict)  # part number -> UID
    of: int = 1
    # The parts of a set share one UII, which a UHF tag carries as its EPC: a UHF reader
    # sees them as one tag, so which parts lie on the pad is not known (not "part 1 only")
    parts_known: bool = True


class PadItems:
    """Feed it PadEvents (``handle``); it calls back with whole items.

    Tags read as part of a stack (``PadEvent.stack_size``) are announced one by one through
    ``on_seen`` (pii, position, stack size) as they are read, so a screen can show each row
    at once; ``on_item`` follows for the whole stack together once its last tag is read
    (or ``stack_read`` is called), each item with every part seen, so the stack is decided
    as one and a set placed whole is never decided part by part.
    """

    def __init__(
        self,
        on_item: OnItem,
        on_gone: OnGone,
        on_unreadable: OnUnreadable | None = None,
        on_seen: OnSeen | None = None,
    ) -> None:
        self.on_item, self.on_gone, self.on_unreadable = on_item, on_gone, on_unreadable
        self.on_seen = on_seen
        self._items: dict[str, _Item] = {}
        self._by_uid: dict[bytes, str] = {}
        self._pending: dict[str, None] = {}  # items of the stack being read, in order
        self._unreadable: set[bytes] = set()  # tags on the pad that named no item
        self._lock = threading.Lock()

    def handle(self, event: PadEvent) -> None:
        if event.kind == "arrived":
            self._arrived(event)
            if event.stack_size and event.position >= event.stack_size:
                self.stack_read()
        else:
            self._left(event.uid)

    def stack_read(self, arrivals: object = None) -> None:
        """The stack's reading is over (the pad watcher's ``on_stack``): report its items."""
        with self._lock:
            ready = [
                (pii, *self._snapshot(self._items[pii]))
                for pii in self._pending
                if pii in self._items
            ]
            self._pending.clear()
        for pii, parts, uids in ready:
            self.on_item(pii, parts, uids)

    def _arrived(self, event: PadEvent) -> None:
        tag = event.item if isinstance(event.item, TagData) else None
        if tag is None or not tag.pii:
            why = event.error or (f"a {tag.format} tag with no item number" if tag else "no data")
            log.warning("unreadable tag %s: %s", event.uid.hex(), why)  # the detail: the log
            with self._lock:
                self._unreadable.add(event.uid)
            if self.on_unreadable is not None:
                self.on_unreadable(event.uid, event.problem or TagProblem.BLANK)
            return
        part, of = tag.set or (1, 1)
        with self._lock:
            item = self._items.setdefault(tag.pii, _Item(of=of))
            item.parts[part] = event.uid
            item.of = max(item.of, of)
            item.parts_known = item.parts_known and tag.format != UHF_FORMAT
            self._by_uid[event.uid] = tag.pii
            parts, uids = self._snapshot(item)
            if event.stack_size:
                self._pending[tag.pii] = None
        if not event.stack_size:
            self.on_item(tag.pii, parts, uids)
        elif self.on_seen is not None:
            self.on_seen(tag.pii, event.position, event.stack_size)

    def _left(self, uid: bytes) -> None:
        with self._lock:
            gone = self._gone_with(uid)
        if gone is not None:
            self.on_gone(gone)

    def _gone_with(self, uid: bytes) -> str | None:
        """What left the pad with this tag: its item once no part of it is left, or the
        label of a tag that named no item (its row goes as a lifted book's does)."""
        if uid in self._unreadable:
            self._unreadable.discard(uid)
            return tag_label(uid)
        pii = self._by_uid.pop(uid, None)
        if pii is None:
            return None
        item = self._items[pii]
        item.parts = {k: v for k, v in item.parts.items() if v != uid}
        if item.parts:
            return None
        del self._items[pii]
        return pii

    @staticmethod
    def _snapshot(item: _Item) -> tuple[frozenset[int] | None, tuple[bytes, ...]]:
        parts = frozenset(item.parts) if item.of > 1 and item.parts_known else None
        return parts, tuple(item.parts[k] for k in sorted(item.parts))


class AfiSecurity:
    """Sets each tag of an item to the policy's on-loan or secured AFI, and EAS where it exists.

    Runs on the core worker; the reader's own lock keeps the write from interleaving with the
    pad watcher's polls.
    """

    def __init__(self, reader: TagReader, afi_secured: int, afi_on_loan: int) -> None:
        self.reader = reader
        self.afi_secured, self.afi_on_loan = afi_secured, afi_on_loan

    def secure(self, uids: bytes | tuple[bytes, ...], on_loan: bool) -> None:
        for uid in (uids,) if isinstance(uids, bytes) else uids:
            self.reader.write_afi(uid, self.afi_on_loan if on_loan else self.afi_secured)
            with contextlib.suppress(UnsupportedOperation):  # AFI alone secures this tag
                self.reader.set_eas(uid, not on_loan)
