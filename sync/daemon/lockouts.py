"""Sends the PIN lockouts applied at this kiosk to the central, for the city's other kiosks.

Three wrong PINs at one kiosk lock the card there; without this, the next kiosk down the
street would give the same reader (or someone trying their card) three more tries. Each
active lockout is reported once (the state key remembers which were sent); the central
keeps the longest and publishes it on the change feed, which every kiosk pulls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from kiosk.clock import to_text
from kiosk.store import Store
from sync.central import wire

#: State key: the lockouts already reported, card → end (UTC text), pruned as they end.
REPORTED_KEY = "sync.pin_lockouts_reported"


class LockoutReceiver(Protocol):
    def report_pin_lockouts(self, lockouts: Sequence[wire.PinLockoutRecord]) -> int: ...


def report_lockouts(store: Store, central: LockoutReceiver, now: datetime) -> int:
    """Report the lockouts not reported yet; the number sent (0: nothing was sent)."""
    active = store.pin_lockouts_after(now, now)
    try:
        reported = json.loads(store.get_state(REPORTED_KEY, "{}") or "{}")
    except ValueError:
        reported = {}
    if not isinstance(reported, dict):
        reported = {}
    pending = [(card, until) for card, until in active if reported.get(card) != to_text(until)]
    if pending:
        central.report_pin_lockouts([wire.PinLockoutRecord(card, until) for card, until in pending])
    still = {card: to_text(until) for card, until in active}
    if pending or still != reported:
        store.set_state(REPORTED_KEY, json.dumps(still, sort_keys=True))
    return len(pending)
