"""ISO/IEC 15962 compaction schemes used by ISO 28560-2, plus the ISIL's own 5/4-bit alphabet.

Each scheme packs text into fewer bytes: integer and numeric (BCD) for digits, 5-, 6- and
7-bit codes for restricted ASCII, octet strings (ISO 8859-1) and UTF-8 for everything else.
Padding follows ISO/IEC 15962: 5-bit pads with 0 bits, 6-bit with ``100000`` cut short,
7-bit and the ISIL alphabet with 1 bits, numeric with a final 0xF nibble.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import IntEnum

from kiosk.tags.errors import TagDecodeError, TagEncodeError


class Compaction(IntEnum):
    """The 3-bit compaction code in an ISO 15962 precursor."""

    APPLICATION = 0  # application defined; ISO 28560-2 uses it for the ISIL alphabet
    INTEGER = 1
    NUMERIC = 2
    FIVE_BIT = 3
    SIX_BIT = 4
    SEVEN_BIT = 5
    OCTET = 6
    UTF8 = 7


# --- bit packing -------------------------------------------------------------------------


def _pack(codes: Iterable[tuple[int, int]], pad: Callable[[int], int]) -> bytes:
    """Pack (value, width) codes MSB first; ``pad(n)`` gives the n bits that fill the end."""
    acc = 0
    nbits = 0
    for value, width in codes:
        acc = (acc << width) | value
        nbits += width
    spare = -nbits % 8
    if spare:
        acc = (acc << spare) | pad(spare)
        nbits += spare
    return acc.to_bytes(nbits // 8, "big") if nbits else b""


class _Bits:
    """Reads an MSB-first bit string in codes of varying width."""

    def __init__(self, data: bytes) -> None:
        self.value = int.from_bytes(data, "big")
        self.left = len(data) * 8

    def take(self, width: int) -> int:
        self.left -= width
        return (self.value >> self.left) & ((1 << width) - 1)

    def rest_is_ones(self) -> bool:
        return self.value & ((1 << self.left) - 1) == (1 << self.left) - 1


def _ones(n: int) -> int:
    return (1 << n) - 1


# --- integer and numeric -----------------------------------------------------------------


def integer_compact(text: str) -> bytes:
    """Decimal digits without leading zeros as a big-endian unsigned integer."""
    if not text.isascii() or not text.isdigit() or text != str(int(text)):
        raise TagEncodeError(f"integer compaction needs digits without leading zeros, not {text!r}")
    value = int(text)
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def integer_expand(data: bytes) -> str:
    if not data:
        raise TagDecodeError("an integer-compacted element has no data bytes")
    return str(int.from_bytes(data, "big"))


def numeric_compact(text: str) -> bytes:
    """Two digits per byte (BCD), keeping leading zeros; an odd count ends with nibble 0xF."""
    if not text or not text.isascii() or not text.isdigit():
        raise TagEncodeError(f"numeric compaction needs decimal digits, not {text!r}")
    nibbles = [int(c) for c in text]
    if len(nibbles) % 2:
        nibbles.append(0xF)
    return bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def numeric_expand(data: bytes) -> str:
    if not data:
        raise TagDecodeError("a numeric-compacted element has no data bytes")
    nibbles = [n for b in data for n in (b >> 4, b & 0xF)]
    if nibbles[-1] == 0xF:
        nibbles.pop()
    if any(n > 9 for n in nibbles):
        raise TagDecodeError(
            f"numeric-compacted data {data.hex()} holds a nibble that is not a digit"
        )
    return "".join(str(n) for n in nibbles)


# --- 5-, 6- and 7-bit codes --------------------------------------------------------------


def five_bit_compact(text: str) -> bytes:
    """Upper-case letters and [ \\ ] ^ _ (0x41-0x5F), five bits each."""
    if not text or any(not 0x41 <= ord(c) <= 0x5F for c in text):
        raise TagEncodeError(f"5-bit compaction takes only A-Z [ \\ ] ^ _, not {text!r}")
    return _pack(((ord(c) & 0x1F, 5) for c in text), lambda n: 0)


def five_bit_expand(data: bytes) -> str:
    bits = _Bits(data)
    out = []
    while bits.left >= 5:
        code = bits.take(5)
        if code == 0:  # zero bits are padding
            break
        out.append(chr(0x40 | code))
    return "".join(out)


def six_bit_compact(text: str) -> bytes:
    """Space to underscore (0x20-0x5F), six bits each; no trailing space (it reads as padding)."""
    if not text or any(not 0x20 <= ord(c) <= 0x5F for c in text) or text.endswith(" "):
        raise TagEncodeError(
            f"6-bit compaction takes only characters 0x20-0x5F without a trailing space, "
            f"not {text!r}"
        )
    return _pack(((ord(c) & 0x3F, 6) for c in text), lambda n: 1 << (n - 1))


def six_bit_expand(data: bytes) -> str:
    bits = _Bits(data)
    out = []
    while bits.left >= 6:
        code = bits.take(6)
        if code == 0x20 and bits.left == 0:  # a whole ``100000`` pad group
            break
        out.append(chr(code if code & 0x20 else code | 0x40))
    return "".join(out)


def seven_bit_compact(text: str) -> bytes:
    """ASCII 0x00-0x7E, seven bits each, padded with 1 bits."""
    if not text or any(ord(c) > 0x7E for c in text):
        raise TagEncodeError(f"7-bit compaction takes only ASCII up to 0x7E, not {text!r}")
    return _pack(((ord(c), 7) for c in text), _ones)


def seven_bit_expand(data: bytes) -> str:
    bits = _Bits(data)
    out = []
    while bits.left >= 7:
        code = bits.take(7)
        if code == 0x7F and bits.left == 0:  # a whole group of pad bits
            break
        out.append(chr(code))
    return "".join(out)


# --- octet string and UTF-8 --------------------------------------------------------------


def octet_compact(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise TagEncodeError(f"{text!r} is not ISO 8859-1 text; it needs UTF-8") from None


def octet_expand(data: bytes) -> str:
    return data.decode("latin-1")


def utf8_compact(text: str) -> bytes:
    return text.encode("utf-8")


def utf8_expand(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TagDecodeError(
            f"an element marked UTF-8 is not valid UTF-8 at data byte {exc.start}"
        ) from None


# --- the ISIL alphabet (ISO 28560-2 annex) -----------------------------------------------

# Three sets: upper case and lower case letters take 5 bits, digits 4 bits. A latch switches
# set until the next latch; a shift switches for one character. Decoding starts in upper case.
_UPPER, _LOWER, _DIGIT = "U", "L", "D"
_WIDTH = {_UPPER: 5, _LOWER: 5, _DIGIT: 4}
_LATCH = {
    (_UPPER, _LOWER): 28, (_LOWER, _UPPER): 28, (_UPPER, _DIGIT): 30, (_LOWER, _DIGIT): 30,
    (_DIGIT, _UPPER): 12, (_DIGIT, _LOWER): 14,
}  # fmt: skip
_SHIFT = {
    (_UPPER, _LOWER): 29, (_LOWER, _UPPER): 29, (_UPPER, _DIGIT): 31, (_LOWER, _DIGIT): 31,
    (_DIGIT, _UPPER): 13, (_DIGIT, _LOWER): 15,
}  # fmt: skip
_SWITCH = {(mode, code): (target, False) for (mode, target), code in _LATCH.items()} | {
    (mode, code): (target, True) for (mode, target), code in _SHIFT.items()
}


def _isil_sets(ch: str) -> str:
    if ch == "-":
        return _UPPER + _LOWER + _DIGIT
    if ch == ":":
        return _UPPER + _DIGIT
    if ch == "/" or "a" <= ch <= "z":
        return _LOWER
    if "A" <= ch <= "Z":
        return _UPPER
    if "0" <= ch <= "9":
        return _DIGIT
    return ""


def _isil_code(mode: str, ch: str) -> int:
    if mode == _DIGIT:
        return "0123456789-:".index(ch)
    if ch == "-":
        return 0
    if ch in ":/":
        return 27
    return ord(ch.lower()) - ord("a") + 1


def _isil_char(mode: str, code: int) -> str | None:
    if mode == _DIGIT:
        return "0123456789-:"[code] if code < 12 else None
    if code == 0:
        return "-"
    if code == 27:
        return ":" if mode == _UPPER else "/"
    if code <= 26:
        return chr((ord("A") if mode == _UPPER else ord("a")) + code - 1)
    return None


def isil_compact(text: str) -> bytes:
    """ISIL characters (A-Z a-z 0-9 - : /) in the latch-and-shift alphabet, padded with 1s."""
    if not text or any(not _isil_sets(c) for c in text):
        raise TagEncodeError(f"the ISIL alphabet takes only A-Z a-z 0-9 - : /, not {text!r}")
    codes: list[tuple[int, int]] = []
    mode = _UPPER
    for i, ch in enumerate(text):
        sets = _isil_sets(ch)
        if mode in sets:
            codes.append((_isil_code(mode, ch), _WIDTH[mode]))
            continue
        following = _isil_sets(text[i + 1]) if i + 1 < len(text) else ""
        target = next((s for s in sets if s in following), sets[0])
        if target in following:  # the next character wants the same set: latch
            codes.append((_LATCH[mode, target], _WIDTH[mode]))
            mode = target
            codes.append((_isil_code(mode, ch), _WIDTH[mode]))
        else:
            codes.append((_SHIFT[mode, target], _WIDTH[mode]))
            codes.append((_isil_code(target, ch), _WIDTH[target]))
    return _pack(codes, _ones)


def isil_expand(data: bytes) -> str:
    bits = _Bits(data)
    out = []
    mode = _UPPER
    shifted_from: str | None = None
    while bits.left >= _WIDTH[mode]:
        if bits.left < 8 and bits.rest_is_ones():
            break  # padding
        code = bits.take(_WIDTH[mode])
        switch = _SWITCH.get((mode, code))
        if switch:
            if shifted_from is not None:
                raise TagDecodeError(
                    f"ISIL-compacted data {data.hex()} shifts twice in a row; it is corrupt"
                )
            target, is_shift = switch
            shifted_from = mode if is_shift else None
            mode = target
            continue
        ch = _isil_char(mode, code)
        if ch is None:  # pragma: no cover - every code is either a switch or a character
            raise TagDecodeError(f"ISIL-compacted data {data.hex()} holds an unknown code")
        out.append(ch)
        if shifted_from is not None:
            mode, shifted_from = shifted_from, None
    return "".join(out)


# --- choosing and dispatching ------------------------------------------------------------

_COMPACT: dict[Compaction, Callable[[str], bytes]] = {
    Compaction.INTEGER: integer_compact,
    Compaction.NUMERIC: numeric_compact,
    Compaction.FIVE_BIT: five_bit_compact,
    Compaction.SIX_BIT: six_bit_compact,
    Compaction.SEVEN_BIT: seven_bit_compact,
    Compaction.OCTET: octet_compact,
    Compaction.UTF8: utf8_compact,
}
_EXPAND: dict[Compaction, Callable[[bytes], str]] = {
    Compaction.INTEGER: integer_expand,
    Compaction.NUMERIC: numeric_expand,
    Compaction.FIVE_BIT: five_bit_expand,
    Compaction.SIX_BIT: six_bit_expand,
    Compaction.SEVEN_BIT: seven_bit_expand,
    Compaction.OCTET: octet_expand,
    Compaction.UTF8: utf8_expand,
}


def compact(text: str, scheme: Compaction) -> bytes:
    """Text -> bytes in ``scheme``; APPLICATION means the ISIL alphabet here."""
    if scheme == Compaction.APPLICATION:
        return isil_compact(text)
    return _COMPACT[Compaction(scheme)](text)


def expand(data: bytes, scheme: Compaction) -> str:
    """Bytes in ``scheme`` -> text; APPLICATION means the ISIL alphabet here."""
    if scheme == Compaction.APPLICATION:
        return isil_expand(data)
    return _EXPAND[Compaction(scheme)](data)


def best_compaction(text: str) -> tuple[Compaction, bytes]:
    """The scheme giving the fewest bytes (ties go to the lower code), as ISO 15962 asks."""
    if not text:
        raise TagEncodeError("an element cannot be empty")
    best: tuple[Compaction, bytes] | None = None
    for scheme, function in _COMPACT.items():
        try:
            data = function(text)
        except TagEncodeError:
            continue
        if best is None or len(data) < len(best[1]):
            best = (scheme, data)
    assert best is not None  # UTF-8 takes any text
    return best
