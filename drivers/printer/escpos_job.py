"""The bytes of one receipt print job: initialise, the bitmap as GS v 0 rasters, cut."""

from __future__ import annotations

import contextlib
import io

from escpos.printer import Dummy
from PIL import Image

# Taller images go out in bands: printers buffer a limited number of raster lines.
BAND_HEIGHT = 256


def receipt_job(image: Image.Image, profile: str) -> bytes:
    """ESC/POS bytes that print ``image`` and cut; same input, same bytes (golden-testable)."""
    printer = Dummy(profile=profile)
    # python-escpos prints advice to stdout for some profiles; a kiosk has no one to read it
    with contextlib.redirect_stdout(io.StringIO()):
        printer.hw("INIT")
        printer.image(image, impl="bitImageRaster", fragment_height=BAND_HEIGHT)
        printer.cut()
    job: bytes = printer.output  # python-escpos ships no types
    printer.close()
    return job


def profile_width(profile: str) -> int:
    """Printable dots per line for a python-escpos profile (576 on 80 mm paper)."""
    printer = Dummy(profile=profile)
    pixels = printer.profile.profile_data["media"]["width"]["pixels"]
    if not isinstance(pixels, int):
        raise ValueError(f"printer profile {profile!r} does not say its paper width; pick another")
    return pixels
