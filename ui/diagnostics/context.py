"""What diagnostics mode is handed by the composition root: settings, device ports, callbacks.

Devices arrive as kiosk ports (TagReader, ReceiptPrinter) and plain callables, so ``ui`` never
imports a driver; a test passes simulators, ``shufang run`` passes the station's objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.diag.checks import DEVICE_KINDS
from kiosk.ports import ReceiptPrinter, TagReader


def usb_stick_folder() -> Path:
    """The first writable mounted removable medium, else /var/tmp (say where it went)."""
    for pattern in ("/media/*/*", "/run/media/*/*", "/media/*"):
        for path in sorted(Path("/").glob(pattern.lstrip("/"))):
            if path.is_dir() and path.is_mount():
                return path
    return Path("/var/tmp")


@dataclass
class DiagnosticsContext:
    technician_cards: Mapping[str, str] = field(default_factory=dict)  # card id -> name
    pin_hash: str = ""
    idle_timeout_ms: int = 180_000
    reader: TagReader | None = None
    printer: ReceiptPrinter | None = None
    #: Device name -> DeviceState value, e.g. DeviceStation.health.
    health: Callable[[], Mapping[str, str]] = dict
    device_uris: Mapping[str, str] = field(default_factory=dict)
    upstream: str = ""
    tag_format: str = "28560-2"
    isil: str = ""
    afi_secured: int = 0x07
    afi_on_loan: int = 0xC2
    #: Plays a test sound; None when the build has no audio output.
    sound: Callable[[], None] | None = None
    #: The spoken prompts (ui.voice.Voice): their settings, why silent now, a test prompt.
    voice: Any = None
    #: Ends the process with the exit status systemd restarts on.
    restart: Callable[[], None] | None = None
    export_folder: Callable[[], Path] = usb_stick_folder
    log_paths: Sequence[Path] = ()
    pin_attempts: int = 3
    pin_lockout_ms: int = 300_000


def context_from(
    config: Config,
    *,
    reader: TagReader | None,
    printer: ReceiptPrinter | None,
    health: Callable[[], Mapping[str, str]],
    restart: Callable[[], None] | None = None,
) -> DiagnosticsContext:
    """The context ``shufang run`` builds from the checked config and the device station."""
    return DiagnosticsContext(
        technician_cards=config["technician.cards"],
        pin_hash=config["technician.pin_hash"],
        idle_timeout_ms=config["technician.idle_timeout_s"] * 1000,
        reader=reader,
        printer=printer,
        health=health,
        device_uris={kind: config[f"devices.{kind}"] for kind in DEVICE_KINDS},
        upstream=config["upstream.url"] if config["upstream.kind"] == "central" else "",
        tag_format=config["policy.tag_format"],
        isil=config["kiosk.isil"],
        afi_secured=config["policy.afi_secured"],
        afi_on_loan=config["policy.afi_on_loan"],
        restart=restart,
    )
