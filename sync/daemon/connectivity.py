"""Writes what the UI reads to decide online or offline: ``sync.online`` and its start time."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import to_text
from kiosk.core import OFFLINE_SINCE_KEY, ONLINE_KEY
from kiosk.store import Store


def mark_online(store: Store) -> None:
    """Written only on a change, so a healthy kiosk does not commit on every pass."""
    if store.get_state(ONLINE_KEY) != "1":
        with store.atomic():
            store.set_state(ONLINE_KEY, "1")
            store.set_state(OFFLINE_SINCE_KEY, "")


def mark_offline(store: Store, at: datetime) -> None:
    """Keeps the first failure's time: the banner and the fleet show how long it has lasted."""
    if store.get_state(ONLINE_KEY) != "0":
        with store.atomic():
            store.set_state(ONLINE_KEY, "0")
            if not store.get_state(OFFLINE_SINCE_KEY):
                store.set_state(OFFLINE_SINCE_KEY, to_text(at))
