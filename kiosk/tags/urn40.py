"""URN Code 40, the alphabet of an ISO/TS 28560-4 UII (ISO/IEC 15459 / ISO 17367 Annex C).

A-Z, ``-``, ``.``, ``:`` and 0-9 go three to a 16-bit word (value = 1600*c1 + 40*c2 + c3 + 1,
code 0 padding); runs of 9 or more digits become a "long numeric string" (0xFB, a byte
holding digit count - 9 and byte count - 4, then the number); other characters are escaped:
0xFC + one ISO 646 byte, 0xFD + two UTF-8 bytes, 0xFE + three UTF-8 bytes. An odd byte count
ends with a 0x00 pad byte. :mod:`kiosk.tags.uhf` puts the result in the EPC bank.
"""

from __future__ import annotations

from kiosk.tags.errors import TagEncodeError
from kiosk.tags.isil import isil_problem

# URN Code 40: code 0 pads a word, 1-26 are A-Z, then - . : and the ten digits.
_URN40 = "\0ABCDEFGHIJKLMNOPQRSTUVWXYZ-.:0123456789"
_URN40_CODE = {ch: code for code, ch in enumerate(_URN40) if code}
_WORD_LIMIT = 0xFA  # a lead byte up to 0xFA starts a URN Code 40 word (40**3 = 0xFA00)
_LONG_NUMERIC, _ISO646, _UTF8_2, _UTF8_3 = 0xFB, 0xFC, 0xFD, 0xFE
#: A long numeric string holds 9 to 24 digits in 4 to 19 bytes.
_LNS_DIGITS = range(9, 25)


def uii_compact(text: str) -> bytes:
    """The UII text in URN Code 40 with long numeric strings and escapes, padded to words."""
    if not text:
        raise TagEncodeError("the UII is empty")
    out = bytearray()
    table: list[int] = []

    def flush() -> None:
        table.extend([0] * (-len(table) % 3))
        for i in range(0, len(table), 3):
            c1, c2, c3 = table[i : i + 3]
            out.extend((1600 * c1 + 40 * c2 + c3 + 1).to_bytes(2, "big"))
        table.clear()

    i = 0
    while i < len(text):
        run = _digit_run(text, i)
        if len(run) in _LNS_DIGITS and run[0] != "0":
            # leading zeros would be lost by decoders that do not pad to the digit count
            flush()
            number = int(run).to_bytes(max(4, (int(run).bit_length() + 7) // 8), "big")
            out += bytes([_LONG_NUMERIC, (len(run) - 9) << 4 | (len(number) - 4)]) + number
            i += len(run)
            continue
        for ch in run or text[i]:
            code = _URN40_CODE.get(ch)
            if code is not None:
                table.append(code)
                continue
            flush()
            raw = ch.encode("utf-8")
            if len(raw) == 1 and 0x20 <= raw[0] <= 0x7E:
                out += bytes([_ISO646]) + raw
            elif len(raw) == 2:
                out += bytes([_UTF8_2]) + raw
            elif len(raw) == 3:
                out += bytes([_UTF8_3]) + raw
            else:
                raise TagEncodeError(f"the UII cannot hold the character {ch!r}")
        i += len(run) or 1
    flush()
    if len(out) % 2:
        out.append(0)
    return bytes(out)


def _digit_run(text: str, start: int) -> str:
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return text[start:end]


def uii_expand(data: bytes, warnings: list[str]) -> str:
    """Read a UII leniently: damage becomes a warning and the text read so far is kept."""
    out: list[str] = []
    pos = 0
    while pos < len(data):
        lead = data[pos]
        if lead <= _WORD_LIMIT:
            if pos + 1 >= len(data):
                if lead:
                    warnings.append(f"UII byte {pos} (0x{lead:02X}) is half a word; ignored")
                break
            value = int.from_bytes(data[pos : pos + 2], "big")
            pos += 2
            if value == 0:
                continue  # a pad word
            value -= 1
            for code in (value // 1600, value // 40 % 40, value % 40):
                if code >= len(_URN40):
                    warnings.append(f"UII word at byte {pos - 2} holds code {code}, not URN 40")
                    out.append("?")
                elif code:
                    out.append(_URN40[code])
        elif lead == _LONG_NUMERIC:
            if pos + 2 > len(data):
                warnings.append(f"the long numeric string at UII byte {pos} is cut short")
                break
            digits, size = (data[pos + 1] >> 4) + 9, (data[pos + 1] & 0xF) + 4
            number = data[pos + 2 : pos + 2 + size]
            if len(number) < size:
                warnings.append(
                    f"the long numeric string at UII byte {pos} needs {size} bytes, "
                    f"{len(number)} remain; read what is there"
                )
            text = str(int.from_bytes(number, "big")) if number else ""
            if len(text) > digits:
                warnings.append(
                    f"the long numeric string at UII byte {pos} says {digits} digits "
                    f"but holds {len(text)}"
                )
            out.append(text.zfill(digits) if number else "")
            pos += 2 + size
        else:
            width = {_ISO646: 1, _UTF8_2: 2, _UTF8_3: 3}.get(lead)
            if width is None:
                warnings.append(f"UII byte {pos} is 0x{lead:02X}, which URN Code 40 leaves unused")
                pos += 1
                continue
            raw = data[pos + 1 : pos + 1 + width]
            pos += 1 + width
            if len(raw) < width:
                warnings.append(f"the escaped character at UII byte {pos - 1 - width} is cut short")
                break
            try:
                out.append(raw.decode("ascii" if width == 1 else "utf-8"))
            except UnicodeDecodeError:
                warnings.append(f"escaped UII bytes {raw.hex()} are not a character")
                out.append("?")
    return "".join(out)


def split_uii(text: str) -> tuple[str | None, str]:
    """(owner ISIL, PII) of a UII: "CN-110000-1.12345678" -> ("CN-110000-1", "12345678")."""
    owner, dot, pii = text.partition(".")
    if dot and pii and isil_problem(owner) is None:
        return owner, pii
    return None, text
