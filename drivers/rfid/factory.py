"""Choose a TagReader from the URI in the kiosk config.

Schemes (query parameters are optional):

- ``sim:`` — the in-process simulator with an empty field.
- ``feig:///dev/ttyUSB0?baud=38400&parity=E&address=255&timeout=0.5`` — a FEIG ISO Host
  reader on a serial device (a pty path works the same way).
- ``feig+socket://127.0.0.1:PORT`` — the same protocol through a TCP serial bridge (or the
  emulator); any pyserial URL scheme works after the ``+``: ``feig+loop://``, ``feig+rfc2217://``.
- ``3m810:///dev/ttyS0?baud=19200&timeout=0.5`` and ``3m810+socket://HOST:PORT`` — a 3M 810.
- ``llrp://HOST:5084?timeout=1&antennas=1,2&inventory_ms=60`` — a UHF reader speaking LLRP
  (Impinj, Zebra...) on the network; the port defaults to 5084. Items carry ISO/TS 28560-4
  (GB/T 35660.3) UHF tags.

``baud`` and ``timeout`` apply to both serial protocols; ``parity`` (N, E, O) and ``address``
(the FEIG bus address, 255 = any reader) only to FEIG.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from drivers.device_uri import DeviceUri
from drivers.rfid.feig import FeigReader
from drivers.rfid.llrp import LlrpReader
from drivers.rfid.llrp_messages import LLRP_PORT
from drivers.rfid.m810 import M810Reader
from drivers.rfid.sim import SimReader
from kiosk.ports import TagReader

PROTOCOLS = ("feig", "3m810")


def _parity(value: str) -> str:
    if value.upper() not in ("N", "E", "O"):
        raise ValueError(f"parity must be N, E or O, got {value!r}")
    return value.upper()


def _antennas(value: str) -> tuple[int, ...]:
    return tuple(int(antenna) for antenna in value.split(","))


_OPTIONS: Mapping[str, Mapping[str, Callable[[str], Any]]] = MappingProxyType(
    {
        "feig": {"baud": int, "parity": _parity, "address": int, "timeout": float},
        "3m810": {"baud": int, "timeout": float},
        "llrp": {"timeout": float, "antennas": _antennas, "inventory_ms": int},
    }
)


def reader_for_uri(uri: str) -> TagReader:
    """Build the reader a URI names, without opening it (the pad watcher opens and retries).

    The registry hands RFID URIs here whole because ``feig+`` and ``3m810+`` take any pyserial
    URL scheme after the ``+``; the URI itself is parsed as every device URI is.
    """
    parsed = DeviceUri.parse(uri)
    if parsed.scheme == "sim":
        parsed.options({})
        return SimReader()
    protocol, _, serial_scheme = parsed.scheme.partition("+")
    if protocol not in _OPTIONS:
        raise ValueError(
            f"unknown RFID reader URI {uri!r}: scheme must be sim, feig, 3m810 or llrp"
        )
    opts = parsed.options(_OPTIONS[protocol])
    if protocol == "llrp":
        return _llrp_reader(parsed, opts)
    if serial_scheme:
        url = f"{serial_scheme}://{parsed.target}"
    elif parsed.target.startswith("/"):
        url = parsed.target
    else:
        raise ValueError(f"{uri!r} names no device: write {protocol}:///dev/ttyUSB0")
    timeout = opts.get("timeout", 0.5)
    if protocol == "feig":
        return FeigReader.for_url(
            url,
            baudrate=opts.get("baud", 38400),
            parity=opts.get("parity", "E"),
            timeout=timeout,
            address=opts.get("address", 255),
        )
    return M810Reader.for_url(url, baudrate=opts.get("baud", 19200), timeout=timeout)


def _llrp_reader(uri: DeviceUri, opts: Mapping[str, Any]) -> TagReader:
    host, _, port = uri.target.rpartition(":") if ":" in uri.target else (uri.target, "", "")
    host = host.removeprefix("[").removesuffix("]")  # llrp://[2001:db8::7]:5084
    if not host or host.startswith("/"):
        raise ValueError(f"{uri.raw!r} names no reader: write llrp://HOST:{LLRP_PORT}")
    try:
        port_number = int(port) if port else LLRP_PORT
    except ValueError:
        raise ValueError(f"{uri.raw!r}: port {port!r} is not a number") from None
    return LlrpReader.for_address(
        host,
        port_number,
        timeout=opts.get("timeout", 1.0),
        antennas=opts.get("antennas", (1,)),
        inventory_ms=opts.get("inventory_ms", 60),
    )


def open_reader(uri: str) -> TagReader:
    """Build the reader a URI names and open it; raises a DeviceError when it does not answer."""
    reader = reader_for_uri(uri)
    reader.open()
    return reader
