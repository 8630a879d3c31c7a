"""Card reader drivers by URI: ``nfc:usb``, ``nfc:tty:…``, ``nfc:udp:host:port`` and ``sim:``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.card.nfc_reader import DEFAULT_TECHNOLOGIES, NfcCardReader
from drivers.card.sim import SimCardReader
from drivers.device_uri import DeviceUri, Factory, flag

_TECHNOLOGIES = frozenset({"106A", "106B", "212F", "424F"})


def _technologies(value: str) -> tuple[str, ...]:
    chosen = tuple(part.strip().upper() for part in value.split(",") if part.strip())
    unknown = sorted(set(chosen) - _TECHNOLOGIES)
    if unknown or not chosen:
        raise ValueError(f"technologies must be among {', '.join(sorted(_TECHNOLOGIES))}")
    return chosen


def nfc_reader(uri: DeviceUri, options: Mapping[str, Any]) -> NfcCardReader:
    """``nfc:usb?tech=106A,212F&ndef=true&idcard=true``; the target is an nfcpy device path.

    ``idcard=false`` stops asking Type B cards for a resident ID card's chip number (every
    Type B card is then known by its PUPI, as before ID cards were read)."""
    opts = uri.options({"tech": _technologies, "ndef": flag, "idcard": flag, "interval": float})
    if not uri.target:
        raise ValueError(f"{uri.raw!r}: no nfcpy device path (usb, tty:…, udp:host:port)")
    return NfcCardReader(
        uri.target,
        name=options.get("name", "card"),
        technologies=opts.get("tech", DEFAULT_TECHNOLOGIES),
        read_ndef=opts.get("ndef", True),
        read_resident_id=opts.get("idcard", True),
        interval=opts.get("interval", 0.1),
    )


def sim_card_reader(uri: DeviceUri, options: Mapping[str, Any]) -> SimCardReader:
    uri.options({})
    return SimCardReader(name=options.get("name", "card"))


def factories() -> dict[str, Factory]:
    return {"nfc": nfc_reader, "sim": sim_card_reader}
