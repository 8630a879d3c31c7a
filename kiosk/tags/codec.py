"""decode() and encode(): the tag codecs' front door, detecting the data model on the way in."""

from __future__ import annotations

import dataclasses
from typing import Any

from kiosk.tags.detect import blank_fill, reverse_blocks
from kiosk.tags.errors import TagDecodeError, TagEncodeError
from kiosk.tags.iso28560_2 import decode_object, encode_object
from kiosk.tags.iso28560_3 import crc_matches, decode_fixed, encode_fixed, plausible
from kiosk.tags.model import DSFID_BY_FORMAT, WRITABLE_FORMATS, TagData
from kiosk.tags.three_m import decode_3m, looks_3m

DSFID_28560_2 = 0x06
DSFID_28560_3 = 0x3E
ENCODE_FIELDS = frozenset(
    {"pii", "isil", "country", "library", "set", "type_of_usage", "elements", "version"}
)


def decode(data: bytes, dsfid: int | None = None, block_size: int = 4) -> TagData:
    """Read tag memory leniently and say what was assumed in ``TagData.warnings``.

    ``dsfid`` is the Data Storage Format Identifier the reader reported (None if unknown);
    ``block_size`` is the tag's block size, used to undo readers that reverse each block.
    The fixed-length layout is the same in ISO 28560-3 and Danish Data Model 1.0: with a
    DSFID it is reported as ``28560-3``, without one as ``ddm1``; both fill isil, country
    and library. Anything unreadable raises TagDecodeError, never another exception.
    """
    try:
        return _decode(data, dsfid, block_size)
    except TagDecodeError:
        raise
    except Exception as exc:  # the contract: garbage gives TagDecodeError, nothing else
        raise TagDecodeError(f"tag data could not be decoded ({exc})") from exc


def _decode(data: bytes, dsfid: int | None, block_size: int) -> TagData:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TagDecodeError(f"tag data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if dsfid is not None and (
        not isinstance(dsfid, int) or isinstance(dsfid, bool) or not 0 <= dsfid <= 255
    ):
        raise TagDecodeError(f"DSFID {dsfid!r} is not a byte value (0-255)")
    if not isinstance(block_size, int) or not 1 <= block_size <= 32:
        raise TagDecodeError(f"block size {block_size!r} must be 1-32 bytes")
    if not data:
        raise TagDecodeError("no data was read from the tag (0 bytes)")

    fill = blank_fill(data)
    if fill is not None:
        return TagData(format="blank", dsfid=dsfid, elements={"fill_byte": fill})

    views: list[tuple[bytes, str | None]] = [(data, None)]
    flipped = reverse_blocks(data, block_size)
    if flipped is not None:
        views.append(
            (
                flipped,
                f"the reader returned each {block_size}-byte block in reverse byte order; "
                "read with the order corrected",
            )
        )

    if dsfid == DSFID_28560_2:
        tag = _as_28560_2(views)
    elif dsfid == DSFID_28560_3:
        tag = _as_28560_3(views)
    else:
        tag = _detect(views, dsfid)
    tag.dsfid = dsfid
    return tag


def _as_28560_2(views: list[tuple[bytes, str | None]]) -> TagData:
    """DSFID 0x06: ISO 28560-2, unless the content clearly is something else."""
    tag = _first_object(views, strict=True)
    if tag is not None:
        return tag
    tag = _first_fixed(views, "28560-3")
    if tag is not None:
        tag.warnings.append(
            "DSFID 0x06 says ISO 28560-2 but the content is the fixed-length layout with a "
            "valid CRC; read as ISO 28560-3"
        )
        return tag
    data = views[0][0]
    if looks_3m(data):
        return _mislabelled(decode_3m(data), "DSFID 0x06 says ISO 28560-2")
    try:
        return decode_object(data, strict=False)
    except TagDecodeError as exc:
        raise TagDecodeError(f"DSFID 0x06 says ISO 28560-2, but {exc}") from None


def _as_28560_3(views: list[tuple[bytes, str | None]]) -> TagData:
    """DSFID 0x3E: ISO 28560-3, even with a bad CRC, unless the content is something else."""
    tag = _first_fixed(views, "28560-3")
    if tag is not None:
        return tag
    for view, note in views:
        if plausible(view):
            return _noted(decode_fixed(view, "28560-3"), note)
    tag = _first_object(views, strict=True)
    if tag is not None:
        return _mislabelled(tag, "DSFID 0x3E says ISO 28560-3")
    data = views[0][0]
    if looks_3m(data):
        return _mislabelled(decode_3m(data), "DSFID 0x3E says ISO 28560-3")
    try:
        return decode_fixed(data, "28560-3")
    except TagDecodeError as exc:
        raise TagDecodeError(f"DSFID 0x3E says ISO 28560-3, but {exc}") from None


def _mislabelled(tag: TagData, claim: str) -> TagData:
    names = {"28560-2": "ISO 28560-2", "28560-3": "ISO 28560-3", "3m": "the 3M layout"}
    tag.warnings.append(f"{claim} but the content is {names[tag.format]}; read as such")
    return tag


def _detect(views: list[tuple[bytes, str | None]], dsfid: int | None) -> TagData:
    """No DSFID, 0x00 or a foreign one: let the content say which model it is."""
    described = "no DSFID given" if dsfid is None else f"DSFID is 0x{dsfid:02X}"
    tag = _first_fixed(views, "ddm1" if dsfid is None else "28560-3")
    if tag is not None:
        if dsfid is None:
            tag.warnings.append(
                "no DSFID given: the fixed-length layout of Danish Data Model 1.0 and "
                "ISO 28560-3 is the same; reported as ddm1 (DSFID 0x3E means ISO 28560-3)"
            )
        else:
            tag.warnings.append(
                f"{described}, not 0x3E: assumed ISO 28560-3 from the content (CRC valid)"
            )
        return tag
    tag = _first_object(views, strict=True)
    if tag is not None:
        if dsfid is not None:
            tag.warnings.append(f"{described}, not 0x06: assumed ISO 28560-2 from the content")
        return tag
    data = views[0][0]
    if looks_3m(data):
        return decode_3m(data)
    for view, note in views:
        if plausible(view):
            tag = _noted(decode_fixed(view, "ddm1" if dsfid is None else "28560-3"), note)
            if dsfid is not None:
                tag.warnings.append(f"{described}, not 0x3E: assumed ISO 28560-3")
            return tag
    raise TagDecodeError(
        f"unrecognised tag content ({len(data)} bytes starting {data[:8].hex(' ')}, "
        f"{described}): not ISO 28560-2, ISO 28560-3 / Danish Data Model, 3M or blank"
    )


def _first_fixed(views: list[tuple[bytes, str | None]], format: str) -> TagData | None:
    for view, note in views:
        if crc_matches(view) and plausible(view):
            try:
                return _noted(decode_fixed(view, format), note)
            except TagDecodeError:
                continue
    return None


def _first_object(views: list[tuple[bytes, str | None]], strict: bool) -> TagData | None:
    """The reading that needed the fewest assumptions: a reversed tag can parse by chance
    in its stored order too, but then it needs pad bytes, terminators or PIIs that do not
    add up."""
    best: TagData | None = None
    for view, note in views:
        try:
            tag = _noted(decode_object(view, strict=strict), note)
        except TagDecodeError:
            continue
        if best is None or _doubt(tag) < _doubt(best):
            best = tag
    return best


def _doubt(tag: TagData) -> tuple[int, int]:
    """Fewer assumptions first (other elements without a content parameter count as one),
    then more elements recognised."""
    recognised = sum(v is not None for v in (tag.isil, tag.set, tag.type_of_usage))
    recognised += len(tag.elements)
    unlisted = recognised > 0 and "content_parameter" not in tag.elements
    return len(tag.warnings) + unlisted, -recognised


def _noted(tag: TagData, note: str | None) -> TagData:
    if note:
        tag.warnings.insert(0, note)
    return tag


# --- encoding ----------------------------------------------------------------------------


def encode(
    tag: TagData | None = None,
    /,
    *,
    format: str | None = None,
    size: int | None = None,
    block_size: int = 4,
    align: bool = False,
    **fields: Any,
) -> bytes:
    """Encode strictly: bad data raises TagEncodeError and nothing half-valid is returned.

    Pass a TagData, or its fields as keywords (``pii``, ``isil``, ``country``, ``library``,
    ``set`` as (part, of) or "K/N", ``type_of_usage``, ``elements``, ``version``); keywords
    override a given TagData. ``format`` is 28560-2, 28560-3 or ddm1 (default: the
    TagData's). ``size`` is the tag memory in bytes; ``align`` (28560-2) starts each element
    on a block boundary. Write the result with DSFID ``dsfid_for(format)``.
    """
    unknown = set(fields) - ENCODE_FIELDS
    if unknown:
        raise TagEncodeError(
            f"unknown field(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(ENCODE_FIELDS))}"
        )
    if isinstance(fields.get("set"), str):
        fields["set"] = parse_set(fields["set"])
    chosen = format or (tag.format if tag is not None else None)
    if chosen == "3m":
        raise TagEncodeError(
            "Shufang never writes the 3M proprietary layout; encode as 28560-2 or 28560-3"
        )
    if chosen not in WRITABLE_FORMATS:
        raise TagEncodeError(
            f"cannot write format {chosen!r}; choose one of {', '.join(WRITABLE_FORMATS)}"
        )
    if tag is None:
        tag = TagData(format=chosen, **fields)
    else:
        tag = dataclasses.replace(tag, format=chosen, **fields)
    if chosen == "28560-2":
        return encode_object(tag, size=size, block_size=block_size, align=align)
    return encode_fixed(tag, size=size)


def dsfid_for(format: str) -> int:
    """The DSFID to write alongside data encoded as ``format``."""
    try:
        return DSFID_BY_FORMAT[format]
    except KeyError:
        raise TagEncodeError(f"format {format!r} is not written by Shufang") from None


def parse_set(text: str) -> tuple[int, int]:
    """'1/2' -> (1, 2): part 1 of 2."""
    part, slash, parts = text.strip().partition("/")
    if not slash or not part.strip().isdigit() or not parts.strip().isdigit():
        raise TagEncodeError(f"set {text!r} must look like K/N, e.g. 1/2")
    return int(part), int(parts)
