"""Drawing a receipt as a 1-bit bitmap, so Chinese prints on any ESC/POS printer.

Printers' own Chinese fonts differ by model and code page (GB18030 firmware is not universal);
a raster image looks the same everywhere and lets the kiosk choose large, readable type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from drivers.printer.fonts import ReceiptFonts
from drivers.printer.wording import ReceiptWords, words_for
from kiosk.ports import Receipt, ReceiptLine

MARGIN = 12
MAX_HEIGHT = 20000  # far beyond any real receipt; a guard against a runaway list
TITLE_LINES = 3
# Han, kana, Hangul and full-width forms may break anywhere; Latin words stay whole.
_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|\s+|[^\s\u2e80-\u9fff]+"
)


@dataclass(frozen=True, slots=True)
class ReceiptStyle:
    width: int = 576  # dots: 80 mm paper at 203 dpi; 384 for 58 mm
    timezone: str = "Asia/Shanghai"
    heading_size: int = 34
    title_size: int = 28
    body_size: int = 24
    small_size: int = 22


class _Sheet:
    """A tall white page with a cursor; cropped to what was drawn at the end."""

    def __init__(self, width: int, fonts: ReceiptFonts) -> None:
        self.width = width
        self.image = Image.new("L", (width, MAX_HEIGHT), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN
        self._fonts = fonts
        self._cache: dict[tuple[bool, int], ImageFont.FreeTypeFont] = {}

    def font(self, size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        key = (bold, size)
        if key not in self._cache:
            face = self._fonts.bold if bold else self._fonts.regular
            self._cache[key] = face.load(size)
        return self._cache[key]

    def text(
        self,
        text: str,
        size: int,
        *,
        bold: bool = False,
        indent: int = 0,
        center: bool = False,
        max_lines: int = 0,
    ) -> None:
        font = self.font(size, bold=bold)
        room = self.width - 2 * MARGIN - indent
        lines = wrap(text, font, room)
        if max_lines and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = _ellipsize(lines[-1], font, room)
        step = round(size * 1.35)
        for line in lines:
            x = MARGIN + indent
            if center:
                x = (self.width - round(font.getlength(line))) // 2
            self.draw.text((x, self.y), line, font=font, fill=0)
            self.y += step

    def badge(self, text: str, size: int, *, indent: int = 0) -> None:
        """White on black: the mark a reader and a librarian must not miss."""
        font = self.font(size, bold=True)
        pad = 5
        left, top_ink, right, bottom_ink = font.getbbox(text)
        x = MARGIN + indent
        top = self.y + 2
        height = bottom_ink - top_ink + 2 * pad
        self.draw.rectangle((x, top, x + right - left + 2 * pad, top + height), fill=0)
        self.draw.text((x + pad - left, top + pad - top_ink), text, font=font, fill=255)
        self.y += round(height) + 10  # Pillow types bounding boxes as floats

    def rule(self, *, dashed: bool = False) -> None:
        self.y += 6
        if dashed:
            for x in range(MARGIN, self.width - MARGIN, 12):
                self.draw.line(
                    (x, self.y, min(x + 6, self.width - MARGIN), self.y), fill=0, width=2
                )
        else:
            self.draw.line((MARGIN, self.y, self.width - MARGIN, self.y), fill=0, width=3)
        self.y += 12

    def space(self, dots: int) -> None:
        self.y += dots

    def finish(self) -> Image.Image:
        height = min(self.y + MARGIN, MAX_HEIGHT)
        page = self.image.crop((0, 0, self.width, height))
        # a hard threshold, not dithering: crisp strokes survive thermal printing best
        return page.point(lambda value: 255 if value >= 128 else 0, mode="1")


def wrap(text: str, font: ImageFont.FreeTypeFont, room: int) -> list[str]:
    """Greedy line breaking that measures with the font; CJK breaks between any characters."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        candidate = line + token
        if font.getlength(candidate) <= room:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if token.isspace() else token
        while font.getlength(line) > room:  # a single word wider than the paper
            cut = len(line)
            while cut > 1 and font.getlength(line[:cut]) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _ellipsize(line: str, font: ImageFont.FreeTypeFont, room: int) -> str:
    while line and font.getlength(line + "…") > room:
        line = line[:-1]
    return line + "…"


def render_receipt(
    receipt: Receipt, fonts: ReceiptFonts, style: ReceiptStyle | None = None
) -> Image.Image:
    """The receipt as a 1-bit image ``style.width`` dots wide, ready for a raster print."""
    style = style or ReceiptStyle()
    words = words_for(receipt.language)
    zone = ZoneInfo(style.timezone)
    sheet = _Sheet(style.width, fonts)

    sheet.text(receipt.branch_name, style.heading_size, bold=True, center=True)
    sheet.text(words.title(receipt.kind), style.title_size, bold=True, center=True)
    sheet.rule()
    sheet.text(f"{words.kiosk}: {receipt.kiosk_id}", style.small_size)
    local = receipt.at.astimezone(zone)
    sheet.text(f"{words.time}: {local:%Y-%m-%d %H:%M}", style.small_size)
    if receipt.patron_initials:
        sheet.text(f"{words.patron}: {receipt.patron_initials}", style.small_size)
    sheet.rule()

    number_font = sheet.font(style.body_size, bold=True)
    indent = round(number_font.getlength(f"{len(receipt.lines)}.")) + style.body_size // 3
    for number, line in enumerate(receipt.lines, start=1):
        if number > 1:
            sheet.rule(dashed=True)
        _item(sheet, number, line, words, style, zone, indent)

    sheet.rule()
    done = sum(1 for line in receipt.lines if line.outcome == "ok")
    sheet.text(words.total.format(count=done), style.body_size, bold=True)
    if any(line.offline for line in receipt.lines):
        sheet.text(words.offline_note, style.small_size)
    sheet.space(8)
    sheet.text(words.footer, style.small_size, center=True)
    sheet.space(24)
    return sheet.finish()


def _item(
    sheet: _Sheet,
    number: int,
    line: ReceiptLine,
    words: ReceiptWords,
    style: ReceiptStyle,
    zone: ZoneInfo,
    indent: int,
) -> None:
    font = sheet.font(style.body_size, bold=True)
    sheet.draw.text((MARGIN, sheet.y), f"{number}.", font=font, fill=0)
    sheet.text(line.title, style.body_size, bold=True, indent=indent, max_lines=TITLE_LINES)
    sheet.text(f"{words.barcode}: {line.pii}", style.small_size, indent=indent)
    if line.outcome != "ok":
        sheet.text(
            f"{words.not_done}: {words.outcome(line.outcome)}",
            style.body_size,
            bold=True,
            indent=indent,
        )
    elif line.due_at is not None:
        due = line.due_at.astimezone(zone)
        sheet.text(f"{words.due}: {due:%Y-%m-%d}", style.body_size, bold=True, indent=indent)
    if line.offline:
        sheet.badge(words.offline_mark, style.small_size, indent=indent)
    if line.send_to_owner:
        sheet.text(f"→ {words.send_to_owner}", style.small_size, indent=indent)
    if line.send_to_room:
        room = words.send_to_room.format(room=line.send_to_room)
        sheet.text(f"→ {room}", style.small_size, indent=indent)
    for note in line.notes:
        sheet.text(note, style.small_size, indent=indent)
