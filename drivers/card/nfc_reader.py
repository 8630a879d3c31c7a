"""NFC patron cards (ISO 14443 A/B, FeliCa) through nfcpy: the UID and any NDEF text records,
and a resident ID card's chip number.

A 2nd-generation resident ID card (第二代居民身份证) is an ISO 14443 Type B card that is not
ISO-DEP (its ATQB says protocol type 0) and answers SENSB_REQ with the PUPI 00000000, the same
on every card. After a raw ATTRIB it answers the raw frame ``00 36 00 00 08`` (GET UID, no
ISO-DEP block header) with its 8-byte chip number and the status ``90 00``; that number is
all a reader learns from the card without the licensed GA/T 467 module (see
``drivers/card/idcard.py``). The exchange as public traces show it (a PN532 through libnfc,
cnblogs.com/pluse/p/17562053.html; the NXP NFC Reader Library example ``phApp_ReadUID``;
the note "Read UID of R.P.C China Identity Card"): REQB ``05 00 00`` → ATQB
``50 00000000 D103860C 00 80 80``; ATTRIB ``1D 00000000 00 08 01 08`` → ``08`` (one byte);
``00 36 00 00 08`` → 8 bytes and ``90 00`` (ten bytes, no block header). Only Type B cards
that could be ID cards are asked (``_may_be_resident_id``); other cards are read as before.
"""

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

#: GET UID of a resident ID card: CLA 00, INS 36, P1 00, P2 00, Le 08 (sent raw, no PCB).
GET_UID = bytes.fromhex("0036000008")
STATUS_OK = b"\x90\x00"
#: The PUPI every resident ID card answers with: it identifies no one.
ID_CARD_PUPI = bytes(4)
#: ATTRIB Param1-4 as the public traces send them: 00 default TR0/TR1 and SOF/EOF; 08
#: 106 kbit/s both ways and FSDI 8 (256 bytes); 01 protocol type; 08 CID 8. The card
#: answers one byte, MBLI 0 and CID 8 (``08``).
ATTRIB_PARAMS = bytes.fromhex("00080108")
ATTRIB_CID = 0x08


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


def _may_be_resident_id(target: Any) -> bool:
    """A Type B card an ID card could be: its ATQB says it does not speak ISO 14443-4
    (protocol type 0, as ID cards say), or it has the ID cards' all-zero PUPI.

    A Type B card that speaks ISO 14443-4 (a city or campus CPU card) is never asked: it is
    activated the nfcpy way, as before, so its NDEF text records are still read.
    """
    sensb_res = target.sensb_res
    if sensb_res is None or len(sensb_res) < 12:
        return False
    return sensb_res[10] & 0x01 == 0 or bytes(sensb_res[1:5]) == ID_CARD_PUPI


class NfcCardReader:
    """A reader on ``usb``, ``tty:…`` or ``udp:host:port``; reports each card once per tap."""

    def __init__(
        self,
        path: str,
        *,
        name: str = "card",
        technologies: Sequence[str] = DEFAULT_TECHNOLOGIES,
        read_ndef: bool = True,
        read_resident_id: bool = True,
        interval: float = 0.1,
        exchange_timeout: float = 0.25,
        frontend_factory: Callable[[str], Any] = nfcpy_frontend,
    ) -> None:
        self.path = path
        self.name = name
        self.technologies = tuple(technologies)
        self.read_ndef = read_ndef
        self.read_resident_id = read_resident_id
        self.interval = interval
        # an ID card answers within its FWT (FWI 8: 77 ms); the margin covers USB and the
        # kiosk's load, and costs only a non-ID Type B card that stays silent this long
        self.exchange_timeout = exchange_timeout
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
        self._release()

    def _release(self) -> None:
        """Drop the frontend and close it, so its USB handle or udp socket is not left open."""
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
        if self.read_resident_id and _may_be_resident_id(target):
            return self._type_b_tap(target, uid)
        self._present = uid
        texts = self._ndef_texts(target) if self.read_ndef else ()
        log.info("%s: card %s (%s) presented", self.name, mask_id(uid), target.brty)
        return CardTap(uid=uid, technology=str(target.brty), ndef_texts=texts)

    # --- resident ID cards ---------------------------------------------------------------

    def _type_b_tap(self, target: Any, pupi: bytes) -> CardTap | None:
        """A Type B card that may be an ID card: its chip number, else its PUPI as before.

        A card with the ID card's all-zero PUPI that gives no chip number is refused: its
        PUPI would make every such card the same card number. Another card (one that refuses
        GET UID with a status word such as ``6D00``, or stays silent) keeps its PUPI as its
        number, as before ID cards were read.
        """
        import nfc.clf

        try:
            chip, why = self._chip_number(pupi)
        except nfc.clf.CommunicationError as error:
            chip, why = None, f"no answer ({type(error).__name__})"
            if pupi == ID_CARD_PUPI:
                # moving through the edge of the field: the next poll tries again
                log.debug("%s: resident ID card read failed: %s", self.name, why)
                return None
        except OSError as error:
            self._gone(error)
        # every ID card's PUPI is zero: one card swapped for another without the field
        # going empty for one poll (a tenth of a second) would go unseen
        self._present = pupi
        if chip is not None:
            log.info("%s: resident ID card %s presented", self.name, mask_id(chip))
            return CardTap(uid=chip, technology=str(target.brty), resident_id=True)
        if pupi == ID_CARD_PUPI:
            log.info(
                "%s: a Type B card with the ID card's PUPI 00000000 gave no chip number (%s); "
                "refused, it would read as one number for every such card",
                self.name,
                why,
            )
            return None
        log.info(
            "%s: card %s (%s) presented; not a resident ID card (%s), its PUPI is the number",
            self.name,
            mask_id(pupi),
            target.brty,
            why,
        )
        return CardTap(uid=pupi, technology=str(target.brty))

    def _chip_number(self, pupi: bytes) -> tuple[bytes | None, str]:
        """ATTRIB, then GET UID: the chip number, or None and why the card gave none."""
        attrib_res = self._clf.exchange(b"\x1d" + pupi + ATTRIB_PARAMS, self.exchange_timeout)
        if not attrib_res or attrib_res[0] & 0x0F != ATTRIB_CID:
            return None, "no ATTRIB answer for CID 8"
        answer = bytes(self._clf.exchange(GET_UID, self.exchange_timeout) or b"")
        if len(answer) == 10 and answer[8:] == STATUS_OK:
            return answer[:8], ""
        if len(answer) >= 2:
            return None, f"GET UID answered {len(answer) - 2} bytes, status {answer[-2:].hex()}"
        return None, f"GET UID answered {len(answer)} bytes"

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
        self._release()
        if error.errno in (errno.ENODEV, errno.EIO, errno.ENOENT):
            raise DeviceGone(f"NFC reader at {self.path} went away") from error
        raise DeviceError(f"NFC reader at {self.path} failed: {error}") from error
