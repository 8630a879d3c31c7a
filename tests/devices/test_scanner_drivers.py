"""Serial and HID scanner drivers: framing, noise, the exclusive grab, unplugging."""

from __future__ import annotations

import os
import tty

import pytest
import serial

from drivers.scanner.framing import FramingRules, Noise, ScanFramer, Terminator
from drivers.scanner.hid_scanner import HidScanner
from drivers.scanner.serial_scanner import SerialScanner
from kiosk.ports import DeviceError, DeviceGone, DeviceState, Scan

from .fakes import FakeInputDevice, FakeMonotonic, typed


@pytest.mark.parametrize(
    ("terminator", "stream", "scans"),
    [
        (Terminator.CR, b"111\r222\r", ["111", "222"]),
        (Terminator.CR, b"111\r\n222\r\n", ["111", "222"]),
        (Terminator.LF, b"111\n222\n", ["111", "222"]),
        (Terminator.LF, b"111\r\n", ["111"]),
        (Terminator.CRLF, b"111\r\n222\r\n", ["111", "222"]),
        (Terminator.CRLF, b"111\n", []),
        (Terminator.BOTH, b"111\r222\n333\r\n444\r\n", ["111", "222", "333", "444"]),
        (Terminator.BOTH, b"\r\n\r\n555\r", ["555"]),
    ],
)
def test_terminators(terminator: Terminator, stream: bytes, scans: list[str]) -> None:
    framer = ScanFramer(FramingRules(terminator=terminator))
    assert framer.feed(stream) == scans


def test_a_scan_split_across_reads_is_joined() -> None:
    framer = ScanFramer()
    assert framer.feed(b"1234") == []
    assert framer.feed(b"5678\r") == ["12345678"]


def test_prefix_suffix_and_stx_etx_are_stripped() -> None:
    framer = ScanFramer(FramingRules(prefix="]C0", suffix="#"))
    assert framer.feed(b"]C012345678#\r\x0212345678\x03\r") == ["12345678", "12345678"]


def test_noise_is_dropped_with_a_reason() -> None:
    framer = ScanFramer(FramingRules(max_length=8))
    out = framer.feed(b"\xff\xfe\r\x00\x00\r12\x1b34\r123456789012\r99\r")
    reasons = [part.reason for part in out if isinstance(part, Noise)]
    assert reasons == [
        "not utf-8 text",
        "empty scan",
        "control characters in scan",
        "over-long line without terminator",
    ]
    assert [part for part in out if isinstance(part, str)] == ["99"]


def test_other_encodings_for_chinese_scanners() -> None:
    framer = ScanFramer(FramingRules(encoding="gb18030"))
    assert framer.feed("书房123\r".encode("gb18030")) == ["书房123"]


def test_reset_reports_what_was_lost() -> None:
    framer = ScanFramer()
    framer.feed(b"123")
    lost = framer.reset()
    assert lost == Noise("unterminated scan discarded", 3)
    assert framer.reset() is None


# --- the serial driver, byte for byte over loop:// and a pty -----------------------------


def test_serial_scanner_reads_scans_over_loop() -> None:
    scanner = SerialScanner("loop://", rules=FramingRules(terminator=Terminator.BOTH))
    scanner.open()
    assert scanner.state is DeviceState.READY
    scanner._port.write(b"31234567890123\r\nR0012345\r\n")
    assert scanner.read(1.0) == Scan("31234567890123", "scanner")
    assert scanner.read(1.0) == Scan("R0012345", "scanner")
    assert scanner.read(0.1) is None
    scanner.close()
    assert scanner.state is DeviceState.DISCONNECTED


def test_serial_scanner_on_a_pty_like_a_real_port() -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    try:
        scanner = SerialScanner(os.ttyname(slave), baud=9600)
        scanner.open()
        os.write(master, b"3123")
        os.write(master, b"4567\r")
        assert scanner.read(2.0) == Scan("31234567", "scanner")
        scanner.close()
    finally:
        os.close(master)
        os.close(slave)


def test_serial_scanner_drops_a_stale_half_scan() -> None:
    clock = FakeMonotonic()
    scanner = SerialScanner("loop://", monotonic=clock)
    scanner.open()
    scanner._port.write(b"99")
    scanner._pull(0.5)  # the half scan arrives, then nothing for a long time
    clock.now += 5
    scanner._port.write(b"31234567\r")
    scanner._pull(0.5)
    assert list(scanner._ready) == ["31234567"]


def test_a_missing_serial_port_is_device_gone() -> None:
    scanner = SerialScanner("/dev/does-not-exist-ttyACM9")
    with pytest.raises(DeviceGone):
        scanner.open()
    assert scanner.state is DeviceState.DISCONNECTED


def test_a_port_failing_mid_read_is_device_gone() -> None:
    class Vanishing:
        timeout = 0.0
        in_waiting = 0

        def read(self, size: int) -> bytes:
            raise serial.SerialException("device reports readiness to read but returned no data")

        def close(self) -> None:
            pass

    scanner = SerialScanner("/dev/ttyACM0", opener=lambda *a, **k: Vanishing())
    scanner.open()
    with pytest.raises(DeviceGone):
        scanner.read(0.5)
    assert scanner.state is DeviceState.DISCONNECTED


# --- the HID driver with an injected input device ----------------------------------------


def hid(device: FakeInputDevice, **kwargs: object) -> HidScanner:
    return HidScanner(device.path, device_factory=lambda path: device, **kwargs)  # type: ignore[arg-type]


def test_hid_scanner_grabs_the_device_and_decodes_recorded_key_events() -> None:
    device = FakeInputDevice()
    scanner = hid(device)
    scanner.open()
    assert device.grabbed
    device.push(typed("R0012345"))
    device.push(typed("sf1.K1_x?"))
    assert scanner.read(1.0) == Scan("R0012345", "scanner")
    assert scanner.read(1.0) == Scan("sf1.K1_x?", "scanner")
    assert scanner.read(0.05) is None
    scanner.close()
    assert not device.grabbed
    assert device.closed


def test_hid_scanner_refuses_a_scan_with_keys_it_cannot_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from .fakes import FakeEvent

    device = FakeInputDevice()
    scanner = hid(device)
    scanner.open()
    f5 = 63
    device.push([*typed("123", enter=False), FakeEvent(1, f5, 1), *typed("4")])
    device.push(typed("31234567"))
    assert scanner.read(1.0) == Scan("31234567", "scanner")
    assert "refused a scan" in caplog.text


def test_hid_scanner_drops_a_half_typed_scan_after_a_pause() -> None:
    clock = FakeMonotonic()
    device = FakeInputDevice()
    scanner = hid(device, monotonic=clock)
    scanner.open()
    device.push(typed("99", enter=False))
    scanner._pull(device, 0.5)
    clock.now += 5
    device.push(typed("31234567"))
    scanner._pull(device, 0.5)
    assert list(scanner._ready) == ["31234567"]


def test_hid_scanner_held_by_someone_else_is_an_error_not_a_silent_leak() -> None:
    device = FakeInputDevice()
    device.refuse_grab = True
    scanner = hid(device)
    with pytest.raises(DeviceError, match="exclusively"):
        scanner.open()
    assert device.closed


def test_hid_scanner_unplugged_is_device_gone() -> None:
    device = FakeInputDevice()
    scanner = hid(device)
    scanner.open()
    device.unplug()
    with pytest.raises(DeviceGone):
        scanner.read(1.0)
    assert scanner.state is DeviceState.DISCONNECTED


def test_hid_scanner_missing_device_is_device_gone() -> None:
    def missing(path: str) -> FakeInputDevice:
        raise FileNotFoundError(2, "No such file or directory", path)

    scanner = HidScanner("/dev/input/by-id/nothing", device_factory=missing)
    with pytest.raises(DeviceGone):
        scanner.open()


def test_hid_scanner_with_real_evdev_on_a_missing_path_is_device_gone() -> None:
    pytest.importorskip("evdev")
    scanner = HidScanner("/dev/input/by-id/usb-no-such-scanner-event-kbd")
    with pytest.raises(DeviceGone):
        scanner.open()
