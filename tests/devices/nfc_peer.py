"""A card for nfcpy's ``udp:`` device: a second ContactlessFrontend listening as a Type A card.

It answers anticollision with the UID given and, for a Type 2 Tag, serves READ commands from
a small memory image holding an NDEF message, so the driver's real nfcpy path is exercised.
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
