"""ISO 28560-2 object-based encoding (DSFID 0x06): data elements as ISO/IEC 15962 data sets.

Each data set on the tag is::

    precursor  [relative-OID byte]  [offset byte]  length  compacted data  [pad bytes]

The precursor holds an offset flag (bit 7), the compaction scheme (bits 6-4) and the
relative OID (bits 3-0). OID 15 means "look in the next byte", which holds OID - 15. When the
offset flag is set, the offset byte says how many pad bytes follow the data (used to align
elements to memory blocks). The byte order of OID extension before offset is the one deployed
GB/T 35660 (China's ISO 28560-2 profile) encoders write. A 0x00 byte where a precursor would
be ends the data.

The PII (OID 1) comes first. The content parameter (OID 2) is a bit map of the other elements
present: the most significant bit of its first byte stands for OID 3, the next for OID 4, and
so on. The owner ISIL (OID 3) is compacted with the ISIL's own alphabet (scheme 0). Set
information (OID 4) is a digit string: the part number then the number of parts, each with
the same number of digits ("12" = part 1 of 2, "0110" = part 1 of 10).
"""

from __future__ import annotations

from typing import Any

from kiosk.tags.compaction import Compaction, best_compaction, expand, isil_compact, isil_expand
from kiosk.tags.errors import TagDecodeError, TagEncodeError
from kiosk.tags.isil import isil_problem, validate_isil
from kiosk.tags.model import TagData, checked_set

#: ISO 28560-1 data elements by relative OID.
ELEMENT_NAMES = {
    1: "pii",
    2: "content_parameter",
    3: "owner_institution",
    4: "set_information",
    5: "type_of_usage",
    6: "shelf_location",
    7: "onix_media_format",
    8: "marc_media_format",
    9: "supplier_identifier",
    10: "order_number",
    11: "ill_borrowing_institution",
    12: "ill_borrowing_transaction_number",
    13: "gs1_product_identifier",
    14: "alternative_unique_item_identifier",
    15: "local_data_a",
    16: "local_data_b",
    17: "title",
    18: "product_identifier_local",
    19: "media_format_other",
    20: "supply_chain_stage",
    21: "supplier_invoice_number",
    22: "alternative_item_identifier",
    23: "alternative_owner_institution",
    24: "subsidiary_of_owner_institution",
    25: "alternative_ill_borrowing_institution",
    26: "local_data_c",
}
OID_BY_NAME = {name: oid for oid, name in ELEMENT_NAMES.items()}
#: Elements holding an ISIL, which scheme 0 compacts with the ISIL alphabet.
ISIL_OIDS = frozenset({3, 11, 25})
#: Elements TagData carries in its own fields rather than in ``elements``.
OWN_FIELDS = frozenset({1, 2, 3, 4, 5})
MAX_ELEMENT = 127
MAX_TAG_SIZE = 2048


def decode_object(data: bytes, strict: bool = True, without_pii: bool = False) -> TagData:
    """Decode ISO 28560-2 data sets.

    ``strict`` (used while detecting the data model) makes a PII that is not first or holds
    control characters an error; otherwise both are read with a warning. ``without_pii``
    reads the user memory of an ISO/TS 28560-4 UHF tag, whose PII is in the EPC bank's UII:
    the data sets start with the content parameter and no PII is expected.
    """
    tag = TagData(format="28560-2")
    seen: dict[int, Any] = {}
    declared: set[int] | None = None
    pos = 0
    terminated = False
    while pos < len(data):
        start = pos
        precursor = data[pos]
        if precursor == 0:
            terminated = True
            break
        offset_flag = bool(precursor & 0x80)
        scheme = Compaction((precursor >> 4) & 0x7)
        oid = precursor & 0xF
        pos += 1
        if oid == 15:
            oid = 15 + _byte(data, pos, start, "extended OID")
            pos += 1
        if oid == 0:
            raise TagDecodeError(
                f"byte {start} (0x{precursor:02X}) names relative OID 0, which ISO 28560-2 "
                "does not use: not ISO 28560-2 data"
            )
        pad = 0
        if offset_flag:
            pad = _byte(data, pos, start, "offset")
            pos += 1
        length = _byte(data, pos, start, "length")
        pos += 1
        if length == 0:
            raise TagDecodeError(f"the element at byte {start} (OID {oid}) has no data")
        if pos + length > len(data):
            raise TagDecodeError(
                f"the element at byte {start} (OID {oid}) says {length} data bytes but only "
                f"{len(data) - pos} remain"
            )
        raw = data[pos : pos + length]
        pos += length + pad
        if pos > len(data):
            tag.warnings.append(
                f"the element at byte {start} announces {pad} pad bytes beyond the data read"
            )
        if not seen and oid != 1 and not without_pii:
            if strict:
                raise TagDecodeError(
                    f"the first element (byte 0) is OID {oid}, not the PII: not ISO 28560-2 data"
                )
            tag.warnings.append(f"the first element is OID {oid}, not the PII; read on")
        if oid in seen:
            tag.warnings.append(f"element OID {oid} appears twice; the first one is used")
            continue
        value = _element_value(tag, oid, scheme, raw, start, strict)
        seen[oid] = value
        if oid == 2:
            declared = value
    if terminated and any(data[pos + 1 :]):
        tag.warnings.append(
            f"bytes after the terminator at byte {pos} are not zero (left from older data?)"
        )
    if not terminated and seen:
        tag.warnings.append(
            "no terminator byte (0x00) before the end of the data read; the read may be short"
        )
    if without_pii:
        if 1 in seen:
            tag.warnings.append("user memory holds a PII element too; the UII's PII is the item's")
    elif 1 not in seen:
        raise TagDecodeError("no PII element (OID 1) found: not ISO 28560-2 data")
    if declared is not None:
        present = {oid for oid in seen if oid >= 3}
        if declared != present:
            tag.warnings.append(
                f"content parameter lists OIDs {sorted(declared)} but the tag holds "
                f"{sorted(present)}"
            )
    return tag


def _byte(data: bytes, pos: int, start: int, what: str) -> int:
    if pos >= len(data):
        raise TagDecodeError(f"the element at byte {start} is cut short before its {what} byte")
    return data[pos]


def _element_value(
    tag: TagData, oid: int, scheme: Compaction, raw: bytes, start: int, strict: bool
) -> Any:
    name = ELEMENT_NAMES.get(oid, f"oid_{oid}")
    if oid not in ELEMENT_NAMES:
        tag.warnings.append(f"element OID {oid} at byte {start} is not defined by ISO 28560-1")
    if oid == 2:
        present = {
            3 + index * 8 + bit
            for index, byte in enumerate(raw)
            for bit in range(8)
            if byte & (0x80 >> bit)
        }
        tag.elements[name] = sorted(present)
        return present
    if oid == 5:
        tag.type_of_usage = _type_of_usage(tag, scheme, raw)
        return tag.type_of_usage
    if scheme == Compaction.APPLICATION:
        if oid in ISIL_OIDS:
            text: Any = isil_expand(raw)
        elif oid == 1:
            raise TagDecodeError(
                f"the PII at byte {start} uses an application-defined compaction this "
                "decoder cannot read"
            )
        else:
            text = raw  # kept as bytes, shown as hex
    else:
        text = expand(raw, scheme)
    if oid == 1:
        tag.pii = text
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
            if strict:
                raise TagDecodeError(
                    f"the PII at byte {start} holds control characters: not ISO 28560-2 data"
                )
            tag.warnings.append(f"the PII {text!r} holds control characters")
    elif oid == 3:
        tag.isil = text
        problem = isil_problem(text)
        if problem:
            tag.warnings.append(problem)
    elif oid == 4:
        tag.set = _set_information(tag, text)
    else:
        tag.elements[name] = text
    return text


def _type_of_usage(tag: TagData, scheme: Compaction, raw: bytes) -> int | None:
    if scheme in (Compaction.OCTET, Compaction.INTEGER, Compaction.APPLICATION):
        if len(raw) != 1:
            tag.warnings.append(f"type of usage is {len(raw)} bytes, expected 1: {raw.hex()}")
        return int.from_bytes(raw, "big")
    text = expand(raw, scheme)
    try:
        value = int(text, 16)
    except ValueError:
        tag.warnings.append(f"type of usage {text!r} is not a number; ignored")
        return None
    tag.warnings.append(f"type of usage stored as text {text!r}; read as 0x{value:02X}")
    return value


def _set_information(tag: TagData, text: Any) -> tuple[int, int] | None:
    if not isinstance(text, str) or not text.isdigit() or len(text) % 2:
        tag.warnings.append(f"set information {text!r} is not an even number of digits; ignored")
        return None
    half = len(text) // 2
    part, parts = int(text[:half]), int(text[half:])
    if part == 0 and parts == 0:
        return None
    if part > parts:
        tag.warnings.append(
            f"set information {text!r} has the total first; read as part {parts} of {part}"
        )
        return parts, part
    return part, parts


# --- encoding ----------------------------------------------------------------------------


def encode_object(
    tag: TagData,
    size: int | None = None,
    block_size: int = 4,
    align: bool = False,
    without_pii: bool = False,
) -> bytes:
    """Encode ``tag`` strictly as ISO 28560-2 data sets, terminated by 0x00 and zero filled.

    ``size`` is the tag memory to fill (default: the data rounded up to whole blocks).
    ``align`` starts every element on a block boundary using offset bytes and pad bytes.
    ``without_pii`` leaves the PII out (ISO/TS 28560-4 user memory: the PII is in the UII).
    """
    if not isinstance(block_size, int) or not 1 <= block_size <= 32:
        raise TagEncodeError(f"block size {block_size!r} must be 1-32 bytes")
    items: list[tuple[int, Compaction, bytes]] = []
    if not without_pii:
        items.append((1, *best_compaction(_validate_pii(tag.pii))))
    if tag.isil:
        items.append((3, Compaction.APPLICATION, isil_compact(validate_isil(tag.isil))))
    if tag.set is not None:
        part, parts = checked_set(tag.set, limit=999)
        width = len(str(parts))
        scheme, data = best_compaction(f"{part:0{width}d}{parts:0{width}d}")
        items.append((4, scheme, data))
    if tag.type_of_usage is not None:
        value = tag.type_of_usage
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 255:
            raise TagEncodeError(f"type of usage {value!r} must be 0-255")
        items.append((5, Compaction.OCTET, bytes([value])))
    for name, value in tag.elements.items():
        if name != "content_parameter":  # recomputed from the elements actually written
            items.append(_encode_element(name, value))
    items.sort(key=lambda item: item[0])
    others = [oid for oid, _, _ in items if oid >= 3]
    if others:
        bitmap = bytearray((max(others) - 3) // 8 + 1)
        for oid in others:
            bitmap[(oid - 3) // 8] |= 0x80 >> ((oid - 3) % 8)
        items.insert(0 if without_pii else 1, (2, Compaction.APPLICATION, bytes(bitmap)))

    out = bytearray()
    for oid, scheme, data in items:
        out += _data_set(oid, scheme, data, block_size if align else 0)
    out.append(0)  # terminator
    if size is None:
        size = len(out) + (-len(out) % block_size)
    if not isinstance(size, int) or not 1 <= size <= MAX_TAG_SIZE:
        raise TagEncodeError(f"size {size!r} must be 1-{MAX_TAG_SIZE} bytes")
    if len(out) > size:
        raise TagEncodeError(
            f"the data needs {len(out)} bytes including its terminator; the tag has {size}"
        )
    return bytes(out) + bytes(size - len(out))


def _data_set(oid: int, scheme: Compaction, data: bytes, block_size: int) -> bytes:
    if len(data) > MAX_ELEMENT:
        name = ELEMENT_NAMES.get(oid, oid)
        raise TagEncodeError(
            f"element {name} compacts to {len(data)} bytes; at most {MAX_ELEMENT} fit"
        )
    head = bytearray([(scheme << 4) | min(oid, 15)])
    if oid >= 15:
        head.append(oid - 15)
    pad = 0
    if block_size and (len(head) + 1 + len(data)) % block_size:
        pad = -(len(head) + 2 + len(data)) % block_size
        head[0] |= 0x80
        head.append(pad)
    return bytes(head) + bytes([len(data)]) + data + bytes(pad)


def _encode_element(name: str, value: Any) -> tuple[int, Compaction, bytes]:
    oid = OID_BY_NAME.get(name)
    if oid is None or oid in OWN_FIELDS:
        known = sorted(set(OID_BY_NAME) - {ELEMENT_NAMES[o] for o in OWN_FIELDS})
        raise TagEncodeError(f"unknown element {name!r}; known: {', '.join(known)}")
    if isinstance(value, bytes | bytearray):
        if not value:
            raise TagEncodeError(f"element {name} is empty")
        return oid, Compaction.OCTET, bytes(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise TagEncodeError(f"element {name} must be text, not {type(value).__name__}")
    _check_text(name, value)
    if oid in ISIL_OIDS and isil_problem(value) is None:
        return oid, Compaction.APPLICATION, isil_compact(value)
    return (oid, *best_compaction(value))


def _check_text(what: str, text: str) -> None:
    if not text:
        raise TagEncodeError(f"{what} is empty")
    bad = [c for c in text if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    if bad:
        raise TagEncodeError(f"{what} {text!r} holds control character {bad[0]!r}")
    if text != text.strip():
        raise TagEncodeError(f"{what} {text!r} has leading or trailing spaces")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise TagEncodeError(f"{what} {text!r} is not valid Unicode text") from None


def _validate_pii(pii: str | None) -> str:
    if not pii or not isinstance(pii, str):
        raise TagEncodeError("a PII is required")
    _check_text("PII", pii)
    return pii
