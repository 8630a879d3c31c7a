"""Every few seconds: the devices' states to the sync daemon, and out of service without them.

The heartbeat carries each device's state (the fleet page's faulty machines), so the UI
process, which owns the devices, writes them where the daemon reads them. While nothing can
identify items (no RFID reader and no scanner working) the kiosk cannot lend or take back,
so it says so instead of inviting readers to place books (``kiosk.availability``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from kiosk.availability import LendingDevices
from ui.controller import KioskController
from ui.qt import QtCore


def watch_devices(
    controller: KioskController,
    device_states: Callable[[], Mapping[str, str]],
    period_ms: int = 5000,
) -> QtCore.QTimer:
    """Start the watch on the UI thread; ``device_states`` is the station's ``health``."""
    lending = LendingDevices()

    def check() -> None:
        states = dict(device_states())
        controller.core.call(lambda core: core.publish_device_health(states), lambda _: None)
        missing = lending.missing(states, time.monotonic())
        if missing != controller.devices_missing:
            controller.set_devices_missing(missing)

    timer = QtCore.QTimer(controller)
    timer.setInterval(period_ms)
    timer.timeout.connect(check)
    timer.start()
    check()
    return timer
