"""Patron card readers: nfcpy's udp: device against a real listening peer, and number rules."""

from __future__ import annotations

import logging

import pytest

from drivers.card.mapping import CardNumbering, CardNumberRule, patron_card_number
from drivers.card.nfc_reader import NfcCardReader
from drivers.privacy import mask_id
from kiosk.ports import CardTap, DeviceGone, DeviceState

from .nfc_peer import SEL_RES_MIFARE_CLASSIC, CardPeer, free_udp_port

UID7 = bytes.fromhex("04A1B2C3D4E5F6")
UID4 = bytes.fromhex("1A2B3C4D")


def poll_until_tap(reader: NfcCardReader, seconds: float = 5.0) -> CardTap | None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tap = reader.poll(0.5)
        if tap is not None:
            return tap
    return None


def test_nfc_reader_reads_the_uid_and_ndef_text_of_a_real_udp_peer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    port = free_udp_port()
    reader = NfcCardReader(f"udp:127.0.0.1:{port}", technologies=("106A",))
    with CardPeer(port, UID7, texts=["R0012345"]):
        reader.open()
        assert reader.state is DeviceState.READY
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=UID7, technology="106A", ndef_texts=("R0012345",))
    assert UID7.hex() not in caplog.text.lower()
    assert mask_id(UID7) in caplog.text


def test_nfc_reader_takes_the_uid_of_a_card_without_ndef() -> None:
    port = free_udp_port()
    reader = NfcCardReader(f"udp:127.0.0.1:{port}", technologies=("106A",))
    with CardPeer(port, UID4, sel_res=SEL_RES_MIFARE_CLASSIC):
        reader.open()
        tap = poll_until_tap(reader)
        reader.close()
    assert tap == CardTap(uid=UID4, technology="106A", ndef_texts=())


def test_nfc_reader_reports_a_card_left_on_the_reader_once() -> None:
    port = free_udp_port()
    reader = NfcCardReader(f"udp:127.0.0.1:{port}", technologies=("106A",), read_ndef=False)
    with CardPeer(port, UID4, sel_res=SEL_RES_MIFARE_CLASSIC):
        reader.open()
        first = poll_until_tap(reader)
        second = reader.poll(0.3)
        reader.close()
    assert first is not None and first.uid == UID4
    assert second is None


def test_nfc_reader_with_nothing_in_the_field_returns_none() -> None:
    reader = NfcCardReader(f"udp:127.0.0.1:{free_udp_port()}", technologies=("106A",))
    reader.open()
    assert reader.poll(0.1) is None
    reader.close()
    assert reader.state is DeviceState.DISCONNECTED


def test_a_missing_usb_reader_is_device_gone() -> None:
    def no_reader(path: str) -> object:
        raise OSError(19, "No such device")

    reader = NfcCardReader("usb:054c:06c3", frontend_factory=no_reader)
    with pytest.raises(DeviceGone):
        reader.open()


def test_a_reader_unplugged_while_sensing_is_device_gone() -> None:
    class Unplugged:
        def sense(self, *targets: object, **options: object) -> None:
            raise OSError(19, "No such device")

        def close(self) -> None:
            pass

    reader = NfcCardReader("usb", frontend_factory=lambda path: Unplugged())
    reader.open()
    with pytest.raises(DeviceGone):
        reader.poll(0.1)
    assert reader.state is DeviceState.DISCONNECTED


# --- from card to patron card number -------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (CardNumberRule.UID_HEX, "1A2B3C4D"),
        (CardNumberRule.UID_HEX_REVERSED, "4D3C2B1A"),
        (CardNumberRule.UID_DECIMAL, "0439041101"),
        (CardNumberRule.UID_DECIMAL_REVERSED, "1295788826"),
    ],
)
def test_uid_rules(rule: CardNumberRule, expected: str) -> None:
    tap = CardTap(uid=UID4, technology="106A")
    assert patron_card_number(tap, CardNumbering((rule,))) == expected


def test_reversed_decimal_is_what_chinese_card_systems_print() -> None:
    # a card with UID 1A 2B 3C 4D read LSB first is 0x4D3C2B1A = 1295788826
    assert int("4D3C2B1A", 16) == 1295788826
    numbering = CardNumbering.parse("uid_decimal_reversed")
    assert patron_card_number(CardTap(uid=UID4, technology="106A"), numbering) == "1295788826"


def test_ndef_text_first_then_uid_as_fallback() -> None:
    numbering = CardNumbering.parse("ndef_text,uid_hex", ndef_pattern=r"R\d{7}")
    with_text = CardTap(uid=UID4, technology="106A", ndef_texts=("hello", "R0012345"))
    without = CardTap(uid=UID4, technology="106A", ndef_texts=("hello",))
    assert patron_card_number(with_text, numbering) == "R0012345"
    assert patron_card_number(without, numbering) == "1A2B3C4D"


def test_no_rule_applies_gives_none() -> None:
    numbering = CardNumbering.parse("ndef_text")
    assert patron_card_number(CardTap(uid=UID4, technology="106A"), numbering) is None


def test_unknown_rules_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(ValueError, match="uid_hex"):
        CardNumbering.parse("uid_octal")


def test_masked_ids_keep_only_the_last_two_characters() -> None:
    assert mask_id(UID7) == "[14]…F6"
    assert mask_id("R0012345") == "[8]…45"
    assert "A1B2" not in mask_id(UID7)
