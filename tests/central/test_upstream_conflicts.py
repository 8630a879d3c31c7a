"""Rows a kiosk's library system (SIP2) refused: central conflicts, exactly once, dismiss only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kiosk.clock import ManualClock
from sync import wire
from sync.central import auth, conflict_records, ledger, staff_wire
from sync.central.database import make_engine, writing
from sync.central.migrations import STEPS, applied_steps, migrate
from sync.central.schema import conflicts, transactions
from sync.link.client import CentralClient, Rejected
from tests.fixtures.central import START, Api, Central, open_loans, seed, txn
from tests.fleet.conftest import signed_in

UTC_ZONE = ZoneInfo("UTC")


def refused(
    seq: int,
    item: str = "I1",
    card: str = "P1",
    *,
    kind: str = "checkout",
    reason: str = "patron_blocked",
    message: str = "Patron blocked",
    id: str | None = None,
) -> wire.UpstreamConflictIn:
    at = START + timedelta(minutes=seq)
    return wire.UpstreamConflictIn(
        id=id or str(uuid.uuid4()),
        seq=seq,
        kind=kind,  # type: ignore[arg-type]
        patron_card=card,
        item_pii=item,
        at=at,
        decision="offline",
        source="sip2",
        reason=reason,
        message=message,
        due_at=at + timedelta(days=28) if kind != "checkin" else None,
    )


def report(kiosk: Api, *rows: wire.UpstreamConflictIn) -> list[dict[str, Any]]:
    reply = kiosk.post("/upstream-conflicts", wire.UpstreamConflictBatch(list(rows)))
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def listed(central: Central, **params: Any) -> list[dict[str, Any]]:
    reply = central.staff.get("/conflicts", **params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def count(central: Central, table: sa.Table) -> int:
    with central.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_refusal_becomes_one_sip2_conflict_and_a_resend_is_a_duplicate(
    central: Central,
) -> None:
    kiosk = central.enrol("k1", branch="east")
    row = refused(7, "1000001", "R0002")
    (first,) = report(kiosk, row)
    assert first["status"] == "recorded" and first["conflict_id"] is not None
    (again,) = report(kiosk, row)  # the kiosk lost the reply and sends it again
    assert again == {
        "id": row.id,
        "status": "duplicate",
        "conflict_id": first["conflict_id"],
        "reason": "already received: conflict",
    }
    (conflict,) = listed(central, open="true")
    assert conflict["id"] == first["conflict_id"]
    assert conflict["txn_id"] == row.id and conflict["source"] == "sip2"
    assert (conflict["kiosk_id"], conflict["branch"]) == ("k1", "east")
    assert (conflict["kind"], conflict["item_pii"], conflict["patron_card"]) == (
        "checkout",
        "1000001",
        "R0002",
    )
    assert conflict["reason"] == "patron_blocked" and conflict["detail"] == "Patron blocked"
    assert conflict["resolved_at"] is None
    assert (count(central, conflicts), count(central, transactions)) == (1, 1)


def test_a_sip2_conflict_touches_neither_loans_nor_statistics(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    report(kiosk, refused(1, "I1"), refused(2, "I2", kind="renew", reason="renewal_limit"))
    assert open_loans(central, open="false") == []
    reply = central.staff.get("/statistics")
    assert reply.status_code == 200 and reply.json() == []


def test_rows_are_recorded_in_the_kiosks_order_and_a_repeat_in_a_batch_once(
    central: Central,
) -> None:
    kiosk = central.enrol("k1")
    early, late = refused(3, "I1"), refused(9, "I2")
    results = report(kiosk, late, early, late)  # the reply keeps the order sent
    assert [(r["id"], r["status"]) for r in results] == [
        (late.id, "recorded"),
        (early.id, "recorded"),
        (late.id, "duplicate"),
    ]
    assert results[2]["reason"] == "repeated in batch"
    assert results[1]["conflict_id"] < results[0]["conflict_id"]
    assert [c["txn_id"] for c in listed(central)] == [early.id, late.id]


def test_a_row_the_central_already_applied_is_a_duplicate_not_a_conflict(
    central: Central,
) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    row = txn(1, "checkout", "I1")
    assert kiosk.push(row)[0]["status"] == "accepted"
    (result,) = report(kiosk, refused(1, "I1", id=row.id))
    assert result == {
        "id": row.id,
        "status": "duplicate",
        "conflict_id": None,
        "reason": "already received: accepted",
    }
    assert listed(central) == []


def test_staff_dismiss_a_sip2_conflict_but_cannot_apply_it(central: Central) -> None:
    kiosk = central.enrol("k1")
    (result,) = report(kiosk, refused(1, "1000001", "R0002"))
    path = f"/conflicts/{result['conflict_id']}/resolve"

    apply = central.staff.post(path, staff_wire.ConflictResolution("apply"))
    assert apply.status_code == 409
    assert "library system" in apply.json()["detail"] and "dismiss" in apply.json()["detail"]
    assert listed(central, open="true")[0]["resolved_at"] is None

    note = "lent at the desk in the library system, loan 88121"
    dismissed = central.staff.post(path, staff_wire.ConflictResolution("dismiss", note))
    assert dismissed.status_code == 200, dismissed.text
    body = dismissed.json()
    assert (body["resolution"], body["note"], body["resolved_by"]) == (
        "dismissed",
        note,
        "librarian",
    )
    assert body["source"] == "sip2"
    assert listed(central, open="true") == []
    assert central.staff.post(path, staff_wire.ConflictResolution("dismiss")).status_code == 409
    assert open_loans(central, open="false") == []


def test_the_centrals_own_conflicts_say_so_and_can_still_be_applied(central: Central) -> None:
    seed(central, patrons=("P1",))
    kiosk = central.enrol("k1")
    (result,) = kiosk.push(txn(1, "checkout", "I1", card="P9"))  # unknown card
    assert result["status"] == "conflict"
    (conflict,) = listed(central)
    assert conflict["source"] == "central"
    reply = central.staff.post(
        f"/conflicts/{conflict['id']}/resolve", staff_wire.ConflictResolution("apply")
    )
    assert reply.status_code == 200, reply.text
    assert [loan["patron_card"] for loan in open_loans(central)] == ["P9"]


def test_the_kiosk_client_reports_and_reads_the_reply(central: Central) -> None:
    central.enrol("k1")
    client = CentralClient(central.url, central.tokens["k1"])
    row = refused(4)
    (first,) = client.report_upstream_conflicts([row])
    assert (first.id, first.status) == (row.id, "recorded")
    (again,) = client.report_upstream_conflicts([row])
    assert (again.status, again.conflict_id) == ("duplicate", first.conflict_id)
    bad = refused(5)
    bad.reason = ""
    with pytest.raises(Rejected) as error:
        client.report_upstream_conflicts([bad])
    assert error.value.status == 422


def _body(**changes: Any) -> dict[str, Any]:
    row = wire.to_json(refused(1))
    row.update(changes)
    return {"conflicts": [{k: v for k, v in row.items() if v is not ...}]}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no conflicts list"),
        pytest.param({"conflicts": "all of them"}, id="not a list"),
        pytest.param(_body(source=...), id="no source"),
        pytest.param(_body(source="koha"), id="unknown source"),
        pytest.param(_body(reason=...), id="no reason"),
        pytest.param(_body(reason="  "), id="blank reason"),
        pytest.param(_body(reason="x" * 65), id="long reason"),
        pytest.param(_body(message="x" * 501), id="long message"),
        pytest.param(_body(id=""), id="empty id"),
        pytest.param(_body(id="x" * 65), id="long id"),
        pytest.param(_body(patron_card="9" * 65), id="long card"),
        pytest.param(_body(kind="borrow"), id="unknown kind"),
        pytest.param(_body(seq=0), id="seq zero"),
        pytest.param(_body(seq="first"), id="seq not a number"),
        pytest.param(_body(at="2026-11-24T02:00:00"), id="naive time"),
        pytest.param(_body(at="yesterday"), id="not a time"),
        pytest.param(_body(kind="cancel", cancels=None), id="cancel without target"),
    ],
)
def test_malformed_reports_are_refused_whole_with_422(
    central: Central, body: dict[str, Any]
) -> None:
    kiosk = central.enrol("k1")
    reply = kiosk.session.post(
        kiosk.base + wire.API_PREFIX + "/upstream-conflicts", json=body, timeout=60
    )
    assert reply.status_code == 422, reply.text
    assert count(central, conflicts) == 0


def test_a_malformed_row_refuses_the_whole_batch(central: Central) -> None:
    kiosk = central.enrol("k1")
    good, bad = wire.to_json(refused(1)), wire.to_json(refused(2))
    bad["at"] = "2026-11-24T02:02:00"  # no UTC offset
    reply = kiosk.session.post(
        kiosk.base + wire.API_PREFIX + "/upstream-conflicts",
        json={"conflicts": [good, bad]},
        timeout=60,
    )
    assert reply.status_code == 422, reply.text
    assert count(central, conflicts) == 0 and count(central, transactions) == 0


def test_only_an_enrolled_kiosk_may_report(central: Central) -> None:
    body = wire.UpstreamConflictBatch([refused(1)])
    assert central.as_token(None).post("/upstream-conflicts", body).status_code == 401
    assert central.as_token("sfk_unknown").post("/upstream-conflicts", body).status_code == 401
    assert central.staff.post("/upstream-conflicts", body).status_code == 401


def test_upgrading_from_the_first_schema_marks_old_conflicts_as_the_centrals(
    db_url: str, central_clock: ManualClock
) -> None:
    """The step-1 schema had no ``conflicts.source``: built here from the current one."""
    engine = make_engine(db_url)
    try:
        migrate(engine, central_clock, STEPS[:1])
        with writing(engine) as conn:
            token = auth.enrol_kiosk(conn, "k1", "main", central_clock.now())
            kiosk = auth.kiosk_for_token(conn, token)
            assert kiosk is not None
            result = ledger.apply_batch(
                conn, kiosk, [txn(1, "checkout", "nowhere")], START, UTC_ZONE
            )
            assert result[0].status == "conflict"
            conn.execute(sa.text("ALTER TABLE conflicts DROP COLUMN source"))
        assert applied_steps(engine) == [1]

        assert migrate(engine, central_clock)[0] == "0002 conflict sources"
        assert applied_steps(engine) == [s.number for s in STEPS]
        with writing(engine) as conn:
            (old,) = conflict_records.list_conflicts(conn)
            assert (old.reason, old.source) == (ledger.UNKNOWN_ITEM, "central")
            (new,) = conflict_records.record_upstream_conflicts(
                conn, kiosk, [refused(2)], START, UTC_ZONE
            )
            assert new.status == "recorded"
            assert [c.source for c in conflict_records.list_conflicts(conn)] == ["central", "sip2"]
    finally:
        engine.dispose()


def test_the_fleet_pages_show_a_sip2_conflict_as_the_library_systems(central: Central) -> None:
    kiosk = central.enrol("k1")
    report(kiosk, refused(1, "1000001", "21000000999999", message="Patron blocked: <fines>"))
    web = signed_in(central)
    for path in ("/dashboard/conflicts", "/dashboard/kiosks/k1"):
        reply = web.get(central.url + path, timeout=30)
        assert reply.status_code == 200, reply.text[:500]
        html = reply.text
        assert "1000001" in html and "******9999" in html
        assert "21000000999999" not in html
        assert "读者被停借" in html  # the reason, in both languages
        assert "图书馆系统拒绝" in html and "refused by the library system (SIP2)" in html
    conflicts_page = web.get(central.url + "/dashboard/conflicts", timeout=30).text
    assert "Patron blocked: &lt;fines&gt;" in conflicts_page  # the ACS's words, escaped
