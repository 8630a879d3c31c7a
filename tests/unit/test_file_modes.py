"""Databases holding patrons and tokens are created 0600 (issue 14, finding 6).

Regression: ``kiosk.db`` and ``central.db`` were created world-readable (0644) under the usual
umask, so any local account could copy every patron's card and PIN hash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.store import Store
from sync.central.database import make_engine


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_kiosk_database_and_its_wal_are_readable_by_the_service_user_only(
    tmp_path: Path, usual_umask
):
    path = tmp_path / "kiosk.db"
    store = Store(path)
    try:
        store.state.set_text("probe", "1")
        assert _mode(path) == 0o600
        wal = Path(f"{path}-wal")
        assert wal.exists() and _mode(wal) == 0o600
    finally:
        store.close()


def test_an_existing_database_keeps_the_mode_its_admin_gave_it(tmp_path: Path, usual_umask):
    path = tmp_path / "kiosk.db"
    Store(path).close()
    path.chmod(0o640)  # root:shufang, as the package installs it
    Store(path).close()
    assert _mode(path) == 0o640


def test_a_new_central_sqlite_database_is_readable_by_the_service_user_only(
    tmp_path: Path, usual_umask
):
    path = tmp_path / "central.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE probe (x)"))
    finally:
        engine.dispose()
    assert _mode(path) == 0o600
