"""Measured in its own process by sip2_stack_bench: a stack through the real UI, SIP2 ACS.

The kiosk is built as ``shufang run`` builds it for ``upstream.kind = "sip2"`` (the core
factory of the composition root, ``sip2.sessions`` sessions), the screen is offscreen, and
the library system is pysip2's server with a small library that waits ``delay`` seconds
before every reply. Printed: one JSON line with the seconds from the stack placed on the pad
to its last row painted, per run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(items: int, delay_s: float, sessions: int, runs: int) -> dict:
    from kiosk.cli.run import core_factory
    from kiosk.config import load_config
    from kiosk.models import CardKind
    from tests.bench.row_paints import watch_row_paints
    from tests.sip2.conftest import small_library
    from tests.sip2.library import Book, RunningServer, build_app
    from ui.app import application, build_controller
    from ui.qt import QtCore
    from ui.session import Mode
    from ui.sounds import Sounds

    app = application()
    painted = watch_row_paints().painted

    stacks = [[f"4{run:02d}{n:04d}" for n in range(items)] for run in range(runs + 1)]
    library = small_library()
    library.books.update({pii: Book(f"Stack book {pii}") for stack in stacks for pii in stack})
    server = RunningServer(build_app(library))
    server.start()
    folder = tempfile.mkdtemp(prefix="shufang-sip2-stack-")
    path = f"{folder}/kiosk.toml"
    with open(path, "w", encoding="utf-8") as config_file:
        config_file.write(
            f'[upstream]\nkind = "sip2"\ntimeout_s = 5.0\n'
            f'[sip2]\nport = {server.port}\ninstitution_id = "CITY"\n'
            f"sessions = {sessions}\ntimeout_s = 5.0\nretries = 0\n"
        )
    config = load_config(path).replace(database__path=f"{folder}/kiosk.db")
    kiosk = build_controller(
        config, core_factory=core_factory(config), sounds=Sounds(False), voice=None
    )
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()

    def pump_until(condition, timeout=30.0):
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(kiosk.session.outcomes)
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)

    kiosk.begin(Mode.BORROW)
    kiosk.card_presented("R0001", CardKind.NFC)
    pump_until(lambda: kiosk.window.current() == "borrow")
    library.delay_s = delay_s
    took = []
    for run, stack in enumerate(stacks):  # the first stack opens the sessions: not counted
        placed = time.perf_counter()
        for pii in stack:  # placed whole: the pad reports every tag in one poll
            kiosk.events.place(pii, None, None)
        pump_until(lambda s=stack: all(p in painted for p in s))
        if not all(kiosk.session.outcomes[p].ok for p in stack):
            raise RuntimeError({p: kiosk.session.outcomes[p].reason for p in stack})
        if run:
            took.append(max(painted[p] for p in stack) - placed)
    kiosk.stop()
    server.stop()
    return {"seconds": took, "items": items, "delay_s": delay_s, "sessions": sessions}


if __name__ == "__main__":
    items, delay, sessions, runs = (float(a) for a in sys.argv[1:5])
    print(json.dumps(main(int(items), delay, int(sessions), int(runs))))
