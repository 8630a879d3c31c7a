"""The one back-off: exact doubling for devices, spread for the fleet, Retry-After respected."""

from __future__ import annotations

import random

from kiosk.backoff import RETRY_AFTER_CAP_S, Backoff


def test_devices_wait_exactly_doubling_up_to_the_cap_and_start_again_after_success() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_a_fleet_spreads_out_but_never_waits_past_the_step() -> None:
    kiosks = [Backoff(1.0, 60.0, jitter=random.Random(seed)) for seed in range(50)]
    third = [[k.next_delay() for _ in range(3)][-1] for k in kiosks]
    assert all(0.5 <= delay <= 4.0 for delay in third)
    assert len({round(delay, 3) for delay in third}) > 40  # not in lockstep


def test_a_server_that_said_when_is_not_asked_sooner_but_a_silly_header_is_capped() -> None:
    backoff = Backoff(1.0, 60.0)
    assert backoff.next_delay(retry_after_s=120) == 120
    assert backoff.next_delay(retry_after_s=10**9) == RETRY_AFTER_CAP_S
    assert backoff.next_delay(retry_after_s=0.1) == 4.0  # our own step is longer
