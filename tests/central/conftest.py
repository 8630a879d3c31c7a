"""Fixtures for the central service: SQLite files, a real PostgreSQL, live servers.

Every storage test runs on both databases. The PostgreSQL cluster is the session's one
``postgres`` fixture (``tests/conftest.py``), shared with the sync, SIP2 and fleet tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from kiosk.clock import ManualClock
from sync.central import auth, staff_wire, wire
from sync.central.app import create_app
from sync.central.database import make_engine, writing
from sync.central.server import BackgroundServer
from sync.central.settings import CentralSettings
from tests.central.alert_receivers import mailbox, robots  # noqa: F401 (fixtures)
from tests.postgres import PostgresServer

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def central_clock() -> ManualClock:
    return ManualClock(START)


class Api:
    """A requests session for one token against a live server."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + wire.API_PREFIX + path, params=params, timeout=60)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return self.session.post(
            self.base + wire.API_PREFIX + path, json=wire.to_json(body), timeout=120
        )

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(
            self.base + wire.API_PREFIX + path, json=wire.to_json(body), timeout=120
        )

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.base + wire.API_PREFIX + path, timeout=60)

    def push(self, *rows: wire.TransactionIn) -> list[dict[str, Any]]:
        reply = self.post("/transactions", wire.TransactionBatch(list(rows)))
        assert reply.status_code == 200, reply.text
        return reply.json()["results"]


@dataclass
class Central:
    """A running service plus enrolled kiosks and a staff member, for API tests."""

    db_url: str
    clock: ManualClock
    server: BackgroundServer
    engine: sa.Engine
    staff: Api
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def enrol(self, kiosk_id: str, branch: str = "main") -> Api:
        with writing(self.engine) as conn:
            token = auth.enrol_kiosk(conn, kiosk_id, branch, self.clock.now())
        self.tokens[kiosk_id] = token
        return Api(self.url, token)

    def as_token(self, token: str | None) -> Api:
        return Api(self.url, token)


def start_central(
    db_url: str, clock: ManualClock, settings: CentralSettings | None = None
) -> Central:
    app = create_app(db_url, clock, settings or CentralSettings())
    engine = app.state.runtime.engine
    server = BackgroundServer(app).start()
    with writing(engine) as conn:
        staff_token = auth.enrol_staff(conn, "librarian", clock.now())
    return Central(db_url, clock, server, engine, Api(server.url, staff_token))


@pytest.fixture
def central(db_url: str, central_clock: ManualClock) -> Iterator[Central]:
    c = start_central(db_url, central_clock)
    yield c
    c.server.stop()
    c.engine.dispose()


# --- data helpers ---------------------------------------------------------------------------


def txn(
    seq: int,
    kind: str,
    item: str,
    card: str = "P1",
    *,
    at: datetime | None = None,
    due_days: int | None = 28,
    decision: str = "offline",
    cancels: str | None = None,
    id: str | None = None,
) -> wire.TransactionIn:
    at = at or START + timedelta(minutes=seq)
    due = at + timedelta(days=due_days) if due_days is not None and kind != "checkin" else None
    return wire.TransactionIn(
        id=id or str(uuid.uuid4()),
        seq=seq,
        kind=kind,
        patron_card=card,
        item_pii=item,
        at=at,
        decision=decision,
        due_at=due,
        cancels=cancels,
    )


def seed(central: Central, items: int = 10, patrons: tuple[str, ...] = ("P1", "P2")) -> None:
    reply = central.staff.put(
        "/admin/items",
        staff_wire.ItemBatch(
            [wire.ItemRecord(pii=f"I{n}", title=f"Book {n}", branch="main") for n in range(items)]
        ),
    )
    assert reply.status_code == 200, reply.text
    reply = central.staff.put(
        "/admin/patrons",
        staff_wire.PatronBatch([wire.PatronRecord(card_id=card) for card in patrons]),
    )
    assert reply.status_code == 200, reply.text


def open_loans(central: Central, **params: Any) -> list[dict[str, Any]]:
    reply = central.staff.get("/loans", **params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def engine_for(db_url: str) -> sa.Engine:
    return make_engine(db_url)
