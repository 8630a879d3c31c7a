"""Several API processes, many threads, overlapping batches: every row applied exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from kiosk.clock import ManualClock
from sync.central.app import create_app
from sync.central.schema import conflicts, loans, transactions
from sync.central.server import BackgroundServer
from tests.fixtures.central import Api, Central, seed, start_central, txn


@pytest.fixture
def two_processes(db_url: str, central_clock: ManualClock) -> Iterator[tuple[Central, str]]:
    """Two stateless API servers on one database, as behind a load balancer."""
    first = start_central(db_url, central_clock)
    second = BackgroundServer(create_app(db_url, central_clock)).start()
    yield first, second.url
    second.stop()
    first.server.stop()
    first.engine.dispose()


def count(central: Central, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with central.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def test_overlapping_batches_from_many_threads_apply_once(
    two_processes: tuple[Central, str],
) -> None:
    central, other_url = two_processes
    seed(central, items=120)
    central.enrol("k1")
    token = central.tokens["k1"]
    # 120 checkouts then 60 checkins; every thread resends a prefix of the same journal, the
    # way a kiosk retries after a timeout while its first attempt is still being applied.
    journal = [txn(i + 1, "checkout", f"I{i}") for i in range(120)]
    journal += [txn(121 + i, "checkin", f"I{i}") for i in range(60)]
    prefixes = [journal[:n] for n in (30, 60, 90, 120, 150, 180, 45, 180, 100, 180, 170, 10)]

    def send(index: int) -> list[str]:
        api = Api(central.url if index % 2 else other_url, token)
        return [r["status"] for r in api.push(*prefixes[index])]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(send, range(len(prefixes))))
    statuses = Counter(s for batch in outcomes for s in batch)
    assert statuses["accepted"] == len(journal)
    assert statuses["conflict"] == 0
    assert statuses["duplicate"] == sum(map(len, prefixes)) - len(journal)
    assert count(central, transactions) == len(journal)
    assert count(central, loans) == 120
    assert count(central, loans, loans.c.returned_at.is_(None)) == 60


def test_kiosks_racing_for_the_same_items_get_one_loan_each(
    two_processes: tuple[Central, str],
) -> None:
    central, other_url = two_processes
    seed(central, items=40, patrons=("P1", "P2", "P3", "P4"))
    apis = []
    for n in range(4):
        central.enrol(f"k{n}")
        apis.append(Api(central.url if n % 2 else other_url, central.tokens[f"k{n}"]))

    def lend(n: int) -> list[str]:
        # Each kiosk lends all 40 books to its own reader, in its own order, in 4 batches.
        order = list(range(40)) if n % 2 else list(reversed(range(40)))
        rows = [txn(seq + 1, "checkout", f"I{i}", f"P{n + 1}") for seq, i in enumerate(order)]
        statuses = []
        for start in range(0, 40, 10):
            statuses += [r["status"] for r in apis[n].push(*rows[start : start + 10])]
        return statuses

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lend, range(4)))
    statuses = Counter(s for batch in outcomes for s in batch)
    assert statuses == {"accepted": 40, "conflict": 120}
    assert count(central, loans, loans.c.returned_at.is_(None)) == 40
    assert count(central, conflicts) == 120
    with central.engine.connect() as conn:
        per_item = conn.execute(
            sa.select(loans.c.item_pii, sa.func.count()).group_by(loans.c.item_pii)
        ).all()
    assert all(n == 1 for _, n in per_item) and len(per_item) == 40
