"""The status page tells a technician what the 调拨 box holds (issue #17): books returned
here that rotation plans send to other rooms, by room."""

from __future__ import annotations

from kiosk.models import ItemStatus, Rotation
from tests.diagnostics.conftest import TECHNICIAN_CARD, WAIT, shoot


def test_the_status_page_counts_the_books_for_other_rooms(qtbot, diag):
    def returned_for_west(core) -> None:
        for pii in ("100001", "100002"):
            core.store.rotations.set(Rotation(pii, "west", "城西书房", 4))
            core.store.items.set_status(pii, ItemStatus.IN_TRANSIT)
        core.store.rotations.set(Rotation("100003", "north", "", 5))  # still on the shelf

    diag.controller.core.call(returned_for_west, lambda _: None)
    diag.controller.events.tap(TECHNICIAN_CARD)
    status = diag.page("status")
    qtbot.waitUntil(
        lambda: bool(getattr(status.checks.get("rotation.box"), "value", "")), timeout=WAIT
    )
    assert status.rows["rotation.box"].value.text() == "要送往其他书房的书：城西书房 2"
    shoot(diag.controller.window, "10-status-transfer-box")
