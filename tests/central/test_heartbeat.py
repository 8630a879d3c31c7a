"""Heartbeats: online/offline, faults per device, uptime, downtime and MTBF on a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from kiosk.clock import ManualClock
from sync import wire
from sync.central.fleet_health import Span, availability, mtbf_seconds
from sync.central.settings import CentralSettings
from tests.fixtures.central import START, Api, Central, start_central

MINUTE = timedelta(minutes=1)


@pytest.fixture
def central5(db_url: str, central_clock: ManualClock) -> Iterator[Central]:
    """A service whose kiosks count as offline after five silent minutes."""
    c = start_central(db_url, central_clock, CentralSettings(online_window=5 * MINUTE))
    yield c
    c.server.stop()
    c.engine.dispose()


def beat(kiosk: Api, state: str = "in_service", **extra: object) -> wire.HeartbeatAck:
    body = wire.Heartbeat(
        state=state,
        outbox_depth=extra.pop("outbox_depth", 0),  # type: ignore[arg-type]
        software_version="0.1.0",
        policy_version="central-1",
        **extra,
    )  # type: ignore[arg-type]
    reply = kiosk.post("/heartbeat", body)
    assert reply.status_code == 200, reply.text
    return wire.from_json(wire.HeartbeatAck, reply.json())


def fault(
    code: str,
    severity: str = "error",
    device: str = "rfid",
    at: timedelta = timedelta(0),
    count: int = 1,
    cleared: bool = False,
) -> wire.FaultReport:
    return wire.FaultReport(
        device=device,
        code=code,
        severity=severity,
        message=code,  # type: ignore[arg-type]
        first_at=START + at,
        last_at=START + at,
        count=count,
        cleared_at=START + at + MINUTE if cleared else None,
    )


def fleet_row(central: Central, **params: object) -> dict:
    reply = central.staff.get("/fleet", **params)
    assert reply.status_code == 200, reply.text
    return reply.json()["kiosks"][0]


def test_online_follows_the_heartbeat_window(central5: Central) -> None:
    kiosk = central5.enrol("k1")
    assert fleet_row(central5)["online"] is False  # never seen
    ack = beat(kiosk, outbox_depth=7, devices={"rfid": "ok", "printer": "paper_out"})
    assert ack.received_at == START
    row = fleet_row(central5)
    assert row["online"] is True and row["outbox_depth"] == 7
    assert row["devices"] == {"rfid": "ok", "printer": "paper_out"}
    assert row["software_version"] == "0.1.0" and row["policy_version"] == "central-1"
    central5.clock.advance(5 * MINUTE)
    assert fleet_row(central5)["online"] is True
    central5.clock.advance(timedelta(seconds=1))
    row = fleet_row(central5)
    assert row["online"] is False and row["last_seen_at"] == "2026-11-24T02:00:00Z"


def test_uptime_downtime_and_mtbf_over_a_window(central5: Central) -> None:
    kiosk = central5.enrol("k1")
    for _minute in range(30):  # in service, minutes 0..29, then silence
        beat(kiosk)
        central5.clock.advance(MINUTE)
    central5.clock.set(START + 40 * MINUTE)
    beat(
        kiosk,
        "out_of_service",
        faults=[
            fault("crc", at=38 * MINUTE),
            fault("jam", "critical", "printer", 39 * MINUTE),
            fault("slow", "warning", at=39 * MINUTE),
        ],
    )
    central5.clock.set(START + 50 * MINUTE)
    beat(kiosk)
    central5.clock.set(START + 60 * MINUTE)
    row = fleet_row(central5, window_hours=1)
    # Up: 0..29 plus the 5-minute window after the last beat (34 min), and 50..55: 39 min.
    assert row["uptime_percent"] == pytest.approx(65.0)
    assert row["downtime_seconds"] == pytest.approx(21 * 60)
    assert row["failures"] == 2  # the warning is not a failure
    assert row["mtbf_seconds"] == pytest.approx(39 * 60 / 2)
    assert row["faults_by_device"] == {"rfid": 2, "printer": 1}
    assert row["online"] is False


def test_a_fault_reported_again_updates_one_row(central5: Central) -> None:
    kiosk = central5.enrol("k1")
    beat(kiosk, faults=[fault("timeout", count=1)])
    beat(kiosk, faults=[fault("timeout", count=4)])
    faults = central5.staff.get("/faults").json()
    assert [(f["code"], f["count"]) for f in faults] == [("timeout", 4)]
    beat(
        kiosk,
        faults=[
            fault("timeout", count=4, cleared=True),
            fault("paper_out", "warning", "printer", at=MINUTE),
        ],
    )
    assert [f["code"] for f in central5.staff.get("/faults", open="true").json()] == ["paper_out"]
    assert [f["code"] for f in central5.staff.get("/faults", device="rfid").json()] == ["timeout"]
    assert central5.staff.get("/faults", severity="critical").json() == []
    assert [f["code"] for f in fleet_row(central5)["open_faults"]] == ["paper_out"]


def test_the_fleet_lists_the_worst_kiosk_first(central5: Central) -> None:
    good, bad = central5.enrol("a-good"), central5.enrol("b-bad", branch="east")
    beat(good)
    beat(bad, faults=[fault("crc"), fault("crc2")])
    kiosks = central5.staff.get("/fleet").json()["kiosks"]
    assert [k["kiosk_id"] for k in kiosks] == ["b-bad", "a-good"]
    assert [
        k["kiosk_id"] for k in central5.staff.get("/fleet", branch="east").json()["kiosks"]
    ] == ["b-bad"]


def test_availability_of_steady_beats_is_complete() -> None:
    beats = [Span.beat(START + i * MINUTE, True) for i in range(61)]
    got = availability(beats, START, START + 60 * MINUTE, 3 * MINUTE)
    assert got.uptime_percent == 100.0 and got.down_seconds == 0


def test_availability_counts_silence_beyond_the_window_as_down() -> None:
    beats = [Span.beat(START, True), Span.beat(START + 10 * MINUTE, True)]
    got = availability(beats, START, START + 20 * MINUTE, 2 * MINUTE)
    assert got.up_seconds == 4 * 60 and got.down_seconds == 16 * 60


def test_out_of_service_time_is_down_even_with_heartbeats() -> None:
    beats = [Span.beat(START + i * MINUTE, i < 5) for i in range(10)]
    got = availability(beats, START, START + 10 * MINUTE, 3 * MINUTE)
    assert got.up_seconds == 5 * 60


def test_mtbf_needs_a_failure() -> None:
    assert mtbf_seconds(3600, 0) is None
    assert mtbf_seconds(3600, 4) == 900


def test_a_newly_enrolled_kiosk_is_not_blamed_for_time_before_enrolment(
    central5: Central,
) -> None:
    kiosk = central5.enrol("k1")
    for _minute in range(10):
        beat(kiosk)
        central5.clock.advance(MINUTE)
    row = fleet_row(central5)  # the default window is a week
    assert row["uptime_percent"] == 100.0 and row["downtime_seconds"] == 0


def test_spans_give_the_same_availability_as_the_beats_they_fold() -> None:
    window = 3 * MINUTE
    minutes = [0, 1, 2, 3, 10, 11, 12, 30]
    beats = [Span.beat(START + m * MINUTE, m < 12) for m in minutes]
    spans = [
        Span(START, START + 3 * MINUTE, True),
        Span(START + 10 * MINUTE, START + 11 * MINUTE, True),
        Span(START + 12 * MINUTE, START + 12 * MINUTE, False),
        Span(START + 30 * MINUTE, START + 30 * MINUTE, False),
    ]
    end = START + 40 * MINUTE
    assert availability(spans, START, end, window) == availability(beats, START, end, window)
