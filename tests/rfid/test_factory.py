"""Reader URIs from the kiosk config map onto the right driver and serial settings."""

from __future__ import annotations

import pytest
import serial

from drivers.rfid import open_reader, reader_for_uri
from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.m810 import M810Reader
from drivers.rfid.sim import SimReader
from kiosk.ports import DeviceGone, DeviceState


def transport_of(reader: object):  # type: ignore[no-untyped-def]
    return reader._link.transport  # type: ignore[attr-defined]


def test_sim_uri_is_the_simulator() -> None:
    assert isinstance(reader_for_uri("sim:"), SimReader)


def test_feig_device_uri_uses_the_device_path_and_defaults() -> None:
    reader = reader_for_uri("feig:///dev/ttyUSB0")
    assert isinstance(reader, FeigReader)
    transport = transport_of(reader)
    assert (transport.url, transport.baudrate, transport.parity) == (
        "/dev/ttyUSB0",
        38400,
        serial.PARITY_EVEN,
    )


def test_feig_uri_parameters_are_applied() -> None:
    reader = reader_for_uri("feig:///dev/ttyUSB1?baud=19200&parity=N&address=3&timeout=1.5")
    transport = transport_of(reader)
    assert (transport.baudrate, transport.parity, transport.timeout) == (19200, "N", 1.5)
    assert reader.address == 3  # type: ignore[attr-defined]


def test_a_plus_scheme_passes_a_pyserial_url_through() -> None:
    assert transport_of(reader_for_uri("feig+socket://127.0.0.1:7000")).url == (
        "socket://127.0.0.1:7000"
    )
    assert transport_of(reader_for_uri("3m810+socket://10.0.0.5:4001")).url == (
        "socket://10.0.0.5:4001"
    )


def test_3m810_uri_defaults_to_19200_8n1() -> None:
    reader = reader_for_uri("3m810:///dev/ttyS0")
    assert isinstance(reader, M810Reader)
    transport = transport_of(reader)
    assert (transport.url, transport.baudrate, transport.parity) == ("/dev/ttyS0", 19200, "N")


@pytest.mark.parametrize(
    "uri",
    [
        "nfc:usb",
        "feig:",
        "feig://",
        "feig://10.0.0.5",  # a host without a serial scheme: feig+socket:// was meant
        "3m810:///dev/ttyS0?address=1",
        "feig:///dev/x?speed=9600",
        "feig:///dev/x?parity=X",
        "feig:///dev/x?baud=fast",
        "llrp://10.0.0.5:reader",
        "sim:?x=1",
    ],
)
def test_bad_uris_are_refused_with_a_reason(uri: str) -> None:
    with pytest.raises(ValueError):
        reader_for_uri(uri)


def test_open_reader_opens_through_the_emulators() -> None:
    with EmulatorServer(FeigEmulator(), kind="tcp") as feig:
        reader = open_reader("feig+" + feig.url)
        assert reader.state is DeviceState.READY
        reader.close()
    with EmulatorServer(M810Emulator()) as m810:
        reader = open_reader(f"3m810://{m810.url}")
        assert reader.state is DeviceState.READY
        reader.close()


def test_open_reader_on_a_missing_device_is_device_gone() -> None:
    with pytest.raises(DeviceGone):
        open_reader("feig:///dev/does-not-exist-rfid")
