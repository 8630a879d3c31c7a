"""Reading catalog and patron CSV files for bulk import: all rows valid, or nothing imported.

Columns are the wire field names (``pii,title,author,…,isbn,clc_class,cover`` and
``card_id,category,…``); only ``pii,title`` or ``card_id`` are required. Patron ``blocks``
are separated by ``;``.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from kiosk.chip_number import normalize_chip_number
from kiosk.covers import CoverProblem, cover_reference
from kiosk.csv_lines import CsvLines
from kiosk.textencoding import UnreadableText, decode_text
from sync import wire

R = TypeVar("R")
Choice = TypeVar("Choice", bound=str)

ITEM_STATUSES: tuple[wire.ItemStatus, ...] = typing.get_args(wire.ItemStatus)
CARD_KINDS: tuple[wire.CardKind, ...] = typing.get_args(wire.CardKind)


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Parsed(Generic[R]):
    records: list[R]
    rejected: list[Rejected]


def read_items(path: Path) -> Parsed[wire.ItemRecord]:
    return _read(path, wire.ItemRecord, ("pii", "title"), _item)


def read_patrons(path: Path) -> Parsed[wire.PatronRecord]:
    return _read(path, wire.PatronRecord, ("card_id",), _patron)


def _read(path: Path, record_type: type, required: tuple[str, ...], build: Any) -> Parsed[Any]:
    known = {f.name for f in fields(record_type)}
    try:
        decoded = decode_text(path.read_bytes())
    except UnreadableText as error:
        return Parsed([], [Rejected(error.line, str(error))])
    return _read_rows(decoded.text, known, required, build)


def _read_rows(text: str, known: set[str], required: tuple[str, ...], build: Any) -> Parsed[Any]:
    records: list[Any] = []
    rejected: list[Rejected] = []
    lines = CsvLines(text)
    if lines.header is None:
        return Parsed([], [Rejected(1, lines.header_problem)])
    missing = [c for c in required if c not in lines.header]
    unknown = [c for c in lines.header if c not in known]
    if missing or unknown:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        )
        return Parsed([], [Rejected(1, "; ".join(problems))])
    seen: dict[str, int] = {}
    for line in lines:
        if line.problem:
            rejected.append(Rejected(line.number, line.problem))
            continue
        try:
            record = build(line.values)
        except ValueError as error:
            rejected.append(Rejected(line.number, str(error)))
            continue
        key = getattr(record, required[0])  # as stored: a chip number's one spelling
        if key in seen:
            rejected.append(
                Rejected(line.number, f"{required[0]} {key!r} repeats line {seen[key]}")
            )
            continue
        seen[key] = line.number
        records.append(record)
    return Parsed(records, rejected)


def _need(values: dict[str, str], *names: str) -> None:
    for name in names:
        if not values.get(name):
            raise ValueError(f"{name} is empty")


def _int(values: dict[str, str], name: str, default: int) -> int:
    text = values.get(name, "")
    if not text:
        return default
    # ASCII digits only: int() also takes "１２", "١٢" and "1_0"
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise ValueError(f"{name} {text!r} is not a whole number")
    number = int(text)
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def _choice(
    values: dict[str, str], name: str, default: Choice, allowed: Iterable[Choice]
) -> Choice:
    text = values.get(name) or default
    for choice in allowed:
        if choice == text:
            return choice
    raise ValueError(f"{name} {text!r} is not one of {', '.join(allowed)}")


def _item(values: dict[str, str]) -> wire.ItemRecord:
    _need(values, "pii", "title")
    set_size = _int(values, "set_size", 1)
    if set_size < 1:
        raise ValueError("set_size must be at least 1")
    return wire.ItemRecord(
        pii=values["pii"],
        title=values["title"],
        author=values.get("author", ""),
        call_number=values.get("call_number", ""),
        owner_isil=values.get("owner_isil", ""),
        branch=values.get("branch", ""),
        item_class=values.get("item_class") or "book",
        set_size=set_size,
        status=_choice(values, "status", "available", ITEM_STATUSES),
        isbn=values.get("isbn", ""),
        clc_class=values.get("clc_class", ""),
        cover=_cover(values),
    )


def _cover(values: dict[str, str]) -> str | None:
    """A file has no way to a kiosk from here: the central takes http(s) addresses only.
    No ``cover`` column: None, so kiosks keep the covers they have."""
    if "cover" not in values:
        return None
    try:
        return cover_reference(values["cover"])
    except CoverProblem as problem:
        raise ValueError(str(problem)) from None


def _patron(values: dict[str, str]) -> wire.PatronRecord:
    _need(values, "card_id")
    expires = values.get("expires_on", "")
    try:
        expires_on = date.fromisoformat(expires) if expires else None
    except ValueError:
        raise ValueError(f"expires_on {expires!r} is not a date (YYYY-MM-DD)") from None
    pin_hash = values.get("pin_hash") or None
    if pin_hash is not None and not pin_hash.startswith("scrypt$"):
        raise ValueError("pin_hash must be a scrypt hash (never a plain PIN)")
    card_kind = _choice(values, "card_kind", "barcode", CARD_KINDS)
    card_id = values["card_id"]
    if card_kind == "resident_id":  # one spelling of the chip number, as a tap reads it
        card_id = normalize_chip_number(card_id)
    return wire.PatronRecord(
        card_id=card_id,
        category=values.get("category") or "adult",
        card_kind=card_kind,
        initials=values.get("initials", ""),
        pin_hash=pin_hash,
        expires_on=expires_on,
        blocks=[b.strip() for b in values.get("blocks", "").split(";") if b.strip()],
        fines_cents=_int(values, "fines_cents", 0),
        home_branch=values.get("home_branch", ""),
    )
