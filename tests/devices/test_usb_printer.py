"""The USB printer path, ``escpos+usb:VID:PID``, run through real pyusb and python-escpos.

No USB device is needed: pyusb is given a fake *backend* (``usb.backend.IBackend``), so
``usb.core.find``, descriptor parsing, ``set_configuration``, the implicit interface claim
and bulk transfers all run for real; only the bytes on the wire end at a model printer.
"""

from __future__ import annotations

import array
import errno
import hashlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import PIL
import pytest
import usb.backend
import usb.core

from drivers.printer.connections import UsbLink
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.fonts import find_receipt_fonts
from drivers.printer.sim import SimPrinter
from drivers.printer.status import PrinterOffline
from drivers.registry import open_device
from kiosk.ports import (
    CoverOpen,
    DeviceError,
    DeviceGone,
    DeviceState,
    PaperOut,
    PrinterStatus,
)

from .escpos_emulator import PrinterModel
from .receipts import borrow_receipt, return_receipt

GOLDEN = Path(__file__).parent / "golden"
URI = "escpos+usb:0416:5011?profile=TM-T20II&status_timeout=0.05"
OPTIONS = {"name": "printer", "timezone": "Asia/Shanghai"}

BULK, OUT, IN = 0x02, 0x00, 0x80
PRINTER_CLASS, HID_CLASS = 0x07, 0x03


# --- a fake pyusb backend ------------------------------------------------------------------


@dataclass
class FakeUsbDevice:
    """One device on the fake bus: one configuration, one interface, its endpoints."""

    vendor: int
    product: int
    endpoints: tuple[tuple[int, int], ...]  # (bEndpointAddress, bmAttributes)
    interface_class: int = PRINTER_CLASS
    interface_protocol: int = 2  # printer class: 1 unidirectional, 2 bidirectional
    model: PrinterModel = field(default_factory=PrinterModel)
    plugged: bool = True
    bus: int = 1
    address: int = 4
    # what the host did to it
    configuration: int = 0
    claimed: dict[int, Handle] = field(default_factory=dict)  # interface -> claiming handle
    opened: int = 0
    closed: int = 0
    resets: int = 0
    writes: list[tuple[int, bytes]] = field(default_factory=list)
    replies: deque[bytes] = field(default_factory=deque)  # IN packets, one per transfer

    def check(self) -> None:
        if not self.plugged:
            raise usb.core.USBError("No such device (it may have been disconnected)", -4, 19)


def printer_device(
    model: PrinterModel | None = None, *, out_ep: int = 0x03, in_ep: int | None = 0x81
) -> FakeUsbDevice:
    """A 58/80 mm Winbond-chip printer, 0416:5011, which is bulk OUT 0x03 and bulk IN 0x81."""
    endpoints = ((out_ep, BULK),) + (((in_ep, BULK),) if in_ep is not None else ())
    return FakeUsbDevice(
        0x0416,
        0x5011,
        endpoints,
        interface_protocol=2 if in_ep is not None else 1,
        model=model or PrinterModel(),
    )


def keyboard() -> FakeUsbDevice:
    return FakeUsbDevice(0x046D, 0xC31C, ((0x81, 0x03),), interface_class=HID_CLASS, address=2)


@dataclass
class Handle:
    device: FakeUsbDevice


class FakeBackend(usb.backend.IBackend):
    """Enough of a pyusb backend for ``usb.core.find`` and bulk transfers."""

    def __init__(self, *devices: FakeUsbDevice) -> None:
        super().__init__()
        self.devices = list(devices)

    # descriptors

    def enumerate_devices(self) -> Any:
        return [device for device in self.devices if device.plugged]

    def get_device_descriptor(self, dev: FakeUsbDevice) -> Any:
        return SimpleNamespace(
            bLength=18,
            bDescriptorType=0x01,
            bcdUSB=0x0200,
            bDeviceClass=0,
            bDeviceSubClass=0,
            bDeviceProtocol=0,
            bMaxPacketSize0=64,
            idVendor=dev.vendor,
            idProduct=dev.product,
            bcdDevice=0x0100,
            iManufacturer=0,
            iProduct=0,
            iSerialNumber=0,
            bNumConfigurations=1,
            address=dev.address,
            bus=dev.bus,
            port_number=1,
            port_numbers=(1,),
            speed=2,  # full speed
        )

    def get_configuration_descriptor(self, dev: FakeUsbDevice, config: int) -> Any:
        if config != 0:
            raise IndexError(config)
        return SimpleNamespace(
            bLength=9,
            bDescriptorType=0x02,
            wTotalLength=9 + 9 + 7 * len(dev.endpoints),
            bNumInterfaces=1,
            bConfigurationValue=1,
            iConfiguration=0,
            bmAttributes=0xC0,
            bMaxPower=50,
            extra_descriptors=[],
        )

    def get_interface_descriptor(self, dev: FakeUsbDevice, intf: int, alt: int, config: int) -> Any:
        if (intf, alt, config) != (0, 0, 0):
            raise IndexError((intf, alt, config))
        return SimpleNamespace(
            bLength=9,
            bDescriptorType=0x04,
            bInterfaceNumber=0,
            bAlternateSetting=0,
            bNumEndpoints=len(dev.endpoints),
            bInterfaceClass=dev.interface_class,
            bInterfaceSubClass=0x01 if dev.interface_class == PRINTER_CLASS else 0,
            bInterfaceProtocol=dev.interface_protocol,
            iInterface=0,
            extra_descriptors=[],
        )

    def get_endpoint_descriptor(
        self, dev: FakeUsbDevice, ep: int, intf: int, alt: int, config: int
    ) -> Any:
        if (intf, alt, config) != (0, 0, 0) or ep >= len(dev.endpoints):
            raise IndexError((ep, intf, alt, config))
        address, attributes = dev.endpoints[ep]
        return SimpleNamespace(
            bLength=7,
            bDescriptorType=0x05,
            bEndpointAddress=address,
            bmAttributes=attributes,
            wMaxPacketSize=64,
            bInterval=0,
            bRefresh=0,
            bSynchAddress=0,
            extra_descriptors=[],
        )

    # handles, configuration, interfaces

    def open_device(self, dev: FakeUsbDevice) -> Handle:
        dev.check()
        dev.opened += 1
        return Handle(dev)

    def close_device(self, dev_handle: Handle) -> None:
        dev_handle.device.closed += 1

    def set_configuration(self, dev_handle: Handle, config_value: int) -> None:
        dev_handle.device.check()
        if config_value not in (0, 1):
            raise usb.core.USBError("Invalid parameter", -2, errno.EINVAL)
        dev_handle.device.configuration = config_value

    def get_configuration(self, dev_handle: Handle) -> int:
        dev_handle.device.check()
        return dev_handle.device.configuration

    def claim_interface(self, dev_handle: Handle, intf: int) -> None:
        device = dev_handle.device
        device.check()
        if device.configuration != 1 or intf != 0:
            raise usb.core.USBError("Entity not found", -5, errno.ENOENT)
        if device.claimed.get(intf, dev_handle) is not dev_handle:  # as libusb on Linux
            raise usb.core.USBError("Resource busy", -6, errno.EBUSY)
        device.claimed[intf] = dev_handle

    def release_interface(self, dev_handle: Handle, intf: int) -> None:
        if dev_handle.device.claimed.get(intf) is dev_handle:
            del dev_handle.device.claimed[intf]

    def reset_device(self, dev_handle: Handle) -> None:
        dev_handle.device.check()
        dev_handle.device.resets += 1

    # bulk transfers

    def bulk_write(
        self, dev_handle: Handle, ep: int, intf: int, data: array.array, timeout: int
    ) -> int:
        device = dev_handle.device
        device.check()
        assert device.claimed.get(intf) is dev_handle, "bulk write on an unclaimed interface"
        assert (ep, BULK) in device.endpoints and not ep & IN, f"no bulk OUT endpoint 0x{ep:02x}"
        chunk = bytes(data)
        device.writes.append((ep, chunk))
        reply = device.model.feed(chunk)
        if reply:
            device.replies.append(reply)
        return len(chunk)

    def bulk_read(
        self, dev_handle: Handle, ep: int, intf: int, buff: array.array, timeout: int
    ) -> int:
        device = dev_handle.device
        device.check()
        assert device.claimed.get(intf) is dev_handle, "bulk read on an unclaimed interface"
        assert (ep, BULK) in device.endpoints and ep & IN, f"no bulk IN endpoint 0x{ep:02x}"
        if not device.replies:
            raise usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
        packet = device.replies.popleft()  # a short packet ends the transfer
        if len(packet) > len(buff):
            raise usb.core.USBError("Overflow", -8, errno.EOVERFLOW)
        buff[: len(packet)] = array.array("B", packet)
        return len(packet)


def usb_printer(backend: FakeBackend, uri: str = URI) -> EscposPrinter:
    printer = open_device("printer", uri, usb_backend=backend, **OPTIONS)
    assert isinstance(printer, EscposPrinter) and isinstance(printer.link, UsbLink)
    return printer


def sim_bytes(receipt: Any, folder: Path) -> bytes:
    """What the simulated printer saves as the receipt's ESC/POS bytes."""
    sim = open_device("printer", "sim:?profile=TM-T20II", folder=str(folder), **OPTIONS)
    assert isinstance(sim, SimPrinter)
    sim.open()
    sim.print_receipt(receipt)
    escpos = sim.printed[0].escpos
    assert escpos is not None
    return escpos.read_bytes()


# --- printing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out_ep", "in_ep"),
    [(0x03, 0x81), (0x01, 0x82)],
    ids=["winbond-03-81", "escpos-default-01-82"],
)
def test_usb_printer_sends_the_sim_printers_bytes_to_the_bulk_out_endpoint(
    tmp_path: Path, out_ep: int, in_ep: int
) -> None:
    receipt = borrow_receipt("zh_CN", count=3)
    device = printer_device(out_ep=out_ep, in_ep=in_ep)
    printer = usb_printer(FakeBackend(keyboard(), device))
    printer.open()
    assert printer.state is DeviceState.READY
    assert device.configuration == 1
    assert printer.status() is PrinterStatus.READY
    printer.print_receipt(receipt)
    printer.close()

    expected = sim_bytes(receipt, tmp_path)
    assert bytes(device.model.printed) == expected  # raster bytes, byte-identical
    assert device.model.status_queries == [1, 2, 4, 1, 2, 4]
    assert {ep for ep, _ in device.writes} == {out_ep}
    job = b"".join(chunk for _, chunk in device.writes if len(chunk) > 3)
    assert job == expected  # one bulk write, nothing added, nothing lost
    assert device.claimed == {} and device.closed >= 1  # close released the interface


def test_usb_printer_bytes_match_the_golden_receipt() -> None:
    fonts = find_receipt_fonts()
    fingerprint = (
        f"font {Path(fonts.regular.path).name} "
        f"{hashlib.sha256(Path(fonts.regular.path).read_bytes()).hexdigest()[:16]} "
        f"pillow {PIL.__version__.split('.')[0]}"
    )
    if (GOLDEN / "fingerprint.txt").read_text().strip() != fingerprint:
        pytest.skip("goldens were made with another font or Pillow; see test_printer.py")
    device = printer_device()
    printer = usb_printer(FakeBackend(device))
    printer.open()
    printer.print_receipt(return_receipt("en"))
    printer.close()
    assert bytes(device.model.printed) == (GOLDEN / "checkin_en.escpos").read_bytes()


def test_usb_printer_can_be_closed_and_opened_again() -> None:
    device = printer_device()
    printer = usb_printer(FakeBackend(device))
    held = []  # something may outlive close() holding the pyusb Device: a traceback, a log
    for _ in range(2):
        printer.open()
        held.append(printer.link._require().device)  # type: ignore[attr-defined]
        printer.print_receipt(borrow_receipt("en", count=1))
        printer.close()
        assert device.claimed == {}  # released by close(), not left to the garbage collector
    assert device.opened == device.closed
    assert device.model.printed.count(b"\x1b@") >= 2


# --- status over the bulk IN endpoint ------------------------------------------------------


@pytest.mark.parametrize(
    ("switch", "status", "error"),
    [
        ("paper_out", PrinterStatus.PAPER_OUT, PaperOut),
        ("cover_open", PrinterStatus.COVER_OPEN, CoverOpen),
        ("silent", PrinterStatus.OFFLINE, PrinterOffline),
    ],
)
def test_usb_printer_refuses_to_print_into_a_printer_that_cannot(
    switch: str, status: PrinterStatus, error: type[Exception]
) -> None:
    device = printer_device(PrinterModel(**{switch: True}))
    printer = usb_printer(FakeBackend(device))
    printer.open()
    assert printer.status() is status
    with pytest.raises(error):
        printer.print_receipt(borrow_receipt("en", count=1))
    printer.close()
    assert bytes(device.model.printed) == b""
    assert device.model.status_queries[0] == 1


def test_paper_low_still_prints_and_paper_out_is_seen_at_the_next_query() -> None:
    model = PrinterModel(paper_low=True)
    device = printer_device(model)
    printer = usb_printer(FakeBackend(device))
    printer.open()
    assert printer.status() is PrinterStatus.PAPER_LOW
    printer.print_receipt(borrow_receipt("en", count=1))
    assert len(model.printed) > 1000
    model.paper_out = True
    assert printer.status() is PrinterStatus.PAPER_OUT
    assert printer.state is DeviceState.ERROR
    printer.close()


def test_stale_bytes_in_the_in_endpoint_do_not_answer_the_next_query() -> None:
    """A reply that arrived late (or unasked) must not be read as the next status byte."""
    device = printer_device(PrinterModel(cover_open=True))
    printer = usb_printer(FakeBackend(device))
    printer.open()
    device.replies.append(b"\x12")  # an 'all fine' reply nobody waited for any more
    # read one reply late, the cover-open answers would say 'paper low' instead
    assert printer.status() is PrinterStatus.COVER_OPEN
    printer.close()


def test_a_printer_without_an_in_endpoint_prints_with_status_off() -> None:
    device = printer_device(in_ep=None)
    printer = usb_printer(FakeBackend(device), URI + "&status=false")
    printer.open()
    assert printer.status() is PrinterStatus.UNKNOWN
    printer.print_receipt(borrow_receipt("en", count=1))
    printer.close()
    assert device.model.status_queries == [] and len(device.model.printed) > 1000


def test_a_printer_without_an_in_endpoint_reads_offline_when_status_is_on() -> None:
    printer = usb_printer(FakeBackend(printer_device(in_ep=None)))
    printer.open()
    assert printer.status() is PrinterStatus.OFFLINE
    printer.close()


# --- absent and vanishing devices ----------------------------------------------------------


def test_an_absent_usb_printer_is_device_gone_and_names_its_ids() -> None:
    printer = usb_printer(FakeBackend(keyboard()))
    with pytest.raises(DeviceGone, match="0416:5011"):
        printer.open()
    assert printer.state is DeviceState.DISCONNECTED


def test_a_usb_device_that_is_not_a_printer_is_refused() -> None:
    impostor = FakeUsbDevice(0x0416, 0x5011, ((0x81, 0x03),), interface_class=HID_CLASS)
    printer = usb_printer(FakeBackend(impostor))
    with pytest.raises(DeviceError, match="bulk OUT"):
        printer.open()
    assert printer.state is DeviceState.DISCONNECTED
    assert impostor.claimed == {}


def test_unplugging_the_usb_printer_is_device_gone_and_plugging_it_in_recovers() -> None:
    device = printer_device()
    printer = usb_printer(FakeBackend(device))
    printer.open()
    assert printer.status() is PrinterStatus.READY  # pyusb claims the interface here
    device.plugged = False
    with pytest.raises(DeviceGone) as unplugged:  # kept, as a logged traceback would be
        printer.print_receipt(borrow_receipt("en", count=1))
    assert printer.state is DeviceState.DISCONNECTED
    with pytest.raises(DeviceGone):
        printer.open()
    device.plugged = True
    printer.open()  # a new handle: the lost one must not still hold the interface
    assert unplugged.value.code == "device_gone"
    assert printer.status() is PrinterStatus.READY
    printer.close()


def test_without_libusb_opening_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no backend given and none loadable, pyusb raises NoBackendError (a ValueError)."""

    def find(**_: Any) -> Any:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", find)
    printer = open_device("printer", URI, **OPTIONS)
    with pytest.raises(DeviceError, match="libusb"):
        printer.open()
    assert printer.state is DeviceState.DISCONNECTED
