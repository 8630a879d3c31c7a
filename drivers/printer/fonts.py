"""Finding a CJK font for receipts (Noto Sans CJK from Debian's fonts-noto-cjk)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.ports import PrinterError

# Where Debian, Fedora and Arch put Noto Sans CJK; fc-match is asked when none is there.
KNOWN_REGULAR = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
FAMILY = "Noto Sans CJK SC"  # the simplified-Chinese face: glyph shapes readers here expect
PROBE = "书房借还"


class FontMissing(PrinterError):
    """No font that can draw Chinese: receipts would print boxes instead of titles."""

    code = "font_missing"


@dataclass(frozen=True, slots=True)
class FontFace:
    path: str
    index: int = 0  # face inside a .ttc collection

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.path, size, index=self.index)


@dataclass(frozen=True, slots=True)
class ReceiptFonts:
    regular: FontFace
    bold: FontFace


def find_receipt_fonts(configured: str | None = None) -> ReceiptFonts:
    """The regular and bold CJK faces; ``configured`` (a font file path) wins when given."""
    candidates = [configured] if configured else [*KNOWN_REGULAR, _fc_match(FAMILY)]
    for path in candidates:
        if path and Path(path).is_file():
            regular = _face(path)
            if regular is not None:
                bold_path = path.replace("-Regular", "-Bold")
                bold = _face(bold_path) if bold_path != path and Path(bold_path).is_file() else None
                return ReceiptFonts(regular, bold or regular)
        if configured:
            raise FontMissing(f"receipt font {configured} is missing or cannot draw Chinese")
    raise FontMissing(
        "no CJK font found for receipts: install the Debian package fonts-noto-cjk "
        "(or set the printer's font= option to a font file that covers Chinese)"
    )


def _fc_match(family: str) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None


def _face(path: str) -> FontFace | None:
    """The face in ``path`` that draws Chinese, preferring the simplified-Chinese one."""
    drawing: FontFace | None = None
    for index in range(16):
        try:
            font = ImageFont.truetype(path, 24, index=index)
        except OSError:
            break  # past the last face of a collection (or not a font at all)
        if not _draws_chinese(font):
            continue
        family, _style = font.getname()
        if family == FAMILY:
            return FontFace(path, index)
        drawing = drawing or FontFace(path, index)
    return drawing


def _draws_chinese(font: ImageFont.FreeTypeFont) -> bool:
    """A font without the glyphs draws each as the same 'missing' box; a CJK font does not.

    fc-match always answers with some font (DejaVu, say), so its answer must be checked.
    """
    missing = _glyph(font, "\U0010fffd")
    return all(_glyph(font, char) != missing for char in PROBE)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    canvas = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(canvas).text((4, 4), char, font=font, fill=255)
    return canvas.tobytes()
