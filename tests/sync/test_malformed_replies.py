"""The daemon against a central that answers 200 with the wrong body (issue 14, finding 4).

Regression: ``{}``, ``[]``, ``null`` and a captive portal's HTML each killed the daemon with a
traceback. Each is now an upstream error: a fault, a back-off, and every row kept and sent
once the real central answers again. The bodies come from a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.store import Store
from sync.daemon import SyncDaemon, SyncSettings
from sync.daemon.central_client import DaemonClient
from sync.daemon.loop import MALFORMED_CODE, UPSTREAM_DEVICE
from tests.sync.kiosks import Kiosk
from tests.sync.test_replication import _lend

PORTAL = b"<html><head><title>WiFi login</title></head><body>Accept terms</body></html>"
BODIES = [
    b"{}",
    b"[]",
    b"null",
    b"42",
    b'"ok"',
    PORTAL,
    b'{"results": [{"status": "accepted"}]}',
    b'{"results": "all good", "changes": 7}',
    b'{"changes": [{"entity": "item"}], "next_cursor": 99, "has_more": false}',
    b'{"changes": [], "next_cursor": "soon"}',
    b'{"latest_cursor": "x"}',
]


class _Hostile(BaseHTTPRequestHandler):
    body = b"{}"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        kind = "text/html" if self.body.startswith(b"<") else "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[tuple[str, type[_Hostile]]]:
    handler = type("Handler", (_Hostile,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("body", BODIES, ids=lambda b: b[:24].decode())
def test_a_malformed_200_is_an_upstream_fault_and_every_row_is_kept(
    kiosk: Kiosk, central, hostile, body: bytes
):
    assert kiosk.sync().ok
    ids = _lend(kiosk, "P1", "I1", "I2")
    url, handler = hostile
    handler.body = body
    token = central.tokens["k1"]
    settings = SyncSettings(url=url, token=token, min_backoff_s=0.05)
    store = Store(kiosk.db_path)
    daemon = SyncDaemon(store, DaemonClient(url, token, timeout=5), settings, clock=kiosk.clock)
    try:
        report = daemon.run_once()
        assert not report.ok and "malformed" in report.error
        assert [
            f.code for f in store.faults.recent(open_only=True) if f.device == UPSTREAM_DEVICE
        ] == [MALFORMED_CODE]
        assert sorted(t.id for t in store.journal.pending(10)) == sorted(ids)
        assert not daemon.run_once().ok  # and again: still no crash

        # The real central answers again: the rows arrive once and the fault clears.
        daemon.client = DaemonClient(central.url, token, timeout=10)
        report = daemon.run_once()
        assert report.ok, report.error
        assert store.journal.pending(10) == []
        assert [f for f in store.faults.recent(open_only=True) if f.code == MALFORMED_CODE] == []
    finally:
        store.close()
