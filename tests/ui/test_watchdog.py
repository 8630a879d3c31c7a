"""The touch screen feeds systemd's watchdog from its Qt event loop only while that loop is
alive (issue #15: a hung UI was never restarted, only a crashed one). Measured on a real
AF_UNIX datagram socket standing in for $NOTIFY_SOCKET."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from kiosk.cli.sdnotify import Notifier
from tests.notify_socket import NotifySocket, longest_gap
from ui.qt import QtCore
from ui.watchdog import feed_from_event_loop

WATCHDOG_S = 0.4  # WatchdogSec=; the feeder sends every half of it
HANG_S = 1.5


def test_a_hung_event_loop_stops_feeding_the_watchdog_within_the_interval(
    qtbot, tmp_path: Path
) -> None:
    sink = NotifySocket(tmp_path)
    owner = QtCore.QObject()
    notifier = Notifier(sink.environ(WATCHDOG_S, pid=os.getpid()))
    try:
        timer = feed_from_event_loop(owner, notifier)
        qtbot.waitUntil(lambda: len(sink.times_of("WATCHDOG=1")) >= 4, timeout=5000)
        assert sink.messages()[0].startswith("READY=1")
        alive_from = time.monotonic()
        qtbot.wait(1000)
        hung = {}

        def hang() -> None:  # a slot that blocks the loop, as a deadlock would
            hung["from"] = time.monotonic()
            threading.Event().wait(HANG_S)
            hung["to"] = time.monotonic()

        QtCore.QTimer.singleShot(0, hang)
        qtbot.waitUntil(lambda: "to" in hung, timeout=5000)
        qtbot.waitUntil(lambda: sink.times_of("WATCHDOG=1")[-1] > hung["to"], timeout=5000)
        feeds = sink.times_of("WATCHDOG=1")
        # alive: never quiet for a whole WatchdogSec
        assert longest_gap(feeds, alive_from, hung["from"]) < WATCHDOG_S
        # hung: the socket is quiet from (at the latest) one feed interval after the hang
        # started until it ended, so systemd would have killed the unit after WatchdogSec
        during = [t for t in feeds if hung["from"] + WATCHDOG_S / 2 < t < hung["to"]]
        assert during == []
        assert longest_gap(feeds, hung["from"], hung["to"]) > WATCHDOG_S
        assert timer.interval() == int(WATCHDOG_S / 2 * 1000)
    finally:
        notifier.close()
        sink.close()
