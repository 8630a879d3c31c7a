"""Cutting a serial scanner's byte stream into scans: terminators, prefix/suffix and noise."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Terminator(StrEnum):
    """What ends one scan on the wire.

    ``both`` accepts CR, LF or CR LF (counted once), which suits a scanner whose suffix
    nobody wrote down; ``crlf`` insists on the pair.
    """

    CR = "cr"
    LF = "lf"
    CRLF = "crlf"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class FramingRules:
    terminator: Terminator = Terminator.CR
    prefix: str = ""  # stripped when present (scanners are often set to send an AIM id or STX)
    suffix: str = ""  # stripped when present, before the terminator
    encoding: str = "utf-8"
    max_length: int = 512  # longer than any barcode or QR e-card: a stuck stream, not a scan


@dataclass(frozen=True, slots=True)
class Noise:
    """Bytes that were dropped, with why; the driver logs the reason, never the bytes."""

    reason: str
    size: int


@dataclass
class ScanFramer:
    """Feeds on raw bytes, yields scan texts and noise; holds the unfinished tail between reads."""

    rules: FramingRules = field(default_factory=FramingRules)
    _buffer: bytearray = field(default_factory=bytearray)
    _after_cr: bool = False
    _overflowed: int = 0  # bytes thrown away since the line got too long

    def feed(self, chunk: bytes) -> list[str | Noise]:
        out: list[str | Noise] = []
        for byte in chunk:
            ended = self._ends_scan(byte)
            if ended is None:
                continue
            if ended:
                if self._overflowed:
                    # the tail of an over-long line is junk too, not a scan of its own
                    out.append(Noise("over-long line without terminator", self._overflowed))
                    self._overflowed = 0
                    self._buffer.clear()
                else:
                    out.extend(self._finish())
            elif self._overflowed or len(self._buffer) >= self.rules.max_length:
                self._overflowed = (self._overflowed or len(self._buffer)) + 1
                self._buffer.clear()
            else:
                self._buffer.append(byte)
        return out

    def reset(self) -> Noise | None:
        """Drop an unfinished scan (after a timeout or reconnect); say how much was lost."""
        size = len(self._buffer) + self._overflowed
        self._buffer.clear()
        self._after_cr = False
        self._overflowed = 0
        return Noise("unterminated scan discarded", size) if size else None

    def _ends_scan(self, byte: int) -> bool | None:
        """True at a terminator, False for a data byte, None for a byte to ignore."""
        terminator = self.rules.terminator
        after_cr, self._after_cr = self._after_cr, byte == 0x0D
        if terminator is Terminator.CR:
            return byte == 0x0D or (False if byte != 0x0A else None)
        if terminator is Terminator.LF:
            return byte == 0x0A or (False if byte != 0x0D else None)
        if terminator is Terminator.CRLF:
            if byte == 0x0D:
                return None
            if byte == 0x0A:
                return True if after_cr else None
            if after_cr:  # a lone CR inside a scan is kept as data, like any other byte
                self._buffer.append(0x0D)
            return False
        # BOTH: LF right after CR closes nothing new
        if byte == 0x0A and after_cr:
            return None
        return byte in (0x0D, 0x0A)

    def _finish(self) -> list[str | Noise]:
        raw = bytes(self._buffer)
        self._buffer.clear()
        if not raw:
            return []
        try:
            text = raw.decode(self.rules.encoding)
        except UnicodeDecodeError:
            return [Noise(f"not {self.rules.encoding} text", len(raw))]
        text = text.strip("\x00")
        if self.rules.prefix and text.startswith(self.rules.prefix):
            text = text[len(self.rules.prefix) :]
        if self.rules.suffix and text.endswith(self.rules.suffix):
            text = text[: -len(self.rules.suffix)]
        # STX/ETX framing and stray NULs from line noise are not part of any barcode
        text = text.strip("\x02\x03\x00 \t")
        if not text:
            return [Noise("empty scan", len(raw))]
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
            return [Noise("control characters in scan", len(raw))]
        return [text]
