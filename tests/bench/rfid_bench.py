"""RFID: tag decode throughput, and a 10-tag stack on the paced FEIG and 3M 810 emulators.

The poll-to-stack figure is split into reader-bound I/O (serial time plus ISO 15693 air
time, as the paced emulator takes) and our own processing (framing, decoding, bookkeeping),
so a slow codec shows up as a share of the total rather than as a noisy absolute.

The painted rows (issue #18) run the kiosk's real UI and device station in a child process
(``rfid_stack_child``): from the stack placed to its first and its last row painted, beside
the floor (``drivers.rfid.floor``), the least time any driver on that reader could take to
inventory the stack and read what its tags hold. Targets: the last row within 1.25 x the
floor, the first within 250 ms.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from drivers.rfid.emulators import EmulatorServer, FeigEmulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.floor import FEIG, stack_floor
from drivers.rfid.injected_faults import ReaderFaults
from drivers.rfid.items import decode_tag
from drivers.rfid.pad import PadWatcher
from kiosk.tags import decode, dsfid_for, encode
from kiosk.tags.extent import bytes_needed
from tests.bench.rows import Row


class TimedReader:
    """A TagReader proxy that adds up the time spent waiting for the reader."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.io_s = 0.0

    def __getattr__(self, name):
        attribute = getattr(self.reader, name)
        if name not in ("inventory", "read_blocks", "write_blocks", "write_afi"):
            return attribute

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.io_s += time.perf_counter() - started

        return timed


def decode_rate(fmt: str, count: int = 20_000) -> float:
    blobs = [
        encode(format=fmt, pii=f"3120000{n:07d}", isil="CN-110000-1", set=(1, 1), size=112)
        for n in range(200)
    ]
    dsfid = dsfid_for(fmt)
    started = time.perf_counter()
    for n in range(count):
        decode(blobs[n % len(blobs)], dsfid=dsfid)
    return count / (time.perf_counter() - started)


def stack_split(runs: int = 10, tags: int = 10) -> tuple[list[float], list[float], float]:
    """Per run: (total ms from poll start to the stack event, our processing ms); the
    stack's floor in ms."""
    field = TagField()
    server = EmulatorServer(FeigEmulator(field, ReaderFaults()), kind="pty", paced=True).start()
    totals, ours = [], []
    held: list[int] = []
    try:
        reader = TimedReader(FeigReader.for_url(server.url, timeout=1.0))
        reader.open()
        for run in range(runs):
            field.clear()
            stacks: list[list] = []
            watcher = PadWatcher(reader, decode_tag, on_stack=stacks.append)
            for n in range(tags):
                data = encode(
                    format="28560-2", pii=f"9{run:03d}{n:04d}", isil="CN-110000-1", size=112
                )
                field.place(
                    SimulatedTag(uid=nxp_uid(run * 100 + n), dsfid=0x06, afi=0x07, memory=data)
                )
                held.append(bytes_needed(data, dsfid=0x06))
            reader.io_s = 0.0
            started = time.perf_counter()
            watcher.poll_once()
            total = time.perf_counter() - started
            if len(stacks) != 1 or len(stacks[0]) != tags:
                raise RuntimeError(f"expected one event of {tags} tags, got {stacks}")
            totals.append(total * 1000)
            ours.append((total - reader.io_s) * 1000)
        reader.close()
    finally:
        server.stop()
    return totals, ours, stack_floor(held[:tags], FEIG).total_s * 1000


#: Targets from issue #18: the last row by 1.25 x the floor, the first within 250 ms.
LAST_ROW_OVER_FLOOR = 1.25
FIRST_ROW_S = 0.250
PROTOCOLS = {"feig": "FEIG", "3m810": "3M 810"}  # paced: 38400 8E1, 19200 8N1


def painted_rows(protocol: str, tags: int = 10, runs: int = 10) -> dict:
    """The child's figures for one reader: per-run first and last row seconds, the floor."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.rfid_stack_child", protocol, str(tags), str(runs)],
        capture_output=True,
        text=True,
        timeout=120 + 10 * runs,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"rfid_stack_child {protocol} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def painted_stack_rows(tags: int = 10, runs: int = 10) -> list[Row]:
    """Per reader: the last row painted over the floor, and the first row after placement,
    both medians of ``runs`` stacks measured in one run of the child."""
    rows = []
    for protocol, wire in PROTOCOLS.items():
        figures = painted_rows(protocol, tags, runs)
        floor_s = figures["floor_s"]
        last, first = statistics.median(figures["last_s"]), statistics.median(figures["first_s"])
        ratio = last / floor_s
        met = "met" if ratio <= LAST_ROW_OVER_FLOOR else "NOT met"
        rows.append(
            Row(
                f"{tags} tags {wire}: last row / floor",
                runs,
                f"{ratio:.2f} (last row p50 {last * 1000:.0f} ms, max "
                f"{max(figures['last_s']) * 1000:.0f} ms; floor {floor_s * 1000:.0f} ms) "
                f"target <= {LAST_ROW_OVER_FLOOR}: {met}",
            )
        )
        met = "met" if first <= FIRST_ROW_S else "NOT met"
        rows.append(
            Row(
                f"{tags} tags {wire}: first row painted",
                runs,
                f"p50 {first * 1000:.0f} ms after placement, max "
                f"{max(figures['first_s']) * 1000:.0f} ms (floor to the first item "
                f"{figures['first_floor_s'] * 1000:.0f} ms) target <= "
                f"{FIRST_ROW_S * 1000:.0f} ms: {met}",
            )
        )
    return rows


def run(decode_count: int = 20_000, stack_runs: int = 10) -> list[Row]:
    rows = [
        Row(f"decode {fmt}", decode_count, f"{decode_rate(fmt, decode_count):,.0f} tags/s")
        for fmt in ("28560-2", "28560-3")
    ]
    totals, ours, floor_ms = stack_split(stack_runs)
    share = 100 * sum(ours) / sum(totals)
    rows.append(
        Row(
            "10-tag stack, paced FEIG 38400 pty",
            stack_runs,
            f"p50 {statistics.median(totals):.0f} ms poll to stack event (floor "
            f"{floor_ms:.0f} ms); our processing p50 "
            f"{statistics.median(ours):.1f} ms = {share:.1f}% (target < 5%)",
        )
    )
    return rows + painted_stack_rows(runs=stack_runs)
