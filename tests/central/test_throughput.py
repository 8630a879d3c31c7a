"""How long a kiosk's backlog takes to apply: 1,000 offline rows in one push, on each database.

Run with ``-s`` to see the numbers; the bound only catches a pathological regression.
"""

from __future__ import annotations

import time

from sync import wire
from sync.central import staff_wire
from tests.fixtures.central import Central, open_loans, txn


def test_a_backlog_of_1000_transactions_applies_in_one_push(central: Central) -> None:
    central.staff.put(
        "/admin/items",
        staff_wire.ItemBatch([wire.ItemRecord(pii=f"I{n}", title=f"Book {n}") for n in range(800)]),
    )
    central.staff.put(
        "/admin/patrons",
        staff_wire.PatronBatch([wire.PatronRecord(card_id=f"P{n}") for n in range(50)]),
    )
    kiosk = central.enrol("k1")
    rows = [txn(n + 1, "checkout", f"I{n}", f"P{n % 50}") for n in range(800)]
    rows += [txn(801 + n, "checkin", f"I{n}") for n in range(100)]
    rows += [txn(901 + n, "renew", f"I{100 + n}", f"P{(100 + n) % 50}") for n in range(100)]
    started = time.perf_counter()
    results = kiosk.push(*rows)
    elapsed = time.perf_counter() - started
    assert [r["status"] for r in results] == ["accepted"] * 1000
    started = time.perf_counter()
    again = kiosk.push(*rows)
    replay = time.perf_counter() - started
    assert {r["status"] for r in again} == {"duplicate"}
    backend = central.db_url.split(":")[0]
    print(
        f"\n{backend}: 1000 transactions applied in {elapsed * 1000:.0f} ms, "
        f"replayed as duplicates in {replay * 1000:.0f} ms"
    )
    assert len(open_loans(central, limit=5000)) == 700
    assert elapsed < 30
