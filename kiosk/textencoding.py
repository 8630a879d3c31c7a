"""Reading the text files libraries hand us: UTF-8 (with or without a BOM), or GB18030.

A catalog or patron list exported on a Chinese Windows PC is usually GBK (Excel's "CSV" on a
zh-CN system), sometimes UTF-8 with a BOM ("CSV UTF-8"), rarely UTF-16 ("Unicode text").
GB18030 is a superset of GBK and GB2312, so one decoder reads all three. Nothing is ever
replaced silently: a file that is none of these is refused with the line and byte where it
stops making sense, because a title with a wrong character would go onto receipts and
screens.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

#: Excel's xlsx (and any zip) starts with these bytes; people rename them to .csv.
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    #: What the file was read as, for the operator: "UTF-8", "UTF-8 with BOM", "GB18030", ….
    encoding: str


class UnreadableText(ValueError):
    """The file is not text in an encoding we read; ``line`` (1-based) is where, for the
    caller to put before the message as ``FILE:LINE:``."""

    def __init__(self, message: str, line: int, byte: int) -> None:
        super().__init__(message)
        self.line = line
        self.byte = byte


def decode_text(data: bytes) -> DecodedText:
    """The text of ``data``, or :class:`UnreadableText` saying where it is not readable."""
    if data.startswith(_ZIP_MAGIC):
        raise UnreadableText(
            "this is a spreadsheet or zip file (xlsx?), not CSV text: save it as CSV first", 1, 0
        )
    for bom, codec, name in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (LE)"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (BE)"),
    ):
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return DecodedText(_no_nul(body.decode(codec), data), name)
            except UnicodeDecodeError as error:
                raise _unreadable(data, len(bom) + error.start, name) from None
    if b"\x00" in data:
        position = data.index(b"\x00")
        raise UnreadableText(
            f"a NUL byte at byte {position}: this is not a text file",
            _line_of(data, position),
            position,
        )
    try:
        return DecodedText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        return DecodedText(data.decode("gb18030"), "GB18030")
    except UnicodeDecodeError:
        raise _unreadable(data, first_bad, "either UTF-8 or GB18030 (GBK, GB2312)") from None


def _no_nul(text: str, data: bytes) -> str:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise UnreadableText("a NUL character: this is not a text file", line, 0)
    return text


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _unreadable(data: bytes, position: int, tried: str) -> UnreadableText:
    line = _line_of(data, position)
    sample = data[position : position + 4].hex(" ")
    return UnreadableText(
        f"byte {position} ({sample}) cannot be read as {tried}; "
        "save the file as UTF-8 or GB18030/GBK CSV",
        line,
        position,
    )
