"""The kiosk's sync daemon: pushes the outbox, pulls central changes, sends heartbeats."""

from __future__ import annotations

from sync.daemon.loop import SyncDaemon
from sync.daemon.pass_report import PassReport
from sync.daemon.settings import SyncSettings

__all__ = ["PassReport", "SyncDaemon", "SyncSettings"]
