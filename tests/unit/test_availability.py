"""The kiosk gives up lending only when no item device has worked for the grace period."""

from __future__ import annotations

from kiosk.availability import LendingDevices


def test_a_short_drop_does_not_take_the_kiosk_out_of_service():
    watch = LendingDevices(grace_s=30)
    gone = {"rfid": "disconnected", "scanner": "error", "printer": "ready"}
    assert not watch.missing(gone, 0)
    assert not watch.missing(gone, 29)
    assert watch.missing(gone, 30)
    assert not watch.missing({**gone, "scanner": "ready"}, 31)  # back at once
    assert not watch.missing(gone, 32)  # and the grace period starts again


def test_one_working_item_device_is_enough():
    watch = LendingDevices(grace_s=0)
    assert not watch.missing({"rfid": "disconnected", "scanner": "ready"}, 100)
    assert watch.missing({"rfid": "disconnected"}, 100)


def test_a_kiosk_without_item_devices_configured_is_not_blocked():
    assert not LendingDevices(grace_s=0).missing({"printer": "ready"}, 5)
