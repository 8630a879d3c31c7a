"""Fixtures for kiosk-side sync: a seeded kiosk on the central of ``tests/fixtures/central.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.central import Central, seed
from tests.sync.kiosks import Kiosk, make_kiosk


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Iterator[Kiosk]:
    seed(central, items=10, patrons=("P1", "P2"))
    k = make_kiosk(central, tmp_path)
    yield k
    k.close()
