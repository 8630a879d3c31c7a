"""Feeds systemd's watchdog from the Qt event loop, so a hung UI is restarted, not only a
crashed one: the timer fires only while the loop runs, so a loop stuck in a slot (a blocking
call, a deadlock) stops the ``WATCHDOG=1`` datagrams and systemd kills the unit after
``WatchdogSec=``."""

from __future__ import annotations

from typing import Protocol

from ui.qt import QtCore


class WatchdogNotifier(Protocol):
    """What the feeder needs (``kiosk.cli.sdnotify.Notifier``)."""

    watchdog_interval_s: float | None

    def ready(self, status: str = "") -> bool: ...

    def watchdog(self) -> bool: ...


def feed_from_event_loop(parent: QtCore.QObject, notifier: WatchdogNotifier) -> QtCore.QTimer:
    """Say READY=1 once the loop runs, then WATCHDOG=1 every half ``WatchdogSec=`` (from the
    loop only). Returns the timer, which ``parent`` owns."""
    timer = QtCore.QTimer(parent)
    timer.setObjectName("systemd-watchdog")
    timer.timeout.connect(notifier.watchdog)
    interval = notifier.watchdog_interval_s
    if interval:
        timer.setInterval(max(1, int(interval * 1000)))
        QtCore.QTimer.singleShot(0, timer.start)
    QtCore.QTimer.singleShot(0, lambda: notifier.ready("touch screen running"))
    return timer
