"""Sync throughput and latency against a real central service process on 127.0.0.1.

Three figures, each measured end to end through the daemon's own code and HTTP:

- push: queued journal rows sent by ``push_outbox`` until every row is acknowledged;
- pull: catalog rows paged in by ``pull_changes`` and applied to the kiosk database;
- ingest: heartbeats and small pushes from several client threads (one kiosk each), with
  p50/p99 latency per request, on SQLite and on a throwaway PostgreSQL.

The central runs as its own process (``shufang central serve``, one uvicorn worker), so the
client and the server do not share one interpreter lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from kiosk.clock import ManualClock, SystemClock
from kiosk.models import Decision, Security, Transaction, TxnKind
from kiosk.ports import TxnReply
from kiosk.store import Store
from sync import wire
from sync.central import auth, catalog
from sync.central.database import make_engine, writing
from sync.central.migrations import migrate
from sync.central.server import free_port
from sync.daemon.central_client import DaemonClient, txn_to_json
from sync.daemon.pull import apply_page, pull_changes
from sync.daemon.push import push_outbox
from sync.daemon.settings import SyncSettings

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

#: One result row: name, count, seconds, per second, p50 ms, p99 ms, target.
Row = tuple[str, int, float, float, float | None, float | None, str]


@dataclass
class Service:
    url: str
    db_url: str
    engine: object
    pid: int = 0  # the ``serve`` process (uvicorn's supervisor when there are workers)

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.url.removeprefix("http://").split(":")
        return host, int(port)

    def enrol_kiosks(self, count: int) -> list[str]:
        with writing(self.engine) as conn:
            return [auth.enrol_kiosk(conn, f"bench-{n:03d}", "main", START) for n in range(count)]


@contextmanager
def central_process(db_url: str, folder: Path, workers: int = 1) -> Iterator[Service]:
    """Migrate ``db_url``, then serve it from a separate ``shufang central serve`` process
    (with ``workers`` API processes), up once it answers and every worker has started."""
    engine = make_engine(db_url)
    migrate(engine)
    port = free_port()
    log_path = folder / f"central-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    command = [sys.executable, "-m", "kiosk", "central", "serve", "--db", db_url]
    command += ["--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"central exited; see {log_path}")
            try:
                up = requests.get(url + "/api/v1/health", timeout=1).status_code == 200
            except requests.RequestException:
                up = False
            if up and log_path.read_text().count("Application startup complete") >= workers:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"central did not start within 90 s; see {log_path}")
            time.sleep(0.1)
        yield Service(url, db_url, engine, process.pid)
    finally:
        process.terminate()
        process.wait(30)
        log.close()
        engine.dispose()  # type: ignore[attr-defined]


def _seed_central(service: Service, items: int, patrons: int, chunk: int = 20_000) -> None:
    with writing(service.engine) as conn:  # type: ignore[arg-type]
        catalog.upsert_patrons(
            conn, [wire.PatronRecord(card_id=f"P{n:06d}") for n in range(patrons)], START
        )
    for first in range(0, items, chunk):
        records = [
            wire.ItemRecord(pii=f"{n:010d}", title=f"Title {n}", author="Author", branch="main")
            for n in range(first, min(items, first + chunk))
        ]
        with writing(service.engine) as conn:  # type: ignore[arg-type]
            catalog.upsert_items(conn, records, START)


def _queue_journal(store: Store, count: int, items: int, patrons: int) -> None:
    """``count`` rows: each item lent then returned, so the central accepts every row."""
    at = START
    with store.atomic():
        for n in range(count):
            lend = (n // items) % 2 == 0
            pii = f"{n % items:010d}"
            at += timedelta(milliseconds=1)
            store.journal.append(
                Transaction(
                    id=f"bench-{n:08d}",
                    seq=0,
                    kind=TxnKind.CHECKOUT if lend else TxnKind.CHECKIN,
                    patron_card=f"P{n % patrons:06d}",
                    item_pii=pii,
                    at=at,
                    due_at=at + timedelta(days=28) if lend else None,
                    decision=Decision.OFFLINE,
                    reason="ok",
                    security=Security.DONE,
                )
            )


def bench_push(folder: Path, count: int, batch_size: int) -> Row:
    items = max(1, count // 2)
    db = folder / f"push-{batch_size}.db"
    with central_process(f"sqlite:///{folder / f'push-central-{batch_size}.db'}", folder) as svc:
        _seed_central(svc, items, 1000)
        (token,) = svc.enrol_kiosks(1)
        store = Store(db)
        _queue_journal(store, count, items, 1000)
        client = DaemonClient(svc.url, token, timeout=120)
        started = time.perf_counter()
        report = push_outbox(store, client, SystemClock(), batch_size)
        seconds = time.perf_counter() - started
        store.close()
    if report.left or report.acked != count or report.conflicts:
        raise RuntimeError(f"push did not deliver every row cleanly: {report}")
    return (
        f"push, batch {batch_size}, SQLite",
        count,
        seconds,
        count / seconds,
        None,
        None,
        "> 5,000 tx/s",
    )


def bench_pull(folder: Path, rows: int) -> tuple[Row, float]:
    with central_process(f"sqlite:///{folder / 'pull-central.db'}", folder) as svc:
        seeding = time.perf_counter()
        _seed_central(svc, rows, 0)
        seed_s = time.perf_counter() - seeding
        (token,) = svc.enrol_kiosks(1)
        store = Store(folder / "pull.db")
        client = DaemonClient(svc.url, token, timeout=120)
        started = time.perf_counter()
        report = pull_changes(store, client, ManualClock(START), SyncSettings().page_size)
        seconds = time.perf_counter() - started
        applied = store.counts()["items"]
        store.close()
    if applied != rows:
        raise RuntimeError(f"pull applied {applied} of {rows} rows")
    name = f"pull, pages of {SyncSettings().page_size}, SQLite"
    return (name, report.changes, seconds, report.changes / seconds, None, None, "> 50,000/s"), (
        seed_s
    )


def bench_kiosk_side(folder: Path, push_txns: int, pull_rows: int) -> list[Row]:
    """The daemon's own share without HTTP or the central: where the end-to-end limit is not."""
    store = Store(folder / "kiosk-side.db")
    _queue_journal(store, push_txns, max(1, push_txns // 2), 1000)

    class Echo:
        def push_journal(self, txns: list[Transaction]) -> list[TxnReply]:
            json.dumps({"transactions": [txn_to_json(t) for t in txns]})
            return [TxnReply(t.id, "accepted") for t in txns]

    started = time.perf_counter()
    push_outbox(store, Echo(), SystemClock(), 1000)
    push_s = time.perf_counter() - started
    pages = []
    for first in range(0, pull_rows, 1000):
        changes = [
            {"seq": n + 1, "entity": "item", "op": "upsert", "key": f"{n:010d}",
             "item": {"pii": f"{n:010d}", "title": f"Title {n}", "author": "Author"}}
            for n in range(first, min(pull_rows, first + 1000))
        ]  # fmt: skip
        pages.append(json.dumps({"changes": changes, "next_cursor": changes[-1]["seq"]}))
    started = time.perf_counter()
    for text in pages:
        page = json.loads(text)
        apply_page(store, page["changes"], page["next_cursor"], SystemClock())
    pull_s = time.perf_counter() - started
    store.close()
    return [
        ("push, kiosk side only", push_txns, push_s, push_txns / push_s, None, None, ""),
        ("pull, kiosk side only", pull_rows, pull_s, pull_rows / pull_s, None, None, ""),
    ]


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(
    push_txns: int = 50_000,
    pull_rows: int = 1_000_000,
    ingest_kiosks: int = 2000,
    ingest_rate: float = 1000.0,
    ingest_seconds: float = 20.0,
    postgres: bool = True,
    folder: Path | None = None,
    progress: Callable[[str], None] | None = None,
    push_batches: tuple[int, ...] = (100, 1000),
    ingest_processes: int = 2,
) -> list[Row]:
    """Every sync benchmark; rows of (name, n, seconds, per second, p50 ms, p99 ms, target).

    ``push_batches`` are the batch sizes the push is measured with; the ingest figures come
    from ``tests.bench.ingest_bench`` (``ingest_processes`` API processes at most, PostgreSQL).
    """
    if folder is None:  # a 1M-row run leaves ~500 MB behind: remove it afterwards
        with tempfile.TemporaryDirectory(prefix="shufang-sync-bench-") as scratch:
            return run(
                push_txns, pull_rows, ingest_kiosks, ingest_rate, ingest_seconds, postgres,
                Path(scratch), progress, push_batches, ingest_processes,
            )  # fmt: skip
    from tests.bench import ingest_bench

    say = progress or (lambda _message: None)
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for batch in push_batches:
        say(f"push: {push_txns:,} rows in batches of {batch}")
        rows.append(bench_push(folder, push_txns, batch))
    say(f"pull: seeding {pull_rows:,} catalog rows centrally")
    pull_row, seed_s = bench_pull(folder, pull_rows)
    say(f"pull: seeded in {seed_s:.0f} s")
    rows.append(pull_row)
    say("kiosk side alone: the same push and pull without HTTP")
    rows += bench_kiosk_side(folder, push_txns, pull_rows)
    rows += ingest_bench.run(
        folder, ingest_kiosks, ingest_rate, ingest_seconds, postgres, ingest_processes, say
    )
    return rows


def print_rows(rows: list[Row]) -> None:
    print(f"{'sync benchmark':<36}{'n':>9}{'s':>8}{'per s':>10}{'p50 ms':>9}{'p99 ms':>9}  target")
    for name, n, seconds, rate, p50, p99, target in rows:
        p50_text = f"{p50:9.1f}" if p50 is not None else f"{'':>9}"
        p99_text = f"{p99:9.1f}" if p99 is not None else f"{'':>9}"
        print(f"{name:<36}{n:>9,}{seconds:>8.1f}{rate:>10,.0f}{p50_text}{p99_text}  {target}")


if __name__ == "__main__":
    print_rows(run(progress=lambda m: print(m, file=sys.stderr, flush=True)))
