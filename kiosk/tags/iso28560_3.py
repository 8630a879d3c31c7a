"""ISO 28560-3 fixed-length encoding (DSFID 0x3E) and its predecessor, Danish Data Model 1.0.

Basic block, 34 bytes (32-byte tags keep only the first 32, the "truncated basic block"):

==========  =====================================================================
byte 0      version (high nibble, 1) and type of usage (low nibble, 1 = circulating)
byte 1      number of parts in the set
byte 2      this item's part number
bytes 3-18  primary item identifier (PII), ASCII, NUL padded; 0x01 alone = PII too long,
            look in the library extension block
bytes 19-20 CRC-16/CCITT over bytes 0-18 and 21-33 (zero padded), least significant first
bytes 21-33 owner: the ISIL without its hyphen (DDM 1.0: country code, then library)
==========  =====================================================================

Structured extension blocks may follow: ``length, block id (2 bytes, LSB first), XOR
checksum, data``; the XOR of all bytes of a block is zero, and a length of 0 ends them.
"""

from __future__ import annotations

from typing import Any

from kiosk.tags.crc import crc16_ccitt
from kiosk.tags.errors import TagDecodeError, TagEncodeError
from kiosk.tags.isil import IDENTIFIER_CHARS, is_country_code, split_isil, validate_isil
from kiosk.tags.model import TagData, checked_set

BASIC_SIZE = 34
TRUNCATED_SIZE = 32
PII_SIZE = 16
OWNER_SIZE = 13
MAX_TAG_SIZE = 2048
PII_IN_EXTENSION = b"\x01" + bytes(PII_SIZE - 1)

#: Extension blocks this decoder can name, with their data fields in order.
LIBRARY_EXTENSION = 1
ACQUISITION_EXTENSION = 2
BLOCK_NAMES = {LIBRARY_EXTENSION: "library extension", ACQUISITION_EXTENSION: "acquisition"}
ACQUISITION_FIELDS = (
    "supplier_identifier",
    "product_identifier_local",
    "order_number",
    "supplier_invoice_number",
)

#: Type of usage values of the fixed-length model (low nibble of byte 0).
TYPE_OF_USAGE_NAMES = {
    0: "acquisition item",
    1: "item for circulation",
    2: "item not for circulation",
    7: "discarded item",
    8: "patron card",
}


def basic_block_crc(block: bytes) -> int:
    """The CRC over bytes 0-18 and 21-33 of a basic block, zero padded to 34 bytes."""
    padded = block[:BASIC_SIZE].ljust(BASIC_SIZE, b"\x00")
    return crc16_ccitt(padded[:19] + padded[21:BASIC_SIZE])


def plausible(data: bytes) -> bool:
    """Whether ``data`` looks like a fixed-length basic block before trusting its CRC.

    Used to tell a fixed-length tag with a damaged CRC from unrelated content: version 1 in
    either nibble and a printable, non-empty PII field.
    """
    if len(data) < TRUNCATED_SIZE or 1 not in (data[0] >> 4, data[0] & 0xF):
        return False
    pii = data[3:19].rstrip(b"\x00")
    return bool(pii) and all(0x20 <= b <= 0x7E for b in pii)


def crc_matches(data: bytes) -> bool:
    """True when the stored CRC (in either byte order) matches the basic block."""
    if len(data) < TRUNCATED_SIZE:
        return False
    crc = basic_block_crc(data)
    return crc in (data[19] | data[20] << 8, data[20] | data[19] << 8)


def decode_fixed(data: bytes, format: str = "28560-3") -> TagData:
    """Decode a basic block (and any extension blocks) leniently; see the module docstring."""
    if len(data) < TRUNCATED_SIZE:
        raise TagDecodeError(
            f"only {len(data)} bytes read: an ISO 28560-3 basic block needs at least 32"
        )
    tag = TagData(format=format)
    warnings = tag.warnings
    block = data[:BASIC_SIZE].ljust(BASIC_SIZE, b"\x00")
    if len(data) == TRUNCATED_SIZE + 1:
        warnings.append("33 bytes read: treated as a truncated (32-byte) basic block")

    high, low = data[0] >> 4, data[0] & 0xF
    if high != 1 and low == 1:
        tag.version, tag.type_of_usage = low, high
        warnings.append(
            f"byte 0 is 0x{data[0]:02X}: version and type-of-usage nibbles are swapped; "
            f"read as version 1, type of usage {high}"
        )
    else:
        tag.version, tag.type_of_usage = high, low
        if high != 1:
            warnings.append(f"byte 0 says version {high}; only version 1 is defined")

    tag.set = _decode_set(block[1], block[2], warnings)

    stored = block[19] | block[20] << 8
    computed = basic_block_crc(block)
    tag.crc_ok = stored == computed
    if not tag.crc_ok and (block[20] | block[19] << 8) == computed:
        tag.crc_ok = True
        warnings.append("the CRC is stored most significant byte first; accepted")
    elif not tag.crc_ok:
        warnings.append(
            f"CRC mismatch: tag says 0x{stored:04X}, data gives 0x{computed:04X}; "
            "the tag may be damaged or half written"
        )

    pii_field = block[3:19]
    pii_in_extension = pii_field == PII_IN_EXTENSION
    if not pii_in_extension:
        tag.pii = _text_field(pii_field, "PII", first_byte=3)
        if tag.pii is None:
            warnings.append("the PII field is empty")

    owner_end = BASIC_SIZE if len(data) >= BASIC_SIZE else TRUNCATED_SIZE
    _decode_owner(tag, block[21:owner_end])

    if len(data) > BASIC_SIZE:
        _decode_extension_blocks(tag, data, BASIC_SIZE)
    if pii_in_extension:
        long_pii = tag.elements.pop("pii", None)
        if long_pii:
            tag.pii = long_pii
        else:
            warnings.append(
                "the PII field says the PII is in the library extension block, but there is none"
            )
    long_isil = tag.elements.pop("isil", None)
    if long_isil and tag.isil is None:
        tag.isil = long_isil
    return tag


def _decode_set(parts: int, part: int, warnings: list[str]) -> tuple[int, int] | None:
    if parts == 0 and part == 0:
        return None
    if part > parts:
        warnings.append(
            f"set information bytes are in the other order ({parts}, {part}); "
            f"read as part {parts} of {part}"
        )
        return parts, part
    if part == 0:
        warnings.append(f"set information says {parts} parts but no part number")
    return part, parts


def _text_field(field: bytes, what: str, first_byte: int) -> str | None:
    text = field.rstrip(b"\x00")
    for index, byte in enumerate(text):
        if not 0x20 <= byte <= 0x7E:
            raise TagDecodeError(
                f"the {what} field holds byte 0x{byte:02X} at tag byte {first_byte + index}, "
                "which is not printable ASCII: this is not ISO 28560-3 data"
            )
    return text.decode("ascii") or None


def _decode_owner(tag: TagData, field: bytes) -> None:
    owner = _text_field(field, "owner library (ISIL)", first_byte=21)
    if owner is None:
        return
    country, library = owner[:2], owner[2:]
    if library.startswith("-"):
        library = library[1:]
        tag.warnings.append("the ISIL is stored with its hyphen; accepted")
    if not is_country_code(country):
        tag.warnings.append(
            f"the owner field {owner!r} does not start with a two-letter country code; "
            "shown as it is"
        )
        tag.isil = owner
        return
    tag.country, tag.library = country, library or None
    tag.isil = f"{country}-{library}" if library else None
    if any(c not in IDENTIFIER_CHARS for c in library):
        tag.warnings.append(f"the library part {library!r} holds characters an ISIL may not")


def _decode_extension_blocks(tag: TagData, data: bytes, start: int) -> None:
    pos = start
    while pos < len(data):
        rest = data[pos:]
        if rest.count(rest[0]) == len(rest) and rest[0] in (0x00, 0x55, 0xFF):
            return  # unused memory
        length = data[pos]
        if length == 0:
            return  # end of the extension blocks
        if length < 4 or pos + length > len(data):
            tag.warnings.append(
                f"extension area at byte {pos} is malformed (length byte {length}, "
                f"{len(data) - pos} bytes left); the rest was ignored"
            )
            return
        block = data[pos : pos + length]
        block_id = block[1] | block[2] << 8
        checksum = 0
        for byte in block:
            checksum ^= byte
        name = BLOCK_NAMES.get(block_id)
        entry: dict[str, Any] = {
            "id": block_id,
            "name": name,
            "offset": pos,
            "length": length,
            "checksum_ok": checksum == 0,
        }
        tag.extension_blocks.append(entry)
        if checksum != 0:
            tag.warnings.append(
                f"extension block {block_id} at byte {pos} has a bad checksum; its data was "
                "not used"
            )
        elif block_id == LIBRARY_EXTENSION:
            _decode_library_extension(tag, block[4:])
        elif block_id == ACQUISITION_EXTENSION:
            for field, value in zip(ACQUISITION_FIELDS, _strings(block[4:]), strict=False):
                if value:
                    tag.elements[field] = value
        else:
            entry["data"] = block[4:]
            tag.warnings.append(
                f"unknown extension block id {block_id} ({length} bytes) at byte {pos} skipped"
            )
        pos += length


def _decode_library_extension(tag: TagData, body: bytes) -> None:
    if not body:
        return
    if body[0]:
        tag.elements["media_format_other"] = body[0]
    for field, value in zip(("pii", "isil"), _strings(body[1:]), strict=False):
        if value:
            tag.elements[field] = value


def _strings(body: bytes) -> list[str]:
    """NUL-terminated fields; the last may be cut short by a truncated block."""
    fields = body.split(b"\x00")
    if fields and fields[-1] == b"":
        fields.pop()
    out = []
    for raw in fields:
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw.decode("latin-1"))
    return out


# --- encoding ----------------------------------------------------------------------------


def encode_fixed(tag: TagData, size: int | None = None) -> bytes:
    """Encode ``tag`` strictly as an ISO 28560-3 / DDM 1.0 basic block of ``size`` bytes.

    ``size`` 32 writes the truncated basic block; 34 or more writes the whole basic block
    followed by zeros (no extension blocks are written).
    """
    size = BASIC_SIZE if size is None else size
    if not isinstance(size, int) or not (
        size == TRUNCATED_SIZE or BASIC_SIZE <= size <= MAX_TAG_SIZE
    ):
        raise TagEncodeError(
            f"size {size!r}: the fixed-length model needs a 32-byte tag or 34 bytes and more"
        )
    owner_room = OWNER_SIZE if size >= BASIC_SIZE else TRUNCATED_SIZE - 21
    if tag.elements or tag.extension_blocks:
        raise TagEncodeError(
            "this encoder writes only the basic block; extension elements "
            f"{sorted(tag.elements)} cannot be written"
        )
    pii = _validate_pii(tag.pii)
    owner = _owner_field(tag, owner_room)
    version = 1 if tag.version is None else tag.version
    type_of_usage = 1 if tag.type_of_usage is None else tag.type_of_usage
    for name, value in (("version", version), ("type of usage", type_of_usage)):
        if not isinstance(value, int) or not 0 <= value <= 15:
            raise TagEncodeError(f"{name} {value!r} does not fit in a nibble (0-15)")
    part, parts = checked_set(tag.set, limit=255)
    block = bytearray(BASIC_SIZE)
    block[0] = version << 4 | type_of_usage
    block[1], block[2] = parts, part
    block[3 : 3 + len(pii)] = pii.encode("ascii")
    block[21 : 21 + len(owner)] = owner.encode("ascii")
    crc = basic_block_crc(bytes(block))
    block[19], block[20] = crc & 0xFF, crc >> 8
    if size == TRUNCATED_SIZE:
        return bytes(block[:TRUNCATED_SIZE])
    return bytes(block) + bytes(size - BASIC_SIZE)


def _validate_pii(pii: str | None) -> str:
    if not pii:
        raise TagEncodeError("a PII is required")
    if not isinstance(pii, str) or any(not 0x20 <= ord(c) <= 0x7E for c in pii):
        raise TagEncodeError(f"PII {pii!r}: the fixed-length model takes printable ASCII only")
    if pii != pii.strip():
        raise TagEncodeError(f"PII {pii!r} has leading or trailing spaces")
    if len(pii) > PII_SIZE:
        raise TagEncodeError(
            f"PII {pii!r} is {len(pii)} characters; the basic block holds at most {PII_SIZE}"
        )
    if pii == "\x01":  # pragma: no cover - excluded by the charset check above
        raise TagEncodeError("PII 0x01 is reserved")
    return pii


def _owner_field(tag: TagData, room: int) -> str:
    """Country + library, without the ISIL's hyphen."""
    if tag.format == "ddm1" and (tag.country or tag.library):
        country, library = tag.country or "", tag.library or ""
        if not is_country_code(country):
            raise TagEncodeError(
                f"country {country!r}: Danish Data Model 1.0 needs a two-letter upper-case "
                "country code such as DK"
            )
        if (
            not library
            or library.startswith("-")
            or any(c not in IDENTIFIER_CHARS for c in library)
        ):
            raise TagEncodeError(
                f"library {library!r}: needs 1 or more of A-Z a-z 0-9 - / :, not starting with -"
            )
        if tag.isil and tag.isil != f"{country}-{library}":
            raise TagEncodeError(
                f"ISIL {tag.isil!r} disagrees with country {country!r} and library {library!r}"
            )
    elif tag.isil:
        country, library = split_isil(validate_isil(tag.isil))
        if not is_country_code(country):
            raise TagEncodeError(
                f"ISIL {tag.isil!r}: the fixed-length model drops the hyphen, so only ISILs "
                "with a two-letter country prefix can be written"
            )
    else:
        return ""
    owner = country + library
    if len(owner) > room:
        raise TagEncodeError(
            f"owner {country}-{library} needs {len(owner)} bytes without its hyphen; "
            f"this tag size leaves room for {room}"
        )
    return owner
