"""Catalog imports from the library system's own MARC exports: MARC 21 and CNMARC/UNIMARC,
ISO 2709 or MARCXML, UTF-8 or GB18030/GBK/GB2312.

Libraries export MARC, not our CSV. One lendable item per holding barcode: MARC 21 holdings
as Koha writes them (952 $p barcode, $a home branch, $o call number) or 852 ($p barcode, $b
location, $h/$i call number); UNIMARC holdings as Koha UNIMARC writes them (995 $f barcode,
$b branch, $k call number) and the CNMARC 905 field of Chinese systems ($b barcode, $a
holding library, $d class number, $e book number). The call number falls back to MARC 21
090/050 or CNMARC 690 ($a, the 中图法 class) with 905 $e.

The cover (issue #13): field 856 (Electronic Location and Access, the same tag and subfields
in MARC 21 and UNIMARC/CNMARC) whose $u is an http(s) URL and which says it is a picture:
$3 (materials specified) naming a cover ("Cover image", 封面), $q (electronic format type)
an image type, or the URL's path ending in .jpg/.jpeg/.png/.gif/.webp. A record with no such
856 says nothing of the cover (kiosks keep what they have).

Which flavour: a record with 245 is MARC 21, one with 200 is UNIMARC/CNMARC. Which encoding:
leader position 9 "a" means UTF-8; otherwise a record that is valid UTF-8 is read as UTF-8
(many Chinese systems leave position 9 blank), then GB18030 (a superset of GBK and GB2312),
then MARC-8 for MARC 21. A record that cannot be read is rejected by its number, like a bad
CSV row, and nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pymarc

from sync import wire
from sync.central.csvimport import Parsed, Rejected

RECORD_END = b"\x1d"
#: Non-sorting markers (ISO 6630 / MARC-8 NSB NSE) that UNIMARC titles carry around "L'".
_NON_SORTING = re.compile("[\x88\x89\x98\x9c\u2117]")
#: A 中图法 (CLC) class at the start of a call number: letters, then digits and dots.
_CLC = re.compile(r"^([A-Z]{1,2}\d[\d.\-]*)")


@dataclass(frozen=True, slots=True)
class MarcItem:
    """What a record says about one holding; ``isbn`` and ``clc`` are kept for reports."""

    record: wire.ItemRecord
    isbn: str
    clc: str


@dataclass(frozen=True, slots=True)
class MarcImport:
    items: list[MarcItem]
    rejected: list[Rejected]
    #: Records with no holding barcode: bibliographic only, nothing to lend.
    without_holdings: int
    records: int

    def as_parsed(self) -> Parsed[wire.ItemRecord]:
        return Parsed([i.record for i in self.items], self.rejected)


def is_marc(path: Path) -> bool:
    """By name (.mrc .marc .iso .dat .xml), else by the first bytes."""
    if path.suffix.lower() in (".mrc", ".marc", ".iso", ".dat", ".xml"):
        return True
    head = path.read_bytes()[:64]
    return head[:5].isdigit() or b"<record" in head or b"<collection" in head


def read_marc(path: Path) -> MarcImport:
    data = path.read_bytes()
    if data.lstrip()[:1] == b"<":
        return _collect(enumerate(_xml_records(path), start=1))
    return _collect(_binary_records(data))


def _xml_records(path: Path) -> Iterator[pymarc.Record | Rejected]:
    try:
        # pymarc ships no annotations for its MARCXML reader
        yield from pymarc.parse_xml_to_array(str(path))  # type: ignore[no-untyped-call]
    except Exception as error:  # pymarc raises SAX and its own errors; report, never crash
        yield Rejected(0, f"not readable MARCXML: {type(error).__name__}: {error}")


def _binary_records(data: bytes) -> Iterator[tuple[int, pymarc.Record | Rejected]]:
    chunks = [c for c in data.split(RECORD_END) if c.strip(b"\r\n\x00 ")]
    for number, chunk in enumerate(chunks, start=1):
        raw = chunk.lstrip(b"\r\n") + RECORD_END
        yield number, _decode(number, raw)


def _decode(number: int, raw: bytes) -> pymarc.Record | Rejected:
    if len(raw) < 25 or not raw[:5].isdigit():
        return Rejected(number, "not an ISO 2709 record (no leader)")
    attempts: list[dict[str, Any]] = []
    if raw[9:10] == b"a":
        attempts.append({"force_utf8": True})
    else:
        try:
            raw.decode("utf-8")
            attempts.append({"force_utf8": True})
        except UnicodeDecodeError:
            pass
        try:
            raw.decode("gb18030")
            attempts.append({"file_encoding": "gb18030"})
        except UnicodeDecodeError:
            pass
        attempts.append({})  # MARC-8, pymarc's default for MARC 21
    last = "unreadable"
    for options in attempts:
        try:
            return pymarc.Record(data=raw, hide_utf8_warnings=True, **options)
        except Exception as error:  # pymarc's many record errors; try the next encoding
            last = f"{type(error).__name__}: {error}"
    return Rejected(number, f"cannot read the record: {last}")


def _collect(numbered: Iterable[tuple[int, pymarc.Record | Rejected]]) -> MarcImport:
    items: list[MarcItem] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    bare = count = 0
    for number, found in numbered:
        if isinstance(found, Rejected):
            rejected.append(Rejected(found.line or number, found.reason))
            continue
        count += 1
        try:
            mapped = _items(found)
        except ValueError as error:
            rejected.append(Rejected(number, str(error)))
            continue
        if not mapped:
            bare += 1
        for item in mapped:
            pii = item.record.pii
            if pii in seen:
                rejected.append(Rejected(number, f"barcode {pii} repeats record {seen[pii]}"))
                continue
            seen[pii] = number
            items.append(item)
    return MarcImport(items, rejected, bare, count)


def _first(record: pymarc.Record, tag: str, code: str) -> str:
    for field in record.get_fields(tag):
        for value in field.get_subfields(code):
            if value and value.strip():
                return _clean(value)
    return ""


def _clean(text: str) -> str:
    return _NON_SORTING.sub("", text).strip()


def _trim(text: str) -> str:
    """Cataloguers end fields with ISBD punctuation ("Escape from loneliness /")."""
    return re.sub(r"[\s/:;,.=]+$", "", text).strip()


def _isbn(text: str) -> str:
    match = re.search(r"[\dXx][\d\-Xx ]{8,}[\dXx]", text)
    return re.sub(r"[\s\-]", "", match.group(0)).upper() if match else ""


def _items(record: pymarc.Record) -> list[MarcItem]:
    if record.get_fields("245"):
        return _marc21(record)
    if record.get_fields("200"):
        return _unimarc(record)
    raise ValueError("neither MARC 21 (no 245 title) nor UNIMARC/CNMARC (no 200 title)")


def _marc21(record: pymarc.Record) -> list[MarcItem]:
    title = _trim(" ".join(filter(None, (_first(record, "245", "a"), _first(record, "245", "b")))))
    author = _trim(_first(record, "100", "a") or _first(record, "110", "a"))
    isbn = _isbn(_first(record, "020", "a"))
    clc = next(
        (
            _clean(f.get_subfields("a")[0])
            for f in record.get_fields("084")
            if f.get_subfields("a") and "clc" in [v.lower() for v in f.get_subfields("2")]
        ),
        "",
    )
    bib_call = " ".join(
        filter(None, (_first(record, "090", "a"), _first(record, "090", "b")))
    ) or " ".join(filter(None, (_first(record, "050", "a"), _first(record, "050", "b"))))
    holdings: list[tuple[str, str, str]] = []
    for field in record.get_fields("952"):
        holdings.append((_sub(field, "p"), _sub(field, "a") or _sub(field, "b"), _sub(field, "o")))
    for field in record.get_fields("852"):
        call = " ".join(filter(None, (_sub(field, "h"), _sub(field, "i"))))
        holdings.append((_sub(field, "p"), _sub(field, "b"), call))
    cover = _cover(record)
    return _build(title, author, isbn, clc, bib_call, holdings, guess_clc=False, cover=cover)


def _unimarc(record: pymarc.Record) -> list[MarcItem]:
    title = _trim(_first(record, "200", "a"))
    person = " ".join(
        filter(None, (_first(record, "700", "a"), _first(record, "700", "b")))
    ) or _first(record, "701", "a")  # 701: what dp2 and other Chinese systems write
    author = _trim(person.replace(" ,", ",")) or _trim(_first(record, "200", "f"))
    isbn = _isbn(_first(record, "010", "a"))
    clc = _first(record, "690", "a")
    holdings: list[tuple[str, str, str]] = []
    for field in record.get_fields("905"):
        call = "/".join(filter(None, (_sub(field, "d") or clc, _sub(field, "e"))))
        holdings.append((_sub(field, "b"), _sub(field, "a"), call))
    for field in record.get_fields("995"):
        holdings.append((_sub(field, "f"), _sub(field, "b") or _sub(field, "c"), _sub(field, "k")))
    return _build(title, author, isbn, clc, clc, holdings, guess_clc=True, cover=_cover(record))


_COVER_WORDS = ("cover", "封面", "jacket", "thumbnail")
_IMAGE_PATH = re.compile(r"\.(jpe?g|png|gif|webp)$", re.IGNORECASE)


def _cover(record: pymarc.Record) -> str | None:
    """The first 856 that names a cover picture by $3, $q or its URL's file type."""
    for field in record.get_fields("856"):
        url = next((u.strip() for u in field.get_subfields("u") if u.strip()), "")
        if urlsplit(url).scheme.lower() not in ("http", "https") or len(url) > 1000:
            continue
        said = " ".join(field.get_subfields("3", "y", "z")).lower()
        kind = " ".join(field.get_subfields("q")).lower()
        if (
            any(word in said for word in _COVER_WORDS)
            or kind.startswith("image/")
            or kind in ("jpeg", "jpg", "png", "gif", "webp")
            or _IMAGE_PATH.search(urlsplit(url).path)
        ):
            return url
    return None


def _sub(field: Any, code: str) -> str:
    values = field.get_subfields(code)
    return _clean(values[0]) if values else ""


def _build(
    title: str,
    author: str,
    isbn: str,
    clc: str,
    bib_call: str,
    holdings: list[tuple[str, str, str]],
    *,
    guess_clc: bool,
    cover: str | None = None,
) -> list[MarcItem]:
    """``guess_clc``: read the 中图法 class from the call number (Chinese records only: a
    MARC 21 call number is usually Library of Congress, which looks alike)."""
    if not title:
        raise ValueError("the record has no title")
    items = []
    for barcode, branch, call in holdings:
        if not barcode:
            continue
        call_number = call or bib_call
        guessed = _CLC.match(call_number) if guess_clc else None
        found_clc = clc or (guessed.group(1) if guessed else "")
        record = wire.ItemRecord(
            pii=barcode, title=title[:500], author=author[:200], call_number=call_number[:100],
            branch=branch[:100], isbn=isbn[:20], clc_class=found_clc[:40], cover=cover,
        )  # fmt: skip
        items.append(MarcItem(record, isbn, found_clc))
    return items
