"""Starts the touch UI: the Qt application, the controller and the window, from a config."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.config import Config
from kiosk.core import Core, open_core
from kiosk.covers import cache_folder_for
from kiosk.policy import WEEKDAYS
from ui.controller import KioskController, TagSecurity
from ui.qt import QtWidgets


def application() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
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
    printer=None,
    **options,
) -> KioskController:
    application()
    controller = KioskController(
        core_factory or (lambda: open_core(config)),
        branch_name=config["kiosk.branch_name"],
        tz=ZoneInfo(config["kiosk.timezone"]),
        language=config["kiosk.language"],
        idle_timeout_s=config["ui.idle_timeout_s"],
        idle_countdown_s=config["ui.idle_countdown_s"],
        elderly_idle_timeout_s=config["ui.elderly_idle_timeout_s"],
        elderly_idle_countdown_s=config["ui.elderly_idle_countdown_s"],
        help_phone=config["kiosk.help_phone"],
        help_url=config["kiosk.help_url"],
        receipt_qr=config["ui.receipt_qr"],
        receipt_qr_link=config["ui.receipt_qr_link"],
        hours_today=hours_today(config),
        kiosk_id=config["kiosk.id"],
        security=security,
        printer=printer,
        **options,
    )
    controller.window.set_cover_folder(cache_folder_for(config["database.path"]))
    return controller


def size_for(orientation: str, screen: QtWidgets.QWidget | None = None) -> tuple[int, int]:
    return (1080, 1920) if orientation == "portrait" else (1920, 1080)
