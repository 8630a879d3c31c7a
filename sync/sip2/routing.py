"""Where a returned item goes, read from a SIP2 checkin reply (10).

Split from ``library_system``: the routing reads one reply and the site's own location
codes and needs nothing else of the live connection, so it is a plain function the return
paths (live and replayed) share.

A checkin's alert type (CV, the 3M extension Evergreen and Koha send): 01 hold here, 02 hold
at another branch (it travels there first), 03 inter-library loan going back, 04 transfer
home; 00 and 99 say there is an alert but not why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Set
from enum import StrEnum

from sync.sip2.fields import (
    ALERT_TYPE,
    DESTINATION,
    HOLD_PATRON,
    PERMANENT_LOCATION,
    PRINT_LINE,
    SCREEN_MESSAGE,
)
from sync.sip2.messages import Message

log = logging.getLogger(__name__)


class Route(StrEnum):
    """Where a returned item goes (the kiosk's bins: shelf, holds shelf, transfer, staff)."""

    SHELF = "shelf"
    HOLD_HERE = "hold_here"
    TRANSFER = "transfer"
    TRANSFER_HOLD = "transfer_hold"  # held for a reader at another branch: travels there
    STAFF = "staff"

    @property
    def sends_away(self) -> bool:
        return self in (Route.TRANSFER, Route.TRANSFER_HOLD)

    @property
    def holds(self) -> bool:
        return self in (Route.HOLD_HERE, Route.TRANSFER_HOLD)


#: Words of a checkin reply that say a lost or missing item has come back (staff settle it).
_FOUND_LOST = re.compile(r"\b(lost|missing)\b|丢失|遗失|下落不明")
_HOLD_WORDS = re.compile(r"hold|reserv|预约|预留")

#: Alert types that say there is an alert but not why (00 unknown, 99 other): the alert
#: flag and the item's home decide, as when no alert type is sent.
VAGUE_ALERT_TYPES = frozenset({"00", "99"})


def checkin_route(reply: Message, here: Set[str], transfer_when_location_differs: bool) -> Route:
    """Where a returned item goes, from every field that says so, most specific first.

    A found lost or missing item goes to staff, whatever else is said. Then the alert
    type (CV); then the destination (CT) and the hold patron (CY): a hold for a reader
    at another branch travels there; a hold with no destination elsewhere stays here.
    An alert with none of these sends an item from elsewhere (AQ) home, keeps one the
    words say is held, and puts anything else in the staff box rather than on this
    room's hold shelf, where a wrong guess would strand it.

    ``here``: this site's location and institution codes; ``transfer_when_location_differs``:
    the dialect's habit of sending an item home when its permanent location is elsewhere.
    """
    words = " ".join(reply.all(SCREEN_MESSAGE) + reply.all(PRINT_LINE)).lower()
    if _FOUND_LOST.search(words):
        return Route.STAFF
    destination = (reply.get(DESTINATION) or "").strip()
    elsewhere = bool(destination) and destination not in here
    held_for = (reply.get(HOLD_PATRON) or "").strip()
    alert_type = (reply.get(ALERT_TYPE) or "").strip()
    if alert_type == "01":
        return Route.TRANSFER_HOLD if elsewhere else Route.HOLD_HERE
    if alert_type == "02":
        return Route.TRANSFER_HOLD
    if alert_type in ("03", "04"):
        return Route.TRANSFER
    if alert_type and alert_type not in VAGUE_ALERT_TYPES:
        log.warning(
            "sip2 %s: unknown alert type %r; reading the alert flag instead",
            reply.command,
            alert_type[:8],
        )
    if elsewhere:
        return Route.TRANSFER_HOLD if held_for else Route.TRANSFER
    if held_for:
        return Route.HOLD_HERE
    if not reply.flag("alert"):
        return Route.SHELF
    home = (reply.get(PERMANENT_LOCATION) or "").strip()
    if transfer_when_location_differs and home and home not in here:
        return Route.TRANSFER
    if _HOLD_WORDS.search(words):
        return Route.HOLD_HERE
    return Route.STAFF
