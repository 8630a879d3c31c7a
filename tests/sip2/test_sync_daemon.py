"""`shufang sync` with `upstream.kind = "sip2"`: the kiosk's offline rows reach pysip2 once.

The kiosk core is the one `shufang run` builds (``core_factory``), lending offline while the
library system is down; the daemon is the one `shufang sync` builds (``from_config``). A
central (SQLite) is added where the test needs heartbeats and the fault log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.core import Core
from kiosk.store import Store
from kiosk.store.state import ONLINE_KEY
from sync.central.server import free_port
from sync.daemon import SyncDaemon, SyncSettings
from sync.daemon.central_client import DaemonClient
from sync.sip2.config import connector_from
from tests.fixtures.central import START, Central
from tests.sip2.kiosk_daemon import applied_for, daemon_for, lend_offline, write_config
from tests.sip2.library import Library, RunningServer

CENTRAL_ONLY_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_offline_loans_reach_the_library_system_exactly_once_without_a_central(
    tmp_path: Path, server: RunningServer, library: Library, kiosk_core: Core
) -> None:
    lend_offline(kiosk_core, server, "R0002", "1000001")  # blocked online, lent offline
    daemon = daemon_for(tmp_path, server.port)
    try:
        assert daemon.client is None  # no token: no heartbeats, no pulls, no errors
        report = daemon.run_once()
        assert report.ok and report.acs is not None and report.acs.answered == 1
        assert report.beat is None and report.pull is None
        assert library.books["1000001"].borrower == "R0002"
        assert kiosk_core.store.journal.outbox_depth() == 0
        assert kiosk_core.store.state.text(ONLINE_KEY) == "1"

        again = daemon.run_once()  # nothing pending: a status probe, no resend
        assert again.ok and again.acs is not None and again.acs.answered == 0
        assert applied_for(library, "1000001") == 1
    finally:
        daemon.close()


@CENTRAL_ONLY_SQLITE
def test_a_refused_row_becomes_a_conflict_in_the_central_fault_log(
    tmp_path: Path,
    server: RunningServer,
    library: Library,
    kiosk_core: Core,
    central: Central,
) -> None:
    lend_offline(kiosk_core, server, "R0001", "1000001", "1000002")
    library.books["1000002"].borrower = "R0004"  # lent at the desk meanwhile
    daemon = daemon_for(tmp_path, server.port, central)
    try:
        report = daemon.run_once()
        assert report.ok, (report.error, report.acs)
        assert report.acs is not None and (report.acs.answered, report.acs.conflicts) == (2, 1)
        assert report.beat is not None and report.beat.faults_sent >= 1
    finally:
        daemon.close()
    rows = {r.item_pii: r for r in kiosk_core.store.journal.recent(10)}
    assert rows["1000001"].upstream_status == "accepted"
    assert rows["1000002"].upstream_status == "conflict"
    assert rows["1000002"].upstream_reason.startswith("already_on_loan")
    assert applied_for(library, "1000001") == 1 and applied_for(library, "1000002") == 0

    reply = central.staff.get("/faults", kiosk_id="k1")
    assert reply.status_code == 200, reply.text
    (fault,) = [f for f in reply.json() if f["code"] == "sip2_conflict"]
    assert fault["device"] == "upstream"
    assert "1000002" in fault["message"] and "already_on_loan" in fault["message"]
    assert "R0001" not in fault["message"]


@CENTRAL_ONLY_SQLITE
def test_with_the_acs_down_the_daemon_goes_offline_keeps_the_rows_and_still_beats(
    tmp_path: Path,
    server: RunningServer,
    library: Library,
    kiosk_core: Core,
    central: Central,
) -> None:
    lend_offline(kiosk_core, server, "R0001", "1000001")
    daemon = daemon_for(tmp_path, server.port, central)
    try:
        server.stop()
        down = daemon.run_once()
        assert not down.ok and down.acs is not None and not down.acs.reachable
        assert down.central_ok and down.beat is not None  # the central hears of the outage
        assert kiosk_core.store.state.text(ONLINE_KEY) == "0"
        assert kiosk_core.store.journal.outbox_depth() == 1
        assert library.applied == []

        server.start()
        up = daemon.run_once()
        assert up.ok and up.acs is not None and up.acs.answered == 1
        assert kiosk_core.store.state.text(ONLINE_KEY) == "1"
        assert kiosk_core.store.journal.outbox_depth() == 0
        assert applied_for(library, "1000001") == 1
    finally:
        daemon.close()


def test_shufang_sync_once_replays_to_the_library_system(
    tmp_path: Path, server: RunningServer, library: Library, kiosk_core: Core, capsys
) -> None:
    lend_offline(kiosk_core, server, "R0001", "1000001")
    config = str(write_config(tmp_path, server.port))
    assert main(["sync", "--once", "--config", config]) == 0
    assert (
        "replayed 1 rows to the library system (0 conflict), 0 waiting" in capsys.readouterr().out
    )
    assert library.books["1000001"].borrower == "R0001"
    server.stop()
    assert main(["sync", "--once", "--config", config]) == 1
    assert "library system" in capsys.readouterr().out


def test_the_loop_replays_fresh_rows_at_once_while_the_central_is_down(
    tmp_path: Path, server: RunningServer, library: Library, kiosk_core: Core
) -> None:
    """A central outage must not hold the ACS replay back behind the central's backoff."""
    gone = f'url = "http://127.0.0.1:{free_port()}"\ntoken = "t"\n'
    config = load_config(write_config(tmp_path, server.port, upstream=gone))
    pauses: list[float] = []

    def wait(seconds: float) -> bool:
        pauses.append(seconds)
        if len(pauses) == 1:
            lend_offline(kiosk_core, server, "R0001", "1000001")
        return len(pauses) >= 4

    settings = SyncSettings.from_config(config)
    store = Store(config["database.path"])
    daemon = SyncDaemon(
        store,
        DaemonClient(settings.url, settings.token, timeout=2),
        settings,
        replay=connector_from(config, store).replay,
        clock=ManualClock(START),
        wait=wait,
    )
    try:
        daemon.run_forever()
    finally:
        daemon.close()
    assert pauses == [settings.poll_s] * 4  # polling on, no backoff for the central
    assert kiosk_core.store.journal.outbox_depth() == 0
    assert applied_for(library, "1000001") == 1
    assert kiosk_core.store.state.text(ONLINE_KEY) == "1"
