"""The resident ID card (身份证) as a library card: its chip number through nfcpy's udp device.

The exchange is checked against public traces of real cards, not against this project's
code: a PN532 through libnfc (cnblogs.com/pluse/p/17562053.html: REQB ``05 00 00``, an ATQB
with PUPI ``00 00 00 00``, ATTRIB ``1d 00 00 00 00 00 08 01 08``, then ``00 36 00 00 08``
answered by 8 bytes and a status), the NXP NFC Reader Library example ``phApp_ReadUID``
(ATTRIB answered by the single byte ``08``; GET UID answered by exactly 10 bytes whose last
two are ``90 00``) and the note "Read UID of R.P.C China Identity Card" (ATQB
``50 00 00 00 00 D1 03 86 0C 00 80 80``). What a Type B card that is no ID card answers is
ISO/IEC 7816-4: a status word alone (``6D00`` instruction not supported, ``6A82`` file not
found), or silence. Only cards whose ATQB says they do not speak ISO 14443-4 (protocol type
0, as the ID card's ``00 80 80`` says), or that have the ID cards' zero PUPI, are asked.
"""

from __future__ import annotations

import logging
import time

import pytest

from drivers.card.mapping import CardNumbering, patron_card_number
from drivers.card.nfc_reader import NfcCardReader
from drivers.card.uris import nfc_reader
from drivers.health import DeviceUri, mask_id
from kiosk.circulation import Circulation
from kiosk.importer import read_patrons
from kiosk.models import CardKind
from kiosk.ports import CardTap
from kiosk.reasons import Reason
from tests.conftest import TEST_POLICY

from .nfc_peer import (
    CITY_CARD_SENSB_RES,
    GET_UID,
    ID_CARD_ATTRIB,
    MEMORY_CARD_SENSB_RES,
    TypeBPeer,
    free_udp_port,
)
from .test_card_reader import poll_until_tap

CHIP = bytes.fromhex("0A1B2C3D4E5F6071")
CITY_PUPI = CITY_CARD_SENSB_RES[1:5]
MEMORY_PUPI = MEMORY_CARD_SENSB_RES[1:5]


def type_b_reader(port: int) -> NfcCardReader:
    return NfcCardReader(f"udp:127.0.0.1:{port}", technologies=("106B",))


def test_the_driver_sends_the_frames_of_the_public_traces() -> None:
    from drivers.card import nfc_reader as driver

    traced_attrib = bytes.fromhex("1d0000000000080108")
    cla, ins, p1, p2, le = driver.GET_UID
    assert (cla, ins, p1, p2, le) == (0x00, 0x36, 0x00, 0x00, 0x08)
    assert [
        traced_attrib,
        traced_attrib,
    ] == [b"\x1d" + driver.ID_CARD_PUPI + driver.ATTRIB_PARAMS, ID_CARD_ATTRIB]


def test_a_resident_id_cards_chip_number_is_read_through_nfcpy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="drivers")
    port = free_udp_port()
    reader = type_b_reader(port)
    with TypeBPeer(port, chip=CHIP) as card:
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=CHIP, technology="106B", resident_id=True)
    # the reader sent the traces' ATTRIB for the all-zero PUPI, then the raw GET UID
    assert card.frames[:2] == [ID_CARD_ATTRIB, GET_UID]
    assert patron_card_number(tap, CardNumbering.parse("ndef_text,uid_decimal_reversed")) == (
        "0A1B2C3D4E5F6071"
    )
    assert CHIP.hex() not in caplog.text.lower()
    assert f"resident ID card {mask_id(CHIP)} presented" in caplog.text


def test_an_id_card_silent_once_at_the_edge_of_the_field_is_read_at_the_next_poll() -> None:
    port = free_udp_port()
    reader = type_b_reader(port)
    with TypeBPeer(port, chip=CHIP, silent_get_uids=1) as card:
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=CHIP, technology="106B", resident_id=True)
    assert card.frames.count(GET_UID) >= 2  # asked again, not given up on, not its PUPI


def test_a_tapped_id_card_identifies_the_reader_registered_with_its_chip_number(
    store, clock
) -> None:
    # the registration desk's list: the chip number as its reader printed it
    report = read_patrons(
        "card_id,name,card_kind\n0a 1b 2c 3d 4e 5f 60 71,王小明,resident_id\nR0001,李四,barcode\n"
    )
    assert report.rejected == []
    store.patrons.upsert(report.accepted)
    port = free_udp_port()
    reader = type_b_reader(port)
    with TypeBPeer(port, chip=CHIP):
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap is not None
    number = patron_card_number(tap)
    circulation = Circulation(store, TEST_POLICY, clock)
    found = circulation.identify(number, CardKind.RESIDENT_ID)
    assert found.ok and found.patron.card_id == "0A1B2C3D4E5F6071"
    assert found.patron.card_kind is CardKind.RESIDENT_ID and found.patron.initials == "王**"
    # the chip number is printed nowhere: typed or scanned, it does not identify anyone
    typed = circulation.identify(number, CardKind.TYPED)
    assert (typed.ok, typed.reason) == (False, Reason.UNKNOWN_CARD)


@pytest.mark.parametrize(
    "get_uid_reply",
    [
        pytest.param(bytes.fromhex("6D00"), id="6D00 instruction not supported"),
        pytest.param(bytes.fromhex("6A82"), id="6A82 file not found"),
        pytest.param(b"", id="silence"),
    ],
)
def test_a_type_b_card_that_is_no_id_card_keeps_its_pupi_as_its_number(
    get_uid_reply: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # a card that, like an ID card, does not speak ISO 14443-4 is asked, and refuses
    caplog.set_level(logging.INFO)
    port = free_udp_port()
    reader = type_b_reader(port)
    with TypeBPeer(port, sensb_res=MEMORY_CARD_SENSB_RES, get_uid_reply=get_uid_reply) as card:
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=MEMORY_PUPI, technology="106B")
    assert card.frames[:2] == [b"\x1d" + MEMORY_PUPI + ID_CARD_ATTRIB[5:], GET_UID]
    assert "not a resident ID card" in caplog.text
    assert MEMORY_PUPI.hex() not in caplog.text.lower()


def test_an_iso_dep_city_card_is_not_asked_and_is_activated_the_nfcpy_way_as_before() -> None:
    port = free_udp_port()
    reader = type_b_reader(port)
    with TypeBPeer(port, sensb_res=CITY_CARD_SENSB_RES) as card:
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=CITY_PUPI, technology="106B")
    assert GET_UID not in card.frames
    # nfcpy's Type 4B activation (its ATTRIB asks for CID 0) looks for NDEF text records
    assert card.frames[0] == b"\x1d" + CITY_PUPI + bytes.fromhex("00080100")


def test_a_card_with_the_id_cards_zero_pupi_and_no_chip_number_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    port = free_udp_port()
    reader = type_b_reader(port)
    taps = []
    with TypeBPeer(port, get_uid_reply=bytes.fromhex("6D00")):
        reader.open()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "refused" not in caplog.text:
            taps.append(reader.poll(0.3))
        taps.append(reader.poll(0.3))  # the card still lying there is not asked again
        reader.close()
    assert "gave no chip number (GET UID answered 0 bytes, status 6d00); refused" in caplog.text
    assert taps and all(tap is None for tap in taps)
    assert caplog.text.count("refused") == 1


def test_idcard_false_in_the_uri_keeps_every_type_b_card_on_its_pupi() -> None:
    port = free_udp_port()
    reader = nfc_reader(DeviceUri.parse(f"nfc:udp:127.0.0.1:{port}?tech=106B&idcard=false"), {})
    assert reader.read_resident_id is False
    with TypeBPeer(port, sensb_res=MEMORY_CARD_SENSB_RES, chip=CHIP) as card:
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=MEMORY_PUPI, technology="106B")
    assert GET_UID not in card.frames


# --- registering chip numbers ----------------------------------------------------------------


def test_the_kiosk_import_stores_one_spelling_of_a_chip_number() -> None:
    report = read_patrons(
        "card_id,card_kind\n0a:1b:2c:3d:4e:5f:60:71,resident_id\n0A1B2C3D4E5F6072,resident_id\n"
    )
    assert [p.card_id for p in report.accepted] == ["0A1B2C3D4E5F6071", "0A1B2C3D4E5F6072"]
    assert {p.card_kind for p in report.accepted} == {CardKind.RESIDENT_ID}


@pytest.mark.parametrize(
    ("card_id", "why"),
    [
        ("11010519491231002X", "18-character resident ID number"),
        ("0A1B2C3D", "16 hex digits (got 8 characters)"),
        ("0A1B2C3D4E5F607Z", "16 hex digits (got not all of them 0-9/A-F)"),
    ],
)
def test_a_printed_id_number_or_a_short_chip_number_is_refused_without_echoing_it(
    card_id: str, why: str
) -> None:
    report = read_patrons(f"card_id,card_kind\n{card_id},resident_id\n")
    assert report.accepted == []
    [(line, reason)] = report.rejected
    assert line == 2 and why in reason and card_id not in reason


def test_the_central_import_normalizes_chip_numbers_and_finds_duplicates_by_them(
    tmp_path,
) -> None:
    from sync.central.csvimport import read_patrons as central_patrons

    csv_file = tmp_path / "patrons.csv"
    csv_file.write_text(
        "card_id,card_kind\n0a 1b 2c 3d 4e 5f 60 71,resident_id\n"
        "0A1B2C3D4E5F6071,resident_id\n11010519491231002X,resident_id\n",
        encoding="utf-8",
    )
    parsed = central_patrons(csv_file)
    assert [(r.card_id, r.card_kind) for r in parsed.records] == [
        ("0A1B2C3D4E5F6071", "resident_id")
    ]
    assert [r.line for r in parsed.rejected] == [3, 4]
    assert "repeats line 2" in parsed.rejected[0].reason
    assert "18-character resident ID number" in parsed.rejected[1].reason


def test_an_id_card_tap_asks_for_a_pin_exactly_when_an_nfc_tap_does() -> None:
    from dataclasses import replace

    from kiosk.pin_gate import PinGate

    for pin_for_nfc in (False, True):
        policy = replace(TEST_POLICY, pin_required=True, pin_for_nfc=pin_for_nfc)
        assert PinGate.needed_by(policy, CardKind.RESIDENT_ID) is pin_for_nfc
        assert PinGate.needed_by(policy, CardKind.NFC) is pin_for_nfc
