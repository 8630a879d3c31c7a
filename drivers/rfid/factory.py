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

from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

from drivers.rfid.feig import FeigReader
from drivers.rfid.llrp import LlrpReader
from drivers.rfid.llrp_messages import LLRP_PORT
from drivers.rfid.m810 import M810Reader
from drivers.rfid.sim import SimReader
from kiosk.ports import TagReader

PROTOCOLS = ("feig", "3m810")
_PARAMS = MappingProxyType(
    {
        "feig": frozenset({"baud", "parity", "address", "timeout"}),
        "3m810": frozenset({"baud", "timeout"}),
        "llrp": frozenset({"timeout", "antennas", "inventory_ms"}),
    }
)


def reader_for_uri(uri: str) -> TagReader:
    """Build the reader a URI names, without opening it (the pad watcher opens and retries)."""
    # urlsplit refuses schemes that start with a digit ("3m810"), so split the scheme off first
    scheme, _, rest = uri.partition(":")
    scheme = scheme.lower()
    parts = urlsplit(f"x:{rest}")
    if scheme == "sim":
        return SimReader()
    protocol, _, serial_scheme = scheme.partition("+")
    if protocol not in (*PROTOCOLS, "llrp"):
        raise ValueError(
            f"unknown RFID reader URI {uri!r}: scheme must be sim, feig, 3m810 or llrp"
        )
    params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(params) - _PARAMS[protocol]
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)} in {uri!r}")
    if protocol == "llrp":
        return _llrp_reader(uri, parts.hostname, parts.port, params)
    if serial_scheme:
        url = f"{serial_scheme}://{parts.netloc}{parts.path}"
    elif parts.path and not parts.netloc:
        url = parts.path
    else:
        raise ValueError(f"{uri!r} names no device: write {protocol}:///dev/ttyUSB0")
    timeout = float(params.get("timeout", 0.5))
    if protocol == "feig":
        return FeigReader.for_url(
            url,
            baudrate=int(params.get("baud", 38400)),
            parity=params.get("parity", "E").upper(),
            timeout=timeout,
            address=int(params.get("address", 255)),
        )
    return M810Reader.for_url(url, baudrate=int(params.get("baud", 19200)), timeout=timeout)


def _llrp_reader(uri: str, host: str | None, port: int | None, params: dict[str, str]) -> TagReader:
    if not host:
        raise ValueError(f"{uri!r} names no reader: write llrp://HOST:{LLRP_PORT}")
    try:
        antennas = tuple(int(a) for a in params.get("antennas", "1").split(","))
        return LlrpReader.for_address(
            host,
            port or LLRP_PORT,
            timeout=float(params.get("timeout", 1.0)),
            antennas=antennas,
            inventory_ms=int(params.get("inventory_ms", 60)),
        )
    except ValueError:
        raise ValueError(f"bad parameter value in {uri!r}") from None


def open_reader(uri: str) -> TagReader:
    """Build the reader a URI names and open it; raises a DeviceError when it does not answer."""
    reader = reader_for_uri(uri)
    reader.open()
    return reader
