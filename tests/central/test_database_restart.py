"""The service lives through a PostgreSQL restart: the next write simply works.

The engine does not ping each pooled connection before use (a round trip per transaction);
a write that meets a connection killed by the restart runs again on a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.clock import ManualClock
from tests.fixtures.central import START, Central, open_loans, seed, start_central, txn
from tests.postgres import PostgresServer


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A cluster of its own: restarting the session's shared one would disturb nothing, but
    this keeps the test independent of it."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


def test_pushes_and_heartbeats_work_right_after_the_database_restarts(
    own_postgres: PostgresServer,
) -> None:
    central: Central = start_central(
        own_postgres.url(own_postgres.create_database()), ManualClock(START)
    )
    try:
        seed(central)
        kiosk = central.enrol("k1")
        assert [r["status"] for r in kiosk.push(txn(1, "checkout", "I1"))] == ["accepted"]
        beat = {"state": "in_service", "outbox_depth": 0, "software_version": "t"}
        assert kiosk.session.post(central.url + "/api/v1/heartbeat", json=beat).ok

        own_postgres.restart()  # every pooled connection is now dead

        assert [r["status"] for r in kiosk.push(txn(2, "checkout", "I2"))] == ["accepted"]
        assert kiosk.session.post(central.url + "/api/v1/heartbeat", json=beat).ok
        assert sorted(loan["item_pii"] for loan in open_loans(central)) == ["I1", "I2"]
    finally:
        central.server.stop()
        central.engine.dispose()
