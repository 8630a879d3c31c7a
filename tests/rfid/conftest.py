"""Fixtures: the parametrized reader rig every contract test runs against, and an LLRP world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.rfid.emulators.llrp import LlrpEmulator, LlrpEmulatorServer
from drivers.rfid.field import TagField
from drivers.rfid.llrp import LlrpReader
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


@pytest.fixture
def world() -> Iterator[tuple[TagField, LlrpEmulatorServer, LlrpReader]]:
    """A tag field, the LLRP emulator serving it, and an LLRP reader opened on it."""
    field = TagField()
    server = LlrpEmulatorServer(LlrpEmulator(field)).start()
    reader = LlrpReader.for_address("127.0.0.1", server.port, timeout=1.0)
    reader.open()
    yield field, server, reader
    reader.close()
    server.stop()
