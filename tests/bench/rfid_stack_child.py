"""Measured in its own process by rfid_bench: a stack on a paced reader emulator, through the
device station and the real touch UI (offscreen), to the first and the last row painted.

The kiosk is on the return screen (no patron needed); the pad polls the emulator, reads each
tag, the station reports each item as read and the controller paints its row. The stack is
placed just before the poll that finds it; a pad polling ``devices.rfid_poll_hz`` times a
second adds up to one poll period of waiting for that poll on top. The first stack warms the
process up and is not counted. Printed: one JSON line with per-run seconds and the floor.

The emulator runs in a process of its own, as a reader is a device of its own: in the
kiosk's process its frames would wait for the interpreter lock while the UI thread builds a
row, time no real reader loses.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def serve_emulator(protocol: str, conn) -> None:
    """The paced reader emulator, in its own process: it sends its URL, then places or clears
    tags as told (``("place", [(uid, dsfid, afi, memory), ...])``, ``("clear", None)``) and
    answers ``"ok"`` to each, until ``("stop", None)``."""
    from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
    from drivers.rfid.field import SimulatedTag, TagField

    field = TagField()
    emulator = FeigEmulator(field) if protocol == "feig" else M810Emulator(field)
    with EmulatorServer(emulator, kind="tcp", paced=True) as server:
        conn.send(server.url)
        while True:
            command, tags = conn.recv()
            if command == "stop":
                break
            if command == "clear":
                field.clear()
            for uid, dsfid, afi, memory in tags or ():
                field.place(SimulatedTag(uid, dsfid=dsfid, afi=afi, memory=memory))
            conn.send("ok")


class NoFaults:
    def record_fault(self, device: str, code: str, severity: str, message: str) -> None:
        raise RuntimeError(f"{device}: {code}: {message}")

    def clear_fault(self, device: str, code: str) -> None:
        pass


def main(protocol: str, tags: int, runs: int) -> dict:
    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    emulator = context.Process(target=serve_emulator, args=(protocol, child_conn), daemon=True)
    emulator.start()
    url = conn.recv()

    def field(command: str, placed: list | None = None) -> None:
        conn.send((command, placed))
        conn.recv()

    try:
        return measure(protocol, url, field, tags, runs)
    finally:
        conn.send(("stop", None))
        emulator.join(10)


def measure(protocol: str, url: str, field, tags: int, runs: int) -> dict:
    from drivers.rfid.field import nxp_uid
    from drivers.rfid.floor import FEIG, M810, stack_floor
    from drivers.station import DeviceStation, StationCallbacks, StationConfig
    from kiosk.config.loader import defaults
    from kiosk.tags import dsfid_for, encode
    from kiosk.tags.extent import bytes_needed
    from ui.app import application, build_controller
    from ui.qt import QtCore
    from ui.session import Mode
    from ui.sounds import Sounds

    _app = application()  # kept alive for the whole run
    painted: dict[str, float] = {}

    import ui.widgets

    class BenchRow(ui.widgets.ItemRow):  # notes each row's first paint, whatever it shows
        def paintEvent(self, event):
            super().paintEvent(event)
            painted.setdefault(self.pii, time.perf_counter())

    ui.widgets.ItemRow = BenchRow

    folder = tempfile.mkdtemp(prefix="shufang-rfid-stack-")
    config = defaults().replace(database__path=f"{folder}/kiosk.db")
    kiosk = build_controller(config, sounds=Sounds(False), voice=None)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    events = kiosk.events
    station = DeviceStation(
        StationConfig(rfid=f"{protocol}+{url}", scanner="none", card="none", printer="none"),
        NoFaults(),
        StationCallbacks(
            on_item=lambda pii, parts, uids: events.place(pii, parts, uids),
            on_gone=lambda pii: events.remove(pii),
            on_unreadable=lambda uid, why: events.unreadable_tag(uid, why),
            on_scan=lambda text: None,
            on_card=lambda card, kind: None,
            on_seen=lambda pii, position, size: events.seen(pii, position, size),
        ),
    )
    station.reader.open()
    pad = station.pad

    def pump_until(condition, timeout=30.0):
        """Run the UI's event loop until ``condition`` holds. The loop blocks between events
        as the kiosk's does (a loop spinning on processEvents would hold the GIL the pad's
        thread needs to hear the reader); a 1 ms timer looks at the condition."""
        if condition():
            return
        loop = QtCore.QEventLoop()
        deadline = time.perf_counter() + timeout
        expired = []

        def check():
            if condition():
                loop.quit()
            elif time.perf_counter() > deadline:
                expired.append(True)
                loop.quit()

        timer = QtCore.QTimer(interval=1)
        timer.timeout.connect(check)
        timer.start()
        loop.exec()
        timer.stop()
        if expired:
            raise TimeoutError(f"rows painted: {sorted(painted)}")

    kiosk.begin(Mode.RETURN)
    pump_until(lambda: kiosk.window.current() == "return")
    firsts, lasts, held = [], [], []
    for run in range(runs + 1):
        field("clear")
        while pad.present():  # the pad forgets the last stack after its missed polls
            pad.poll_once()
        piis = [f"7{run:02d}{n:05d}" for n in range(tags)]
        memories = [encode(format="28560-2", pii=p, isil="CN-110000-1", size=112) for p in piis]
        dsfid = dsfid_for("28560-2")
        field("place", [(nxp_uid(run * 1000 + n), dsfid, 0x07, m) for n, m in enumerate(memories)])
        held = [bytes_needed(memory, dsfid=0x06) for memory in memories]
        poll = threading.Thread(target=pad.poll_once)
        placed = time.perf_counter()
        poll.start()
        pump_until(lambda piis=piis: all(p in painted for p in piis))
        poll.join()
        if run:
            firsts.append(min(painted[p] for p in piis) - placed)
            lasts.append(max(painted[p] for p in piis) - placed)
    floor = stack_floor(held, FEIG if protocol == "feig" else M810)
    kiosk.stop()
    station.reader.close()
    return {
        "first_s": firsts,
        "last_s": lasts,
        "floor_s": floor.total_s,
        "first_floor_s": floor.first_item_s,
        "held": held,
    }


if __name__ == "__main__":
    protocol, tags, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if protocol not in ("feig", "3m810"):
        raise SystemExit(f"protocol is feig or 3m810, not {protocol!r}")
    print(json.dumps(main(protocol, tags, runs)))
