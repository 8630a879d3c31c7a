"""Measured in its own process by cover_bench: a 10-book stack on the borrow screen, its rows
painted and its covers shown, with covers in the cache and without, alternating."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STACK = 10


def cover_bytes(colour: str, title: str) -> bytes:
    """A publisher-like cover, 600 × 860 JPEG (a cache holds what web catalogs serve)."""
    from ui.qt import QtCore, QtGui

    image = QtGui.QImage(600, 860, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor(colour))
    painter = QtGui.QPainter(image)
    painter.fillRect(0, 560, 600, 140, QtGui.QColor("#F4EFE6"))
    font = QtGui.QFont()
    font.setPixelSize(90)
    painter.setFont(font)
    painter.setPen(QtGui.QColor("#F4EFE6"))
    painter.drawText(QtCore.QRect(0, 80, 600, 300), QtCore.Qt.AlignmentFlag.AlignCenter, title)
    painter.end()
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPG", 85)
    return bytes(data.data())


def main(rounds: int) -> dict:
    import ui.widgets
    from kiosk.config.loader import defaults
    from kiosk.core import open_core
    from kiosk.covers import CoverCache, cache_folder_for
    from kiosk.models import CardKind, Item, Patron
    from tests.bench.row_paints import watch_row_paints
    from ui.app import application, build_controller
    from ui.covers import CoverThumb
    from ui.qt import QtCore
    from ui.session import Mode

    folder = tempfile.mkdtemp(prefix="shufang-cover-bench-")
    config = defaults().replace(database__path=f"{folder}/kiosk.db")
    app = application()
    paints = watch_row_paints()
    painted, decided = paints.painted, paints.decided
    pictured: dict[str, float] = {}  # cover reference → its first paint as a picture

    class BenchThumb(CoverThumb):
        def paintEvent(self, event):
            super().paintEvent(event)
            if self.reference and self.reference not in pictured and self._pixmap is not None:
                pictured[self.reference] = time.perf_counter()

    ui.widgets.CoverThumb = BenchThumb

    core = open_core(config)
    cache = CoverCache(cache_folder_for(config["database.path"]), max_bytes=512 * 1024 * 1024)
    items = []
    colours = ("#1B3A5C", "#A7322B", "#2F6B4F", "#E0B341", "#5B3A6B")
    for n in range(2 * rounds * STACK):
        item = Item(f"6{n:07d}", f"封面测试 {n}")
        if n % 2 == 0:  # even books have covers, odd ones not
            reference = f"https://covers.example.org/{item.pii}.jpg"
            cache.store(reference, cover_bytes(colours[n % 5], str(n)))
            item = replace(item, cover=reference)
        items.append(item)
    core.store.items.upsert(items)
    core.store.patrons.upsert([Patron("P0001", category="bench")])
    core.store.policies.save(
        "bench",
        json.dumps(
            {
                "version": "bench",
                "max_loans": {"*": 100000},
                "rules": [
                    {"category": "*", "item_class": "*", "loanable": True, "loan_days": 28,
                     "max_items": 100000, "renewals": 2}
                ],
            }
        ),
        datetime.now(UTC),
    )  # fmt: skip
    core.close()

    kiosk = build_controller(config)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    app.processEvents()

    def pump_until(condition, timeout=20.0):
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)

    results: dict[str, list[dict]] = {"covers": [], "placeholders": []}
    covered = [i for i in items if i.cover]
    plain = [i for i in items if not i.cover]
    for round_ in range(2 * rounds):
        kind = "covers" if round_ % 2 == 0 else "placeholders"
        pool = covered if kind == "covers" else plain
        stack = pool[(round_ // 2) * STACK : (round_ // 2 + 1) * STACK]
        kiosk.begin(Mode.BORROW)
        kiosk.card_presented("P0001", CardKind.NFC)
        pump_until(lambda: kiosk.window.current() == "borrow")
        sent = {}
        for item in stack:  # the stack lands on the pad at once
            sent[item.pii] = time.perf_counter()
            kiosk.events.place(item.pii)
        pump_until(lambda s=stack: all(i.pii in painted for i in s))
        last_row = max(painted[i.pii] for i in stack)
        if kind == "covers":
            pump_until(lambda s=stack: all(i.cover in pictured for i in s))
            last_cover = max(pictured[i.cover] for i in stack)
        else:
            last_cover = last_row
        first = min(sent.values())
        results[kind].append(
            {
                "first_row_ms": (min(painted[i.pii] for i in stack) - first) * 1000,
                # the UI thread's part: from the first outcome set on a row to the last painted
                "ui_ms": (last_row - min(decided[i.pii] for i in stack)) * 1000,
                "row_ms": [(painted[i.pii] - sent[i.pii]) * 1000 for i in stack],
                "stack_rows_ms": (last_row - first) * 1000,
                "stack_covers_ms": (last_cover - first) * 1000,
            }
        )
        kiosk.end_session()
        pump_until(lambda: kiosk.window.current() in ("home", "goodbye", "receipt"))
    kiosk.stop()
    return results


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
