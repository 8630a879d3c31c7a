"""A rotation plan's pick list as files: CSV (UTF-8 with a BOM, for Excel on a Chinese
Windows) and XLSX, every item in shelf order with where it is now."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sync.central.reports import spreadsheet_text
from sync.central.rotation import Plan

#: Where an item is, in the words staff use (Chinese with English).
STATE_WORDS = {
    "on_shelf": "在架待取 on the shelf",
    "on_loan": "借出未还 on loan",
    "in_transit": "运送中 in transit",
    "arrived": "已到达 arrived",
    "cancelled": "已取消 cancelled",
}
HEADERS = ["索书号 Call number", "题名 Title", "条码 Barcode", "中图法 CLC", "状态 State"]


def _rows(plan: Plan) -> list[list[str]]:
    return [
        [i.call_number, i.title, i.pii, i.clc_class, STATE_WORDS.get(i.shelf_state, i.state)]
        for i in plan.items
    ]


def to_csv(plan: Plan) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in _rows(plan):
        writer.writerow([spreadsheet_text(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(plan: Plan, title: str, generated: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook's one sheet, the active one
    sheet.title = "取书单 Pick list"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"生成时间 Generated {generated:%Y-%m-%d %H:%M}"])
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in _rows(plan):
        sheet.append(row)  # openpyxl writes text as text: nothing runs as a formula
    for column, width in zip("ABCDE", (16, 40, 18, 12, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
