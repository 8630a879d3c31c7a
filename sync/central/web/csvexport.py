"""The statistics as CSV for spreadsheets: the same rows as ``GET /api/v1/statistics``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sync.central import wire

COLUMNS = ("branch", "day", "loans", "returns", "renewals", "readers")
#: Cells a spreadsheet would run as a formula (CSV injection); such text gets a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def statistics_csv(rows: Iterable[wire.DailyStats]) -> str:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows shows branch names right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [_cell(row.branch), row.day, row.loans, row.returns, row.renewals, row.readers]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text
