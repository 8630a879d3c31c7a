"""The port for licensed identity-card readers (GA/T 467; a Protocol only, no driver yet).

Many Chinese libraries let readers borrow with their resident identity card (居民身份证).
Any Type B reader can read the card's chip number, and the NFC card reader does
(``drivers/card/nfc_reader.py``); the printed ID number and the card's validity are
readable only through the licensed security module of a certified reader, which speaks its
vendor's protocol through the vendor's SDK. This port says what the kiosk needs from such a
reader so a vendor driver can be written against it once a real device and its documentation
are at hand; no protocol is implemented or assumed here (docs/install.md, "The resident ID
card as a library card").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.ports import DeviceState


@dataclass(frozen=True, slots=True)
class IdentityCardRead:
    """What the kiosk uses from an identity card: the number only, to look up the patron.

    Names, photos and addresses are deliberately absent: the kiosk has no use for them, and
    what is never read cannot leak. ``number`` is personal data: mask it in every log line.
    """

    number: str
    expires_on: str = ""  # ISO date when the reader reports it, for a clear "card expired"


@runtime_checkable
class IdentityCardReader(Protocol):
    """A vendor ID-card reader. ``read`` waits up to ``timeout`` seconds for a card.

    Implementations raise the ``kiosk.ports`` device errors (``DeviceGone`` when unplugged,
    ``DeviceTimeout`` when the module stops answering, ``FrameError`` for a reply that fails
    the vendor's checks) so the device supervisor treats them like every other device.
    """

    @property
    def state(self) -> DeviceState: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read(self, timeout: float) -> IdentityCardRead | None: ...
