"""A CSV import file read line by line: every line that cannot be taken becomes a numbered
problem for the librarian's report, never an exception that stops the import.

The kiosk's catalog and patron import (``kiosk/importer.py``) and the central's
(``sync/central/csvimport.py``) read files made by other systems' exports and by hand in a
spreadsheet: a stray quote, a field over the csv module's 128 KiB limit, a line with more
fields than the header, a byte-order mark, spaces around a column name. Both read them here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CsvLine:
    """One line of the file: its values by column (stripped), or why it cannot be taken."""

    number: int
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""


class CsvLines:
    """The file's header (column names stripped) and then its lines, in order.

    ``header`` is None when even the first line cannot be read; ``header_problem`` says why.
    An unreadable line ends the file (the csv module cannot find the next line reliably).
    """

    def __init__(self, text: str) -> None:
        self._reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        self.header: list[str] | None = None
        self.header_problem = ""
        try:
            names = self._reader.fieldnames
        except csv.Error as error:
            self.header_problem = unreadable(error)
            return
        self.header = [name.strip() for name in names or []]
        self._reader.fieldnames = self.header

    def __iter__(self) -> Iterator[CsvLine]:
        if self.header is None:
            return
        rows = iter(self._reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as error:
                yield CsvLine(max(self._reader.line_num, 1), problem=unreadable(error))
                return
            number = self._reader.line_num
            if None in row:
                yield CsvLine(number, problem="more fields than the header has")
                continue
            yield CsvLine(number, {k: (v or "").strip() for k, v in row.items()})


def unreadable(error: csv.Error) -> str:
    return f"not readable as CSV: {error}"
