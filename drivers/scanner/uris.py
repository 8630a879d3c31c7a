"""Scanner drivers by URI: ``scanner+serial:``, ``scanner+hid:`` and ``sim:``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.device_uri import DeviceUri, Factory, flag
from drivers.scanner.framing import FramingRules, Terminator
from drivers.scanner.hid_scanner import HidScanner
from drivers.scanner.keymap import KEY_ENTER, KEY_KPENTER, KEY_TAB
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.sim import SimScanner


def serial_scanner(uri: DeviceUri, options: Mapping[str, Any]) -> SerialScanner:
    """``scanner+serial:///dev/ttyACM0?baud=9600&terminator=cr&prefix=]Q1`` (also loop://)."""
    opts = uri.options(
        {"baud": int, "terminator": Terminator, "prefix": str, "suffix": str, "encoding": str}
    )
    rules = FramingRules(
        terminator=opts.get("terminator", Terminator.CR),
        prefix=opts.get("prefix", ""),
        suffix=opts.get("suffix", ""),
        encoding=opts.get("encoding", "utf-8"),
    )
    if not uri.target:
        raise ValueError(f"{uri.raw!r}: no serial port given")
    return SerialScanner(
        uri.target, baud=opts.get("baud", 9600), rules=rules, name=options.get("name", "scanner")
    )


def hid_scanner(uri: DeviceUri, options: Mapping[str, Any]) -> HidScanner:
    """``scanner+hid:/dev/input/by-id/usb-…-event-kbd?terminator=enter&grab=true``."""
    opts = uri.options({"terminator": str, "grab": flag})
    keys = {"enter": frozenset({KEY_ENTER, KEY_KPENTER}), "tab": frozenset({KEY_TAB})}
    terminator = opts.get("terminator", "enter")
    if terminator not in keys:
        raise ValueError(f"{uri.raw!r}: terminator must be enter or tab, got {terminator!r}")
    if not uri.target:
        raise ValueError(f"{uri.raw!r}: no input device path given")
    return HidScanner(
        uri.target,
        grab=opts.get("grab", True),
        terminators=keys[terminator],
        name=options.get("name", "scanner"),
        **({"device_factory": options["device_factory"]} if "device_factory" in options else {}),
    )


def sim_scanner(uri: DeviceUri, options: Mapping[str, Any]) -> SimScanner:
    uri.options({})
    return SimScanner(name=options.get("name", "scanner"))


def factories() -> dict[str, Factory]:
    return {"scanner+serial": serial_scanner, "scanner+hid": hid_scanner, "sim": sim_scanner}
