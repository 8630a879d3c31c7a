"""`shufang central serve` under a Type=notify unit: READY=1 once it listens, then WATCHDOG=1
from its event loop, on a real AF_UNIX datagram socket standing in for systemd's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from sync.central.server import free_port
from tests.notify_socket import NotifySocket


def test_serve_says_ready_when_listening_and_feeds_the_watchdog(tmp_path: Path) -> None:
    sink = NotifySocket(tmp_path)
    port = free_port()
    env = {**os.environ, **sink.environ(0.6)}
    command = [sys.executable, "-m", "kiosk", "central", "serve", "--port", str(port)]
    command += ["--db", f"sqlite:///{tmp_path / 'central.db'}"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        sink.wait_for("READY=1", timeout=60)
        reply = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
        assert reply.status_code == 200  # ready means listening
        sink.wait_for("WATCHDOG=1", count=3, timeout=10)
    finally:
        process.terminate()
        process.wait(30)
        sink.close()
    assert "STOPPING=1" in sink.messages()
