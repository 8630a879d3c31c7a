"""Writes what the UI reads to decide online or offline: ``sync.online`` and its start time."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import to_text
from kiosk.store import Store
from kiosk.store.state import OFFLINE_SINCE_KEY, ONLINE_KEY


def mark_online(store: Store) -> None:
    """Written only on a change, so a healthy kiosk does not commit on every pass."""
    if store.state.get(ONLINE_KEY) is not True:
        with store.atomic():
            store.state.set(ONLINE_KEY, True)
            store.state.set(OFFLINE_SINCE_KEY, "")


def mark_offline(store: Store, at: datetime) -> None:
    """Keeps the first failure's time: the banner and the fleet show how long it has lasted."""
    if store.state.get(ONLINE_KEY) is not False:
        with store.atomic():
            store.state.set(ONLINE_KEY, False)
            if not store.state.get(OFFLINE_SINCE_KEY):
                store.state.set(OFFLINE_SINCE_KEY, to_text(at))
