"""Ports: the typed interfaces the core and the UI use to reach devices and upstreams.

Drivers in ``drivers/`` and upstreams in ``sync/`` implement these; the UI and the core only ever
see these types, so a simulator and a real driver are interchangeable and pass the same
contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable


class DeviceState(StrEnum):
    CONNECTING = "connecting"
    READY = "ready"
    ERROR = "error"
    DISCONNECTED = "disconnected"


# --- one error tree for every device, so callers handle categories --------------------------


class DeviceError(Exception):
    """Base of every device failure. ``code`` is the stable fault code recorded in the store."""

    code = "device_error"


class DeviceTimeout(DeviceError):
    code = "timeout"


class FrameError(DeviceError):
    """A reply that failed its CRC, had a wrong length or could not be parsed."""

    code = "frame_error"


class DeviceGone(DeviceError):
    """The device was unplugged or its port vanished."""

    code = "device_gone"


class UnsupportedOperation(DeviceError):
    code = "unsupported"


class NoTag(DeviceError):
    code = "no_tag"


class TagRemoved(DeviceError):
    """The tag left the field in the middle of an operation."""

    code = "tag_removed"


class TagWriteError(DeviceError):
    code = "tag_write_failed"


class PrinterError(DeviceError):
    code = "printer_error"


class PaperOut(PrinterError):
    code = "paper_out"


class CoverOpen(PrinterError):
    code = "cover_open"


# --- RFID --------------------------------------------------------------------------------


class TagProblem(StrEnum):
    """Why a tag on the pad gave no item number. The reader's remedy differs, so the driver
    says which (its detailed error goes to the log only)."""

    NOT_READ = "not_read"  # its memory could not be read (weak, moving, shielded): place again
    UNDECODABLE = "undecodable"  # read, but in no layout we decode: scan the book's barcode
    BLANK = "blank"  # decoded, but it names no item: scan the book's barcode


def tag_label(uid: bytes) -> str:
    """What stands for an item number where a tag named none: its UID in hex. The screen
    keys the tag's row by it, and the tag's leaving the pad is reported under it."""
    return uid.hex().upper()


@dataclass(frozen=True, slots=True)
class TagInfo:
    """One tag seen in an inventory: ISO 15693, or UHF (ISO/IEC 18000-63) when ``pc`` is set.

    A UHF tag's ``uid`` is its EPC (the UII of a library tag) and ``pc`` its PC word, whose
    low byte is the AFI when the toggle bit (0x0100) is set; its "blocks" are user memory.
    """

    uid: bytes
    dsfid: int = 0
    afi: int | None = None
    block_size: int | None = None
    block_count: int | None = None
    pc: int | None = None


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    model: str
    firmware: str = ""
    serial: str = ""


@runtime_checkable
class TagReader(Protocol):
    """An ISO 15693 RFID reader (FEIG, 3M 810, simulator)."""

    @property
    def state(self) -> DeviceState: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def reader_info(self) -> ReaderInfo: ...

    def inventory(self) -> list[TagInfo]: ...

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes: ...

    def write_blocks(self, uid: bytes, first: int, data: bytes) -> None: ...

    def write_afi(self, uid: bytes, afi: int) -> None: ...

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        """ISO 15693 Write DSFID (0x29); ``UnsupportedOperation`` where the reader cannot."""
        ...

    def set_eas(self, uid: bytes, enabled: bool) -> None: ...


# --- scanners and card readers -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scan:
    """One barcode read, as text with prefix/suffix already stripped."""

    text: str
    device: str = ""


@runtime_checkable
class BarcodeScanner(Protocol):
    @property
    def state(self) -> DeviceState: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read(self, timeout: float) -> Scan | None:
        """The next scan, or None when ``timeout`` seconds pass without one."""
        ...


@dataclass(frozen=True, slots=True)
class CardTap:
    """A patron card presented to the card reader."""

    uid: bytes  # the anticollision UID, or a resident ID card's 8-byte chip number
    technology: str  # "106A", "106B", "212F"
    ndef_texts: tuple[str, ...] = ()
    resident_id: bool = False  # ``uid`` is the chip number a resident ID card answered


@runtime_checkable
class CardReader(Protocol):
    @property
    def state(self) -> DeviceState: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def poll(self, timeout: float) -> CardTap | None: ...


# --- receipt printers --------------------------------------------------------------------


class PrinterStatus(StrEnum):
    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    title: str
    pii: str
    due_at: datetime | None = None
    offline: bool = False
    send_to_owner: bool = False
    outcome: str = "ok"
    notes: tuple[str, ...] = ()  # the library system's print lines (SIP2 AG) for this item
    #: the room a rotation plan sends the book to (issue #17), "" when none
    send_to_room: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt says, independent of how a printer draws it."""

    kind: str  # "checkout", "checkin", "renew"
    kiosk_id: str
    branch_name: str
    at: datetime
    language: str
    lines: tuple[ReceiptLine, ...] = field(default_factory=tuple)
    patron_initials: str = ""


@runtime_checkable
class ReceiptPrinter(Protocol):
    @property
    def state(self) -> DeviceState: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def status(self) -> PrinterStatus: ...

    def print_receipt(self, receipt: Receipt) -> None: ...


# --- faults ------------------------------------------------------------------------------


class FaultSink(Protocol):
    """Where drivers report failures; the store implements it (one record per device+code)."""

    def record_fault(self, device: str, code: str, severity: str, message: str) -> None: ...

    def clear_fault(self, device: str, code: str) -> None: ...


# --- upstreams (central service, SIP2) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class TxnReply:
    """The upstream's verdict on one pushed journal row."""

    txn_id: str
    status: str  # "accepted", "duplicate", "conflict"
    reason: str = ""


class Upstream(Protocol):
    def push(self, txns: Sequence[object]) -> list[TxnReply]: ...


# --- the demo's simulated hands ------------------------------------------------------------


class PadHands(Protocol):
    """What a person does at a simulated pad: the demo's simulator panel drives this."""

    def place_item(self, pii: str, part: int = 1, of: int = 1) -> None: ...

    def remove_item(self, pii: str) -> None: ...

    def items_on_pad(self) -> list[str]: ...
