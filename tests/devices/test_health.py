"""Device supervision and the device registry: one fault per code, back-off, nothing escapes."""

from __future__ import annotations

import itertools

import pytest

from drivers.card.nfc_reader import NfcCardReader
from drivers.card.sim import SimCardReader
from drivers.device_uri import DeviceUri
from drivers.printer.connections import NetworkLink, SerialLink
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.sim import SimPrinter
from drivers.registry import DeviceRegistry, UnknownDevice, open_device
from drivers.scanner.hid_scanner import HidScanner
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.sim import SimScanner
from drivers.supervisors import (
    SupervisedPrinter,
    SupervisedScanner,
    Supervisor,
    supervise,
)
from kiosk.backoff import Backoff
from kiosk.ports import DeviceError, DeviceState, DeviceTimeout, PaperOut, PrinterStatus, Scan

from .fakes import FakeMonotonic, RecordingFaults


def supervised_sim(
    clock: FakeMonotonic, faults: RecordingFaults, **kwargs: object
) -> tuple[SimScanner, SupervisedScanner]:
    sim = SimScanner()
    scanner = supervise(
        sim, "scanner", name="scanner", faults=faults, monotonic=clock, sleep=clock.sleep, **kwargs
    )
    return sim, scanner


def test_an_unplugged_scanner_is_one_fault_however_often_it_is_read() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    sim, scanner = supervised_sim(clock, faults)
    scanner.open()
    sim.unplug()
    for _ in range(50):
        assert scanner.read(0.5) is None
    assert faults.counts == {("scanner", "device_gone"): 1}
    assert scanner.state is DeviceState.DISCONNECTED


def test_reconnect_after_replug_clears_the_fault_and_a_second_unplug_counts_again() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    sim, scanner = supervised_sim(clock, faults)
    scanner.open()
    sim.unplug()
    scanner.read(0.1)
    sim.plug_in()
    sim.scan("31234567")
    clock.now += 100
    assert scanner.read(0.1) == Scan("31234567", "scanner")
    assert scanner.state is DeviceState.READY
    assert faults.active == set()
    sim.unplug()
    scanner.read(0.1)
    assert faults.counts == {("scanner", "device_gone"): 2}


def test_reconnect_attempts_back_off_exponentially() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    attempts: list[float] = []

    class Counting(SimScanner):
        def open(self) -> None:
            attempts.append(clock.now)
            super().open()

    sim = Counting()
    scanner = supervise(
        sim,
        "scanner",
        name="scanner",
        faults=faults,
        monotonic=clock,
        sleep=clock.sleep,
        backoff=Backoff(first_s=1, max_s=8),
    )
    sim.unplug()
    scanner.open()
    while clock.now - attempts[0] < 40:
        scanner.read(0.25)
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(attempts)]
    assert gaps[:6] == [1, 2, 4, 8, 8, 8]
    assert faults.counts == {("scanner", "device_gone"): 1}


def test_a_hotplug_event_retries_at_once() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    sim, scanner = supervised_sim(clock, faults, backoff=Backoff(first_s=30))
    sim.unplug()
    scanner.open()
    sim.plug_in()
    sim.scan("31234567")
    assert scanner.read(0) is None  # still waiting out the back-off
    scanner.supervisor.hotplug()
    assert scanner.read(0) == Scan("31234567", "scanner")


def test_a_driver_bug_becomes_a_fault_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    class Buggy(SimScanner):
        def read(self, timeout: float) -> Scan | None:
            raise ZeroDivisionError("oops")

    faults = RecordingFaults()
    clock = FakeMonotonic()
    scanner = supervise(
        Buggy(), "scanner", name="scanner", faults=faults, monotonic=clock, sleep=clock.sleep
    )
    scanner.open()
    assert scanner.read(0.1) is None
    assert faults.counts == {("scanner", "driver_crash"): 1}
    assert "ZeroDivisionError" in caplog.text


def test_timeouts_are_warnings_and_clear_on_the_next_good_read() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    sim, scanner = supervised_sim(clock, faults)
    scanner.open()
    sim.fail_next(DeviceTimeout("no answer"))
    assert scanner.read(0) is None
    assert faults.calls == [("scanner", "timeout", "warning", "no answer")]
    sim.scan("1")
    assert scanner.read(0.1) == Scan("1", "scanner")
    assert faults.active == set()


def test_repeated_errors_make_the_supervisor_reopen_the_device() -> None:
    clock, faults = FakeMonotonic(), RecordingFaults()
    opens: list[float] = []

    class Wedged(SimScanner):
        def open(self) -> None:
            opens.append(clock.now)
            super().open()

        def read(self, timeout: float) -> Scan | None:
            raise DeviceTimeout("no answer")

    scanner = supervise(
        Wedged(), "scanner", name="scanner", faults=faults, monotonic=clock, sleep=clock.sleep
    )
    scanner.open()
    for _ in range(3):
        assert scanner.read(0) is None
    assert scanner.state is DeviceState.DISCONNECTED
    clock.now += 5
    scanner.read(0)
    assert len(opens) == 2
    assert faults.counts == {("scanner", "timeout"): 1}


def test_state_changes_reach_the_listener_and_a_failing_listener_is_contained() -> None:
    seen: list[tuple[str, DeviceState]] = []

    def listener(name: str, state: DeviceState) -> None:
        seen.append((name, state))
        raise RuntimeError("listener bug")

    clock, faults = FakeMonotonic(), RecordingFaults()
    sim, scanner = supervised_sim(clock, faults, on_state=listener)
    scanner.open()
    sim.unplug()
    scanner.read(0)
    assert [state for _, state in seen] == [
        DeviceState.CONNECTING,
        DeviceState.READY,
        DeviceState.DISCONNECTED,
    ]


def test_printer_paper_out_is_one_fault_cleared_when_paper_is_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    faults = RecordingFaults()
    sim = SimPrinter(None)
    printer = supervise(sim, "printer", name="printer", faults=faults)
    assert isinstance(printer, SupervisedPrinter)
    printer.open()
    sim.set_status(PrinterStatus.PAPER_OUT)
    for _ in range(3):
        assert printer.status() is PrinterStatus.PAPER_OUT
    with pytest.raises(PaperOut):
        printer.print_receipt(_tiny_receipt())
    assert faults.counts == {("printer", "paper_out"): 1}
    sim.set_status(PrinterStatus.READY)
    assert printer.status() is PrinterStatus.READY
    assert faults.active == set()


def test_printing_raises_only_device_errors() -> None:
    class Buggy(SimPrinter):
        def print_receipt(self, receipt: object) -> None:
            raise KeyError("layout bug")

    faults = RecordingFaults()
    printer = supervise(Buggy(None), "printer", name="printer", faults=faults)
    printer.open()
    with pytest.raises(DeviceError):
        printer.print_receipt(_tiny_receipt())
    assert ("printer", "driver_crash") in faults.counts


def test_an_unplugged_printer_status_is_offline_never_an_exception() -> None:
    faults, clock = RecordingFaults(), FakeMonotonic()
    sim = SimPrinter(None)
    printer = supervise(
        sim, "printer", name="printer", faults=faults, monotonic=clock, sleep=clock.sleep
    )
    printer.open()
    sim.unplug()
    assert printer.status() is PrinterStatus.OFFLINE
    assert printer.status() is PrinterStatus.OFFLINE
    assert faults.counts[("printer", "device_gone")] == 1


def _tiny_receipt():  # type: ignore[no-untyped-def]
    from .receipts import borrow_receipt

    return borrow_receipt("en", count=1)


# --- URIs and the registry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "scheme", "target", "params"),
    [
        ("sim:", "sim", "", {}),
        ("scanner+serial:///dev/ttyACM0?baud=9600", "scanner+serial", "/dev/ttyACM0",
         {"baud": "9600"}),
        ("scanner+serial:loop://", "scanner+serial", "loop://", {}),
        ("nfc:udp:127.0.0.1:54321", "nfc", "udp:127.0.0.1:54321", {}),
        ("escpos+net://10.0.0.9:9100", "escpos+net", "10.0.0.9:9100", {}),
        ("escpos+usb:0416:5011", "escpos+usb", "0416:5011", {}),
        ("sim:?folder=/tmp/r", "sim", "", {"folder": "/tmp/r"}),
    ],
)  # fmt: skip
def test_device_uris(uri: str, scheme: str, target: str, params: dict[str, str]) -> None:
    parsed = DeviceUri.parse(uri)
    assert (parsed.scheme, parsed.target, dict(parsed.params)) == (scheme, target, params)


@pytest.mark.parametrize(
    ("kind", "uri", "cls"),
    [
        ("scanner", "sim:", SimScanner),
        ("scanner", "scanner+serial:///dev/ttyACM0?baud=9600&terminator=both", SerialScanner),
        ("scanner", "scanner+hid:/dev/input/by-id/usb-scanner-event-kbd", HidScanner),
        ("card", "sim:", SimCardReader),
        ("card", "nfc:usb", NfcCardReader),
        ("card", "nfc:udp:127.0.0.1:54321?tech=106A", NfcCardReader),
        ("printer", "sim:", SimPrinter),
        ("printer", "escpos+serial:///dev/ttyS1?baud=19200", EscposPrinter),
        ("printer", "escpos+usb:0416:5011", EscposPrinter),
        ("printer", "escpos+net://10.0.0.9:9100", EscposPrinter),
    ],
)
def test_open_device_builds_the_driver_a_uri_names(kind: str, uri: str, cls: type) -> None:
    device = open_device(kind, uri)
    assert isinstance(device, cls)
    assert device.state is DeviceState.DISCONNECTED  # built, not opened


def test_uri_options_reach_the_driver() -> None:
    scanner = open_device("scanner", "scanner+serial:///dev/ttyACM0?baud=115200&terminator=lf")
    assert scanner.baud == 115200
    printer = open_device("printer", "escpos+net://printer.local")
    assert isinstance(printer.link, NetworkLink) and printer.link.port == 9100
    serial_printer = open_device("printer", "escpos+serial:///dev/ttyS1?baud=38400")
    assert isinstance(serial_printer.link, SerialLink) and serial_printer.link.baud == 38400


def test_a_typo_in_an_option_is_refused_with_the_known_options() -> None:
    with pytest.raises(ValueError, match=r"unknown option .bud.*baud"):
        open_device("scanner", "scanner+serial:///dev/ttyACM0?bud=9600")
    with pytest.raises(ValueError, match="terminator"):
        open_device("scanner", "scanner+serial:///dev/ttyACM0?terminator=semicolon")


def test_an_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(UnknownDevice, match=r"nfc:.*sim:"):
        open_device("card", "pcsc:reader0")


def test_a_kind_without_installed_drivers_says_so_and_others_can_register() -> None:
    registry = DeviceRegistry(providers={"rfid": "drivers.rfid_not_installed.uris"})
    with pytest.raises(UnknownDevice, match="none installed"):
        registry.open_device("rfid", "feig:///dev/ttyUSB0")
    registry.register("rfid", "feig", lambda uri, options: ("feig", uri.target, options))
    assert registry.open_device("rfid", "feig:///dev/ttyUSB0", name="rfid") == (
        "feig",
        "/dev/ttyUSB0",
        {"name": "rfid"},
    )


def test_a_package_that_parses_its_own_uris_plugs_in_whole() -> None:
    registry = DeviceRegistry(providers={})
    registry.register_kind("rfid", lambda uri: ("rfid", uri))
    assert registry.open_device("rfid", "feig+socket://127.0.0.1:4000") == (
        "rfid",
        "feig+socket://127.0.0.1:4000",
    )


def test_the_rfid_package_is_reached_through_the_default_registry() -> None:
    factory = pytest.importorskip("drivers.rfid.factory")
    reader = open_device("rfid", "sim:")
    assert type(reader).__module__.startswith("drivers.rfid")
    assert factory is not None


def test_supervise_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        supervise(object(), "toaster", name="x", faults=RecordingFaults())


def test_supervisor_wraps_any_device() -> None:
    supervisor = Supervisor(SimScanner(), name="scanner", faults=RecordingFaults())
    supervisor.open()
    assert supervisor.state is DeviceState.READY
    supervisor.close()
    assert supervisor.state is DeviceState.DISCONNECTED


def test_supervised_devices_still_fit_their_ports() -> None:
    from kiosk.ports import BarcodeScanner, CardReader, ReceiptPrinter

    faults = RecordingFaults()
    assert isinstance(supervise(SimScanner(), "scanner", name="s", faults=faults), BarcodeScanner)
    assert isinstance(supervise(SimCardReader(), "card", name="c", faults=faults), CardReader)
    printer = supervise(SimPrinter(None), "printer", name="p", faults=faults)
    assert isinstance(printer, ReceiptPrinter)
