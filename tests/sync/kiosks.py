"""Kiosks for the sync tests: one kiosk's core and sync daemon on a live central.

The reliability tests take them too; the central itself is ``tests/fixtures/central.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import ManualClock
from kiosk.config.loader import defaults
from kiosk.core import Core, open_core
from kiosk.models import Patron
from kiosk.store import Store
from sync.central.app import create_app
from sync.central.server import BackgroundServer
from sync.daemon import SyncDaemon, SyncSettings
from sync.daemon.central_client import DaemonClient
from tests.fixtures.central import START, Central


@dataclass
class Kiosk:
    """One kiosk: the UI side (core on its own Store) and the daemon on another connection."""

    kiosk_id: str
    core: Core
    daemon: SyncDaemon
    client: DaemonClient
    clock: ManualClock
    db_path: Path

    @property
    def store(self) -> Store:
        return self.core.store

    def sync(self):
        return self.daemon.run_once()

    def patron(self, card_id: str) -> Patron:
        found = self.store.patrons.get(card_id)
        assert found is not None, "patron not replicated"
        return found

    def close(self) -> None:
        self.daemon.stop()
        self.daemon.store.close()
        self.core.close()


def make_kiosk(
    service: Central,
    folder: Path,
    kiosk_id: str = "k1",
    *,
    clock: ManualClock | None = None,
    url: str | None = None,
    branch: str = "main",
    **settings: object,
) -> Kiosk:
    api = service.enrol(kiosk_id, branch)
    token = api.session.headers["Authorization"].removeprefix("Bearer ")
    clock = clock or ManualClock(START)
    db_path = folder / f"{kiosk_id}.db"
    config = defaults().replace(
        database__path=str(db_path), kiosk__id=kiosk_id, kiosk__branch=branch
    )
    core = open_core(config, clock=clock)
    sync_settings = SyncSettings(
        url=url or service.url, token=token, **{"min_backoff_s": 0.05, **settings}
    )
    client = DaemonClient(sync_settings.url, token, timeout=10)
    daemon = SyncDaemon(Store(db_path), client, sync_settings, clock=clock)
    return Kiosk(kiosk_id, core, daemon, client, clock, db_path)


def restart_on_same_port(service: Central) -> Central:
    """Start a fresh service on the same database and port as a stopped one (a redeploy)."""
    app = create_app(service.db_url, service.clock)
    server = BackgroundServer(app, port=service.server.port).start()
    service.engine.dispose()
    engine = app.state.runtime.engine
    return Central(service.db_url, service.clock, server, engine, service.staff, service.tokens)
