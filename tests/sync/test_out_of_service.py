"""Out of service, set by a technician on the kiosk, reaches the fleet and comes back."""

from __future__ import annotations

from kiosk.core import OUT_OF_SERVICE_KEY
from tests.sync.kiosks import Kiosk


def fleet_state(central) -> str:
    (kiosk,) = [k for k in central.staff.get("/fleet").json()["kiosks"] if k["kiosk_id"] == "k1"]
    return kiosk["state"]


def test_out_of_service_round_trip_to_the_central_service(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    assert fleet_state(central) == "in_service"
    kiosk.store.state.set_text(OUT_OF_SERVICE_KEY, "1")  # what diagnostics mode's toggle writes
    assert kiosk.sync().beat is not None
    assert fleet_state(central) == "out_of_service"
    kiosk.store.state.set_text(OUT_OF_SERVICE_KEY, "0")
    assert kiosk.sync().beat is not None
    assert fleet_state(central) == "in_service"
