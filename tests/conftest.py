"""Shared fixtures. Qt runs offscreen in every test; time is a ManualClock, never patched."""

from __future__ import annotations

import os
import shutil
import subprocess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.circulation import Circulation, Site
from kiosk.clock import ManualClock
from kiosk.policy import Policy, Rule
from kiosk.store import Store
from tests.postgres import PostgresServer

#: Fixtures several folders share, one module each (see tests/fixtures/__init__.py).
pytest_plugins = ["tests.fixtures.central", "tests.fixtures.alert_receivers"]

# 10:00 in Beijing on a Tuesday.
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite file in WAL mode, migrated to the current schema."""
    s = Store(tmp_path / "kiosk.db")
    yield s
    s.close()


TEST_POLICY = Policy(
    rules=(
        Rule("*", "*", True, 28, 10, 2),
        Rule("*", "dvd", True, 7, 2, 1),
        Rule("*", "reference", False, 0, 0, 0),
        Rule("child", "*", True, 21, 5, 2),
    ),
    max_loans={"*": 10, "child": 5},
    offline_max_items=3,
)


class Online:
    """A switchable connectivity flag passed to the core as ``online``."""

    def __init__(self) -> None:
        self.up = True

    def __call__(self) -> bool:
        return self.up


@pytest.fixture
def online() -> Online:
    return Online()


@pytest.fixture
def make_circulation(
    store: Store, clock: ManualClock, online: Online
) -> Callable[..., Circulation]:
    def make(policy: Policy = TEST_POLICY, **kwargs) -> Circulation:
        site = Site(kiosk_id="k1", branch="main", isil="CN-110000-1")
        return Circulation(store, policy, clock, site, online=online, **kwargs)

    return make


@pytest.fixture
def circ(make_circulation) -> Circulation:
    return make_circulation()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole session; each test takes a fresh database."""
    server = PostgresServer()
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(server.base, ignore_errors=True)
        pytest.fail(f"PostgreSQL could not be started for the tests: {error}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB filesystem of its own (tmpfs) for full-disk tests; see tests/full_disk.py."""
    from tests.full_disk import mounted_small_disk

    with mounted_small_disk(tmp_path) as mount:
        yield mount
