"""Bundled line icons (SVG), tinted to the theme's colours when loaded."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from ui.qt import QtCore, QtGui, QtSvg

HERE = Path(__file__).parent


@cache
def svg_text(name: str) -> str:
    return (HERE / f"{name}.svg").read_text(encoding="utf-8")


def tinted_file(name: str, colour: str) -> Path:
    """The icon as an SVG file in ``colour``, for style sheets (``image: url(...)`` takes a
    file, not an icon object); written once per colour into the user's cache."""
    folder = Path(tempfile.gettempdir()) / f"shufang-icons-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{name}-{colour.lstrip('#')}.svg"
    if not path.exists():
        path.write_text(svg_text(name).replace("currentColor", colour), encoding="utf-8")
    return path


def icon(name: str, colour: str, size: int = 64) -> QtGui.QIcon:
    """A crisp icon in ``colour``: the SVG's currentColor is replaced before rendering."""
    return QtGui.QIcon(pixmap(name, colour, size))


def pixmap(name: str, colour: str, size: int = 64) -> QtGui.QPixmap:
    data = svg_text(name).replace("currentColor", colour).encode()
    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(data))
    image = QtGui.QPixmap(size, size)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    renderer.render(painter)
    painter.end()
    return image
