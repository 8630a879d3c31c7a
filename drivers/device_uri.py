"""Device URIs as the config names devices (``scheme:target?k=v``), parsed once for every
driver kind; each kind's ``uris.py`` turns the parsed URI into a driver."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True, slots=True)
class DeviceUri:
    """``scheme:target?k=v``; ``scheme:///dev/x`` and ``scheme://host:port`` lose the ``//``."""

    scheme: str
    target: str
    params: Mapping[str, str]
    raw: str

    @classmethod
    def parse(cls, uri: str) -> DeviceUri:
        scheme, sep, rest = uri.partition(":")
        if not sep or not scheme:
            raise ValueError(f"device URI {uri!r} has no scheme (expected e.g. 'sim:')")
        rest, _, query = rest.partition("?")
        if rest.startswith("//") and not rest.startswith("///"):
            rest = rest[2:]  # //host:port
        elif rest.startswith("///"):
            rest = rest[2:]  # ///dev/ttyS0 -> /dev/ttyS0
        params = dict(parse_qsl(query, keep_blank_values=True))
        return cls(scheme.lower(), rest, MappingProxyType(params), uri)

    def options(self, allowed: Mapping[str, Callable[[str], Any]]) -> dict[str, Any]:
        """Convert the query parameters, refusing unknown ones (a typo must not pass silently)."""
        out: dict[str, Any] = {}
        for key, value in self.params.items():
            convert = allowed.get(key)
            if convert is None:
                known = ", ".join(sorted(allowed)) or "none"
                raise ValueError(f"{self.raw!r}: unknown option {key!r} (known: {known})")
            try:
                out[key] = convert(value)
            except ValueError as error:
                raise ValueError(f"{self.raw!r}: option {key!r}: {error}") from None
        return out


Factory = Callable[[DeviceUri, Mapping[str, Any]], Any]


def flag(value: str) -> bool:
    """A yes/no URI option (``?status=off``): 1/true/yes/on or 0/false/no/off."""
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")
