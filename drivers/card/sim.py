"""The simulated patron card reader: cards are tapped from code, faults on demand."""

from __future__ import annotations

from drivers.simulated import QueuedSimDevice
from kiosk.ports import CardTap


class SimCardReader(QueuedSimDevice[CardTap]):
    kind = "card reader"

    def __init__(self, name: str = "card") -> None:
        super().__init__(name)

    def tap(
        self,
        uid: bytes,
        technology: str = "106A",
        ndef_texts: tuple[str, ...] = (),
        *,
        resident_id: bool = False,
    ) -> None:
        """A card on the reader; ``resident_id`` with ``uid`` its 8-byte chip number."""
        self._queue.put(
            CardTap(uid=uid, technology=technology, ndef_texts=ndef_texts, resident_id=resident_id)
        )

    def poll(self, timeout: float) -> CardTap | None:
        return self._next(timeout)
