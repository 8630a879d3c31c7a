"""Tag tools for a technician: read a tag raw and decoded, re-encode it, set its security.

They talk to the reader only through the TagReader port, so they work the same on a FEIG,
a 3M 810 or the simulator, and never touch the UI.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from kiosk.ports import DeviceError, TagInfo, TagReader, TagWriteError, UnsupportedOperation
from kiosk.tags import TagData, TagDecodeError, decode, dsfid_for, encode

#: Blocks read when the reader does not report a tag's size (ICODE SLIX has 28).
DEFAULT_BLOCK_COUNT = 28


@dataclass(frozen=True)
class TagReport:
    """One tag as the technician sees it: identity, security, raw memory and its decoding."""

    info: TagInfo
    raw: bytes = b""
    decoded: TagData | None = None
    problem: str = ""  # why the tag could not be read or decoded
    warnings: tuple[str, ...] = ()  # what a tool could not do, for the technician to know

    @property
    def uid_hex(self) -> str:
        return self.info.uid.hex().upper()

    @property
    def crc_text(self) -> str:
        """``ok``, ``bad`` or ``n/a`` (only the ISO 28560-3 basic block carries a CRC)."""
        crc = self.decoded.crc_ok if self.decoded is not None else None
        return "n/a" if crc is None else ("ok" if crc else "bad")


def block_geometry(info: TagInfo) -> tuple[int, int]:
    return info.block_size or 4, info.block_count or DEFAULT_BLOCK_COUNT


def read_tag(reader: TagReader, info: TagInfo) -> TagReport:
    """Read every block and decode leniently; a failure is reported, never raised."""
    size, count = block_geometry(info)
    try:
        raw = reader.read_blocks(info.uid, 0, count)
    except DeviceError as error:
        return TagReport(info, problem=f"{error.code}: {error}")
    try:
        decoded = decode(raw, dsfid=info.dsfid, block_size=size)
    except TagDecodeError as error:
        return TagReport(info, raw, problem=str(error))
    return TagReport(info, raw, decoded)


def inventory(reader: TagReader) -> list[TagReport]:
    """Every tag in the field, read and decoded, in UID order."""
    return [read_tag(reader, info) for info in sorted(reader.inventory(), key=lambda i: i.uid)]


def reencode(
    reader: TagReader, info: TagInfo, *, pii: str, isil: str, tag_format: str
) -> TagReport:
    """Write a fresh tag for ``pii`` over the whole memory, then its DSFID, then read it back.

    The whole memory is written so nothing of a damaged encoding survives behind the new one.
    The DSFID for ``tag_format`` (0x06 or 0x3E) is written after the blocks so other
    libraries' readers pick the right data model. A reader that cannot write it (the 3M 810)
    or a tag whose DSFID is locked does not fail the re-encode: the data is on the tag and
    the decoder recognises both data models by their content, but the report carries a
    warning saying the DSFID was left as it was.
    """
    size, count = block_geometry(info)
    data = encode(format=tag_format, pii=pii, isil=isil, size=size * count, block_size=size)
    dsfid = dsfid_for(tag_format)
    if tag_format != "28560-2":
        data += bytes(-len(data) % size)
    reader.write_blocks(info.uid, 0, data)
    warnings: tuple[str, ...] = ()
    try:
        reader.write_dsfid(info.uid, dsfid)
    except UnsupportedOperation as error:
        warnings = (
            f"DSFID not written (this reader or tag cannot write it: {error});"
            f" the DSFID stays as it was (reader reported 0x{info.dsfid:02X}), not 0x{dsfid:02X}"
            f" for ISO {tag_format}, so other libraries' readers may misread the tag",
        )
    except TagWriteError as error:
        warnings = (
            f"DSFID not written (the tag refused it, it may be locked: {error});"
            f" the DSFID stays as it was (reader reported 0x{info.dsfid:02X}), not 0x{dsfid:02X}"
            f" for ISO {tag_format}, so other libraries' readers may misread the tag",
        )
    else:
        info = replace(info, dsfid=dsfid)
    report = read_tag(reader, info)
    return replace(report, warnings=report.warnings + warnings)


def set_security(reader: TagReader, uid: bytes, *, secured: bool, afi: int) -> None:
    """Write the AFI and, where the tag has one, the EAS bit (on when secured)."""
    reader.write_afi(uid, afi)
    with contextlib.suppress(UnsupportedOperation):
        reader.set_eas(uid, secured)
