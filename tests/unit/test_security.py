"""The tag-security rule: retried, then the loan is rolled back and a fault recorded."""

from __future__ import annotations

from kiosk.models import Item, ItemStatus, Patron, Security, TxnKind
from kiosk.ports import TagRemoved
from kiosk.reasons import Reason
from kiosk.security import secure_tag


class FlakyTag:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise TagRemoved("tag left the field")


class Faults:
    def __init__(self) -> None:
        self.recorded: list[tuple[str, str]] = []

    def record_fault(self, device, code, severity, message):
        self.recorded.append((device, code))

    def clear_fault(self, device, code):
        pass


def setup(store, circ):
    store.items.upsert([Item("B1", "三体")])
    store.patrons.upsert([Patron("A1")])
    return circ.checkout(store.patrons.get("A1"), "B1")


def test_write_that_succeeds_on_retry_completes_the_loan(store, circ):
    outcome = setup(store, circ)
    tag = FlakyTag(failures=2)
    result = secure_tag(circ, outcome.txn_id, tag, attempts=3)
    assert result.ok and result.attempts == 3 and tag.calls == 3
    assert store.journal.get(outcome.txn_id).security is Security.DONE
    assert store.loans.get("B1") is not None


def test_write_that_keeps_failing_rolls_back_and_records_a_fault(store, circ):
    outcome = setup(store, circ)
    faults = Faults()
    result = secure_tag(circ, outcome.txn_id, FlakyTag(failures=9), attempts=3, faults=faults)
    assert not result.ok and "tag_removed" in result.error
    assert result.cancelled.reason is Reason.SECURITY_FAILED
    assert store.loans.get("B1") is None and store.items.get("B1").status is ItemStatus.AVAILABLE
    assert faults.recorded == [("rfid", "security_write_failed")]
    kinds = [t.kind for t in store.journal.pending(10)]
    assert kinds == [TxnKind.CHECKOUT, TxnKind.CANCEL]
