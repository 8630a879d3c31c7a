"""Simulated hands for the ``sim:`` pad: put a library item's tag on the pad or take it off.

Each item gets a tag encoded like a real one (ISO 28560-2 or -3, per policy), so the demo
exercises the same watcher, codecs and security writes as a kiosk with a real reader.
"""

from __future__ import annotations

import threading
import zlib

from drivers.rfid.field import SimulatedTag, nxp_uid
from drivers.rfid.sim import SimReader
from kiosk.tags import dsfid_for, encode


class SimPadHands:
    def __init__(
        self, reader: SimReader, *, isil: str, tag_format: str = "28560-2", afi_secured: int = 0x07
    ) -> None:
        self.reader, self.isil, self.tag_format = reader, isil, tag_format
        self.afi_secured = afi_secured
        self._placed: dict[tuple[str, int], bytes] = {}
        self._tags: dict[bytes, SimulatedTag] = {}  # kept, so security survives remove/place
        self._lock = threading.Lock()

    def tag_for(self, pii: str, part: int = 1, of: int = 1) -> SimulatedTag:
        uid = nxp_uid(zlib.crc32(f"{pii}/{part}".encode()))
        with self._lock:
            if uid not in self._tags:
                data = encode(
                    format=self.tag_format, pii=pii, isil=self.isil, set=(part, of), size=112
                )
                self._tags[uid] = SimulatedTag(
                    uid=uid,
                    dsfid=dsfid_for(self.tag_format),
                    afi=self.afi_secured,
                    eas=True,
                    memory=bytearray(data),
                )
            return self._tags[uid]

    def place_item(self, pii: str, part: int = 1, of: int = 1) -> None:
        tag = self.tag_for(pii, part, of)
        with self._lock:
            self._placed[(pii, part)] = tag.uid
        self.reader.place(tag)

    def remove_item(self, pii: str) -> None:
        with self._lock:
            uids = [uid for (p, _), uid in self._placed.items() if p == pii]
            self._placed = {k: v for k, v in self._placed.items() if k[0] != pii}
        for uid in uids:
            self.reader.remove(uid)

    def items_on_pad(self) -> list[str]:
        with self._lock:
            return sorted({pii for pii, _ in self._placed})
