"""Lending through a broken network: every transaction reaches the central exactly once (#14).

A kiosk lends while its sync daemon talks to the central through ``ChaosProxy`` (connections
refused, delayed, requests cut, replies dropped after the central applied them, replies cut).
Half-way the central is redeployed (stopped and started on the same database and port) and
the daemon restarted, as a crash would. Then the network heals. The central must hold each of
the kiosk's transactions exactly once, and the same open loans, on SQLite and PostgreSQL.
``SHUFANG_CHAOS_TRANSACTIONS`` sets how many in the short run (default 120); the soak run
(marker ``soak``, in ``make test`` too) makes 500. The campaign ran 15,000.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.clock import SystemClock
from kiosk.outcomes import OutcomeKind
from kiosk.store import Store
from sync.central.schema import loans, transactions
from sync.daemon import SyncDaemon
from tests.fixtures.central import Central, seed
from tests.reliability.chaos_proxy import ChaosProxy
from tests.sync.kiosks import make_kiosk, restart_on_same_port
from tests.waiting import wait_until

COUNT = int(os.environ.get("SHUFANG_CHAOS_TRANSACTIONS", "120"))


def start_daemon(kiosk) -> SyncDaemon:
    return SyncDaemon(
        Store(kiosk.db_path), kiosk.client, kiosk.daemon.settings, clock=SystemClock()
    ).start()


def stop_daemon(daemon: SyncDaemon) -> None:
    daemon.stop()
    daemon.store.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "count", [pytest.param(COUNT, id="short"), pytest.param(500, id="soak", marks=pytest.mark.soak)]
)
def test_every_transaction_arrives_once_through_a_broken_network(
    central: Central, tmp_path: Path, count: int
) -> None:
    seed(central, items=10, patrons=tuple(f"P{n}" for n in range(10)))
    proxy = ChaosProxy(central.server.port, seed=20261204)
    proxy.healthy = True  # the first sync brings the catalog and patrons
    kiosk = make_kiosk(central, tmp_path, url=proxy.url, max_backoff_s=0.2, timeout_s=2.0)
    # One request a connection, so every request meets its own fate at the proxy.
    kiosk.client.session.headers["Connection"] = "close"
    service = central
    try:
        assert kiosk.sync().ok
        proxy.healthy = False
        daemon = start_daemon(kiosk)
        circulation = kiosk.core.circulation
        for n in range(count):
            kiosk.clock.advance(timedelta(seconds=30))  # a reader every half minute
            pii, reader = f"I{n % 10}", kiosk.patron(f"P{n % 10}")  # one loan each: offline too
            on_loan = kiosk.store.loans.get(pii) is not None
            outcome = circulation.checkin(pii) if on_loan else circulation.checkout(reader, pii)
            time.sleep(0.03)  # the daemon pushes while the kiosk lends
            assert outcome.kind is OutcomeKind.ACCEPTED, (pii, outcome.reason)
            assert outcome.txn_id is not None
            circulation.security_done(outcome.txn_id)
            if n == count // 2:  # a crash of both: the daemon restarts, the central redeploys
                stop_daemon(daemon)
                service.server.stop()
                service = restart_on_same_port(service)
                daemon = start_daemon(kiosk)
        proxy.heal()
        wait_until(lambda: kiosk.store.journal.outbox_depth() == 0, timeout=120, every=0.1)
        stop_daemon(daemon)

        journal = {t.id for t in kiosk.store.journal.recent(limit=count * 2)}
        with service.engine.connect() as conn:
            arrived = [
                row.id
                for row in conn.execute(
                    sa.select(transactions.c.id).where(transactions.c.kiosk_id == kiosk.kiosk_id)
                )
            ]
            central_loans = {
                row.item_pii
                for row in conn.execute(
                    sa.select(loans.c.item_pii).where(loans.c.returned_at.is_(None))
                )
            }
        print(f"\n{count} transactions through chaos: fates {dict(proxy.fates)}")
        assert len(journal) == count
        assert sorted(arrived) == sorted(journal), "lost or doubled at the central"
        kiosk_loans = {pii for pii in (f"I{n}" for n in range(10)) if kiosk.store.loans.get(pii)}
        assert central_loans == kiosk_loans
        for fate in ("refuse", "drop_reply", "cut_reply", "cut_request"):
            assert proxy.fates[fate] > 0, f"the network never did {fate}"
    finally:
        proxy.close()
        kiosk.close()
        if service is not central:
            service.server.stop()
            service.engine.dispose()
