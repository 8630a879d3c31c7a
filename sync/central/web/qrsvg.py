"""QR codes as inline SVG for printed pages (the transfer box labels): vector, so they print
sharp at any size from the browser, with no image files and no script."""

from __future__ import annotations

import qrcode
from markupsafe import Markup, escape


def qr_svg(text: str, title: str) -> Markup:
    """``text`` as a QR code (error correction M: a label survives a scuffed box corner),
    with the four-module quiet zone scanners need, one square path per dark module."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return Markup(
        f'<svg class="qr" viewBox="0 0 {size} {size}" role="img" aria-label="{escape(title)}"'
        ' shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
