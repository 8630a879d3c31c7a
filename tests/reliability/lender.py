"""A kiosk core lending as fast as it can, for the power-cut test to kill.

Run as ``python -m tests.reliability.lender DB``: borrows and returns the demo's items in turn
through the real circulation core on the real SQLite file (WAL), and after each transaction
has committed prints its id on its own line, flushed. The parent kills this process with
SIGKILL at random moments; every id it printed was committed before it was printed, so every
one must be in the journal afterwards, once.
"""

from __future__ import annotations

import sys

from kiosk.config.loader import defaults
from kiosk.core import open_core
from kiosk.outcomes import OutcomeKind

#: demo items P0001 may borrow (no hold, not reference-only, not a set)
ITEMS = ("100001", "100007", "100010", "100013", "100016")
READER = "P0001"
BRANCH, ISIL = "main", "CN-110000-1"  # the items' own room: a return puts them back on the shelf


def main(db_path: str) -> None:
    config = defaults().replace(
        database__path=db_path, kiosk__id="power-cut", kiosk__branch=BRANCH, kiosk__isil=ISIL
    )
    core = open_core(config)
    circulation, store = core.circulation, core.store
    patron = store.patrons.get(READER)
    if patron is None:
        raise SystemExit("the database is not seeded")
    print("ready", flush=True)
    n = 0
    while True:
        pii = ITEMS[n % len(ITEMS)]
        n += 1
        on_loan = store.loans.get(pii) is not None
        outcome = circulation.checkin(pii) if on_loan else circulation.checkout(patron, pii)
        if outcome.kind is not OutcomeKind.ACCEPTED or outcome.txn_id is None:
            raise SystemExit(f"{pii}: {outcome.reason.value}")  # the test fails on this
        circulation.security_done(outcome.txn_id)
        print(outcome.txn_id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
