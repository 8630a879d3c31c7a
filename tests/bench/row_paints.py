"""When the reader sees a row's outcome: the first paint of each item row after its outcome
was set, noted by a row subclass the screens then make (an application-wide event filter would
see every paint of every widget and cost more than it measures). For the UI bench children."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RowPaints:
    painted: dict[str, float] = field(default_factory=dict)  # pii → first paint with an outcome
    decided: dict[str, float] = field(default_factory=dict)  # pii → its outcome set on the row


def watch_row_paints() -> RowPaints:
    """Make every item row from now on note its times into the returned ``RowPaints``."""
    import ui.widgets

    paints = RowPaints()

    class BenchRow(ui.widgets.ItemRow):
        outcome_shown = False

        def show_state(self, title: str, detail: str, tone: str, mark_colour: str) -> None:
            super().show_state(title, detail, tone, mark_colour)
            self.outcome_shown = bool(tone)
            if tone:
                paints.decided.setdefault(self.pii, time.perf_counter())

        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            if self.outcome_shown and self.pii not in paints.painted:
                paints.painted[self.pii] = time.perf_counter()

    ui.widgets.ItemRow = BenchRow  # type: ignore[misc]
    return paints
