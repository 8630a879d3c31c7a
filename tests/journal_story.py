"""Every kind of journal row a kiosk writes, produced by the real core: the upstreams' contract.

The story lends, renews, returns, and has a tag write fail on a checkout and on a return, so
the journal holds each row kind the kiosk can write (a cancel once for each kind of row it can
undo). Each upstream's contract test (``tests/central/test_journal_contract.py``,
``tests/sip2/test_journal_contract.py``) applies these rows and must end with the loans the
kiosk holds: a kind an upstream cannot apply splits kiosk and library (issue #14, finding 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.circulation import Circulation, Site
from kiosk.clock import ManualClock
from kiosk.models import Item, Loan, Patron, Security, Transaction, TxnKind
from kiosk.policy import Policy, Rule
from kiosk.store import Store

#: Items and cards the story uses; each upstream seeds them before applying the rows.
ITEMS = ("I1", "I2", "I3", "I4")
PATRONS = ("P1", "P2")
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

POLICY = Policy(rules=(Rule("*", "*", True, 28, 10, 5),), pin_required=False)


def row_kind(row: Transaction, journal: dict[str, Transaction]) -> str:
    """``checkout``, ``checkin``, ``renew``, or ``cancel:<kind of the row it undoes>``."""
    if row.kind is TxnKind.CANCEL:
        return f"cancel:{journal[row.cancels or ''].kind.value}"
    return row.kind.value


def every_row_kind(undoable: Iterable[TxnKind]) -> set[str]:
    """What a complete story covers: every ``TxnKind`` the kiosk writes, and a cancel of
    each kind whose tag write can fail (``undoable``)."""
    plain = {k.value for k in TxnKind if k is not TxnKind.CANCEL}
    return plain | {f"cancel:{k.value}" for k in undoable}


@dataclass
class Story:
    rows: list[Transaction]
    #: item -> (card, due) of the loans the kiosk holds at the end
    loans: dict[str, tuple[str, datetime]]
    #: kinds whose tag write the kiosk can fail and undo (written with security pending)
    undoable: set[TxnKind]

    def kinds(self) -> set[str]:
        journal = {r.id: r for r in self.rows}
        return {row_kind(r, journal) for r in self.rows}

    def lookup(self, txn_id: str) -> Transaction | None:
        return next((r for r in self.rows if r.id == txn_id), None)


def tell(folder: Path, *, offline: bool = True) -> Story:
    """Run the story on a fresh kiosk database in ``folder`` and return its journal."""
    store = Store(folder / "story-kiosk.db")
    try:
        return _tell(store, offline)
    finally:
        store.close()


def _tell(store: Store, offline: bool) -> Story:
    clock = ManualClock(START)
    site = Site(kiosk_id="k1", branch="main", tz=ZoneInfo("Asia/Shanghai"))
    core = Circulation(store, POLICY, clock, site, online=lambda: not offline)
    store.items.upsert(Item(pii, f"Book {pii}", branch="main") for pii in ITEMS)
    store.patrons.upsert(Patron(card) for card in PATRONS)
    p1, p2 = (store.patrons.get(card) for card in PATRONS)
    assert p1 is not None and p2 is not None

    def step() -> None:
        clock.advance(timedelta(days=1))

    def settled(txn_id: str | None, ok: bool) -> None:
        assert txn_id is not None
        if ok:
            core.security_done(txn_id)
        else:
            assert not core.security_failed(txn_id).ok

    settled(core.checkout(p1, "I1").txn_id, ok=True)  # checkout
    step()
    settled(core.checkout(p1, "I2").txn_id, ok=False)  # cancel of a checkout
    step()
    assert core.renew(p1, "I1").ok  # renew
    step()
    settled(core.checkin("I1").txn_id, ok=False)  # cancel of a checkin: the loan comes back
    step()
    assert core.renew(p1, "I1").ok  # the reinstated loan renews everywhere
    step()
    settled(core.checkin("I1").txn_id, ok=True)  # checkin
    step()
    settled(core.checkout(p2, "I3").txn_id, ok=True)
    step()
    settled(core.checkin("I3").txn_id, ok=True)
    step()
    settled(core.checkout(p2, "I4").txn_id, ok=True)
    step()
    settled(core.checkin("I4").txn_id, ok=False)  # I4 stays with P2
    rows = list(reversed(store.journal.recent(limit=1000)))
    undoable = {r.kind for r in rows if r.security is not Security.NOT_NEEDED}
    loans: dict[str, tuple[str, datetime]] = {}
    for pii in ITEMS:
        loan: Loan | None = store.loans.get(pii)
        if loan is not None:
            loans[pii] = (loan.patron_card, loan.due_at)
    return Story(rows, loans, undoable)
