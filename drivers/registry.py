"""The device registry: which driver builds each (kind, URI scheme), imported only when a
config names it, so a kiosk without an NFC or RFID stack still starts."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from drivers.device_uri import DeviceUri, Factory

log = logging.getLogger(__name__)

# Who builds each kind of device. ``"module"`` has ``factories() -> {scheme: factory}``;
# ``"module:function"`` is one function taking the whole URI for a package that parses its
# own (the RFID package's ``reader_for_uri``).
DEFAULT_PROVIDERS: Mapping[str, str] = MappingProxyType(
    {
        "scanner": "drivers.scanner.uris",
        "card": "drivers.card.uris",
        "printer": "drivers.printer.uris",
        "rfid": "drivers.rfid.factory:reader_for_uri",
    }
)


class UnknownDevice(ValueError):
    """A URI whose scheme no driver of that kind understands."""


class DeviceRegistry:
    """Maps (kind, scheme) to driver factories; providers are imported only when needed."""

    def __init__(self, providers: Mapping[str, str] = DEFAULT_PROVIDERS) -> None:
        self._providers = dict(providers)
        self._factories: dict[tuple[str, str], Factory] = {}
        self._whole: dict[str, Callable[[str], Any]] = {}
        self._loaded: set[str] = set()

    def register(self, kind: str, scheme: str, factory: Factory) -> None:
        """Add or replace a factory (an out-of-tree driver, a test double)."""
        self._factories[(kind, scheme.lower())] = factory

    def register_kind(self, kind: str, build: Callable[[str], Any]) -> None:
        """Hand every URI of ``kind`` that no scheme factory claims to ``build(uri)``."""
        self._whole[kind] = build

    def schemes(self, kind: str) -> list[str]:
        self._load(kind)
        return sorted(scheme for k, scheme in self._factories if k == kind)

    def open_device(self, kind: str, uri: str, **options: Any) -> Any:
        """Build (not open) the driver that ``uri`` names; ``options`` come from config."""
        parsed = DeviceUri.parse(uri)
        self._load(kind)
        factory = self._factories.get((kind, parsed.scheme))
        if factory is None and kind in self._whole:
            return self._whole[kind](uri)
        if factory is None:
            known = ", ".join(f"{s}:" for s in self.schemes(kind)) or "none installed"
            raise UnknownDevice(f"no {kind} driver for {parsed.scheme}: (known: {known})")
        return factory(parsed, options)

    def _load(self, kind: str) -> None:
        if kind in self._loaded:
            return
        self._loaded.add(kind)
        provider = self._providers.get(kind)
        if provider is None:
            return
        module_name, _, function = provider.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                log.info("no %s drivers installed (%s not found)", kind, module_name)
                return
            raise
        if function:
            self._whole.setdefault(kind, getattr(module, function))
            return
        for scheme, factory in module.factories().items():
            self._factories.setdefault((kind, scheme.lower()), factory)


def open_device(
    kind: str, uri: str, *, registry: DeviceRegistry | None = None, **options: Any
) -> Any:
    """The driver for a config URI, e.g. ``open_device("printer", "escpos+net://10.0.0.9")``."""
    return (registry or DeviceRegistry()).open_device(kind, uri, **options)
