"""Cards for nfcpy's ``udp:`` device: a second ContactlessFrontend listening as the card.

``CardPeer`` is a Type A card: it answers anticollision with the UID given and, for a Type 2
Tag, serves READ commands from a small memory image holding an NDEF message. ``TypeBPeer``
is a Type B card: nfcpy's udp driver listens as one (``listen_ttb`` answers SENSB_REQ with
the SENSB_RES given and hands over the next frame), and the peer answers the frames after
that the way a resident ID card or another Type B card does. Either way the driver's real
nfcpy path is exercised, with nfcpy's own udp frame format (``106B <hex>``) on the wire.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from typing import Any

import ndef
import nfc
import nfc.clf

SEL_RES_TYPE2 = 0x00
SEL_RES_MIFARE_CLASSIC = 0x08


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def type2_memory(texts: Sequence[str]) -> bytes:
    """Pages 0-3 (UID area, lock bytes, capability container) and an NDEF TLV from page 4."""
    message = b"".join(ndef.message_encoder([ndef.TextRecord(t, "en") for t in texts]))
    memory = bytearray(12) + bytes([0xE1, 0x10, 0x12, 0x00])
    memory += bytes([0x03, len(message)]) + message + b"\xfe"
    memory += bytes(-len(memory) % 16 + 64)
    return bytes(memory)


class CardPeer:
    """Runs in a thread until stopped; re-listens after each RF-off, as a real card would."""

    def __init__(
        self, port: int, uid: bytes, *, sel_res: int = SEL_RES_TYPE2, texts: Sequence[str] = ()
    ) -> None:
        self.port = port
        self.uid = uid
        self.sel_res = sel_res
        self.memory = type2_memory(texts)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nfc-card-peer", daemon=True)

    def __enter__(self) -> CardPeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        clf = nfc.ContactlessFrontend(f"udp:127.0.0.1:{self.port}")
        _keep_socket_bound(clf.device)
        target = nfc.clf.LocalTarget("106A")
        target.sens_res = bytes.fromhex("4400" if len(self.uid) == 7 else "0400")
        target.sdd_res = self.uid
        target.sel_res = bytes([self.sel_res])
        try:
            while not self._stop.is_set():
                try:
                    activated = clf.listen(target, 1.0)
                except nfc.clf.CommunicationError:
                    continue
                command = activated.tt2_cmd if activated else None
                while command is not None and not self._stop.is_set():
                    reply = None  # silence is how a Type 2 Tag refuses a command
                    if command[0] == 0x30:  # READ: 16 bytes from page command[1]
                        start = command[1] * 4
                        reply = self.memory[start : start + 16].ljust(16, b"\x00")
                    try:
                        command = clf.exchange(reply, 1.0)
                    except nfc.clf.CommunicationError:
                        command = None
        finally:
            if clf.device.socket is not None:
                clf.device.socket.close()
                clf.device.socket = None
            clf.close()


def _keep_socket_bound(device: Any) -> None:
    """Stop nfcpy's udp device from closing its socket between listen() calls.

    Its mute() closes the socket after every activation or timeout, and a datagram that the
    reader sends in that gap (the re-select during tag activation) is lost, which made the
    NDEF read flaky. A real card never drops out like that, so the peer stays bound.
    """
    bind = device._bind_socket

    def bind_once(time_to_return: float) -> bool:
        if device.socket is not None and device.socket.getsockname()[1] == device.addr[1]:
            return True
        return bind(time_to_return)

    device._bind_socket = bind_once
    device.mute = lambda: None


# --- Type B ------------------------------------------------------------------------------

#: A resident ID card's ATQB as public traces show it (a PN532 through libnfc,
#: cnblogs.com/pluse/p/17562053.html, and the note "Read UID of R.P.C China Identity
#: Card"): PUPI 00000000 on every card, application data D1 03 86 0C, protocol info
#: 00 80 80 (FSCI 8, protocol type 0 = not ISO 14443-4, FWI 8).
ID_CARD_SENSB_RES = bytes.fromhex("50 00000000 D103860C 008080")
#: A city card that is an ISO-DEP card (protocol type 1) with its own PUPI.
CITY_CARD_SENSB_RES = bytes.fromhex("50 3A5B7C9D 00000000 008181")
#: A Type B card that, like an ID card, does not speak ISO 14443-4, with its own PUPI.
MEMORY_CARD_SENSB_RES = bytes.fromhex("50 5C6D7E8F 00000000 008080")
#: ATTRIB as the traces send it to an ID card, and the card's one-byte answer (CID 8).
ID_CARD_ATTRIB = bytes.fromhex("1D 00000000 00080108")
ID_CARD_ATTRIB_RES = bytes.fromhex("08")
GET_UID = bytes.fromhex("0036000008")


class TypeBPeer:
    """A Type B card on nfcpy's udp device; ``frames`` records what the reader sent it.

    As an ID card (``chip`` given) it answers ATTRIB for its PUPI with ``08`` and the raw
    ``00 36 00 00 08`` with the chip number and ``90 00``. ``get_uid_reply`` replaces that
    answer (a status word alone is how a card that is no ID card refuses an instruction,
    ISO/IEC 7816-4: ``6D00`` instruction not supported, ``6E00`` class not supported);
    ``None`` there means silence, as an ISO-DEP card keeps for a frame without a block
    header; ``silent_get_uids`` first GET UIDs go unanswered, as when the card is still
    coming into the field.
    """

    def __init__(
        self,
        port: int,
        *,
        sensb_res: bytes = ID_CARD_SENSB_RES,
        chip: bytes | None = None,
        get_uid_reply: bytes | None = b"",
        silent_get_uids: int = 0,
    ) -> None:
        self.port = port
        self.silent_get_uids = silent_get_uids  # GET UIDs lost at the edge of the field
        self.sensb_res = sensb_res
        self.attrib = b"\x1d" + sensb_res[1:5] + ID_CARD_ATTRIB[5:]
        if chip is not None:
            get_uid_reply = chip + b"\x90\x00"
        self.get_uid_reply = get_uid_reply
        self.frames: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nfc-typeb-peer", daemon=True)

    def __enter__(self) -> TypeBPeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def answer(self, frame: bytes) -> bytes | None:
        """The card's answer to one frame after SENSB_RES; None is silence."""
        if frame[:1] == b"\x05" and len(frame) == 3:  # SENSB_REQ/ALLB_REQ again
            return self.sensb_res
        if frame == self.attrib:
            return ID_CARD_ATTRIB_RES
        if frame == GET_UID:
            if self.silent_get_uids > 0:
                self.silent_get_uids -= 1
                return None
            return self.get_uid_reply or None
        return None

    def _run(self) -> None:
        clf = nfc.ContactlessFrontend(f"udp:127.0.0.1:{self.port}")
        _keep_socket_bound(clf.device)
        target = nfc.clf.LocalTarget("106B")
        target.sensb_res = self.sensb_res
        try:
            while not self._stop.is_set():
                try:
                    activated = clf.listen(target, 1.0)
                except nfc.clf.CommunicationError:
                    continue
                frame = bytes(activated.tt4_cmd) if activated and activated.tt4_cmd else None
                while frame is not None and not self._stop.is_set():
                    self.frames.append(frame)
                    try:
                        frame = bytes(clf.exchange(self.answer(frame), 1.0))
                    except nfc.clf.CommunicationError:  # RF off (the next sense), or silence
                        frame = None
        finally:
            if clf.device.socket is not None:
                clf.device.socket.close()
                clf.device.socket = None
            clf.close()
