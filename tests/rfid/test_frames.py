"""CRCs and frame codecs against the published vectors and hand-checked frames."""

from __future__ import annotations

import pytest

from drivers.rfid.crc import crc16_3m, crc16_feig
from drivers.rfid.feig_frame import (
    FeigReply,
    FeigRequest,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
)
from drivers.rfid.m810_frame import PROBE_PREFIX, decode_frame, encode_frame, payload_length
from kiosk.ports import FrameError
from tests.rfid.scripted import hexbytes


def test_feig_crc_matches_the_get_software_version_vector() -> None:
    assert crc16_feig(hexbytes("05 FF 65")) == 0xCBE5


def test_3m_crc_matches_the_probe_and_its_reply() -> None:
    assert crc16_3m(hexbytes("00 05 04 00 11")) == 0x8C66
    assert crc16_3m(hexbytes("00 09 04 00 11 0A 05 00 02")) == 0x7250


def test_feig_get_software_version_request_is_the_published_frame() -> None:
    assert encode_request(FeigRequest(0xFF, 0x65)) == hexbytes("05 FF 65 E5 CB")


def test_feig_request_round_trips() -> None:
    request = FeigRequest(0xFF, 0xB0, hexbytes("01 00"))
    assert encode_request(request) == hexbytes("07 FF B0 01 00 1C 56")
    assert decode_request(encode_request(request)) == request


def test_feig_reply_decodes_status_and_data() -> None:
    frame = hexbytes("0D 00 65 00 03 02 00 00 4A 00 08 7B 7D")
    assert decode_reply(frame) == FeigReply(0x00, 0x65, 0x00, hexbytes("03 02 00 00 4A 00 08"))
    assert encode_reply(decode_reply(frame)) == frame


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        ("06 00 69 00 F6 FB", "CRC"),
        ("07 00 69 00 F6 FA", "LEN"),
        ("05 00 69 00 F6", "shorter"),
    ],
)
def test_broken_feig_replies_are_frame_errors(frame: str, why: str) -> None:
    with pytest.raises(FrameError, match=why):
        decode_reply(hexbytes(frame))


def test_feig_frames_longer_than_255_bytes_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_request(FeigRequest(0xFF, 0xB0, bytes(251)))


def test_3m_probe_is_the_published_frame() -> None:
    assert encode_frame(hexbytes("04 00 11"), PROBE_PREFIX) == hexbytes("D5 00 05 04 00 11 8C 66")


def test_3m_probe_reply_decodes_to_its_payload() -> None:
    frame = hexbytes("D5 00 09 04 00 11 0A 05 00 02 72 50")
    assert decode_frame(frame) == (0xD5, hexbytes("04 00 11 0A 05 00 02"))


def test_3m_inventory_request_frame() -> None:
    assert encode_frame(hexbytes("FE 00 05")) == hexbytes("D6 00 05 FE 00 05 FA 40")


def test_3m_header_announces_payload_and_crc_length() -> None:
    assert payload_length(hexbytes("D6 00 0F")) == 15
    with pytest.raises(FrameError):
        payload_length(hexbytes("AA 00 0F"))
    with pytest.raises(FrameError):
        payload_length(hexbytes("D6 00 01"))


def test_3m_frame_with_a_bad_crc_is_a_frame_error() -> None:
    with pytest.raises(FrameError, match="CRC"):
        decode_frame(hexbytes("D5 00 09 04 00 11 0A 05 00 02 72 51"))


def test_a_port_that_refuses_its_settings_is_device_gone_not_a_termios_error() -> None:
    """Regression: termios.error from a second 8E1 open of a pty escaped the error tree."""
    import termios

    from drivers.rfid.transport import SerialTransport
    from kiosk.ports import DeviceGone

    def refuse(url: str, **settings: object) -> None:
        raise termios.error(22, "Invalid argument")

    transport = SerialTransport("/dev/pts/x", baudrate=38400, port_factory=refuse)  # type: ignore[arg-type]
    with pytest.raises(DeviceGone, match="Invalid argument"):
        transport.open()
