"""The store as the FaultSink drivers report to: one record per device and code, timestamped."""

from __future__ import annotations

import logging

from kiosk.clock import Clock
from kiosk.store import Store

log = logging.getLogger("shufang.faults")


class StoreFaults:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def record_fault(self, device: str, code: str, severity: str, message: str) -> None:
        log.warning("fault %s/%s (%s): %s", device, code, severity, message)
        self.store.faults.record(device, code, severity, message, self.clock.now())

    def clear_fault(self, device: str, code: str) -> None:
        self.store.faults.clear(device, code, self.clock.now())
