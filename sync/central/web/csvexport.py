"""The statistics as CSV for spreadsheets: the same rows as ``GET /api/v1/statistics``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sync.central import staff_wire
from sync.central.reports import spreadsheet_text

COLUMNS = ("branch", "day", "loans", "returns", "renewals", "readers")


def statistics_csv(rows: Iterable[staff_wire.DailyStats]) -> str:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows shows branch names right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                spreadsheet_text(row.branch),
                row.day,
                row.loans,
                row.returns,
                row.renewals,
                row.readers,
            ]
        )
    return out.getvalue()
