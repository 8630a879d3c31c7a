"""The kiosk's devices as one station: built from config URIs, each read on its own thread.

The UI process gives it callbacks (items on the pad, scans, card numbers); the station owns
the reader threads, the pad watcher and the supervisors, so no device I/O ever runs on the UI
thread and a failing device becomes a fault record, never a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.card.mapping import CardNumbering, patron_card_number
from drivers.registry import DeviceRegistry
from drivers.rfid.hands import SimPadHands
from drivers.rfid.items import AfiSecurity, PadItems, decode_tag
from drivers.rfid.pad import PadWatcher
from drivers.rfid.sim import SimReader
from drivers.supervisors import supervise
from kiosk.models import CardKind
from kiosk.ports import FaultSink

log = logging.getLogger(__name__)


@dataclass
class StationCallbacks:
    on_item: Callable[[str, frozenset[int] | None, tuple[bytes, ...]], None]
    on_gone: Callable[[str], None]
    on_unreadable: Callable[[bytes, str], None]  # the tag's UID and its TagProblem
    on_scan: Callable[[str], None]
    on_card: Callable[[str, CardKind], None]  # card number, and how it was read
    # a tag of a stack was read (pii, position, stack size): its row can show before the
    # stack is read whole and handed to ``on_item``
    on_seen: Callable[[str, int, int], None] | None = None


@dataclass
class StationConfig:
    rfid: str = "sim:"
    scanner: str = "sim:"
    card: str = "sim:"
    printer: str = "sim:"
    poll_hz: float = 5.0
    afi_secured: int = 0x07
    afi_on_loan: int = 0xC2
    isil: str = ""
    tag_format: str = "28560-2"
    card_number_rules: str = "ndef_text,uid_decimal_reversed"
    receipt_folder: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DeviceStation:
    def __init__(
        self,
        config: StationConfig,
        faults: FaultSink,
        callbacks: StationCallbacks,
        registry: DeviceRegistry | None = None,
    ) -> None:
        self.config, self.faults, self.callbacks = config, faults, callbacks
        registry = registry or DeviceRegistry()
        self.numbering = CardNumbering.parse(config.card_number_rules)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.reader = self.pad = self.security = self.hands = None
        if config.rfid != "none":
            self.reader = registry.open_device("rfid", config.rfid)
            items = PadItems(
                callbacks.on_item, callbacks.on_gone, callbacks.on_unreadable, callbacks.on_seen
            )
            self.pad = PadWatcher(
                self.reader,
                decode_tag,
                on_event=items.handle,
                on_stack=items.stack_read,
                faults=faults,
                polls_per_second=config.poll_hz,
            )
            self.security = AfiSecurity(self.reader, config.afi_secured, config.afi_on_loan)
            if isinstance(self.reader, SimReader):
                self.hands = SimPadHands(
                    self.reader,
                    isil=config.isil,
                    tag_format=config.tag_format,
                    afi_secured=config.afi_secured,
                )
        self.raw_scanner = self._build(registry, "scanner", config.scanner)
        self.raw_card = self._build(registry, "card", config.card)
        self.raw_printer = self._build(
            registry, "printer", config.printer, folder=config.receipt_folder
        )
        self.scanner = self._supervised(self.raw_scanner, "scanner")
        self.card = self._supervised(self.raw_card, "card")
        self.printer = self._supervised(self.raw_printer, "printer")

    @staticmethod
    def _build(registry: DeviceRegistry, kind: str, uri: str, **options: Any) -> Any:
        if uri == "none":
            return None
        return registry.open_device(kind, uri, name=kind, **options)

    def _supervised(self, device: Any, kind: str) -> Any:
        return None if device is None else supervise(device, kind, name=kind, faults=self.faults)

    # --- running ---------------------------------------------------------------------------

    def start(self) -> DeviceStation:
        if self.pad is not None:
            self.pad.start()
        for device in (self.scanner, self.card, self.printer):
            if device is not None:
                device.open()
        if self.scanner is not None:
            self._spawn("scanner", self._scan_loop)
        if self.card is not None:
            self._spawn("card", self._card_loop)
        return self

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=f"device-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _scan_loop(self) -> None:
        while not self._stop.is_set():
            scan = self.scanner.read(0.2)
            if scan is not None and scan.text:
                self.callbacks.on_scan(scan.text)

    def _card_loop(self) -> None:
        while not self._stop.is_set():
            tap = self.card.poll(0.2)
            if tap is None:
                continue
            number = patron_card_number(tap, self.numbering)
            if number:
                kind = CardKind.RESIDENT_ID if tap.resident_id else CardKind.NFC
                self.callbacks.on_card(number, kind)
            else:
                log.info("a card was tapped that no card-number rule maps")

    def stop(self) -> None:
        self._stop.set()
        if self.pad is not None:
            self.pad.stop()
        for thread in self._threads:
            thread.join(2.0)
        for device in (self.scanner, self.card, self.printer):
            if device is not None:
                device.close()
        if self.reader is not None:
            self.reader.close()

    def health(self) -> dict[str, str]:
        """Device name -> state, for the heartbeat and the diagnostics screen."""
        states = {}
        if self.reader is not None:
            states["rfid"] = self.reader.state.value
        for name, device in (
            ("scanner", self.scanner),
            ("card", self.card),
            ("printer", self.printer),
        ):
            if device is not None:
                states[name] = device.state.value
        return states
