"""The sync daemon on a kiosk whose disk is full (issue #14, finding 5).

Regression: when a write failed while the daemon handled a network error (marking the
kiosk offline, recording a fault), the exception escaped the pass and the daemon thread
died, so the journal stopped leaving the kiosk even after space came back. The disk here
is a real one: a 2 MiB tmpfs filled to the last byte, so SQLite meets ENOSPC as on a
kiosk's full SD card ("database or disk is full", SQLITE_FULL).
"""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.outcomes import OutcomeKind
from sync.daemon.central_client import DaemonClient
from tests.fixtures.central import Central, open_loans, seed
from tests.full_disk import fill
from tests.sync.kiosks import Kiosk, make_kiosk
from tests.waiting import wait_until


def test_the_daemon_survives_a_full_disk_and_sends_the_rows_once_space_returns(
    central: Central, small_disk: Path
) -> None:
    seed(central, items=10, patrons=("P1",))
    kiosk: Kiosk = make_kiosk(central, small_disk)
    try:
        assert kiosk.sync().ok
        patron = kiosk.patron("P1")
        lent = [kiosk.core.circulation.checkout(patron, pii) for pii in ("I1", "I2")]
        assert all(o.kind is OutcomeKind.ACCEPTED for o in lent)
        filler = fill(small_disk)

        # The network drops too: the daemon must note it, and cannot write the note.
        kiosk.daemon.client = DaemonClient("http://127.0.0.1:9", central.tokens["k1"], timeout=2)
        report = kiosk.daemon.run_once()
        assert not report.ok
        assert "database" in report.error, report.error

        # On its thread it keeps trying instead of dying.
        kiosk.daemon.start()
        time.sleep(1.0)
        assert kiosk.daemon.running, "the daemon thread died on a full disk"

        # Space and the network come back: the two loans arrive, once.
        filler.unlink()
        kiosk.daemon.client = kiosk.client
        kiosk.daemon.wake()
        wait_until(lambda: len(open_loans(central)) == 2, timeout=20)
        assert sorted(loan["item_pii"] for loan in open_loans(central)) == ["I1", "I2"]
        wait_until(lambda: kiosk.daemon.store.journal.pending(10) == [], timeout=20)
    finally:
        kiosk.close()
