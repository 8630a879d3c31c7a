"""The small sd_notify(3): datagrams on a real AF_UNIX socket, as systemd reads them."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk.cli.sdnotify import Notifier
from tests.notify_socket import NotifySocket


def test_ready_and_watchdog_arrive_as_sd_notify_datagrams(tmp_path: Path) -> None:
    sink = NotifySocket(tmp_path)
    try:
        notifier = Notifier(sink.environ(10, pid=os.getpid()))
        assert notifier.enabled and notifier.watchdog_interval_s == 5
        assert notifier.ready("syncing") and notifier.watchdog() and notifier.stopping()
        sink.wait_for("STOPPING=1")
        assert sink.messages() == ["READY=1\nSTATUS=syncing", "WATCHDOG=1", "STOPPING=1"]
        notifier.close()
    finally:
        sink.close()


def test_an_abstract_socket_name_is_used_as_systemd_gives_it() -> None:
    name = f"shufang-test-{os.getpid()}"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind("\0" + name)
    receiver.settimeout(5)
    notifier = Notifier({"NOTIFY_SOCKET": "@" + name})
    try:
        assert notifier.watchdog()
        assert receiver.recv(100) == b"WATCHDOG=1"
    finally:
        notifier.close()
        receiver.close()


def test_without_a_notify_socket_nothing_is_sent_and_nothing_fails() -> None:
    notifier = Notifier({})
    assert not notifier.enabled and notifier.watchdog_interval_s is None
    assert not notifier.ready() and not notifier.watchdog()


def test_a_vanished_socket_does_not_take_the_app_down(tmp_path: Path) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    try:
        assert not notifier.watchdog()
    finally:
        notifier.close()


def test_the_watchdog_is_for_this_process_or_the_wrapper_that_started_it() -> None:
    """sd_watchdog_enabled(3): WATCHDOG_PID names the process to feed; under cage the unit's
    main process is cage, our parent."""
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}
    assert Notifier({**env, "WATCHDOG_PID": str(os.getpid())}).watchdog_interval_s == 15
    assert Notifier({**env, "WATCHDOG_PID": str(os.getppid())}).watchdog_interval_s == 15
    assert Notifier({**env, "WATCHDOG_PID": "1"}).watchdog_interval_s is None
    assert Notifier({**env, "WATCHDOG_USEC": "0"}).watchdog_interval_s is None
