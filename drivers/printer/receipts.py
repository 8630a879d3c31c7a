"""From a Receipt to a picture and a print job: shared by the real printer and the simulator."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from drivers.printer.escpos_job import profile_width, receipt_job
from drivers.printer.fonts import ReceiptFonts, find_receipt_fonts
from drivers.printer.layout import ReceiptStyle, render_receipt
from kiosk.ports import Receipt

DEFAULT_PROFILE = "TM-T20II"  # 80 mm, 576 dots; most 80 mm kiosk printers are its equals


@dataclass(frozen=True, slots=True)
class PrintJob:
    image: Image.Image
    escpos: bytes


class ReceiptRenderer:
    """Finds the font once, then renders receipts for one printer profile."""

    def __init__(
        self,
        *,
        profile: str = DEFAULT_PROFILE,
        timezone: str = "Asia/Shanghai",
        font_path: str | None = None,
    ) -> None:
        self.profile = profile
        self.style = ReceiptStyle(width=profile_width(profile), timezone=timezone)
        self._font_path = font_path
        self._fonts: ReceiptFonts | None = None

    def job(self, receipt: Receipt) -> PrintJob:
        if self._fonts is None:
            self._fonts = find_receipt_fonts(self._font_path)
        image = render_receipt(receipt, self._fonts, self.style)
        return PrintJob(image, receipt_job(image, self.profile))
