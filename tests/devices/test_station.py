"""The device station from config URIs: sim pad, scanner and card reader reach the callbacks."""

from __future__ import annotations

import pytest

from drivers.station import DeviceStation, StationCallbacks, StationConfig
from kiosk.models import CardKind
from tests.devices.fakes import RecordingFaults
from tests.waiting import wait_until


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


def count_requests(emulator) -> list[bytes]:
    """The request frames ``emulator`` gets, noted before it answers each: by the time the
    driver holds a reply, its request is counted."""
    requests: list[bytes] = []
    answer = emulator.answer

    def counting(frame: bytes):
        requests.append(frame)
        return answer(frame)

    emulator.answer = counting
    return requests


@pytest.mark.parametrize("protocol", ["feig", "3m810"])
def test_a_stack_shows_its_first_item_while_the_rest_is_still_being_read(protocol):
    """Issue #18, through the station on a paced reader emulator: the first item is reported
    once the inventory and its own read are answered, with the other tags still unread; the
    stack reaches ``on_item`` whole, a set's two parts together, after its last tag."""
    from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
    from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
    from kiosk.tags import encode

    field = TagField()
    for n, (pii, part, of) in enumerate([("100001", 1, 1), ("300001", 1, 2), ("300001", 2, 2)]):
        memory = encode(format="28560-2", pii=pii, isil="CN-110000-1", set=(part, of), size=112)
        field.place(SimulatedTag(nxp_uid(n + 1), dsfid=0x06, afi=0x07, memory=memory))
    emulator = FeigEmulator(field) if protocol == "feig" else M810Emulator(field)
    requests = count_requests(emulator)
    log: list[tuple] = []
    with EmulatorServer(emulator, kind="tcp", paced=True) as server:
        callbacks = StationCallbacks(
            on_item=lambda pii, parts, uids: log.append(("item", pii, parts, len(uids))),
            on_gone=lambda pii: None,
            on_unreadable=lambda uid, why: log.append(("bad", uid, why)),
            on_scan=lambda text: None,
            on_card=lambda card, kind: None,
            on_seen=lambda pii, at, size: log.append(("seen", pii, at, len(requests))),
        )
        config = StationConfig(rfid=f"{protocol}+{server.url}", scanner="none", card="none")
        station = DeviceStation(config, RecordingFaults(), callbacks)
        station.reader.open()
        try:
            answered = len(requests)  # the reader's handshake
            station.pad.poll_once()
        finally:
            station.reader.close()
    # requests the reader had when each item was reported: the inventory, one read per tag
    assert log == [
        ("seen", "100001", 1, answered + 2),
        ("seen", "300001", 2, answered + 3),
        ("seen", "300001", 3, answered + 4),
        ("item", "100001", None, 1),
        ("item", "300001", frozenset({1, 2}), 2),
    ]
