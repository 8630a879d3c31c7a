"""End to end with processes and threads: delivery latency, two API processes, CLI, CSV import."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.outcomes import OutcomeKind
from kiosk.store import Store
from sync import wire
from sync.central import auth, staff_wire
from sync.central.database import make_engine, writing
from sync.central.migrations import migrate
from sync.central.server import free_port
from sync.daemon import SyncDaemon
from sync.daemon.central_client import DaemonClient
from sync.daemon.push import push_outbox
from tests.fixtures.central import START, open_loans, seed
from tests.sync.kiosks import Kiosk, make_kiosk
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_transaction_made_online_reaches_the_central_within_two_seconds(kiosk: Kiosk):
    assert kiosk.sync().ok
    daemon = SyncDaemon(
        Store(kiosk.db_path), kiosk.client, kiosk.daemon.settings, clock=SystemClock()
    ).start()
    circulation, patron = kiosk.core.circulation, kiosk.patron("P1")
    latencies = []
    try:
        for n in range(50):
            pii = f"I{n // 2 % 10}"
            lend = n % 2 == 0
            outcome = circulation.checkout(patron, pii) if lend else circulation.checkin(pii)
            assert outcome.kind is OutcomeKind.ACCEPTED, outcome.reason
            made, txn_id = time.monotonic(), kiosk.store.journal.recent(limit=1)[0].id
            wait_until(lambda: kiosk.store.journal.get(txn_id).acked_at, timeout=5.0, every=0.005)  # noqa: B023
            latencies.append(time.monotonic() - made)
    finally:
        daemon.stop()
        daemon.store.close()
    latencies.sort()
    p50, p99 = statistics.median(latencies), latencies[round(0.99 * (len(latencies) - 1))]
    print(f"\ndelivery latency, {len(latencies)} transactions: p50 {p50:.3f} s, p99 {p99:.3f} s")
    assert p99 < 2.0


def _serve(db_url: str, port: int, folder: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "kiosk", "central", "serve", "--db", db_url]
    # the child writes to its own copy of the descriptor; ours is closed once it has started
    with open(folder / f"central-{port}.log", "w") as log:
        return subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    def up() -> bool:
        assert process.poll() is None, "central process exited"
        try:
            return requests.get(url + "/api/v1/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_until(up, timeout=60, every=0.1)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_central_processes_on_one_postgresql_apply_each_transaction_once(
    postgres, tmp_path: Path
):
    name = postgres.create_database()
    db_url = postgres.url(name)
    engine = make_engine(db_url)
    migrate(engine)
    processes = []
    try:
        urls = []
        for _ in range(2):  # one after the other: each migrates on start
            port = free_port()
            processes.append(_serve(db_url, port, tmp_path))
            urls.append(f"http://127.0.0.1:{port}")
            _wait_healthy(urls[-1], processes[-1])
        with writing(engine) as conn:
            token = auth.enrol_kiosk(conn, "k1", "main", START)
            staff = auth.enrol_staff(conn, "librarian", START)
        staff_session = requests.Session()
        staff_session.headers["Authorization"] = f"Bearer {staff}"
        items = staff_wire.ItemBatch([wire.ItemRecord(pii=f"I{n}", title="B") for n in range(300)])
        reply = staff_session.put(urls[0] + "/api/v1/admin/items", json=wire.to_json(items))
        assert reply.status_code == 200, reply.text
        patrons = staff_wire.PatronBatch([wire.PatronRecord(card_id="P1")])
        reply = staff_session.put(urls[1] + "/api/v1/admin/patrons", json=wire.to_json(patrons))
        assert reply.status_code == 200, reply.text

        kiosk_db = tmp_path / "k1.db"
        store = Store(kiosk_db)
        from tests.sync.test_daemon_loop import _txn  # a plain offline checkout row

        for n in range(300):
            store.journal.append(_txn(n))
        # A load balancer's retry race: both processes get the same batches at once.
        results = []

        def push_through(url: str) -> None:
            own = Store(kiosk_db)
            client = DaemonClient(url, token)
            results.append(push_outbox(own, _Slow(client), SystemClock(), 50))
            own.close()

        threads = [threading.Thread(target=push_through, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert store.journal.outbox_depth() == 0
        statuses = [t.upstream_status for t in store.journal.recent(limit=1000)]
        reasons = {t.upstream_reason for t in store.journal.recent(limit=1000)}
        assert set(statuses) <= {"accepted", "duplicate"}, reasons
        assert statuses.count("accepted") + statuses.count("duplicate") == 300
        loans = staff_session.get(urls[1] + "/api/v1/loans", timeout=30).json()
        assert len(loans) == 300 and len({loan["txn_id"] for loan in loans}) == 300
        with engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT count(*) FROM transactions").scalar_one()
        assert count == 300
        store.close()
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        engine.dispose()
        postgres.drop_database(name)


class _Slow:
    """Yields between batches so the two pushers interleave instead of one finishing first."""

    def __init__(self, client: DaemonClient) -> None:
        self.client = client

    def push_journal(self, txns):
        time.sleep(0.001)
        return self.client.push_journal(txns)


def _config(tmp_path: Path, db: Path, url: str, token: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[database]\npath = "{db}"\n\n[upstream]\nkind = "central"\nurl = "{url}"\n'
        f'token = "{token}"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sync_once_exits_non_zero_when_the_central_is_unreachable(central, tmp_path, capsys):
    db = tmp_path / "kiosk.db"
    down = _config(tmp_path, db, f"http://127.0.0.1:{free_port()}", "sfk_x")
    assert main(["sync", "--once", "--config", str(down)]) == 1
    assert "unreachable" in capsys.readouterr().out
    token = central.enrol("k1").session.headers["Authorization"].removeprefix("Bearer ")
    seed(central, items=3)
    up = _config(tmp_path, db, central.url, token)
    assert main(["sync", "--once", "--config", str(up)]) == 0
    assert "pulled" in capsys.readouterr().out
    assert Store(db).items.get("I2") is not None
    central.enrol("k1")  # the old token is replaced: the kiosk is refused
    assert main(["sync", "--once", "--config", str(up)]) == 3


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_csv_imported_on_central_reaches_the_kiosk_which_can_lend(central, tmp_path):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("pii,title,author\n30001,西游记,吴承恩\n30002,红楼梦,曹雪芹\n", "utf-8")
    patrons = tmp_path / "patrons.csv"
    patrons.write_text("card_id,category\nR1001,adult\n", "utf-8")
    assert main(["central", "import", "catalog", str(catalog), "--db", central.db_url]) == 0
    assert main(["central", "import", "patrons", str(patrons), "--db", central.db_url]) == 0
    kiosk = make_kiosk(central, tmp_path)
    try:
        assert kiosk.sync().ok
        assert kiosk.store.items.get("30001").title == "西游记"
        outcome = kiosk.core.circulation.checkout(kiosk.patron("R1001"), "30002")
        assert outcome.kind is OutcomeKind.ACCEPTED
        assert kiosk.sync().push.acked == 1
        assert [loan["item_pii"] for loan in open_loans(central)] == ["30002"]
    finally:
        kiosk.close()
