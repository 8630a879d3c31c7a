"""Printer drivers by URI: ``escpos+serial:``, ``escpos+usb:``, ``escpos+net:`` and ``sim:``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drivers.device_uri import DeviceUri, Factory, flag
from drivers.printer.connections import NetworkLink, SerialLink, UsbLink
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.receipts import DEFAULT_PROFILE, ReceiptRenderer
from drivers.printer.sim import SimPrinter

_RENDERING: dict[str, Callable[[str], Any]] = {"profile": str, "font": str}
_PRINTER: dict[str, Callable[[str], Any]] = {"status": flag, "status_timeout": float}


def _renderer(opts: Mapping[str, Any], options: Mapping[str, Any]) -> ReceiptRenderer:
    return ReceiptRenderer(
        profile=opts.get("profile", DEFAULT_PROFILE),
        timezone=options.get("timezone", "Asia/Shanghai"),
        font_path=opts.get("font") or options.get("font"),
    )


def _printer(link: Any, opts: Mapping[str, Any], options: Mapping[str, Any]) -> EscposPrinter:
    return EscposPrinter(
        link,
        name=options.get("name", "printer"),
        renderer=_renderer(opts, options),
        check_status=opts.get("status", True),
        status_timeout=opts.get("status_timeout", 0.5),
    )


def serial_printer(uri: DeviceUri, options: Mapping[str, Any]) -> EscposPrinter:
    """``escpos+serial:///dev/ttyS1?baud=19200&dsrdtr=false&profile=TM-T20II``."""
    opts = uri.options({**_RENDERING, **_PRINTER, "baud": int, "dsrdtr": flag})
    if not uri.target:
        raise ValueError(f"{uri.raw!r}: no serial port given")
    link = SerialLink(uri.target, baud=opts.get("baud", 19200), dsrdtr=opts.get("dsrdtr", False))
    return _printer(link, opts, options)


def usb_printer(uri: DeviceUri, options: Mapping[str, Any]) -> EscposPrinter:
    """``escpos+usb:0416:5011`` (vendor and product id in hex)."""
    opts = uri.options({**_RENDERING, **_PRINTER})
    vendor, _, product = uri.target.partition(":")
    try:
        ids = int(vendor, 16), int(product, 16)
    except ValueError:
        raise ValueError(f"{uri.raw!r}: expected escpos+usb:VID:PID in hex") from None
    link = UsbLink(*ids, backend=options.get("usb_backend"))  # a pyusb backend; None: libusb
    return _printer(link, opts, options)


def network_printer(uri: DeviceUri, options: Mapping[str, Any]) -> EscposPrinter:
    """``escpos+net://192.168.1.50:9100``."""
    opts = uri.options({**_RENDERING, **_PRINTER, "timeout": float})
    host, _, port = uri.target.rstrip("/").rpartition(":")
    if not host:
        host, port = uri.target.rstrip("/"), "9100"
    if not host:
        raise ValueError(f"{uri.raw!r}: no host given")
    link = NetworkLink(host, int(port), timeout=opts.get("timeout", 5.0))
    return _printer(link, opts, options)


def sim_printer(uri: DeviceUri, options: Mapping[str, Any]) -> SimPrinter:
    """``sim:?folder=/var/lib/shufang/receipts`` (the folder may also come from config)."""
    opts = uri.options({**_RENDERING, "folder": str})
    return SimPrinter(
        opts.get("folder") or options.get("folder"),
        name=options.get("name", "printer"),
        renderer=_renderer(opts, options),
    )


def factories() -> dict[str, Factory]:
    return {
        "escpos+serial": serial_printer,
        "escpos+usb": usb_printer,
        "escpos+net": network_printer,
        "sim": sim_printer,
    }
