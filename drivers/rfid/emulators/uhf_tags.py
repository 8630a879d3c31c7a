"""UHF tags for the LLRP emulator (ISO/IEC 18000-63): a simulated tag whose ``uid`` is its EPC,
library tags written as ISO/TS 28560-4 says, their PC word and EPC bank, and the demo's
hands that place them on a UHF pad."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from drivers.rfid.field import SimulatedTag, TagField
from kiosk.tags.crc import crc16_epc
from kiosk.tags.uhf import encode_uhf


@dataclass(eq=False)
class SimulatedUhfTag(SimulatedTag):
    """A UHF tag: ``uid`` is its EPC (2 to 62 bytes, whole words), ``memory`` user memory."""

    def __post_init__(self) -> None:
        if not self.uid or len(self.uid) % 2 or len(self.uid) > 62:
            raise ValueError("an EPC has 1 to 31 whole 16-bit words")
        size = self.block_size * self.block_count
        if len(self.memory) > size:
            raise ValueError(f"memory holds {len(self.memory)} bytes, the tag only {size}")
        self.memory = bytearray(self.memory) + bytes(size - len(self.memory))


def library_tag(*, afi: int, user_words: int = 32, **fields: Any) -> SimulatedUhfTag:
    """A UHF library item tag written as ISO/TS 28560-4 says (``fields`` as for
    ``kiosk.tags.uhf.encode_uhf``: pii, isil, set, ...), with ``user_words`` of user memory."""
    written = encode_uhf(afi=afi, **fields)
    return SimulatedUhfTag(
        written.epc_bank[4:],
        afi=afi,
        block_count=user_words // 2,
        memory=bytearray(written.user),
    )


def pc_word(tag: SimulatedTag) -> int:
    umi = any(tag.memory[:2])
    return (len(tag.uid) // 2) << 11 | umi << 10 | 0x100 | (tag.afi & 0xFF)


def epc_bank(tag: SimulatedTag) -> bytes:
    stored = pc_word(tag).to_bytes(2, "big") + tag.uid
    return crc16_epc(stored).to_bytes(2, "big") + stored


class UhfPadHands:
    """The demo's hands at a UHF pad: each item gets a tag written as ISO/TS 28560-4 says
    (ISIL.PII in the UII, set information in user memory) in the emulator's field.

    The parts of a set carry the same UII and so the same EPC: a UHF reader sees them as one
    tag, and so does this pad (the last part placed is the one it holds)."""

    def __init__(self, field: TagField, *, isil: str, afi_secured: int = 0x07) -> None:
        self.field, self.isil, self.afi_secured = field, isil, afi_secured
        self._placed: dict[tuple[str, int], bytes] = {}
        self._tags: dict[tuple[str, int], SimulatedUhfTag] = {}  # security survives removal
        self._lock = threading.Lock()

    def tag_for(self, pii: str, part: int = 1, of: int = 1) -> SimulatedUhfTag:
        with self._lock:
            if (pii, part) not in self._tags:
                tag = library_tag(afi=self.afi_secured, pii=pii, isil=self.isil, set=(part, of))
                self._tags[(pii, part)] = tag
            return self._tags[(pii, part)]

    def place_item(self, pii: str, part: int = 1, of: int = 1) -> None:
        tag = self.tag_for(pii, part, of)
        with self._lock:
            self._placed[(pii, part)] = tag.uid
        self.field.place(tag)

    def remove_item(self, pii: str) -> None:
        with self._lock:
            uids = [uid for (p, _), uid in self._placed.items() if p == pii]
            self._placed = {k: v for k, v in self._placed.items() if k[0] != pii}
        for uid in uids:
            self.field.remove(uid)

    def items_on_pad(self) -> list[str]:
        with self._lock:
            return sorted({pii for pii, _ in self._placed})
