"""Fixtures: the parametrized reader rig every contract test runs against."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rfid.rigs import RIGS, Rig, build_rig


@pytest.fixture(params=RIGS)
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    built = build_rig(request.param)
    try:
        yield built
    finally:
        built.reader.close()
        if built.server is not None:
            built.server.stop()


@pytest.fixture
def open_rig(rig: Rig) -> Rig:
    rig.reader.open()
    return rig
