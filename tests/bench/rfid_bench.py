"""RFID: tag decode throughput, and a 10-tag stack on a paced FEIG emulator at 38400 baud.

The stack figure is split into reader-bound I/O (serial time plus ISO 15693 air time, as the
paced emulator takes) and our own processing (framing, decoding, bookkeeping), so a slow
codec shows up as a share of the total rather than as a noisy absolute.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from drivers.rfid.emulators import EmulatorServer, FeigEmulator
from drivers.rfid.faults import ReaderFaults
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.items import decode_tag
from drivers.rfid.pad import PadWatcher
from kiosk.tags import decode, dsfid_for, encode


@dataclass
class Row:
    name: str
    n: int
    figure: str


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


def stack_split(runs: int = 10, tags: int = 10) -> tuple[list[float], list[float]]:
    """Per run: (total ms from poll start to the stack event, our processing ms)."""
    field = TagField()
    server = EmulatorServer(FeigEmulator(field, ReaderFaults()), kind="pty", paced=True).start()
    totals, ours = [], []
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
    return totals, ours


def run(decode_count: int = 20_000, stack_runs: int = 10) -> list[Row]:
    rows = [
        Row(f"decode {fmt}", decode_count, f"{decode_rate(fmt, decode_count):,.0f} tags/s")
        for fmt in ("28560-2", "28560-3")
    ]
    totals, ours = stack_split(stack_runs)
    share = 100 * sum(ours) / sum(totals)
    rows.append(
        Row(
            "10-tag stack, paced FEIG 38400 pty",
            stack_runs,
            f"p50 {statistics.median(totals):.0f} ms total; our processing p50 "
            f"{statistics.median(ours):.1f} ms = {share:.1f}% (target < 5%)",
        )
    )
    return rows
