"""CSV import of catalog items and patrons: every row is checked first, then all or nothing.

A half-imported catalog is worse than none (readers would see some books and not others), so
any rejected row stops the whole import and is reported with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.chip_number import normalize_chip_number
from kiosk.covers import CoverProblem, cover_reference
from kiosk.csv_lines import CsvLines
from kiosk.models import CardKind, Item, ItemStatus, Patron
from kiosk.pin import hash_pin

PII = re.compile(r"[A-Za-z0-9._-]{1,32}")
CARD = re.compile(r"[A-Za-z0-9._-]{1,64}")
ISIL = re.compile(r"([A-Z]{1,4}-[A-Za-z0-9:/-]{1,11})?")


@dataclass
class ImportReport:
    accepted: list[Any] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    @property
    def ok(self) -> bool:
        return not self.rejected


class RowProblem(ValueError):
    pass


def _required(row: dict[str, str], name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise RowProblem(f"{name} is empty")
    return value


def _matching(value: str, pattern: re.Pattern[str], name: str) -> str:
    if not pattern.fullmatch(value):
        raise RowProblem(f"{name} {value!r} has characters or a length not allowed")
    return value


def _int(row: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = (row.get(name) or "").strip()
    if not raw:
        return default
    try:
        if not (raw.isascii() and raw.lstrip("-").isdigit()):  # int() takes "１２" and "1_0"
            raise ValueError(raw)
        value = int(raw)
    except ValueError:
        raise RowProblem(f"{name} {raw!r} is not a whole number") from None
    if value < minimum:
        raise RowProblem(f"{name} must be at least {minimum}")
    return value


def item_from_csv(row: dict[str, str], base_dir: Path | None = None) -> Item:
    """``base_dir``: the import file's folder, where a ``cover`` file path is looked up."""
    status = (row.get("status") or "available").strip()
    try:
        item_status = ItemStatus(status)
    except ValueError:
        raise RowProblem(
            f"status {status!r} is not one of {', '.join(s.value for s in ItemStatus)}"
        ) from None
    return Item(
        pii=_matching(_required(row, "pii"), PII, "pii"),
        title=_required(row, "title"),
        author=(row.get("author") or "").strip(),
        call_number=(row.get("call_number") or "").strip(),
        owner_isil=_matching((row.get("owner_isil") or "").strip(), ISIL, "owner_isil"),
        branch=(row.get("branch") or "").strip(),
        item_class=(row.get("item_class") or "book").strip() or "book",
        set_size=_int(row, "set_size", 1, minimum=1),
        status=item_status,
        cover=_cover(row, base_dir),
    )


def _cover(row: dict[str, str], base_dir: Path | None) -> str:
    try:
        return cover_reference(row.get("cover") or "", base_dir)
    except CoverProblem as problem:
        raise RowProblem(str(problem)) from None


def initials_of(name: str) -> str:
    """Keep only initials of a full name (Chinese: the family name's first character)."""
    name = name.strip()
    if not name:
        return ""
    if all(ord(ch) > 0x2E80 for ch in name.replace(" ", "")):
        return name[0] + "*" * (len(name.replace(" ", "")) - 1)
    return ".".join(part[0].upper() for part in name.split()) + "."


def patron_from_csv(row: dict[str, str], hasher: Callable[[str], str] = hash_pin) -> Patron:
    kind_text = (row.get("card_kind") or "barcode").strip()
    try:
        kind = CardKind(kind_text)
    except ValueError:
        raise RowProblem(
            f"card_kind {kind_text!r} is not one of {', '.join(k.value for k in CardKind)}"
        ) from None
    expires_text = (row.get("expires_on") or "").strip()
    try:
        expires = date.fromisoformat(expires_text) if expires_text else None
    except ValueError:
        raise RowProblem(f"expires_on {expires_text!r} is not a date like 2027-06-30") from None
    pin = (row.get("pin") or "").strip()
    pin_hash = (row.get("pin_hash") or "").strip() or None
    if pin:
        # ASCII only: isdigit() also says yes to "١٢٣٤" and "²³⁴⁵", which no keypad types.
        if not (pin.isascii() and pin.isdigit()) or not 4 <= len(pin) <= 12:
            raise RowProblem("pin must be 4 to 12 digits (0-9)")
        pin_hash = hasher(pin)
    if pin_hash and not pin_hash.startswith("scrypt$"):
        raise RowProblem("pin_hash is not a scrypt hash from `shufang card hash-pin`")
    initials = (row.get("initials") or "").strip() or initials_of(row.get("name") or "")
    card_id = _required(row, "card_id")
    if kind is CardKind.RESIDENT_ID:
        try:
            card_id = normalize_chip_number(card_id)
        except ValueError as error:
            raise RowProblem(str(error)) from None
    return Patron(
        card_id=_matching(card_id, CARD, "card_id"),
        category=(row.get("category") or "adult").strip() or "adult",
        card_kind=kind,
        initials=initials[:8],
        pin_hash=pin_hash,
        expires_on=expires,
        blocks=tuple(b.strip() for b in (row.get("blocks") or "").split(";") if b.strip()),
        fines_cents=_int(row, "fines_cents", 0),
    )


def read_csv(
    text: str,
    convert: Callable[[dict[str, str]], Any],
    key: Callable[[Any], str],
    required: tuple[str, ...],
) -> ImportReport:
    """Check every row; duplicates of a key within the file are rejected too."""
    report = ImportReport()
    lines = CsvLines(text)
    if lines.header is None:
        report.rejected.append((1, lines.header_problem))
        return report
    missing = [name for name in required if name not in lines.header]
    if missing:
        report.rejected.append((1, f"header lacks column(s): {', '.join(missing)}"))
        return report
    seen: dict[str, int] = {}
    for line in lines:
        if line.problem:
            report.rejected.append((line.number, line.problem))
            continue
        try:
            record = convert(line.values)
        except RowProblem as problem:
            report.rejected.append((line.number, str(problem)))
            continue
        if key(record) in seen:
            report.rejected.append((line.number, f"duplicate of line {seen[key(record)]}"))
            continue
        seen[key(record)] = line.number
        report.accepted.append(record)
    return report


def read_catalog(text: str, base_dir: Path | None = None) -> ImportReport:
    """``base_dir``: the folder a ``cover`` column's file paths are relative to."""
    return read_csv(
        text, lambda row: item_from_csv(row, base_dir), lambda i: i.pii, ("pii", "title")
    )


def read_patrons(text: str, hasher: Callable[[str], str] = hash_pin) -> ImportReport:
    return read_csv(
        text, lambda row: patron_from_csv(row, hasher), lambda p: p.card_id, ("card_id",)
    )
