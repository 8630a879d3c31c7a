"""Measured in its own process by ui_bench: cold start, tag-event-to-painted-row, peak RSS."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(items: int) -> dict:
    from kiosk.config.loader import defaults
    from kiosk.core import open_core
    from kiosk.models import CardKind, Item
    from tests.bench.row_paints import watch_row_paints
    from ui.app import application, build_controller
    from ui.qt import QtCore
    from ui.session import Mode
    from ui.sounds import Sounds

    folder = tempfile.mkdtemp(prefix="shufang-ui-bench-")
    config = defaults().replace(database__path=f"{folder}/kiosk.db")
    app = application()
    painted = watch_row_paints().painted

    kiosk = build_controller(config, sounds=Sounds(False), voice=None)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    app.processEvents()
    first_paint = time.perf_counter() - STARTED
    print("first-paint", flush=True)  # the parent times process launch to this line

    def pump_until(condition, timeout=10.0):
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)

    core = open_core(config)
    core.store.items.upsert(Item(f"5{n:07d}", f"Benchmark title {n}") for n in range(items))
    core.store.patrons.upsert([__import__("kiosk.models").models.Patron("P0001")])
    core.store.db.conn.execute("UPDATE patrons SET category = 'bench'")
    core.close()
    # no loan limit in the way of the measurement
    kiosk.core.call(
        lambda c: c.store.policies.save(
            "bench",
            json.dumps(
                {
                    "version": "bench",
                    "max_loans": {"*": 100000},
                    "rules": [
                        {
                            "category": "*",
                            "item_class": "*",
                            "loanable": True,
                            "loan_days": 28,
                            "max_items": 100000,
                            "renewals": 2,
                        }
                    ],
                }
            ),
            datetime.now(UTC),
        ),
        lambda _: None,
    )
    kiosk.begin(Mode.BORROW)
    kiosk.card_presented("P0001", CardKind.NFC)
    pump_until(lambda: kiosk.window.current() == "borrow")
    latencies = []
    for n in range(items):
        pii = f"5{n:07d}"
        sent = time.perf_counter()
        kiosk.events.place(pii)
        try:
            pump_until(lambda p=pii: p in painted)
        except TimeoutError:
            row = kiosk.window.borrow.list.rows.get(pii)
            raise TimeoutError(
                f"item {n}: outcome {kiosk.session.outcomes.get(pii)}, row "
                f"{row and row.detail.text()!r}, visible {row and row.isVisible()}"
            ) from None
        latencies.append((painted[pii] - sent) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kiosk.stop()
    return {"first_paint_s": first_paint, "latencies_ms": latencies, "max_rss_mb": rss_mb}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)))
