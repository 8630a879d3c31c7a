"""The kiosk-side client against a live service: typed replies and errors by what to do next."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sync import wire
from sync.central import auth
from sync.central.database import writing
from sync.central.server import free_port
from sync.link.client import CentralClient, Rejected, Unauthorized, Unavailable
from tests.fixtures.central import Central, seed, txn


def client_for(central: Central, kiosk_id: str = "k1") -> CentralClient:
    central.enrol(kiosk_id)
    return CentralClient(central.url, central.tokens[kiosk_id], timeout=30)


def test_push_pull_and_heartbeat_speak_the_wire_model(central: Central) -> None:
    seed(central)
    client = client_for(central)
    row = txn(1, "checkout", "I1")
    assert client.push([row]) == [wire.TransactionResult(row.id, "accepted")]
    assert client.push([row])[0].status == "duplicate"
    page = client.changes(0, limit=5)
    assert isinstance(page.changes[0].item, wire.ItemRecord) and page.has_more
    ack = client.heartbeat(wire.Heartbeat("in_service", outbox_depth=0, software_version="x"))
    assert ack.received_at == central.clock.now() and ack.latest_cursor == 12
    assert client.policy().version == "central-0"


def test_errors_say_whether_to_retry(central: Central) -> None:
    client = client_for(central)
    bad = wire.TransactionIn("u1", 1, "cancel", "P1", "I1", central.clock.now(), "offline")
    with pytest.raises(Rejected) as rejected:
        client.push([bad])  # a cancel must name what it cancels
    assert rejected.value.status == 422
    with writing(central.engine) as conn:
        auth.revoke_kiosk(conn, "k1", central.clock.now())
    with pytest.raises(Unauthorized):
        client.changes(0)
    nowhere = CentralClient(f"http://127.0.0.1:{free_port()}", "t", timeout=2)
    with pytest.raises(Unavailable):
        nowhere.changes(0)


def test_the_client_loads_no_server_library() -> None:
    code = (
        "import sys, sync.link.client; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'psycopg', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
