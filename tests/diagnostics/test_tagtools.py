"""Re-encoding through the TagReader port on every reader: blocks, then the DSFID."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.rfid.field import SimulatedTag, nxp_uid
from kiosk.diag import tagtools
from kiosk.tags import decode, dsfid_for
from tests.rfid.rigs import RIGS, Rig, build_rig

ISIL = "CN-110000-1"


@pytest.fixture(params=RIGS)
def open_rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    """Every reader the kiosk drives (sim, FEIG and 3M 810 over emulators), opened."""
    built = build_rig(request.param)
    try:
        built.reader.open()
        yield built
    finally:
        built.reader.close()
        if built.server is not None:
            built.server.stop()


def blank(rig: Rig, **kwargs: object) -> SimulatedTag:
    return rig.field.place(SimulatedTag(nxp_uid(77), **kwargs))  # type: ignore[arg-type]


def only_tag(rig: Rig):
    (info,) = rig.reader.inventory()
    return info


@pytest.mark.parametrize("tag_format", ["28560-2", "28560-3"])
def test_reencode_writes_the_dsfid_for_the_format(open_rig: Rig, tag_format: str) -> None:
    tag = blank(open_rig)
    report = tagtools.reencode(
        open_rig.reader, only_tag(open_rig), pii="100001", isil=ISIL, tag_format=tag_format
    )
    assert report.decoded is not None
    assert report.decoded.pii == "100001"
    if open_rig.writes_dsfid:
        assert tag.dsfid == dsfid_for(tag_format)
        assert report.info.dsfid == dsfid_for(tag_format)
        assert report.decoded.format == tag_format
        assert report.decoded.warnings == []
        assert report.warnings == ()
        # what another library's reader sees: memory and the DSFID from the tag itself
        decoded = decode(bytes(tag.memory), dsfid=tag.dsfid)
        assert (decoded.format, decoded.pii, decoded.warnings) == (tag_format, "100001", [])
    else:
        assert tag.dsfid == 0x00
        (warning,) = report.warnings
        assert "DSFID not written" in warning
        assert f"0x{dsfid_for(tag_format):02X}" in warning


def test_a_reencoded_28560_3_tag_is_not_read_as_ddm1(open_rig: Rig) -> None:
    tag = blank(open_rig)
    tagtools.reencode(
        open_rig.reader, only_tag(open_rig), pii="100001", isil=ISIL, tag_format="28560-3"
    )
    report = tagtools.read_tag(open_rig.reader, only_tag(open_rig))
    assert report.decoded is not None
    if open_rig.writes_dsfid:
        assert tag.dsfid == 0x3E
        assert (report.decoded.format, report.decoded.warnings) == ("28560-3", [])


def test_a_locked_dsfid_is_a_warning_not_a_failure(open_rig: Rig) -> None:
    tag = blank(open_rig, dsfid_locked=True)
    report = tagtools.reencode(
        open_rig.reader, only_tag(open_rig), pii="100001", isil=ISIL, tag_format="28560-3"
    )
    assert report.decoded is not None and report.decoded.pii == "100001"
    assert tag.dsfid == 0x00
    (warning,) = report.warnings
    assert "DSFID not written" in warning
