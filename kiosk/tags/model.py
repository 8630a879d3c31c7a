"""TagData: what a library RFID tag says, whichever data model it was written in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.tags.errors import TagEncodeError

#: Names of the formats a decoder reports; only the first three can be written by encode().
#: "28560-4" is a UHF tag (ISO/TS 28560-4, GB/T 35660.3): kiosk.tags.uhf reads and writes it.
FORMATS = ("28560-2", "28560-3", "ddm1", "3m", "blank", "28560-4")
WRITABLE_FORMATS = ("28560-2", "28560-3", "ddm1")

#: The DSFID each writable format carries on an ISO 15693 tag. DDM 1.0 predates the 0x3E
#: registration; tags written as DDM 1.0 get 0x3E too so that any modern reader knows them.
DSFID_BY_FORMAT = {"28560-2": 0x06, "28560-3": 0x3E, "ddm1": 0x3E}


@dataclass
class TagData:
    """One decoded tag, or the data to encode onto one.

    ``warnings`` lists, in words a technician understands, everything the decoder had to
    assume to read the tag (a reversed block order, a DSFID of 0, a bad CRC...). An empty
    list means the tag is exactly as its standard says.
    """

    format: str
    pii: str | None = None
    isil: str | None = None
    country: str | None = None
    library: str | None = None
    #: Set information as (part, of): this item is part ``part`` of ``of`` parts.
    set: tuple[int, int] | None = None
    type_of_usage: int | None = None
    #: Other data elements by their ISO 28560-1 name, e.g. ``shelf_location``.
    elements: dict[str, Any] = field(default_factory=dict)
    #: ISO 28560-3 extension blocks found after the basic block: id, name, length, checksum.
    extension_blocks: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None
    #: ISO 28560-3 / DDM: whether the basic block's CRC matched; None for other formats.
    crc_ok: bool | None = None
    dsfid: int | None = None
    warnings: list[str] = field(default_factory=list)
    #: UHF tags only: the EPC bank as read (PC word fields, AFI, UII text, CRC check).
    uhf: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON types only, for the CLI, logs and the central service."""
        return {
            "format": self.format,
            "pii": self.pii,
            "isil": self.isil,
            "country": self.country,
            "library": self.library,
            "set": None if self.set is None else {"part": self.set[0], "of": self.set[1]},
            "type_of_usage": self.type_of_usage,
            "version": self.version,
            "crc_ok": self.crc_ok,
            "dsfid": self.dsfid,
            "elements": {name: _jsonable(value) for name, value in self.elements.items()},
            "extension_blocks": [
                {key: _jsonable(value) for key, value in block.items()}
                for block in self.extension_blocks
            ],
            "warnings": list(self.warnings),
        } | ({} if self.uhf is None else {"uhf": _jsonable(self.uhf)})


def _jsonable(value: Any) -> Any:
    """Bytes become hex so that unknown content is still shown, never dropped."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def checked_set(value: tuple[int, int] | None, limit: int) -> tuple[int, int]:
    """A tag's "part of a set" as (part, of), checked for encoding: a single item when
    None; ``limit`` is the largest set the data model can say (999 in ISO 28560-2's
    digits, 255 in ISO 28560-3's byte)."""
    if value is None:
        return 1, 1
    try:
        part, parts = value
    except (TypeError, ValueError):
        raise TagEncodeError(f"set {value!r} must be (part, of)") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (part, parts)):
        raise TagEncodeError(f"set {value!r} must hold whole numbers")
    if not 1 <= part <= parts <= limit:
        raise TagEncodeError(f"set {part}/{parts}: need 1 <= part <= of <= {limit}")
    return part, parts
