"""Fixtures for the SIP2 tests: a pysip2 server with a small library, and clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli.run import core_factory
from kiosk.config import load_config
from kiosk.core import Core
from kiosk.models import Item, Patron
from sync.sip2.client import Account, Sip2Client
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.transport import Endpoint
from tests.sip2.kiosk_daemon import write_config
from tests.sip2.library import Book, Library, Reader, RunningServer, build_app


def small_library() -> Library:
    return Library(
        readers={
            "R0001": Reader(),
            "R0002": Reader(blocked=True),
            "R0003": Reader(lost=True),
            "R0004": Reader(holds=2),
        },
        books={
            "1000001": Book("三体"),
            "1000002": Book("活着"),
            "1000003": Book("Held book", holds=["R0004"]),
            "1000004": Book("Other branch book", home="EAST"),
        },
    )


@pytest.fixture
def library() -> Library:
    return small_library()


@pytest.fixture
def server(library: Library) -> Iterator[RunningServer]:
    running = RunningServer(build_app(library))
    running.start()
    yield running
    running.stop()


#: Every client a test made, closed after it (tests build upstreams inline and drop them).
_made: list[Sip2Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _made:
        _made.pop().close()


def make_client(port: int, **account: object) -> Sip2Client:
    """A client for a test's ACS; closed when the test ends (no socket left to the GC)."""
    settings = {
        "institution_id": "CITY",
        "location_code": "MAIN",
        "timeout_s": 0.5,
        "retries": 2,
        **account,
    }
    made = Sip2Client(Endpoint("127.0.0.1", port, connect_timeout_s=1.0), Account(**settings))
    _made.append(made)
    return made


@pytest.fixture
def client(server: RunningServer) -> Iterator[Sip2Client]:
    c = make_client(server.port)
    yield c
    c.close()


@pytest.fixture
def upstream(client: Sip2Client) -> Sip2Upstream:
    return Sip2Upstream(client, profile("standard"), budget_s=2.0)


@pytest.fixture
def kiosk_core(tmp_path: Path, server: RunningServer) -> Iterator[Core]:
    """The UI's core wired to the library system, with the few records it lends offline."""
    core = core_factory(load_config(write_config(tmp_path, server.port)))()
    core.store.patrons.upsert([Patron("R0001"), Patron("R0002")])
    core.store.items.upsert([Item("1000001", "三体"), Item("1000002", "活着")])
    yield core
    core.close()
