"""The one place the UI imports Qt from, so a Qt upgrade or binding change touches one file."""

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot


def running_app() -> QtWidgets.QApplication:
    """The QApplication this process runs: one exists before any kiosk widget or timer."""
    app = QtWidgets.QApplication.instance()
    if not isinstance(app, QtWidgets.QApplication):
        raise RuntimeError("no QApplication: create one before the kiosk's widgets")
    return app


__all__ = [
    "QObject",
    "QThread",
    "QTimer",
    "Qt",
    "QtCore",
    "QtGui",
    "QtSvg",
    "QtWidgets",
    "Signal",
    "Slot",
    "running_app",
]
