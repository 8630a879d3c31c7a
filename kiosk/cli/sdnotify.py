"""A tiny sd_notify(3): tells systemd "ready" and feeds the watchdog of a ``Type=notify`` unit.

Writes datagrams to ``$NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract namespace)
with the standard library only, so the kiosk needs no ``python3-systemd``. Without the
variable (a desk, a test, the demo) every call does nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class Notifier:
    """One unit's notify socket. ``watchdog_interval_s`` is half of ``WatchdogSec=``, as
    sd_watchdog_enabled(3) advises, or None when the unit has no watchdog."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        address = environ.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        self.watchdog_interval_s = _watchdog_interval(environ)

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    def notify(self, state: str) -> bool:
        """Send ``state`` (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``); False when not sent."""
        if not self._address:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            self._socket.sendto(state.encode(), self._address)
            return True
        except OSError:  # systemd gone or restarting: never take the app down for it
            return False

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Half of ``$WATCHDOG_USEC`` when it is meant for this process: ``$WATCHDOG_PID`` is
    ours, or our parent's when a wrapper is the unit's main process (``cage -- shufang run``
    with ``NotifyAccess=all``)."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid not in (str(os.getpid()), str(os.getppid())):
        return None
    return int(usec) / 2_000_000
