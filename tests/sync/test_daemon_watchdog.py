"""The sync daemon feeds systemd's watchdog from its loop: while it waits between passes and
before each pass, never from a side thread, so a pass that hangs goes quiet on the notify
socket (a real AF_UNIX datagram socket here) and systemd restarts the unit."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from kiosk.cli.sdnotify import Notifier
from kiosk.store import Store
from sync import wire
from sync.daemon import SyncDaemon, SyncSettings
from tests.notify_socket import NotifySocket, longest_gap

WATCHDOG_S = 0.4


class HangingCentral:
    """Answers at once until ``hang`` is set; then its next heartbeat blocks until released."""

    def __init__(self) -> None:
        self.hang = threading.Event()
        self.hanging = threading.Event()
        self.release = threading.Event()

    def push_journal(self, txns):
        return []

    def heartbeat(self, beat):
        if self.hang.is_set():
            self.hanging.set()
            self.release.wait(30)
        return wire.HeartbeatAck(
            received_at=datetime.now(UTC), policy_version=None, latest_cursor=0
        )

    def changes_json(self, cursor, limit, known=None):
        return {"changes": [], "next_cursor": cursor, "has_more": False}


def test_a_hung_pass_stops_feeding_the_watchdog(tmp_path: Path) -> None:
    sink = NotifySocket(tmp_path)
    store = Store(tmp_path / "kiosk.db")
    central = HangingCentral()
    # a long poll: the feeding between passes comes from the chunked wait, not from passes
    settings = SyncSettings(token="t", heartbeat_s=0.1, poll_s=5.0)
    daemon = SyncDaemon(store, central, settings)
    notifier = Notifier(sink.environ(WATCHDOG_S, pid=os.getpid()))
    daemon.feed_watchdog = notifier.watchdog
    daemon.watchdog_interval_s = notifier.watchdog_interval_s
    try:
        daemon.start()
        sink.wait_for("WATCHDOG=1", count=6)
        alive_from = sink.times_of("WATCHDOG=1")[0]
        alive_to = time.monotonic()
        central.hang.set()
        daemon.wake()  # end the long poll: the heartbeat is due, and that pass hangs
        assert central.hanging.wait(10)
        hung_from = time.monotonic()
        threading.Event().wait(1.2)  # let the hang last well past WatchdogSec
        hung_to = time.monotonic()
        central.release.set()
        count = len(sink.times_of("WATCHDOG=1"))
        sink.wait_for("WATCHDOG=1", count=count + 2)  # alive again once the pass returns
        feeds = sink.times_of("WATCHDOG=1")
        assert longest_gap(feeds, alive_from, alive_to) < WATCHDOG_S
        # quiet within one feed interval of the hang (a datagram sent just before it may be
        # read a moment later) and until it ended: longer than WatchdogSec, so systemd kills
        assert [t for t in feeds if hung_from + WATCHDOG_S / 2 < t < hung_to] == []
        assert longest_gap(feeds, hung_from, hung_to) > WATCHDOG_S
    finally:
        central.release.set()
        daemon.stop()
        store.close()
        notifier.close()
        sink.close()
