"""The store: durability settings, the append-only journal, faults, state, upgrades."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.models import Decision, Item, Patron, Security, Transaction
from kiosk.ports import TxnReply
from kiosk.store import SCHEMA_VERSION, Store, StoreError
from tests.journal_rows import checkout_row

DATA = Path(__file__).resolve().parents[1] / "data"


def txn(n: int, at) -> Transaction:
    return checkout_row(n, at, decision=Decision.ONLINE, security=Security.PENDING)


def pragma(store: Store, name: str):
    return store.db.conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_database_is_durable_wal_with_foreign_keys(store):
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 2  # FULL
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "busy_timeout") == 5000


def test_schema_is_current_after_open(store):
    assert len(store.schema_steps()) == SCHEMA_VERSION == 5


def test_unacknowledged_journal_rows_cannot_be_deleted(store, clock):
    store.journal.append(txn(1, clock.now()))
    with pytest.raises(sqlite3.IntegrityError, match="acknowledged"):
        store.db.conn.execute("DELETE FROM journal")
    assert store.journal.outbox_depth() == 1


def test_acknowledged_rows_may_be_pruned(store, clock):
    store.journal.append(txn(1, clock.now()))
    store.journal.mark_acked([TxnReply("t1", "accepted")], clock.now())
    store.db.conn.execute("DELETE FROM journal")
    assert store.journal.outbox_depth() == 0


def test_journal_rows_are_append_only(store, clock):
    store.journal.append(txn(1, clock.now()))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.conn.execute("UPDATE journal SET item_pii = 'other'")


def test_journal_ids_are_unique(store, clock):
    store.journal.append(txn(1, clock.now()))
    with pytest.raises(sqlite3.IntegrityError):
        store.journal.append(txn(1, clock.now()))
    assert store.journal.outbox_depth() == 1


def test_outbox_is_in_order_and_acks_only_named_rows(store, clock):
    for n in range(5):
        store.journal.append(txn(n, clock.now()))
    pending = store.journal.pending(3)
    assert [t.id for t in pending] == ["t0", "t1", "t2"]
    assert [t.seq for t in pending] == sorted(t.seq for t in pending)
    acked = store.journal.mark_acked(
        [TxnReply("t0", "accepted"), TxnReply("t1", "duplicate"), TxnReply("nope", "accepted")],
        clock.now(),
    )
    assert acked == 2
    assert [t.id for t in store.journal.pending(10)] == ["t2", "t3", "t4"]
    assert store.journal.get("t1").upstream_status == "duplicate"
    # acknowledging twice changes nothing
    assert store.journal.mark_acked([TxnReply("t0", "conflict")], clock.now()) == 0
    assert store.journal.get("t0").upstream_status == "accepted"


def test_repeated_fault_raises_count_instead_of_adding_rows(store, clock):
    for _ in range(3):
        store.faults.record("rfid", "timeout", "error", "reader did not answer", clock.now())
        clock.advance(timedelta(seconds=5))
    store.faults.record("printer", "paper_out", "warning", "paper out", clock.now())
    faults = {(f.device, f.code): f for f in store.faults.recent(open_only=True)}
    assert faults[("rfid", "timeout")].count == 3
    assert faults[("rfid", "timeout")].last_at - faults[("rfid", "timeout")].first_at == timedelta(
        seconds=10
    )
    store.faults.clear("rfid", "timeout", clock.now())
    store.faults.record("rfid", "timeout", "error", "again", clock.now())
    assert [f.count for f in store.faults.recent() if f.code == "timeout"] == [1, 3]


def test_upsert_replaces_catalog_rows(store):
    store.items.upsert([Item("1", "Old title")])
    store.items.upsert([Item("1", "New title", set_size=2)])
    assert store.items.get("1").title == "New title" and store.items.get("1").set_size == 2
    store.patrons.upsert([Patron("P1", blocks=("manual", "debt"))])
    assert store.patrons.get("P1").blocks == ("manual", "debt")


def test_state_round_trips(store):
    assert store.state.text("sync.cursor") is None
    store.state.set_text("sync.cursor", "42")
    store.state.set_text("sync.cursor", "43")
    assert store.state.text("sync.cursor") == "43"


def test_policy_versions_one_active(store, clock):
    store.policies.save("v1", '{"version": "v1"}', clock.now())
    store.policies.save("v2", '{"version": "v2"}', clock.now())
    assert store.policies.active_document() == '{"version": "v2"}'


def test_second_process_sees_committed_rows(store, tmp_path, clock):
    other = Store(tmp_path / "kiosk.db")
    store.journal.append(txn(1, clock.now()))
    assert other.journal.outbox_depth() == 1
    other.close()


def test_integrity_check_passes_on_a_good_file(store):
    assert store.integrity_problems() == []


def test_garbage_file_is_a_clear_store_error(tmp_path):
    junk = tmp_path / "kiosk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open kiosk database"):
        Store(junk)


def test_upgrade_from_the_first_schema_keeps_every_row(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "kiosk-schema-1.db", copy)
    store = Store(copy)
    assert store.schema_steps() == [
        "m001_initial",
        "m002_policy_cache_and_fault_reports",
        "m003_conflict_reports",
        "m006_rotations",
        "m007_item_covers",
    ]
    assert store.items.get("100001").title == "三体"
    assert store.items.get("100001").cover == ""  # no cover known before m007
    (loan,) = store.loans.of_patron("P0001")
    assert loan.offline and loan.txn_id == "0b7e1c3a-5d1e-4c55-9b8e-0d6c1f2a9e01"
    assert store.journal.outbox_depth() == 1
    (fault,) = store.faults.recent()
    assert fault.count == 3
    assert store.db.conn.execute("SELECT reported_count FROM faults").fetchone()[0] == 0
    store.policies.save("v1", "{}", loan.loaned_at)  # the new table works
    assert store.integrity_problems() == []
    assert store.db.journal_mode == "wal"


def test_upgrade_is_idempotent(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "kiosk-schema-1.db", copy)
    Store(copy).close()
    again = Store(copy)
    assert len(again.schema_steps()) == SCHEMA_VERSION


def test_two_processes_opening_a_new_database_together_both_succeed(tmp_path):
    """Regression: the UI and the sync daemon starting at once saw 'database is locked'."""
    import subprocess
    import sys

    path = tmp_path / "fresh.db"
    code = (
        "import sys; from kiosk.store import Store; "
        "s = Store(sys.argv[1]); print(len(s.schema_steps()))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == [str(SCHEMA_VERSION)] * 4


def test_refused_rows_wait_for_the_central_until_it_answers_for_them(store, clock):
    for n in range(4):
        store.journal.append(txn(n, clock.now()))
    store.journal.mark_acked(
        [
            TxnReply("t0", "conflict", "patron_blocked: Patron blocked"),
            TxnReply("t1", "accepted"),
            TxnReply("t2", "conflict", "already_on_loan"),
        ],
        clock.now(),
    )
    assert [t.id for t in store.journal.unreported_conflicts(10)] == ["t0", "t2"]
    assert [t.id for t in store.journal.unreported_conflicts(1)] == ["t0"]
    # only refused rows can be marked, and each once
    assert store.journal.mark_conflicts_reported(["t0", "t1", "t3", "nope"], clock.now()) == 1
    assert store.journal.mark_conflicts_reported(["t0"], clock.now()) == 0
    assert [t.id for t in store.journal.unreported_conflicts(10)] == ["t2"]


def test_upgrade_from_the_second_schema_queues_its_refused_rows_for_the_central(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "kiosk-schema-2.db", copy)
    store = Store(copy)
    assert store.schema_steps()[-1] == "m007_item_covers"
    assert len(store.schema_steps()) == SCHEMA_VERSION
    assert store.journal.outbox_depth() == 1
    (refused,) = store.journal.unreported_conflicts(10)
    assert refused.id == "5f0c2d4e-8a7b-4b1e-9c3d-2e6f7a8b9c02"
    assert refused.upstream_reason == "patron_blocked: Patron blocked"
    assert store.journal.mark_conflicts_reported([refused.id], refused.at) == 1
    assert store.journal.unreported_conflicts(10) == []
    assert store.policies.active_document() == "{}"
    assert store.integrity_problems() == []
