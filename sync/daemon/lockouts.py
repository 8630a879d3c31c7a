"""Sends PIN lockouts and wrong PINs from this kiosk to the central, for the city's kiosks.

Three wrong PINs at one kiosk lock the card there; without this, the next kiosk down the
street would give the same reader (or someone trying their card) three more tries. Each
active lockout is reported once, and wrong PINs below the limit as the number added since
the last report (state ``sync.pin_lockouts_reported``); the central adds up a card's wrong
PINs from every kiosk, keeps the longest lockout and publishes it on the change feed, which
every kiosk pulls. Card numbers go to the central only, never to the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from kiosk.clock import to_text
from kiosk.store import Store
from kiosk.store.state import PIN_LOCKOUTS_REPORTED_KEY
from sync import wire


class LockoutReceiver(Protocol):
    def report_pin_lockouts(
        self,
        lockouts: Sequence[wire.PinLockoutRecord],
        failures: Sequence[wire.PinFailureRecord] = (),
    ) -> int: ...


def report_lockouts(store: Store, central: LockoutReceiver, now: datetime) -> int:
    """Report lockouts and wrong PINs not reported yet; how many cards were in the report."""
    reported = _reported(store)
    active = store.pin_attempts.lockouts_after(now, now)
    lockouts = [
        wire.PinLockoutRecord(card, until)
        for card, until in active
        if reported["locked"].get(card) != to_text(until)
    ]
    counts = store.pin_attempts.failure_counts(now)
    failures = [
        wire.PinFailureRecord(card, count - reported["wrong"].get(card, 0))
        for card, count in counts.items()
        if count > reported["wrong"].get(card, 0)
    ]
    if lockouts or failures:
        central.report_pin_lockouts(lockouts, failures)
    # A count that fell (a right PIN, a lockout) is remembered as it is now, so the next
    # wrong PIN is reported as one more, not as the difference from an old count.
    still = {
        "locked": {card: to_text(until) for card, until in active},
        "wrong": counts,
    }
    if still != reported:
        store.state.set(PIN_LOCKOUTS_REPORTED_KEY, still)
    return len(lockouts) + len(failures)


def _reported(store: Store) -> dict[str, dict[str, Any]]:
    value = store.state.get(PIN_LOCKOUTS_REPORTED_KEY) or {}
    reported: dict[str, dict[str, Any]] = {}
    for name in ("locked", "wrong"):
        entry = value.get(name)
        reported[name] = entry if isinstance(entry, dict) else {}
    return reported
