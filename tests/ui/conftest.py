"""A kiosk UI on a seeded database, with short timeouts, driven through its real widgets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from kiosk.core import open_core
from tests.fixtures.kiosk_db import kiosk_config, seed_demo
from ui.controller import KioskController
from ui.qt import QThread


@pytest.fixture
def config(tmp_path):
    return kiosk_config(tmp_path)


@pytest.fixture
def seeded(config):
    return seed_demo(config)


class FactoryProbe:
    """Opens the core and remembers which thread did, to prove it is not the UI thread."""

    def __init__(self, config) -> None:
        self.config = config
        self.threads: list[str] = []
        self.cores = []

    def __call__(self):
        self.threads.append(QThread.currentThread().objectName() or "main")
        core = open_core(self.config)
        self.cores.append(core)
        return core


@pytest.fixture
def probe(seeded):
    return FactoryProbe(seeded)


@pytest.fixture
def make_kiosk(qtbot, probe):
    made = []

    def make(core_factory=None, **options) -> KioskController:
        defaults_ = dict(
            branch_name="朝阳城市书房",
            tz=ZoneInfo("Asia/Shanghai"),
            kiosk_id="k1",
            idle_timeout_s=45,
            idle_countdown_s=20,
            status_poll_ms=100,
            goodbye_ms=200,
            hours_today="08:00-22:00",
        )
        defaults_.update(options)
        controller = KioskController(core_factory or probe, **defaults_)
        qtbot.addWidget(controller.window)
        controller.window.resize(1080, 1920)
        controller.window.show()
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.stop()


@pytest.fixture
def kiosk(make_kiosk):
    return make_kiosk()
