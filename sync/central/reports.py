"""Monthly and yearly efficiency reports per city and per district, as XLSX and CSV.

The same figures as the efficiency page (``efficiency.measure``), laid out for a director's
spreadsheet: Chinese headers with the English beside them, numbers as numbers (so Excel and
WPS can sum and chart them), one sheet per room list, one per district, one that says what
each column means. ``shufang central report`` writes the same files from the command line.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sync.central.efficiency import Efficiency, RoomMeasures

#: (key, header, number format for XLSX, what it means)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("rank", "排名 Rank", "0", "按借出册次排名 rank by loans"),
    ("branch", "书房 Room", "@", ""),
    ("district", "区县 District", "@", ""),
    ("visits", "到馆人次 Visits", "#,##0",
     "客流计数器，无计数器时为每日借还读者数 door counter, else reader-days"),
    ("visits_counted", "客流计数器 Counter", "@", "是 = 客流计数器 yes = door counter"),
    ("loans", "借出 Loans", "#,##0", "借出册次 items lent"),
    ("loans_change", "借出环比 Loans vs previous", "0%",
     "与上一同长时期相比 against the previous period"),
    ("returns", "还回 Returns", "#,##0", ""),
    ("renewals", "续借 Renewals", "#,##0", ""),
    ("readers", "读者数 Readers", "#,##0", "借还过的不同读者 distinct readers"),
    ("new_readers", "新读者 New readers", "#,##0", "本期首次借还 first transaction in the period"),
    ("loans_per_open_hour", "每开放小时借出 Loans/open hour", "0.00", ""),
    ("loans_per_seat", "每座位借出 Loans/seat", "0.00", ""),
    ("turnover", "每百册借出 Loans/100 vols", "0.0", "借出 ÷ 馆藏 × 100"),
    ("stale_share", "90天未借出 Unborrowed 90 days", "0%", "馆藏中 90 天未借出的比例"),
    ("holdings", "馆藏 Holdings", "#,##0", ""),
    ("seats", "座位 Seats", "#,##0", ""),
    ("weekly_open_hours", "周开放小时 Open h/week", "0.0", ""),
    ("uptime_percent", "设备可用率% Kiosk uptime %", "0.0", ""),
    ("faults", "设备故障 Kiosk faults", "#,##0", ""),
    ("flags", "低于全市中位数 Below the city", "@",
     "低于全市中位数一半的指标 measures below half the median"),
)  # fmt: skip
FLAG_NAMES = {
    "visits": "到馆人次",
    "loans": "借出",
    "loans_per_open_hour": "每开放小时借出",
    "turnover": "每百册借出",
}
#: Cells a spreadsheet would run as a formula (CSV injection); such text gets a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text, never runs (the CSV files' one defence)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


DISTRICT_SUMS = ("visits", "loans", "returns", "renewals", "readers", "new_readers", "holdings")


def parse_period(text: str) -> tuple[date, date]:
    """``2026-11`` (a month) or ``2026`` (a year) as first and last day."""
    try:
        if len(text) == 4:
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise ValueError(f"period {text!r} must be YYYY-MM or YYYY") from None


def _value(room: RoomMeasures, key: str) -> Any:
    if key == "flags":
        return "、".join(FLAG_NAMES.get(f, f) for f in room.flags)
    if key == "visits_counted":
        return "是" if room.visits_counted else "否"
    return getattr(room, key)


@dataclass(frozen=True, slots=True)
class DistrictRow:
    district: str
    rooms: int
    sums: dict[str, int]


def by_district(rooms: Sequence[RoomMeasures]) -> list[DistrictRow]:
    grouped: dict[str, list[RoomMeasures]] = {}
    for room in rooms:
        grouped.setdefault(room.district or "（未分区）", []).append(room)
    return [
        DistrictRow(
            name,
            len(members),
            {key: sum(int(getattr(r, key) or 0) for r in members) for key in DISTRICT_SUMS},
        )
        for name, members in sorted(grouped.items())
    ]


def to_csv(found: Efficiency, rooms: Sequence[RoomMeasures]) -> bytes:
    """UTF-8 with a BOM (Excel on Chinese Windows reads it right); formula-looking cells
    defused like the statistics CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header, _, _ in COLUMNS])
    for room in rooms:
        row = []
        for key, _, _, _ in COLUMNS:
            value = _value(room, key)
            if isinstance(value, float):
                value = round(value, 4)
            if isinstance(value, str):
                value = spreadsheet_text(value)
            row.append("" if value is None else value)
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(
    found: Efficiency, rooms: Sequence[RoomMeasures], title: str, generated: datetime
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook's one sheet, the active one
    sheet.title = "书房 Rooms"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{found.since.isoformat()} – {found.until.isoformat()}"])
    sheet.append([header for _, header, _, _ in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    weak = PatternFill("solid", fgColor="FCE9E7")
    for room in rooms:
        sheet.append([_value(room, key) for key, _, _, _ in COLUMNS])
        row = sheet.max_row
        for index, (key, _, number_format, _) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=index)
            cell.number_format = number_format
            if key in room.flags:
                cell.fill = weak
    median_row = ["", "全市中位数 City median", ""] + [
        found.city.median.get(key) for key, _, _, _ in COLUMNS[3:]
    ]
    sheet.append(median_row)
    for index, (_, _, number_format, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.number_format = number_format
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C4"
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.column_dimensions["B"].width = 20
    districts = book.create_sheet("区县 Districts")
    districts.append(["区县 District", "书房数 Rooms"] + [
        next(h for k, h, _, _ in COLUMNS if k == key) for key in DISTRICT_SUMS
    ])  # fmt: skip
    for cell in districts[1]:
        cell.font = Font(bold=True)
    for district in by_district(rooms):
        districts.append(
            [district.district, district.rooms] + [district.sums[k] for k in DISTRICT_SUMS]
        )
    notes = book.create_sheet("说明 Notes")
    notes.append(["生成时间 Generated", generated.strftime("%Y-%m-%d %H:%M")])
    notes.append(["统计期 Period", f"{found.since.isoformat()} – {found.until.isoformat()}"])
    notes.append(
        ["标红 Red", f"低于全市中位数的 {found.flag_share:.0%} / below this share of the median"]
    )
    for _, header, _, meaning in COLUMNS:
        if meaning:
            notes.append([header, meaning])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
