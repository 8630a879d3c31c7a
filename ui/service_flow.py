"""In service or not: the kiosk's online state, a technician's out-of-service switch,
missing devices and a database that cannot be written, polled on the core worker.

A mixin of :class:`ui.controller.KioskController`, which holds the state it uses.
"""

from __future__ import annotations

import logging

from kiosk.core import Core
from ui.flow_host import FlowHost

log = logging.getLogger(__name__)


class ServiceFlow(FlowHost):
    """In service or not, from the status the core worker polls."""

    def poll_status(self) -> None:
        if self.storage_fault:
            # Out of service for the database: a test write says when it works again.
            self.core.call(_writable_status, lambda status: self._storage_back(*status))
            return
        self.core.call(_status, lambda status: self._status_changed(*status))

    def _storage_failed(self, error: str) -> None:
        """The kiosk database cannot be written: end any session, show out of service with
        the reason; poll_status brings it back by itself."""
        if not self.storage_fault:
            log.error("kiosk database unusable, out of service until it works: %s", error)
        self.storage_fault = error or "storage"
        self.window.out_of_service.set_storage_fault(True)
        self._status_changed(self.link, self._state_out_of_service)

    def _storage_back(self, online: bool | None, out_of_service: bool) -> None:
        log.info("kiosk database writable again: back in service")
        self.storage_fault = ""
        self.window.out_of_service.set_storage_fault(False)
        self._status_changed(online, out_of_service)

    def set_devices_missing(self, missing: bool) -> None:
        """No reader and no scanner to identify items with: the kiosk cannot lend."""
        self.devices_missing = missing
        self._status_changed(self.link, self._state_out_of_service)

    def _status_changed(self, online: bool | None, out_of_service: bool) -> None:
        """``online`` is None until the sync daemon has first said: lending goes on as if
        online (the core tries the upstream), and the header says it is still connecting."""
        self.link = online
        self.online = online is not False
        self.window.set_online(online)
        self._state_out_of_service = out_of_service
        out_of_service = out_of_service or self.devices_missing or bool(self.storage_fault)
        if out_of_service != self.out_of_service:
            self.out_of_service = out_of_service
            if out_of_service:
                self.end_session()
            elif self.window.current() == "out_of_service":
                self.window.show_screen("home")


def _status(core: Core) -> tuple[bool | None, bool]:
    """Online (None before the sync daemon has said) and out of service, as polled."""
    return core.link_state(), core.out_of_service()


def _writable_status(core: Core) -> tuple[bool | None, bool]:
    """Raises while the database still cannot take a write; else the status."""
    core.check_writable()
    return _status(core)
