"""Fitting the kiosk's layout to the screen it runs on.

The screens are drawn for 1080×1920 (portrait) or 1920×1080 (landscape) pixels, with type
and touch targets sized for those. A kiosk with a 1280×720 or 1366×768 panel would cut the
home tiles off, so ``ui.scale`` shrinks everything evenly through Qt's own scale factor
(``QT_SCALE_FACTOR``, read once when the application is built); at start-up the kiosk logs
the value that fits when the layout does not.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SCALE_VARIABLE = "QT_SCALE_FACTOR"


def apply_scale(scale: float, environ: MutableMapping[str, str] = os.environ) -> None:
    """Before the QApplication exists. A QT_SCALE_FACTOR already set (by a technician
    testing, or a unit file) wins over the config."""
    if abs(scale - 1.0) > 1e-6 and SCALE_VARIABLE not in environ:
        environ[SCALE_VARIABLE] = f"{scale:g}"


def fitting_scale(
    needed: tuple[int, int], screen: tuple[int, int], current: float = 1.0
) -> float | None:
    """The ``ui.scale`` at which a layout needing ``needed`` logical pixels fits a screen of
    ``screen`` logical pixels (both measured at ``current``); ``None`` when it fits now."""
    width, height = needed
    screen_width, screen_height = screen
    if width <= screen_width and height <= screen_height:
        return None
    ratio = min(screen_width / width, screen_height / height)
    return int(current * ratio * 100) / 100  # rounded down: 0.666 → 0.66, never too big
