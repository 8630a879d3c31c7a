"""A kiosk with simulated devices (not started: tests drive them) and diagnostics installed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from drivers.station import DeviceStation, StationCallbacks, StationConfig
from kiosk.clock import SystemClock
from kiosk.core import open_core
from kiosk.fault_log import StoreFaults
from kiosk.pin import hash_pin
from kiosk.store import Store
from tests.fixtures.kiosk_db import kiosk_config, seed_demo
from ui.controller import KioskController
from ui.diagnostics import DiagnosticsMode, context_from, install
from ui.qt import QtWidgets

TECHNICIAN_PIN = "2468"
TECHNICIAN_CARD = "T9001"
SHOTS = Path("/tmp/diag-shots")
WAIT = 5000


@pytest.fixture
def config(tmp_path):
    return kiosk_config(
        tmp_path,
        technician__pin_hash=hash_pin(TECHNICIAN_PIN, n=2**10),  # fast for tests
        technician__cards={TECHNICIAN_CARD: "李工"},
        upstream__token="secret-enrolment-token",
        ecard__keys={"k1": "cCC3lKfhJqDFZI1bmpZnjloYx1z_s3zj_j0HBFuJUaY"},
    )


@pytest.fixture
def seeded(config):
    return seed_demo(config)


@pytest.fixture
def station(seeded):
    """The station ``shufang run`` builds, with its devices opened but no threads polling."""
    fault_store = Store(seeded["database.path"])
    station = DeviceStation(
        StationConfig(isil="CN-110000-1", tag_format=seeded["policy.tag_format"]),
        StoreFaults(fault_store, SystemClock()),
        StationCallbacks(*(lambda *a: None for _ in range(5))),
    )
    station.reader.open()
    for device in (station.scanner, station.card, station.printer):
        device.open()
    yield station
    station.stop()
    fault_store.close()


@dataclass
class Kiosk:
    controller: KioskController
    mode: DiagnosticsMode
    station: DeviceStation
    restarts: list[int]
    config: Any

    @property
    def panel(self):
        return self.mode.panel

    def page(self, name: str):
        self.panel.show_page(name)
        return self.panel.pages[name]

    def store(self) -> Store:
        """A second connection for assertions (WAL: sees the worker's commits)."""
        return Store(self.config["database.path"])


@pytest.fixture
def make_diag(qtbot, seeded, station, tmp_path):
    made = []

    def make(**context_changes) -> Kiosk:
        controller = KioskController(
            lambda: open_core(seeded),
            branch_name="朝阳城市书房",
            tz=ZoneInfo("Asia/Shanghai"),
            kiosk_id="k1",
            status_poll_ms=100,
            goodbye_ms=200,
            security=station.security,
            printer=station.printer,
        )
        qtbot.addWidget(controller.window)
        controller.window.resize(1080, 1920)
        controller.window.show()
        restarts: list[int] = []
        context = context_from(
            seeded,
            reader=station.reader,
            printer=station.printer,
            health=station.health,
            restart=lambda: restarts.append(1),
        )
        context = replace(context, export_folder=lambda: tmp_path / "usb", **context_changes)
        mode = install(controller, context)
        kiosk = Kiosk(controller, mode, station, restarts, seeded)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.mode.leave("test over")
        kiosk.controller.stop()


@pytest.fixture
def diag(make_diag):
    return make_diag()


def shoot(widget, name: str) -> Path:
    """Save what the technician sees, for a person to look at (see the report)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # let posted layout requests run, as the event loop would
        QtWidgets.QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path
