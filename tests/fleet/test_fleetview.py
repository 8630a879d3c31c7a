"""The pieces under the pages: kiosk states, service segments, masking, CSV cells, SVG text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync.central import staff_wire
from sync.central.database import reading, writing
from sync.central.fleet_health_tables import uptime_spans
from sync.central.web import charts, csvexport, fleetview
from sync.central.web.fleetview import Segment, kiosk_state, mask_card
from tests.fixtures.central import Central

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def status(**changes: object) -> staff_wire.KioskStatus:
    values: dict[str, object] = {
        "kiosk_id": "k1",
        "branch": "b",
        "online": True,
        "revoked": False,
        "state": "in_service",
        "last_seen_at": NOW,
        "offline_since": None,
        "outbox_depth": 0,
        "software_version": "1",
        "policy_version": "central-1",
        "devices": {"rfid": "ready"},
        "open_faults": [],
        "faults_by_device": {},
        "window_hours": 168.0,
        "uptime_percent": 100.0,
        "downtime_seconds": 0.0,
        "failures": 0,
        "mtbf_seconds": None,
    }
    values.update(changes)
    return staff_wire.KioskStatus(**values)  # type: ignore[arg-type]


def open_fault(severity: str) -> staff_wire.FaultRecord:
    return staff_wire.FaultRecord(1, "k1", "rfid", "x", severity, "", NOW, NOW, 1)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "in_service"),
        ({"state": "out_of_service"}, "out_of_service"),
        ({"online": False}, "offline"),
        ({"online": False, "state": "out_of_service"}, "offline"),
        ({"last_seen_at": None, "online": False}, "never_seen"),
        ({"revoked": True}, "revoked"),
        ({"devices": {"rfid": "disconnected"}}, "device_fault"),
        ({"devices": {"printer": "paper_out"}}, "device_fault"),
        ({"devices": {"rfid": "connecting"}}, "in_service"),
        ({"open_faults": [open_fault("error")]}, "device_fault"),
        ({"open_faults": [open_fault("warning")]}, "in_service"),
        ({"open_faults": [open_fault("critical")], "state": "out_of_service"}, "out_of_service"),
    ],
)
def test_kiosk_state_in_one_word(changes: dict[str, object], expected: str) -> None:
    assert kiosk_state(status(**changes)) == expected


def test_cards_keep_only_their_last_four_digits() -> None:
    assert mask_card("21000000123456") == "******3456"
    assert mask_card("P12345") == "**2345"
    assert mask_card("P1") == "**"


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    rows = [
        staff_wire.DailyStats("=cmd|' /C calc'!A0", "2026-11-24", 1, 0, 0, 1),
        staff_wire.DailyStats("@SUM(A1)", "2026-11-24", 0, 1, 0, 1),
        staff_wire.DailyStats('东城书房, "Dongcheng"', "2026-11-24", 0, 0, 1, 1),
    ]
    text = csvexport.statistics_csv(rows)
    assert text.startswith("\ufeffbranch,day,loans,returns,renewals,readers\r\n")
    assert "\r\n'=cmd|' /C calc'!A0,2026-11-24,1,0,0,1\r\n" in text
    assert "\r\n'@SUM(A1)," in text
    assert '\r\n"东城书房, ""Dongcheng""",2026-11-24,0,0,1,1\r\n' in text


def test_svg_text_is_escaped() -> None:
    svg = charts.daily_bars(
        "<script>x</script>",
        ["2026-11-21", "2026-11-22"],
        [charts.Series("loans", "<b>L</b>", [1, 2])],
    )
    assert "<script>" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('class="weekend"') == 2  # a Saturday and a Sunday
    strip = charts.state_strip(
        [Segment(NOW - timedelta(days=1), NOW, "in_service")],
        [(NOW - timedelta(hours=1), "error", '"><script>y</script>')],
        NOW - timedelta(days=1),
        NOW,
        ZoneInfo("Asia/Shanghai"),
        {"title": "t"},
    )
    assert "<script>" not in strip and "fault-mark" in strip


def test_segments_fill_silence_with_offline(central: Central) -> None:
    """Uses the live database so the SQL runs on SQLite and PostgreSQL alike."""
    central.enrol("k1")
    window = timedelta(minutes=3)
    with writing(central.engine) as conn:
        conn.execute(
            uptime_spans.insert(),
            [
                {
                    "kiosk_id": "k1",
                    "state": "in_service",
                    "start_at": NOW - timedelta(hours=5),
                    "end_at": NOW - timedelta(hours=4),
                },
                {
                    "kiosk_id": "k1",
                    "state": "out_of_service",
                    "start_at": NOW - timedelta(hours=2),
                    "end_at": NOW - timedelta(hours=1),
                },
            ],
        )
    with reading(central.engine) as conn:
        got = fleetview.segments(conn, "k1", NOW - timedelta(hours=6), NOW, window)
    assert [(s.state, s.start, s.end) for s in got] == [
        ("offline", NOW - timedelta(hours=6), NOW - timedelta(hours=5)),
        ("in_service", NOW - timedelta(hours=5), NOW - timedelta(hours=4) + window),
        ("offline", NOW - timedelta(hours=4) + window, NOW - timedelta(hours=2)),
        ("out_of_service", NOW - timedelta(hours=2), NOW - timedelta(hours=1) + window),
        ("offline", NOW - timedelta(hours=1) + window, NOW),
    ]


def test_stored_utc_times_in_a_sentence_are_shown_in_local_time() -> None:
    from zoneinfo import ZoneInfo

    from sync.central.web.render import local_text

    shanghai = ZoneInfo("Asia/Shanghai")
    assert local_text("on loan since 2026-11-23T23:00:00+00:00", shanghai) == (
        "on loan since 2026-11-24 07:00"
    )
    assert local_text("at 2026-11-23T23:30Z, again 2026-11-24T01:00:00.5+08:00", shanghai) == (
        "at 2026-11-24 07:30, again 2026-11-24 01:00"
    )
    assert local_text("no time here 2026-11-23", shanghai) == "no time here 2026-11-23"
