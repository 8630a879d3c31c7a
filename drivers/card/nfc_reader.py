"""NFC patron cards (ISO 14443 A/B, FeliCa) through nfcpy: the UID and any NDEF text records."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Sequence
from typing import Any

from drivers.health import mask_id
from kiosk.ports import CardTap, DeviceError, DeviceGone, DeviceState

log = logging.getLogger(__name__)

DEFAULT_TECHNOLOGIES = ("106A", "106B", "212F")
TEXT_RECORD_TYPE = "urn:nfc:wkt:T"


def nfcpy_frontend(path: str) -> Any:
    import nfc  # imported here so the rest of the kiosk starts even without a reader stack

    return nfc.ContactlessFrontend(path)


def _uid(target: Any) -> bytes | None:
    """The card's identifier from the anticollision answer, per technology."""
    if target.sdd_res is not None:  # Type A: NFCID1, 4, 7 or 10 bytes
        return bytes(target.sdd_res)
    if target.sensb_res is not None:  # Type B: PUPI, bytes 1..4 of SENSB_RES
        return bytes(target.sensb_res[1:5])
    if target.sensf_res is not None:  # FeliCa: IDm, bytes 1..8 of SENSF_RES
        return bytes(target.sensf_res[1:9])
    return None


class NfcCardReader:
    """A reader on ``usb``, ``tty:…`` or ``udp:host:port``; reports each card once per tap."""

    def __init__(
        self,
        path: str,
        *,
        name: str = "card",
        technologies: Sequence[str] = DEFAULT_TECHNOLOGIES,
        read_ndef: bool = True,
        interval: float = 0.1,
        frontend_factory: Callable[[str], Any] = nfcpy_frontend,
    ) -> None:
        self.path = path
        self.name = name
        self.technologies = tuple(technologies)
        self.read_ndef = read_ndef
        self.interval = interval
        self._factory = frontend_factory
        self._clf: Any = None
        self._present: bytes | None = None  # the card still lying on the reader
        self._state = DeviceState.DISCONNECTED

    @property
    def state(self) -> DeviceState:
        return self._state

    def open(self) -> None:
        self._state = DeviceState.CONNECTING
        try:
            self._clf = self._factory(self.path)
        except OSError as error:
            self._state = DeviceState.DISCONNECTED
            raise DeviceGone(f"no NFC reader at {self.path}: {error}") from error
        self._present = None
        self._state = DeviceState.READY

    def close(self) -> None:
        clf, self._clf = self._clf, None
        self._state = DeviceState.DISCONNECTED
        if clf is not None:
            try:
                clf.close()
            except Exception:  # nfcpy closes vanished USB devices noisily
                log.debug("%s: close failed", self.name, exc_info=True)

    def poll(self, timeout: float) -> CardTap | None:
        """The next newly presented card within ``timeout``; a card left lying counts once."""
        import nfc.clf

        if self._clf is None:
            raise DeviceError("card reader is not open")
        targets = [nfc.clf.RemoteTarget(tech) for tech in self.technologies]
        iterations = max(1, int(timeout / self.interval))
        try:
            target = self._clf.sense(*targets, iterations=iterations, interval=self.interval)
        except nfc.clf.CommunicationError as error:
            # a card moved through the edge of the field: not a fault, just no clean read
            log.debug("%s: sense failed: %r", self.name, error)
            return None
        except OSError as error:
            self._gone(error)
        if target is None:
            self._present = None
            return None
        uid = _uid(target)
        if not uid:
            return None
        if uid == self._present:
            return None
        self._present = uid
        texts = self._ndef_texts(target) if self.read_ndef else ()
        log.info("%s: card %s (%s) presented", self.name, mask_id(uid), target.brty)
        return CardTap(uid=uid, technology=str(target.brty), ndef_texts=texts)

    def _ndef_texts(self, target: Any) -> tuple[str, ...]:
        import nfc.clf
        import nfc.tag

        try:
            tag = nfc.tag.activate(self._clf, target)
            if tag is None and target.sel_res is not None and target.sel_res[0] & 0x60 == 0:
                # a Type 2 Tag drops out of activation when it moves at the edge of the
                # field; one more try costs little and saves asking the reader to tap again
                tag = nfc.tag.activate(self._clf, target)
            if tag is None or tag.ndef is None:
                return ()  # Mifare Classic and friends: no NFC Forum tag, the UID is all
            return tuple(
                record.text for record in tag.ndef.records if record.type == TEXT_RECORD_TYPE
            )
        except OSError as error:
            self._gone(error)
        except (nfc.clf.CommunicationError, nfc.tag.TagCommandError, ValueError) as error:
            log.info("%s: card NDEF unreadable (%r), using the UID only", self.name, error)
        except Exception as error:  # ndeflib raises its own errors on bad data
            log.info("%s: card NDEF malformed (%s), using the UID only", self.name, error)
        return ()

    def _gone(self, error: OSError) -> None:
        self._state = DeviceState.DISCONNECTED
        self._clf = None
        if error.errno in (errno.ENODEV, errno.EIO, errno.ENOENT):
            raise DeviceGone(f"NFC reader at {self.path} went away") from error
        raise DeviceError(f"NFC reader at {self.path} failed: {error}") from error
