"""A transport that damages chosen frames on the way out or in: checksum errors on demand."""

from __future__ import annotations

from sync.sip2.transport import Transport


def _damage(frame: bytes) -> bytes:
    """Change one byte of the payload so the checksum no longer adds up."""
    damaged = bytearray(frame)
    damaged[2] = ord("Z") if damaged[2] != ord("Z") else ord("Y")
    return bytes(damaged)


class DamagingTransport(Transport):
    def __init__(self, *args, damage_sends: int = 0, damage_receives: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.damage_sends = damage_sends
        self.damage_receives = damage_receives
        self.sent: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.sent.append(frame)
        if self.damage_sends and not frame.startswith(b"9"):
            self.damage_sends -= 1
            frame = _damage(frame)
        super().send(frame)

    def receive(self, timeout_s: float) -> bytes:
        frame = super().receive(timeout_s)
        if self.damage_receives and not frame.startswith(b"9"):
            self.damage_receives -= 1
            return _damage(frame)
        return frame
