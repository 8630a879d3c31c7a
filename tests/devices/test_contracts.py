"""Contract tests every driver and its simulator pass alike, faults included."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import serial

from drivers.card.nfc_reader import NfcCardReader
from drivers.card.sim import SimCardReader
from drivers.printer.connections import SerialLink
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.receipts import ReceiptRenderer
from drivers.printer.sim import SimPrinter
from drivers.scanner.hid_scanner import HidScanner
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.sim import SimScanner
from drivers.supervisors import supervise
from kiosk.ports import (
    BarcodeScanner,
    CardReader,
    CoverOpen,
    DeviceError,
    DeviceGone,
    DeviceState,
    PaperOut,
    PrinterStatus,
    ReceiptPrinter,
    Scan,
)

from .escpos_emulator import PrinterModel, PtyPrinter
from .fakes import FakeInputDevice, RecordingFaults, typed
from .nfc_peer import SEL_RES_MIFARE_CLASSIC, CardPeer, free_udp_port
from .receipts import borrow_receipt

# --- scanners ---------------------------------------------------------------------------------


@dataclass
class ScannerRig:
    device: Any
    present: Callable[[str], None]
    unplug: Callable[[], None]
    plug_in: Callable[[], None]


def sim_scanner_rig() -> ScannerRig:
    sim = SimScanner()
    return ScannerRig(sim, sim.scan, sim.unplug, sim.plug_in)


def serial_scanner_rig() -> ScannerRig:
    ports: list[Any] = []

    def opener(url: str, **kwargs: Any) -> Any:
        ports.append(serial.serial_for_url(url, **kwargs))
        return ports[-1]

    scanner = SerialScanner("loop://", opener=opener)
    return ScannerRig(
        scanner,
        present=lambda text: ports[-1].write(text.encode() + b"\r"),
        unplug=lambda: ports[-1].close(),
        plug_in=lambda: None,
    )


def hid_scanner_rig() -> ScannerRig:
    devices: list[FakeInputDevice] = []
    plugged = [True]

    def factory(path: str) -> FakeInputDevice:
        if not plugged[0]:
            raise FileNotFoundError(2, "No such file or directory", path)
        devices.append(FakeInputDevice(path))
        return devices[-1]

    def unplug() -> None:
        plugged[0] = False
        devices[-1].unplug()

    def plug_in() -> None:
        plugged[0] = True

    scanner = HidScanner("/dev/input/by-id/usb-fake-event-kbd", device_factory=factory)
    return ScannerRig(scanner, lambda text: devices[-1].push(typed(text)), unplug, plug_in)


SCANNER_RIGS = {"sim": sim_scanner_rig, "serial": serial_scanner_rig, "hid": hid_scanner_rig}


@pytest.fixture(params=sorted(SCANNER_RIGS))
def scanner_rig(request: pytest.FixtureRequest) -> ScannerRig:
    return SCANNER_RIGS[request.param]()


def test_scanner_reads_what_is_presented(scanner_rig: ScannerRig) -> None:
    scanner = scanner_rig.device
    assert isinstance(scanner, BarcodeScanner)
    assert scanner.state is DeviceState.DISCONNECTED
    scanner.open()
    assert scanner.state is DeviceState.READY
    scanner_rig.present("31234567890123")
    scan = scanner.read(1.0)
    assert isinstance(scan, Scan) and scan.text == "31234567890123"
    assert scanner.read(0.05) is None
    scanner.close()
    assert scanner.state is DeviceState.DISCONNECTED


def test_scanner_unplugged_is_device_gone(scanner_rig: ScannerRig) -> None:
    scanner = scanner_rig.device
    scanner.open()
    scanner_rig.unplug()
    with pytest.raises(DeviceGone):
        scanner.read(0.5)
    assert scanner.state is DeviceState.DISCONNECTED


def test_scanner_read_before_open_is_a_device_error(scanner_rig: ScannerRig) -> None:
    with pytest.raises(DeviceError):
        scanner_rig.device.read(0)


def test_supervised_scanner_survives_unplug_and_replug(scanner_rig: ScannerRig) -> None:
    faults = RecordingFaults()
    now = [0.0]
    scanner = supervise(
        scanner_rig.device,
        "scanner",
        name="scanner",
        faults=faults,
        monotonic=lambda: now[0],
        sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
    )
    scanner.open()
    scanner_rig.unplug()
    assert scanner.read(0.2) is None
    assert scanner.read(0.2) is None
    assert faults.counts == {("scanner", "device_gone"): 1}
    scanner_rig.plug_in()
    now[0] += 60
    assert scanner.read(0.05) is None  # reconnects
    assert scanner.state is DeviceState.READY
    scanner_rig.present("R0012345")
    assert scanner.read(1.0) == Scan("R0012345", "scanner")
    assert faults.active == set()


# --- card readers ---------------------------------------------------------------------------------


@dataclass
class CardRig:
    device: Any
    unplug: Callable[[], None]


class _Unpluggable:
    """Wraps an nfcpy frontend so a test can pull its plug (nfcpy raises ENODEV then)."""

    def __init__(self, clf: Any) -> None:
        self.clf = clf
        self.unplugged = False

    def sense(self, *targets: Any, **options: Any) -> Any:
        if self.unplugged:
            raise OSError(19, "No such device")
        return self.clf.sense(*targets, **options)

    def close(self) -> None:
        self.clf.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.clf, name)


UID = bytes.fromhex("1A2B3C4D")


@pytest.fixture(params=["sim", "nfc-udp"])
def card_rig(request: pytest.FixtureRequest) -> Iterator[CardRig]:
    if request.param == "sim":
        sim = SimCardReader()
        sim.tap(UID)
        yield CardRig(sim, sim.unplug)
        return
    import nfc

    port = free_udp_port()
    wrappers: list[_Unpluggable] = []

    def frontend(path: str) -> _Unpluggable:
        wrappers.append(_Unpluggable(nfc.ContactlessFrontend(path)))
        return wrappers[-1]

    reader = NfcCardReader(
        f"udp:127.0.0.1:{port}", technologies=("106A",), frontend_factory=frontend
    )
    with CardPeer(port, UID, sel_res=SEL_RES_MIFARE_CLASSIC):
        yield CardRig(reader, lambda: setattr(wrappers[-1], "unplugged", True))
    reader.close()


def test_card_reader_reports_the_presented_card_then_unplug(card_rig: CardRig) -> None:
    reader = card_rig.device
    assert isinstance(reader, CardReader)
    reader.open()
    assert reader.state is DeviceState.READY
    deadline = time.monotonic() + 5
    tap = None
    while tap is None and time.monotonic() < deadline:
        tap = reader.poll(0.5)
    assert tap is not None and tap.uid == UID and tap.technology == "106A"
    card_rig.unplug()
    with pytest.raises(DeviceGone):
        reader.poll(0.2)
    assert reader.state is DeviceState.DISCONNECTED


# --- receipt printers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer() -> ReceiptRenderer:
    return ReceiptRenderer()


@dataclass
class PrinterRig:
    device: Any
    set_condition: Callable[[PrinterStatus], None]
    printed: Callable[[], bytes]


@pytest.fixture(params=["sim", "escpos-serial"])
def printer_rig(request: pytest.FixtureRequest, renderer: ReceiptRenderer) -> Iterator[PrinterRig]:
    if request.param == "sim":
        sim = SimPrinter(None, renderer=renderer)
        yield PrinterRig(sim, sim.set_status, lambda: b"".join(p.job.escpos for p in sim.printed))
        return
    model = PrinterModel()

    def condition(status: PrinterStatus) -> None:
        model.paper_out = status is PrinterStatus.PAPER_OUT
        model.cover_open = status is PrinterStatus.COVER_OPEN
        model.silent = status is PrinterStatus.OFFLINE

    with PtyPrinter(model) as pty:
        printer = EscposPrinter(SerialLink(pty.path), renderer=renderer, status_timeout=0.2)
        yield PrinterRig(printer, condition, lambda: bytes(model.printed))
        printer.close()


def _settled(read: Callable[[], bytes], size: int) -> bytes:
    deadline = time.monotonic() + 5
    while len(read()) < size and time.monotonic() < deadline:
        time.sleep(0.01)
    return read()


def test_printer_prints_the_same_bytes_as_every_other(
    printer_rig: PrinterRig, renderer: ReceiptRenderer
) -> None:
    printer = printer_rig.device
    assert isinstance(printer, ReceiptPrinter)
    printer.open()
    assert printer.status() is PrinterStatus.READY
    receipt = borrow_receipt("zh_CN", count=2)
    printer.print_receipt(receipt)
    expected = renderer.job(receipt).escpos
    assert _settled(printer_rig.printed, len(expected)) == expected


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        (PrinterStatus.PAPER_OUT, PaperOut),
        (PrinterStatus.COVER_OPEN, CoverOpen),
        (PrinterStatus.OFFLINE, DeviceError),
    ],
)
def test_printer_faults_are_reported_and_refuse_printing(
    printer_rig: PrinterRig, condition: PrinterStatus, error: type[Exception]
) -> None:
    printer = printer_rig.device
    printer.open()
    printer_rig.set_condition(condition)
    assert printer.status() is condition
    with pytest.raises(error) as raised:
        printer.print_receipt(borrow_receipt("en", count=1))
    assert (
        raised.value.code
        == {
            PrinterStatus.PAPER_OUT: "paper_out",
            PrinterStatus.COVER_OPEN: "cover_open",
            PrinterStatus.OFFLINE: "printer_offline",
        }[condition]
    )
    assert printer_rig.printed() == b""
    printer_rig.set_condition(PrinterStatus.READY)
    assert printer.status() is PrinterStatus.READY
