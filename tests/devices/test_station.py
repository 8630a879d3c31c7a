"""The device station from config URIs: sim pad, scanner and card reader reach the callbacks."""

from __future__ import annotations

import pytest

from drivers.station import DeviceStation, StationCallbacks, StationConfig
from kiosk.models import CardKind
from tests.devices.fakes import RecordingFaults
from tests.rfid.waiting import wait_until


@pytest.fixture
def station(tmp_path):
    seen: list[tuple] = []
    callbacks = StationCallbacks(
        on_item=lambda pii, parts, uids: seen.append(("item", pii, parts, len(uids))),
        on_gone=lambda pii: seen.append(("gone", pii)),
        on_unreadable=lambda uid, why: seen.append(("bad", uid)),
        on_scan=lambda text: seen.append(("scan", text)),
        on_card=lambda card, kind: seen.append(("card", card, kind)),
    )
    config = StationConfig(isil="CN-110000-1", poll_hz=50, receipt_folder=str(tmp_path))
    station = DeviceStation(config, RecordingFaults(), callbacks).start()
    yield station, seen
    station.stop()


def test_sim_pad_items_arrive_with_their_set_parts(station):
    station, seen = station
    station.hands.place_item("300001", 1, 2)
    station.hands.place_item("300001", 2, 2)
    wait_until(lambda: ("item", "300001", frozenset({1, 2}), 2) in seen, what="both parts")
    station.hands.remove_item("300001")
    wait_until(lambda: ("gone", "300001") in seen, what="gone")


def test_scanner_and_card_reader_reach_the_callbacks(station):
    station, seen = station
    station.raw_scanner.scan("100001")
    station.raw_card.tap(b"\x04\xa1\xb2\xc3", ndef_texts=("P0001",))
    wait_until(
        lambda: ("scan", "100001") in seen and ("card", "P0001", CardKind.NFC) in seen,
        what="events",
    )


def test_a_resident_id_tap_reaches_the_callback_as_its_chip_number(station):
    station, seen = station
    station.raw_card.tap(bytes.fromhex("0a1b2c3d4e5f6071"), "106B", resident_id=True)
    wait_until(lambda: ("card", "0A1B2C3D4E5F6071", CardKind.RESIDENT_ID) in seen, what="ID card")


def test_security_writes_the_pad_tags(station):
    station, seen = station
    station.hands.place_item("100001")
    wait_until(lambda: any(e[0] == "item" for e in seen), what="item")
    tag = station.hands.tag_for("100001")
    station.security.secure(tag.uid, on_loan=True)
    assert tag.afi == 0xC2


def test_health_lists_every_device(station):
    station, _ = station
    wait_until(lambda: station.health().get("rfid") == "ready", what="reader ready")
    assert set(station.health()) == {"rfid", "scanner", "card", "printer"}
