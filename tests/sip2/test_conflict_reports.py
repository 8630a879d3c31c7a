"""Rows pysip2 refuses on replay reach the central's conflicts: once, in order, never lost.

The kiosk core lends offline while the library system is down (as `shufang run` does), the
daemon is the one `shufang sync` builds, the library system is the pysip2 server of
``library.py`` set to refuse a blocked reader's replayed checkout, and the central is real.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.core import Core
from kiosk.models import Decision, Item, Security, Transaction, TxnKind
from kiosk.ports import TxnReply
from kiosk.store import Store
from sync.central import staff_wire
from sync.central.app import create_app
from sync.central.server import BackgroundServer
from sync.daemon.acs import ConflictReport, report_conflicts, upstream_conflict
from sync.link.client import Unavailable
from tests.fixtures.central import Central
from tests.sip2.kiosk_daemon import applied_for, daemon_for, lend_offline, write_config
from tests.sip2.library import Library, RunningServer
from tests.sync.fake_central import FakeCentral

BLOCKED = "R0002"  # blocked at the library system; the kiosk's cached record says nothing


@pytest.fixture
def strict(library: Library) -> Library:
    library.blocks_refuse_offline = True
    return library


def conflicts(service: Central, **params: Any) -> list[dict[str, Any]]:
    reply = service.staff.get("/conflicts", **params)
    assert reply.status_code == 200, reply.text
    return reply.json()


@contextmanager
def restart(service: Central) -> Iterator[None]:
    """The central comes back on the same address (a new process on the same database)."""
    app = create_app(service.db_url, service.clock)
    service.server = BackgroundServer(app, port=service.server.port).start()
    try:
        yield
    finally:
        service.server.stop()
        app.state.runtime.engine.dispose()


def test_a_blocked_readers_offline_checkout_refused_by_the_acs_is_one_central_conflict(
    tmp_path: Path,
    server: RunningServer,
    strict: Library,
    kiosk_core: Core,
    central: Central,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lend_offline(kiosk_core, server, BLOCKED, "1000001")
    daemon = daemon_for(tmp_path, server.port, central)
    try:
        with caplog.at_level(logging.DEBUG):
            first = daemon.run_once()
            again = daemon.run_once()
    finally:
        daemon.close()
    assert first.ok, (first.error, first.acs)
    assert first.acs is not None and (first.acs.answered, first.acs.conflicts) == (1, 1)
    assert first.reported == ConflictReport(sent=1, recorded=1)
    assert again.ok and again.reported == ConflictReport()  # nothing sent twice
    assert applied_for(strict, "1000001") == 0 and strict.books["1000001"].borrower is None

    (row,) = kiosk_core.store.journal.recent(10)
    assert row.upstream_status == "conflict"
    assert kiosk_core.store.journal.unreported_conflicts(10) == []
    (conflict,) = conflicts(central)
    assert conflict["source"] == "sip2" and conflict["txn_id"] == row.id
    assert (conflict["kiosk_id"], conflict["kind"], conflict["item_pii"]) == (
        "k1",
        "checkout",
        "1000001",
    )
    assert conflict["patron_card"] == BLOCKED  # staff need the card; logs never get it
    assert (conflict["reason"], conflict["detail"]) == ("patron_blocked", "Patron blocked")
    assert conflict["resolved_at"] is None

    # the technician's fault timeline still shows it, without the card
    faults = central.staff.get("/faults", kiosk_id="k1").json()
    (event,) = [f for f in faults if f["code"] == "sip2_conflict"]
    assert "1000001" in event["message"] and BLOCKED not in event["message"]
    ours = [r for r in caplog.records if r.name.startswith(("shufang", "sync", "kiosk"))]
    assert ours and not [r.getMessage() for r in ours if BLOCKED in r.getMessage()]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_refusals_made_while_the_central_is_down_are_reported_once_it_is_back(
    tmp_path: Path,
    server: RunningServer,
    strict: Library,
    kiosk_core: Core,
    central: Central,
) -> None:
    lend_offline(kiosk_core, server, BLOCKED, "1000001", "1000002")
    refused = [t.id for t in kiosk_core.store.journal.pending(10)]
    central.server.stop()

    daemon = daemon_for(tmp_path, server.port, central)
    try:
        down = daemon.run_once()
        assert down.acs is not None and (down.acs.answered, down.acs.conflicts) == (2, 2)
        assert down.acs.reachable and not down.reachable and down.reported is None
        assert not daemon.run_once().reachable  # still away: kept, not dropped
    finally:
        daemon.close()  # the kiosk restarts while the central is away
    assert [t.id for t in kiosk_core.store.journal.unreported_conflicts(10)] == refused

    with restart(central):
        daemon = daemon_for(tmp_path, server.port, central)
        try:
            up = daemon.run_once()
            assert up.ok, up.error
            assert up.reported == ConflictReport(sent=2, recorded=2)
            assert up.acs is not None and up.acs.answered == 0  # nothing replayed twice

            # the central's reply was lost: the kiosk sends both again, nothing doubles
            kiosk_core.store.db.conn.execute("UPDATE journal SET conflict_reported_at = NULL")
            resent = daemon.run_once()
            assert resent.reported == ConflictReport(sent=2, duplicates=2)
        finally:
            daemon.close()
        listed = conflicts(central)
        assert [c["txn_id"] for c in listed] == refused  # in the kiosk's order
        assert {c["source"] for c in listed} == {"sip2"}
        assert kiosk_core.store.journal.unreported_conflicts(10) == []
        assert applied_for(strict, "1000001") == applied_for(strict, "1000002") == 0

        # staff settle them in the library system; here they can only dismiss
        first = f"/conflicts/{listed[0]['id']}/resolve"
        apply = central.staff.post(first, staff_wire.ConflictResolution("apply"))
        assert apply.status_code == 409 and "library system" in apply.json()["detail"]
        dismiss = central.staff.post(
            first,
            staff_wire.ConflictResolution("dismiss", "lent at the desk after the block lifted"),
        )
        assert dismiss.status_code == 200, dismiss.text
        assert dismiss.json()["resolution"] == "dismissed"
        assert [c["txn_id"] for c in conflicts(central, open="true")] == refused[1:]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_report_the_central_rejects_is_kept_and_never_stops_the_heartbeat(
    tmp_path: Path,
    server: RunningServer,
    library: Library,
    kiosk_core: Core,
    central: Central,
) -> None:
    odd = "9" * 70  # longer than the central takes: the ACS does not know it either
    kiosk_core.store.items.upsert([Item(odd, "Mislabelled")])
    lend_offline(kiosk_core, server, "R0001", odd)
    daemon = daemon_for(tmp_path, server.port, central)
    try:
        report = daemon.run_once()
    finally:
        daemon.close()
    assert report.acs is not None and report.acs.conflicts == 1
    assert report.beat is not None  # the fleet still hears from the kiosk
    assert report.error == "central rejected a request: 422" and report.reported is None
    (kept,) = kiosk_core.store.journal.unreported_conflicts(10)
    assert kept.item_pii == odd
    assert ("upstream", "rejected") in {
        (f.device, f.code) for f in kiosk_core.store.faults.recent()
    }
    assert conflicts(central) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_shufang_sync_once_says_how_many_refusals_reached_the_central(
    tmp_path: Path,
    server: RunningServer,
    strict: Library,
    kiosk_core: Core,
    central: Central,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lend_offline(kiosk_core, server, BLOCKED, "1000001")
    config = str(write_config(tmp_path, server.port, central))
    assert main(["sync", "--once", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "replayed 1 rows to the library system (1 conflict), 0 waiting" in out
    assert "reported 1 refusal(s) to the central's conflicts (0 duplicate), 0 waiting" in out
    assert BLOCKED not in out
    assert main(["sync", "--once", "--config", config]) == 0
    assert "refusal(s)" not in capsys.readouterr().out  # nothing left to report
    assert len(conflicts(central)) == 1


def test_without_a_central_refusals_wait_in_the_journal_for_one(
    tmp_path: Path,
    server: RunningServer,
    strict: Library,
    kiosk_core: Core,
) -> None:
    lend_offline(kiosk_core, server, BLOCKED, "1000001")
    daemon = daemon_for(tmp_path, server.port)
    try:
        report = daemon.run_once()
    finally:
        daemon.close()
    assert report.ok and report.acs is not None and report.acs.conflicts == 1
    assert report.reported is None
    (waiting,) = kiosk_core.store.journal.unreported_conflicts(10)
    assert waiting.item_pii == "1000001"
    assert [f.code for f in kiosk_core.store.faults.recent()] == ["sip2_conflict"]


# --- the report step against fakes: what is marked, and when --------------------------------

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def journal_row(n: int) -> Transaction:
    return Transaction(
        id=f"t{n}",
        seq=0,
        kind=TxnKind.CHECKOUT,
        patron_card="R0002",
        item_pii=f"I{n}",
        at=AT + timedelta(minutes=n),
        due_at=AT + timedelta(days=28),
        decision=Decision.OFFLINE,
        reason="ok",
        security=Security.DONE,
    )


@pytest.fixture
def refusing_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "kiosk.db")
    for n in range(3):
        store.journal.append(journal_row(n))
    store.journal.mark_acked(
        [
            TxnReply("t0", "conflict", "patron_blocked: Patron R0002 blocked; see desk"),
            TxnReply("t1", "accepted"),
            TxnReply("t2", "conflict", "item_not_available"),
        ],
        AT,
    )
    return store


def test_a_refusal_goes_to_the_central_with_its_reason_and_the_acs_text_apart(
    refusing_store: Store,
) -> None:
    (row, other) = refusing_store.journal.unreported_conflicts(10)
    sent = upstream_conflict(row)
    assert (sent.id, sent.seq, sent.kind, sent.decision, sent.source) == (
        "t0",
        row.seq,
        "checkout",
        "offline",
        "sip2",
    )
    # the card goes in its own field only: the page masks it there, not in the ACS's text
    assert (sent.reason, sent.message) == ("patron_blocked", "Patron [card] blocked; see desk")
    assert (sent.patron_card, sent.item_pii, sent.due_at) == ("R0002", "I0", row.due_at)
    assert (upstream_conflict(other).reason, upstream_conflict(other).message) == (
        "item_not_available",
        "",
    )


def test_only_the_rows_the_central_answered_for_are_marked(refusing_store: Store) -> None:
    fake = FakeCentral(answer=1)
    report = report_conflicts(refusing_store, fake, batch_size=10, now=lambda: AT)
    assert report == ConflictReport(sent=2, recorded=1, left=1)
    assert [[r.id for r in batch] for batch in fake.sent] == [["t0", "t2"]]  # in order, once
    assert [t.id for t in refusing_store.journal.unreported_conflicts(10)] == ["t2"]


def test_batches_follow_the_journal_order(refusing_store: Store) -> None:
    fake = FakeCentral()
    report = report_conflicts(refusing_store, fake, batch_size=1, now=lambda: AT)
    assert report == ConflictReport(sent=2, recorded=2)
    assert [[r.id for r in batch] for batch in fake.sent] == [["t0"], ["t2"]]


def test_a_central_error_marks_nothing_and_propagates(refusing_store: Store) -> None:
    with pytest.raises(Unavailable):
        report_conflicts(
            refusing_store,
            FakeCentral(down=1, error=Unavailable("down")),
            batch_size=10,
            now=lambda: AT,
        )
    assert [t.id for t in refusing_store.journal.unreported_conflicts(10)] == ["t0", "t2"]
