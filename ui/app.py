"""Starts the touch UI: the Qt application, the controller and the window, from a config."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.barcodes import BarcodeRules
from kiosk.config import Config
from kiosk.core import Core, open_core
from kiosk.covers import cache_folder_for
from kiosk.policy import WEEKDAYS
from kiosk.ports import ReceiptPrinter
from ui.controller import KioskController, TagSecurity
from ui.devices import DeviceEvents
from ui.qt import QtWidgets
from ui.sounds import Sounds
from ui.voice import voice_from


def application() -> QtWidgets.QApplication:
    existing = QtWidgets.QApplication.instance()
    app = (
        existing
        if isinstance(existing, QtWidgets.QApplication)
        else QtWidgets.QApplication(sys.argv[:1])
    )
    app.setApplicationName("Shufang")
    return app


def hours_today(config: Config) -> str:
    tz = ZoneInfo(config["kiosk.timezone"])
    spec = config["policy.hours"].get(WEEKDAYS[datetime.now(tz).weekday()], "closed")
    return "" if spec == "closed" else spec.replace(",", " · ")


def build_controller(
    config: Config,
    *,
    core_factory: Callable[[], Core] | None = None,
    security: TagSecurity | None = None,
    printer: ReceiptPrinter | None = None,
    events: DeviceEvents | None = None,
    **options: Any,
) -> KioskController:
    """The controller with everything the config says about the screen; ``options`` (a
    test's short timers, a bench's silent voice) replace what the config would give."""
    application()
    tz = ZoneInfo(config["kiosk.timezone"])
    settings: dict[str, Any] = {
        "branch_name": config["kiosk.branch_name"],
        "tz": tz,
        "language": config["kiosk.language"],
        "idle_timeout_s": config["ui.idle_timeout_s"],
        "idle_countdown_s": config["ui.idle_countdown_s"],
        "elderly_idle_timeout_s": config["ui.elderly_idle_timeout_s"],
        "elderly_idle_countdown_s": config["ui.elderly_idle_countdown_s"],
        "help_phone": config["kiosk.help_phone"],
        "help_url": config["kiosk.help_url"],
        "receipt_qr": config["ui.receipt_qr"],
        "receipt_qr_link": config["ui.receipt_qr_link"],
        "kiosk_model": config["ui.kiosk_model"],
        "hours_today": hours_today(config),
        "kiosk_id": config["kiosk.id"],
        "barcode_rules": BarcodeRules(
            item=config["barcodes.item_pattern"], patron_card=config["barcodes.patron_card_pattern"]
        ),
    }
    settings.update(options)
    if "sounds" not in settings:
        settings["sounds"] = Sounds(config["ui.sounds"])
    if "voice" not in settings:
        settings["voice"] = voice_from(config, tz)
    controller = KioskController(
        core_factory or (lambda: open_core(config)),
        security=security,
        printer=printer,
        events=events,
        **settings,
    )
    controller.window.set_cover_folder(cache_folder_for(config["database.path"]))
    return controller


def size_for(orientation: str, screen: QtWidgets.QWidget | None = None) -> tuple[int, int]:
    return (1080, 1920) if orientation == "portrait" else (1920, 1080)
