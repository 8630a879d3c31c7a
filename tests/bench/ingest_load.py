"""A light HTTP load generator for the central's kiosk endpoints, run in its own process.

Why not ``requests`` in threads: each request there costs about a millisecond of client CPU
under one interpreter lock, so on a two-core machine the client, not the service, would set
the measured rate. Here every request is a pre-built byte string written to a kept-alive
socket by asyncio (with uvloop when installed), a few tens of microseconds each.

Two ways to load the service:

- ``open``: requests start on a fixed schedule (``rate`` per second) whether or not earlier
  ones have finished, as 60,000 independent kiosks would. Latency counts from the scheduled
  start, so a stalled service cannot hide its backlog (no coordinated omission).
- ``closed``: ``connections`` clients each send their next request as soon as the last is
  answered: the most the service can take.

Each simulated kiosk sends one request at a time, in order, so its transaction batches keep
their sequence. A request mix of heartbeats (now and then with a fault) and pushes of ten
rows (each kiosk lends its own items, then returns them) is sent with each kiosk's token.
Input and output are JSON on stdin/stdout; see ``main``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ITEMS_PER_KIOSK = 10
#: Each run of the generator lends its own items with its own ids and a higher seq, so runs
#: against one database never meet each other's loans; the bench seeds this many runs' items.
RUNS = 8


def item_pii(kiosk: int, k: int) -> str:
    return f"L{kiosk:06d}{k:03d}"


@dataclass
class KioskLoad:
    """One simulated kiosk: its token, its next sequence number and what it lends next."""

    index: int
    token: str
    run: int = 0
    push_rows: int = ITEMS_PER_KIOSK
    seq: int = 0
    pushes: int = 0
    beats: int = 0
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.seq = self.run * 1_000_000

    def heartbeat(self) -> bytes:
        self.beats += 1
        faults = []
        if self.beats % 20 == 0:  # about one beat in twenty reports a fault change
            at = (START + timedelta(seconds=self.beats)).isoformat()
            faults.append(
                {"device": "printer", "code": "paper_low", "severity": "warning",
                 "message": "paper low", "first_at": at, "last_at": at, "count": 1}
            )  # fmt: skip
        body = {
            "state": "in_service",
            "outbox_depth": 0,
            "software_version": "bench",
            "policy_version": None,
            "devices": {"rfid": "ready", "scanner": "ready", "printer": "ready"},
            "faults": faults,
        }
        return _request("/api/v1/heartbeat", self.token, body)

    def push(self) -> bytes:
        """Lend ``push_rows`` of the kiosk's items, or return them, by turns."""
        lend = self.pushes % 2 == 0
        rows = []
        at = START + timedelta(minutes=self.pushes)
        for k in range(self.push_rows):
            self.seq += 1
            rows.append(
                {
                    "id": f"ld-{self.index}-{self.run}-{self.seq}",
                    "seq": self.seq,
                    "kind": "checkout" if lend else "checkin",
                    "patron_card": f"P{self.index % 1000:06d}",
                    "item_pii": item_pii(self.index, self.run * ITEMS_PER_KIOSK + k),
                    "at": (at + timedelta(milliseconds=k)).isoformat(),
                    "decision": "online",
                    "due_at": (at + timedelta(days=28)).isoformat() if lend else None,
                }
            )
        self.pushes += 1
        return _request("/api/v1/transactions", self.token, {"transactions": rows})


def _request(path: str, token: str, body: object) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: central\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


class Connection:
    """One kept-alive HTTP/1.1 connection: send a request, read one reply."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.used = time.monotonic()

    @property
    def stale(self) -> bool:
        """Idle long enough that the server may be closing it (uvicorn keeps 5 s): a real
        client (urllib3) notices the close and opens a new connection; so does this one."""
        return time.monotonic() - self.used > 3.0

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def call(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        self.used = time.monotonic()
        return status, body

    def close(self) -> None:
        self.writer.close()


@dataclass
class Tally:
    beats: list[float] = field(default_factory=list)
    pushes: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    not_accepted: int = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _one(kiosk: KioskLoad, push_every: int, conn: Connection, tally: Tally, t0: float):
    """One request of ``kiosk`` on ``conn``; latency from ``t0`` (scheduled or actual start)."""
    number = kiosk.beats + kiosk.pushes
    is_push = push_every > 0 and (number + kiosk.index) % push_every == 0
    request = kiosk.push() if is_push else kiosk.heartbeat()
    status, body = await conn.call(request)
    elapsed = (time.perf_counter() - t0) * 1000
    if status != 200:
        tally.error(f"HTTP {status}")
        return
    if is_push:
        results = json.loads(body)["results"]
        tally.not_accepted += sum(1 for r in results if r["status"] != "accepted")
        tally.pushes.append(elapsed)
    else:
        tally.beats.append(elapsed)


async def run_open(spec: dict, kiosks: list[KioskLoad], tally: Tally) -> float:
    host, port = spec["host"], spec["port"]
    rate, seconds, push_every = spec["rate"], spec["seconds"], spec["push_every"]
    idle: list[Connection] = [await Connection.open(host, port) for _ in range(16)]
    total = int(rate * seconds)
    tasks: set[asyncio.Task] = set()
    # At most this many connections, as a reverse proxy's pool to the API would hold: a
    # request waits for one (its latency still counts from its scheduled start).
    slots = asyncio.Semaphore(spec.get("max_connections", 64))

    async def fire(kiosk: KioskLoad, scheduled: float) -> None:
        async with kiosk.busy, slots:  # one request at a time per kiosk, in order
            conn = idle.pop() if idle else None
            while conn is not None and conn.stale:
                conn.close()
                conn = idle.pop() if idle else None
            if conn is None:
                conn = await Connection.open(host, port)
            try:
                await _one(kiosk, push_every, conn, tally, scheduled)
            except (OSError, asyncio.IncompleteReadError) as error:
                tally.error(type(error).__name__)
                conn.close()
                return
            idle.append(conn)

    started = time.perf_counter()
    for n in range(total):
        scheduled = started + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(kiosks[n % len(kiosks)], scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    for conn in idle:
        conn.close()
    return time.perf_counter() - started


async def run_closed(spec: dict, kiosks: list[KioskLoad], tally: Tally) -> float:
    host, port = spec["host"], spec["port"]
    seconds, push_every = spec["seconds"], spec["push_every"]
    workers = min(spec["connections"], len(kiosks))
    deadline = time.perf_counter() + seconds

    async def worker(mine: list[KioskLoad]) -> None:
        conn = await Connection.open(host, port)
        n = 0
        while time.perf_counter() < deadline:
            kiosk = mine[n % len(mine)]
            n += 1
            try:
                await _one(kiosk, push_every, conn, tally, time.perf_counter())
            except (OSError, asyncio.IncompleteReadError) as error:
                tally.error(type(error).__name__)
                conn.close()
                conn = await Connection.open(host, port)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(kiosks[w::workers]) for w in range(workers)))
    return time.perf_counter() - started


def main() -> None:
    """Read the spec from stdin; print counts, rate and latency samples as JSON."""
    spec = json.loads(sys.stdin.read())
    rows = spec.get("push_rows", ITEMS_PER_KIOSK)
    kiosks = [KioskLoad(index, token, spec["run"], rows) for index, token in spec["kiosks"]]
    tally = Tally()
    runner = run_open if spec["mode"] == "open" else run_closed
    try:
        import uvloop

        seconds = uvloop.run(runner(spec, kiosks, tally))
    except ImportError:
        seconds = asyncio.run(runner(spec, kiosks, tally))
    json.dump(
        {
            "seconds": seconds,
            "beats": tally.beats,
            "pushes": tally.pushes,
            "errors": tally.errors,
            "not_accepted": tally.not_accepted,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
