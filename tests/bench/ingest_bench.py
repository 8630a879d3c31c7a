"""The central service's sustained ingest: simulated kiosks' heartbeats and transaction pushes.

The target (issue #5): 1,000 requests/s per API process on PostgreSQL with p99 under 100 ms
(60,000 kiosks beating once a minute), and more processes adding capacity over the same
database. Measured here, in one run:

- ``open`` at the target rate for each database: requests start on schedule whatever the
  service's pace, latency from the scheduled start (what a kiosk would see);
- ``closed`` saturation with one and with two API processes on the same PostgreSQL: the most
  each set-up takes, and the ratio between them.

Every part is real: ``shufang central serve`` processes (uvicorn), a PostgreSQL started with
its durable defaults (fsync and synchronous commit on), and the load from a separate process
(``tests.bench.ingest_load``) so the client does not share an interpreter lock with anything.
The machine has two cores that the load, the API processes and PostgreSQL share, so the
two-process figure says more as a ratio than as an absolute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from sync import wire
from sync.central import auth, catalog
from sync.central.database import make_engine, writing
from sync.central.migrations import migrate
from tests.bench.ingest_load import ITEMS_PER_KIOSK, RUNS, START, item_pii
from tests.bench.sync_bench import REPO, Row, _percentile, central_process

#: One request in this many is a push; the rest are heartbeats. A kiosk pushes as soon as a
#: loan is journaled, so a push carries what one reader placed on the pad: a few items.
PUSH_EVERY = 5
PUSH_ROWS = 5


def prepare(db_url: str, kiosks: int) -> list[tuple[int, str]]:
    """Migrate, then seed each kiosk's ten items and enrol the kiosks; (index, token) pairs."""
    engine = make_engine(db_url)
    try:
        migrate(engine)
        with writing(engine) as conn:
            catalog.upsert_patrons(
                conn, [wire.PatronRecord(card_id=f"P{n:06d}") for n in range(1000)], START
            )
            catalog.upsert_items(
                conn,
                [
                    wire.ItemRecord(pii=item_pii(k, n), title=f"Title {k}/{n}", branch="main")
                    for k in range(kiosks)
                    for n in range(ITEMS_PER_KIOSK * RUNS)
                ],
                START,
            )
            tokens = [
                (k, auth.enrol_kiosk(conn, f"load-{k:05d}", "main", START)) for k in range(kiosks)
            ]
        return tokens
    finally:
        engine.dispose()


def settle(engine: Engine) -> None:
    """``VACUUM ANALYZE`` on PostgreSQL: a running fleet's tables have settled statistics;
    freshly loaded ones get them from autovacuum in the middle of a measurement instead."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def load(spec: dict) -> dict:
    """Run the load generator in its own process and return its JSON report."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.ingest_load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=spec["seconds"] + 300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _rows(label: str, report: dict, target: str) -> list[Row]:
    if report["errors"] or report["not_accepted"]:
        raise RuntimeError(
            f"{label}: {report['errors']} failed requests, "
            f"{report['not_accepted']} rows not accepted"
        )
    beats, pushes, seconds = report["beats"], report["pushes"], report["seconds"]
    total = len(beats) + len(pushes)
    out: list[Row] = [
        (
            f"{label}, heartbeat",
            len(beats),
            seconds,
            total / seconds,
            _percentile(beats, 0.5),
            _percentile(beats, 0.99),
            target,
        )
    ]
    if pushes:
        out.append(
            (
                f"{label}, push {PUSH_ROWS} rows",
                len(pushes),
                seconds,
                total / seconds,
                _percentile(pushes, 0.5),
                _percentile(pushes, 0.99),
                "",
            )
        )
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(
    db_url: str,
    label: str,
    folder: Path,
    kiosks: int,
    rate: float,
    seconds: float,
    max_processes: int,
    say: Callable[[str], None],
) -> list[Row]:
    """Heartbeats at ``rate`` (open load) on one process, then saturation with heartbeats
    alone and with one push in ``PUSH_EVERY`` requests, on 1..``max_processes`` processes."""
    tokens = prepare(db_url, kiosks)
    rows: list[Row] = []
    run = 0

    def go(spec: dict, **more: object) -> dict:
        nonlocal run
        report = load({**spec, **more, "run": run})
        run += 1
        return report

    for processes in range(1, max_processes + 1):
        with central_process(db_url, folder, processes) as api:
            host, port = api.host_port
            spec = {"host": host, "port": port, "push_rows": PUSH_ROWS, "kiosks": tokens}
            closed = {"mode": "closed", "connections": 32, "seconds": seconds}
            # A first pass fills the token caches, as minutes of a fleet's beats would.
            go(spec, push_every=0, mode="closed", connections=32, seconds=min(3.0, seconds))
            settle(api.engine)  # type: ignore[arg-type]
            if processes == 1:
                say(f"ingest {label}: {rate:,.0f} heartbeats/s for {seconds:.0f} s")
                report = go(spec, push_every=0, mode="open", rate=rate, seconds=seconds)
                name = f"{label}, 1 proc, {rate:,.0f} beats/s"
                rows += _rows(name, report, "p99 < 100 ms")
            for push_every, what in ((0, "beats"), (PUSH_EVERY, f"1 in {PUSH_EVERY} a push")):
                say(f"ingest {label}: saturated, {processes} process(es), {what}")
                before = _cpu_seconds(api.pid)
                report = go(spec, push_every=push_every, **closed)
                done = len(report["beats"]) + len(report["pushes"])
                cpu_ms = (_cpu_seconds(api.pid) - before) / max(1, done) * 1000
                target = (
                    ("> 1,000/s" if processes == 1 else "more than 1 proc")
                    if not push_every
                    else ""
                )
                name = f"{label}, {processes} proc, max, {what} ({cpu_ms:.2f} ms CPU/req)"
                rows += _rows(name, report, target)
    return rows


def run(
    folder: Path,
    kiosks: int = 2000,
    rate: float = 1000.0,
    seconds: float = 20.0,
    postgres: bool = True,
    max_processes: int = 2,
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    say = progress or (lambda _message: None)
    rows = measure(
        f"sqlite:///{folder / 'ingest-central.db'}", "SQLite", folder, kiosks, rate, seconds, 1,
        say,
    )  # fmt: skip
    if postgres:
        from tests.postgres import PostgresServer

        server = PostgresServer(durable=True)
        server.start()
        try:
            url = server.url(server.create_database())
            rows += measure(url, "PostgreSQL", folder, kiosks, rate, seconds, max_processes, say)
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    import tempfile

    from tests.bench.sync_bench import print_rows

    with tempfile.TemporaryDirectory() as scratch:
        print_rows(run(Path(scratch), progress=lambda m: print(m, file=sys.stderr, flush=True)))
