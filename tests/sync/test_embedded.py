"""The demo's wiring: an embedded central on a SQLite file and the daemon on a thread."""

from __future__ import annotations

from pathlib import Path

import requests

from kiosk.config.loader import defaults
from kiosk.core import open_core
from kiosk.outcomes import OutcomeKind
from kiosk.store import Store
from kiosk.store.state import ONLINE_KEY
from sync import wire
from sync.central import staff_wire
from sync.daemon import SyncDaemon, SyncSettings
from sync.daemon.central_client import DaemonClient
from sync.daemon.embedded import NetworkSwitch, start_embedded_central
from tests.waiting import wait_until


def test_the_embedded_central_and_a_threaded_daemon_replicate_and_deliver(tmp_path: Path):
    central = start_embedded_central(tmp_path / "central.db", "demo-kiosk-01", "main")
    staff = requests.Session()
    staff.headers["Authorization"] = f"Bearer {central.staff_token}"
    items = staff_wire.ItemBatch(
        [
            wire.ItemRecord(pii="20001", title="三国演义"),
            wire.ItemRecord(pii="20002", title="水浒传"),
        ]
    )
    assert staff.put(central.url + "/api/v1/admin/items", json=wire.to_json(items)).ok
    patrons = staff_wire.PatronBatch([wire.PatronRecord(card_id="P0001")])
    assert staff.put(central.url + "/api/v1/admin/patrons", json=wire.to_json(patrons)).ok

    db = tmp_path / "kiosk.db"
    core = open_core(defaults().replace(database__path=str(db), kiosk__id="demo-kiosk-01"))
    settings = SyncSettings(
        url=central.url, token=central.kiosk_token, heartbeat_s=1, max_backoff_s=60
    )
    network = NetworkSwitch(DaemonClient(central.url, central.kiosk_token))
    daemon = SyncDaemon(Store(db), network, settings).start()
    try:
        # The online flag is written when the pass ends, just after the pages are applied.
        wait_until(
            lambda: core.store.patrons.get("P0001") and core.store.items.get("20001"), timeout=10
        )
        wait_until(lambda: core.store.state.text(ONLINE_KEY) == "1", timeout=10)
        patron = core.store.patrons.get("P0001")
        assert core.circulation.checkout(patron, "20001").kind is OutcomeKind.ACCEPTED
        wait_until(lambda: core.store.journal.outbox_depth() == 0, timeout=10)
        loans = staff.get(central.url + "/api/v1/loans", timeout=10).json()
        assert [loan["item_pii"] for loan in loans] == ["20001"]

        network.down = True  # the demo's network switch
        wait_until(lambda: core.store.state.text(ONLINE_KEY) == "0", timeout=10)
        outcome = core.circulation.checkout(patron, "20002")
        assert outcome.kind is OutcomeKind.ACCEPTED and outcome.offline
        network.down = False
        daemon.wake()  # no need to sit out the back-off
        wait_until(lambda: core.store.journal.outbox_depth() == 0, timeout=5)
        wait_until(lambda: core.store.state.text(ONLINE_KEY) == "1", timeout=5)
    finally:
        daemon.stop()
        daemon.store.close()
        core.close()
        central.stop()
